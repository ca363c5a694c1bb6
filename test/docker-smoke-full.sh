#!/usr/bin/env bash
# `npm run test:docker`: the real container test, run by hand as root (not in .ci/run: it needs root and
# minutes). It runs ../shared/tools/docker-smoke.sh (a private Docker engine, local stand-ins for the
# official node images, `docker build` and `docker run` of this repo's Dockerfile) with test/docker-check.sh
# as its CHECK_CMD, which checks the endpoint over HTTP and measures health, `docker stop` and --init.
# docs/docker.md has the results.
#
# usage: sudo bash test/docker-smoke-full.sh          the Dockerfile's default base
#        sudo NODE_IMAGE=node:26-bookworm-slim bash test/docker-smoke-full.sh
#        env: NODE_IMAGE (passed as --build-arg NODE_IMAGE), SMOKE (path of docker-smoke.sh), and
#        docker-smoke.sh's own (BUILD_ARGS, HOST_PORT, IMAGE_TAG, CACHE_DIR, ...)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
SMOKE=${SMOKE:-$REPO_DIR/../shared/tools/docker-smoke.sh}
[ -f "$SMOKE" ] || { echo "docker-smoke-full: no $SMOKE. Fix: set SMOKE=/path/to/docker-smoke.sh" >&2; exit 2; }
NODE_IMAGE=${NODE_IMAGE:-$(sed -nE 's/^ARG NODE_IMAGE=([^[:space:]]+).*/\1/p' "$REPO_DIR/Dockerfile")}
export NODE_IMAGE

BUILD_ARGS="NODE_IMAGE=$NODE_IMAGE${BUILD_ARGS:+ $BUILD_ARGS}" CHECK_CMD="bash '$REPO_DIR/test/docker-check.sh'" bash "$SMOKE" "$REPO_DIR"
