#!/usr/bin/env bash
# End-to-end checks of a running atlas-restore-mock, written as the CHECK_CMD of
# ../shared/tools/docker-smoke.sh (which sets BASE_URL to the container's published port and exports
# DOCKER_HOST for its private engine). `npm run test:docker` (test/docker-smoke-full.sh) runs it that way.
#
# 1. HTTP, with curl, against BASE_URL: works against any running mock, `npm start` included.
# 2. Docker, only when DOCKER_HOST reaches an engine: the container behind BASE_URL (PID 1, user, env,
#    health turning healthy), then two throw-away containers of the same image: one with the port moved by
#    ATLAS_MOCK_PORT and fixtures mounted read-only (health follows the port; `docker stop` time and exit
#    code), one under `--init` with a request in flight when `docker stop` arrives (it still gets its reply).
# 3. Testcontainers, with the same engine: dist/test-docker/ (the module's tests) and the Node recipe
#    examples/node/testcontainers.test.mjs, each starting the image through atlas-restore-mock/testcontainers.
#
# usage: BASE_URL=http://127.0.0.1:8080 bash test/docker-check.sh      exit code: the number of failures
set -uo pipefail

BASE_URL=${BASE_URL:-http://127.0.0.1:8080}
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
JOBS=/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs
FIXTURE_ID=6a880ef37c2e91d04b380240
VERSIONED='Accept: application/vnd.atlas.2023-01-01+json'
STOP_LIMIT_S=${STOP_LIMIT_S:-1}
HEALTHY_LIMIT_S=${HEALTHY_LIMIT_S:-30}

TMP=$(mktemp -d -t docker-check.XXXXXX)
STARTED=()
cleanup() {
  for c in "${STARTED[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  rm -rf "$TMP"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -z "${2:-}" ] || echo "$2" | sed 's/^/    /' | head -20; }

# call CURL_ARGS...: one request; the status goes to $status, the last header block to
# $TMP/headers (curl --digest writes the 401 it answered first), the body to $TMP/body.
call() {
  status=$(curl -sS --max-time 10 -o "$TMP/body" -D "$TMP/all-headers" -w '%{http_code}' "$@" 2>"$TMP/curl-err") || status=000
  awk '/^HTTP\//{block=""} {block=block $0 "\n"} END{printf "%s", block}' "$TMP/all-headers" | tr -d '\r' >"$TMP/headers"
}
# expect NAME STATUS [grep -E patterns for the body, or header:PATTERN for the headers]...
expect() {
  local name=$1 want=$2 miss=''
  shift 2
  [ "$status" = "$want" ] || miss="status $status, want $want"
  for pattern in "$@"; do
    case "$pattern" in
      header:*) grep -qiE "${pattern#header:}" "$TMP/headers" || miss="$miss; no header matching ${pattern#header:}" ;;
      *) grep -qE "$pattern" "$TMP/body" || miss="$miss; body does not match $pattern" ;;
    esac
  done
  if [ -z "$miss" ]; then ok "$name"; else not_ok "$name" "${miss#; }
$(cat "$TMP/headers" "$TMP/curl-err") $(head -c 400 "$TMP/body")"; fi
}

echo "# HTTP checks against $BASE_URL"
call "$BASE_URL/health"
expect 'GET /health answers 200 {"status":"ok"} without auth or Accept' 200 '^\{"status":"ok"\}$'

call --digest -u demo:demo -H "$VERSIONED" "$BASE_URL$JOBS/$FIXTURE_ID"
expect 'a fixture job with the versioned Accept answers 200, links built on the published address' 200 \
  'header:^content-type: application/vnd\.atlas\.2023-01-01\+json;charset=utf-8$' 'header:^ratelimit-limit: [0-9]+$' \
  "\"id\":\"$FIXTURE_ID\"" "\"href\":\"$BASE_URL$JOBS/$FIXTURE_ID\",\"rel\":\"self\""

call --digest -u demo:demo -H "$VERSIONED" "$BASE_URL$JOBS/65f1c0de7c2e91d04b3a0001?pretty=true"
expect 'an id no fixture covers gets a generated job, pretty-printed' 200 '^  "id" : "65f1c0de7c2e91d04b3a0001",$'

call --digest -u demo:demo -H "$VERSIONED" "$BASE_URL$JOBS/not-an-id"
expect 'a malformed job id answers 400 INVALID_JOB_ID' 400 'header:^x-error-code: INVALID_JOB_ID$' \
  'header:^content-type: application/json$' '"errorCode":"INVALID_JOB_ID"'

call --digest -u demo:demo -H "$VERSIONED" -H 'Prefer: code=500' "$BASE_URL$JOBS/$FIXTURE_ID"
expect 'Prefer: code=500 answers 500 UNEXPECTED_ERROR' 500 'header:^x-error-code: UNEXPECTED_ERROR$' '"errorCode":"UNEXPECTED_ERROR"'

call --digest -u demo:demo -H "$VERSIONED" "$BASE_URL$JOBS/000000000000000000000404"
expect 'the well-known id 000000000000000000000404 answers 404 RESTORE_JOB_NOT_FOUND' 404 '"errorCode":"RESTORE_JOB_NOT_FOUND"'

call --digest -u demo:demo "$BASE_URL$JOBS/$FIXTURE_ID"
expect "curl's default Accept (*/*) answers 406 INVALID_VERSION_DATE" 406 '"errorCode":"INVALID_VERSION_DATE"'

call -H "$VERSIONED" "$BASE_URL$JOBS/$FIXTURE_ID"
expect 'a request without credentials gets the 401 Digest challenge' 401 \
  'header:^www-authenticate: Digest realm="MMS Public API"' '"error" : 401'

# --- Docker -----------------------------------------------------------------------------------------
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# Seconds from the container's start to the end of its first passing health probe.
time_to_healthy() {
  docker inspect "$1" | node -e '
    const [c] = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const pass = (c.State.Health?.Log ?? []).find((l) => l.ExitCode === 0);
    const t = (s) => Date.parse(s.replace(/(\.\d{3})\d+/, "$1"));
    console.log(pass ? ((t(pass.End) - t(c.State.StartedAt)) / 1000).toFixed(2) : "never");'
}
wait_healthy() {
  local deadline=$((SECONDS + HEALTHY_LIMIT_S)) s
  while [ $SECONDS -lt $deadline ]; do
    s=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null)
    case "$s" in healthy) return 0 ;; none | unhealthy) break ;; esac
    [ "$(docker inspect -f '{{.State.Running}}' "$1")" = true ] || break
    sleep 0.2
  done
  return 1
}
wait_log() {
  for _ in $(seq 1 100); do docker logs "$1" 2>&1 | grep -q "$2" && return 0; sleep 0.1; done
  return 1
}

if [ -z "${DOCKER_HOST:-}" ] || ! docker info >/dev/null 2>&1; then
  echo "# Docker checks skipped: no engine at DOCKER_HOST (run through docker-smoke.sh: npm run test:docker)"
else
  port=${BASE_URL##*:}
  main=$(docker ps --format '{{.ID}} {{.Ports}}' | awk -v p="127.0.0.1:$port->" 'index($0, p) { print $1; exit }')
  if [ -z "$main" ]; then
    not_ok "a running container publishes 127.0.0.1:$port" "$(docker ps)"
  else
    image=$(docker inspect -f '{{.Config.Image}}' "$main")
    size=$(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')
    echo "# Docker checks: container ${main:0:12} of $image ($size), Node $(docker exec "$main" node --version)"
    base_size=$(docker image inspect -f '{{.Size}}' "${NODE_IMAGE:-node:24-bookworm-slim}" 2>/dev/null | awk '{ printf "%.0f MB", $1 / 1e6 }')
    echo "# the base ${NODE_IMAGE:-node:24-bookworm-slim} is ${base_size:-?}; the layers this Dockerfile adds:"
    docker history --format '{{.Size}}\t{{.CreatedBy}}' "$image" | awk -F'\t' '$1 != "0B"' | head -8 |
      cut -c1-110 | sed 's/^/#   /'
    pid1=$(docker exec "$main" cat /proc/1/cmdline | tr '\0' ' ')
    [ "$pid1" = 'node dist/server/cli.js ' ] && ok "PID 1 is node itself: $pid1" || not_ok 'PID 1 is node dist/server/cli.js' "$pid1"
    user=$(docker exec "$main" id -un)
    [ "$user" = node ] && ok 'the server runs as the non-root user node' || not_ok 'runs as node' "$user"
    host_env=$(docker exec "$main" printenv ATLAS_MOCK_HOST)
    [ "$host_env" = 0.0.0.0 ] && ok 'the image sets ATLAS_MOCK_HOST=0.0.0.0' || not_ok 'ATLAS_MOCK_HOST=0.0.0.0' "$host_env"
    listening=$(docker inspect "$main" | node -e '
      const [c] = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
      const line = process.argv[1].split("\n").find((l) => l.includes("atlas-restore-mock listening on"));
      const started = Date.parse(c.State.StartedAt.replace(/(\.\d{3})\d+/, "$1"));
      console.log(line ? ((JSON.parse(line).time - started) / 1000).toFixed(2) : "never");' "$(docker logs "$main" 2>/dev/null)")
    echo "# the server was listening $listening s after the container started"
    if wait_healthy "$main"; then
      ok "the HEALTHCHECK turns healthy: $(time_to_healthy "$main") s after start"
    else
      not_ok 'the HEALTHCHECK turns healthy' "$(docker inspect -f '{{json .State.Health}}' "$main")"
    fi

    # Port moved by the env var, fixtures mounted read-only: health follows the port; then docker stop.
    c=$(docker run -d -e ATLAS_MOCK_PORT=9090 -e ATLAS_MOCK_FIXTURES=/fixtures \
      -v "$REPO_DIR/fixtures:/fixtures:ro" "$image")
    STARTED+=("$c")
    if wait_healthy "$c"; then
      ok "with ATLAS_MOCK_PORT=9090 the HEALTHCHECK follows the port: healthy $(time_to_healthy "$c") s after start"
    else
      not_ok 'the HEALTHCHECK follows ATLAS_MOCK_PORT' "$(docker logs "$c" 2>&1 | tail -5)"
    fi
    line=$(docker logs "$c" 2>/dev/null | grep 'listening on' || true)
    fixtures=$(ls "$REPO_DIR"/fixtures/*/*/*.json | wc -l)
    if echo "$line" | grep -qE "listening on http://[0-9.]+:9090: $fixtures fixtures" && echo "$line" | grep -q '"fixturesFolder":"/fixtures"'; then
      ok "fixtures mounted read-only at /fixtures are served ($fixtures fixtures)"
    else
      not_ok 'mounted fixtures are served' "$line"
    fi
    t0=$(seconds)
    docker stop "$c" >/dev/null
    stop_s=$(elapsed "$t0" "$(seconds)")
    code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
    if [ "$code" = 0 ] && awk -v s="$stop_s" -v l="$STOP_LIMIT_S" 'BEGIN { exit !(s < l) }'; then
      ok "docker stop (SIGTERM to node as PID 1) took $stop_s s, exit code 0"
    else
      not_ok "docker stop takes under $STOP_LIMIT_S s and exits 0" "took $stop_s s, exit code $code
$(docker logs "$c" 2>&1 | tail -3)"
    fi
    docker logs "$c" 2>/dev/null | grep -q '"signal":"SIGTERM"' && ok 'the stop was graceful: the log says stopping on SIGTERM' ||
      not_ok 'the log shows the graceful stop' "$(docker logs "$c" 2>&1 | tail -3)"

    # --init (tini-like docker-init as PID 1) with a request in flight: the reply still arrives.
    c=$(docker run -d --init -p 127.0.0.1::8080 -e ATLAS_MOCK_AUTH=off "$image")
    STARTED+=("$c")
    if wait_log "$c" 'listening on'; then
      url="http://$(docker port "$c" 8080/tcp | head -1)"
      curl -sS --max-time 10 -o "$TMP/inflight" -w '%{http_code}' -H "$VERSIONED" -H 'Prefer: delay=1000' \
        "$url$JOBS/$FIXTURE_ID" >"$TMP/inflight-status" 2>&1 &
      curl_pid=$!
      sleep 0.3
      t0=$(seconds)
      docker stop "$c" >/dev/null
      stop_s=$(elapsed "$t0" "$(seconds)")
      wait "$curl_pid"
      code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
      if [ "$(cat "$TMP/inflight-status")" = 200 ] && [ "$code" = 0 ]; then
        ok "under --init, a request in flight (Prefer: delay=1000) still gets its 200; docker stop took $stop_s s, exit code 0"
      else
        not_ok 'an in-flight request finishes before the stop' "status $(cat "$TMP/inflight-status"), exit code $code, stop $stop_s s
$(head -c 300 "$TMP/inflight")"
      fi
    else
      not_ok 'the --init container starts' "$(docker logs "$c" 2>&1 | tail -5)"
    fi

    # The Testcontainers module (atlas-restore-mock/testcontainers) starting this image as a user's test
    # would: its own tests, then the Node recipe of docs/containers.md as it stands. The image is tagged
    # with the module's default name so the recipe runs unchanged. Ryuk's image cannot be pulled here.
    if [ -f "$REPO_DIR/dist/test-docker/testcontainers.test.js" ]; then
      docker tag "$image" atlas-restore-mock:latest
      t0=$(seconds)
      ATLAS_MOCK_IMAGE=atlas-restore-mock:latest TESTCONTAINERS_RYUK_DISABLED=true \
        node --test --test-reporter=tap "$REPO_DIR/dist/test-docker/" "$REPO_DIR/examples/node/testcontainers.test.mjs" >"$TMP/tc" 2>&1
      tc_rc=$?
      tc_s=$(elapsed "$t0" "$(seconds)")
      sed -n -E 's/^ *(ok|not ok) [0-9]+ - /#   \1: /p; s/^ *# (base URL .*)$/#   \1/p' "$TMP/tc" | grep -v 'dist/test-docker/\|testcontainers.test.mjs' | head -30
      summary="$(grep -E '^# (tests|pass|fail) ' "$TMP/tc" | tr '\n' ' ')"
      if [ "$tc_rc" = 0 ]; then
        ok "the Testcontainers module's tests and the Node recipe pass against this image (${summary}in $tc_s s)"
      else
        not_ok "the Testcontainers module's tests and the Node recipe pass" "$(grep -E -A12 '^ *not ok' "$TMP/tc" | head -40)"
      fi
    else
      not_ok 'the Testcontainers tests are built' "no dist/test-docker/testcontainers.test.js. Fix: npm run build (npm run test:docker does it)"
    fi

    # The compose recipe of docs/containers.md as it stands: `app` starts only once the mock is healthy.
    if command -v docker-compose >/dev/null; then
      compose=(docker-compose -f "$REPO_DIR/examples/containers/compose.yaml" -p atlasmockrecipe)
      t0=$(seconds)
      if "${compose[@]}" up --exit-code-from app >"$TMP/compose" 2>&1 && grep -q 'app: HTTP 200' "$TMP/compose"; then
        ok "the compose recipe: app waited for service_healthy and read a job ($(elapsed "$t0" "$(seconds)") s)"
      else
        not_ok 'the compose recipe runs' "$(tail -15 "$TMP/compose")"
      fi
      "${compose[@]}" down -v >/dev/null 2>&1
    else
      echo "# compose recipe skipped: no docker-compose (Debian: apt-get install docker-compose)"
    fi
  fi
fi

echo "docker-check: $passed passed, $failed failed"
exit "$failed"
