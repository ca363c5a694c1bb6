#!/usr/bin/env bash
# `npm run test:docker`: the real container test, run by hand as root (not in .ci/run: it needs root and
# minutes). It runs ../shared/tools/docker-smoke.sh (a private Docker engine, local stand-ins for the
# official node images, `docker build` and `docker run` of this repo's Dockerfile) with test/docker-check.sh
# as its CHECK_CMD, which checks the endpoint over HTTP and measures health, `docker stop` and --init.
# docs/docker.md has the results.
#
# docker-smoke.sh makes sure every FROM image exists locally before it builds, and reads the FROM lines
# literally: `FROM ${NODE_IMAGE}` would look missing to it. So it is handed a copy of the build context
# whose FROM lines name the image (NODE_IMAGE, default: the Dockerfile's ARG default). test/docker-check.sh
# then builds the repo's own, unmodified Dockerfile once more with --build-arg NODE_IMAGE, to prove the ARG.
#
# usage: sudo bash test/docker-smoke-full.sh      env: NODE_IMAGE, SMOKE (path of docker-smoke.sh), and
#        docker-smoke.sh's own (HOST_PORT, IMAGE_TAG, CACHE_DIR, ...)
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
SMOKE=${SMOKE:-$REPO_DIR/../shared/tools/docker-smoke.sh}
[ -f "$SMOKE" ] || { echo "docker-smoke-full: no $SMOKE. Fix: set SMOKE=/path/to/docker-smoke.sh" >&2; exit 2; }
NODE_IMAGE=${NODE_IMAGE:-$(sed -nE 's/^ARG NODE_IMAGE=([^[:space:]]+).*/\1/p' "$REPO_DIR/Dockerfile")}
export NODE_IMAGE

CONTEXT=$(mktemp -d -t atlas-mock-context.XXXXXX)
trap 'rm -rf "$CONTEXT"' EXIT
# What .dockerignore lets through is all the build needs; the rest stays behind.
tar -C "$REPO_DIR" --exclude=./node_modules --exclude=./dist --exclude=./.git -cf - . | tar -C "$CONTEXT" -xf -
sed -i -E "s|^FROM \\\$\\{NODE_IMAGE\\}|FROM $NODE_IMAGE|" "$CONTEXT/Dockerfile"
if grep -qE '^FROM .*\$' "$CONTEXT/Dockerfile"; then
  echo "docker-smoke-full: a FROM line still holds a variable: $(grep -E '^FROM .*\$' "$CONTEXT/Dockerfile")" >&2
  exit 2
fi

cd "$REPO_DIR"
CHECK_CMD="bash '$REPO_DIR/test/docker-check.sh'" bash "$SMOKE" "$CONTEXT"
