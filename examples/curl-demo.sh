#!/usr/bin/env bash
# The mock from the shell, with curl: a job pretty-printed, the same job in an envelope, a 404 chosen by a
# well-known id and a 500 chosen by a Prefer header. Exits 1 if a status is not the one expected, 2 if the
# mock cannot be reached.
#
# Start the mock first (`npm start`, or `docker run --rm -p 8080:8080 atlas-restore-mock`), then:
#   bash examples/curl-demo.sh                         BASE_URL defaults to http://127.0.0.1:8080
#   BASE_URL=http://127.0.0.1:9090 bash examples/curl-demo.sh
# The default --auth any mode takes any Digest login; in --auth strict, set ATLAS_PUBLIC_KEY and
# ATLAS_PRIVATE_KEY to a configured API key.
set -uo pipefail

BASE_URL=${BASE_URL:-http://127.0.0.1:8080}
JOBS=$BASE_URL/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs
KEYS=${ATLAS_PUBLIC_KEY:-demo}:${ATLAS_PRIVATE_KEY:-demo}
unexpected=0

# show TITLE EXPECTED_STATUS URL [EXTRA_HEADER]: prints the command, the body and the status.
show() {
  local title=$1 want=$2 url=$3 out status
  local headers=(-H 'Accept: application/vnd.atlas.2023-01-01+json') shown="-H 'Accept: application/vnd.atlas.2023-01-01+json'"
  if [ -n "${4:-}" ]; then headers+=(-H "$4"); shown="$shown -H '$4'"; fi
  echo "== $title"
  echo "\$ curl --digest -u $KEYS $shown '$url'"
  if ! out=$(curl -sS --max-time 10 --digest -u "$KEYS" "${headers[@]}" -w '\n%{http_code}' "$url"); then
    echo "curl-demo: cannot reach the mock at $BASE_URL. Fix: start it (npm start) or set BASE_URL." >&2
    exit 2
  fi
  status=${out##*$'\n'}
  echo "${out%$'\n'*}"
  if [ "$status" = "$want" ]; then echo "-> HTTP $status, as expected"; else echo "-> HTTP $status, expected $want"; unexpected=1; fi
  echo
}

show 'A shipped fixture: a download job whose archive is ready (pretty=true)' 200 "$JOBS/6a880ef37c2e91d04b380240?pretty=true"
show 'The same job in an envelope: the status travels in the body' 200 "$JOBS/6a880ef37c2e91d04b380240?envelope=true"
show 'A well-known id picks the error: 000000000000000000000404' 404 "$JOBS/000000000000000000000404"
show 'A Prefer header picks the error for one request' 500 "$JOBS/6a880ef37c2e91d04b380240" 'Prefer: code=500'

if [ "$unexpected" = 0 ]; then echo 'curl-demo: every status was the expected one'; else echo 'curl-demo: some statuses were unexpected' >&2; fi
exit "$unexpected"
