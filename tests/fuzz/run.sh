#!/usr/bin/env bash
# Validate the OpenAPI document as OpenAPI 3.1, then fuzz every operation of it with schemathesis against a fresh orgcells
# server on SQLite, as an admin and as a plain User. It fails on any 5xx, any response that
# breaks its documented schema, content type or headers, and any undocumented status code.
#
#   ORGCELLS_BIN=target/debug/orgcells tests/fuzz/run.sh [seconds per caller]   (default 60)
#
# FUZZ_SEED picks the seed (default 1, so CI runs are reproducible). Builds nothing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
SCHEMATHESIS_VERSION="4.32.5"
VALIDATOR_VERSION="0.9.0"
ADMIN_TOKEN="glpat-fuzz-admin-token-000001"
SECONDS_EACH="${1:-60}"
SEED="${FUZZ_SEED:-1}"
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance"

: "${ORGCELLS_BIN:?set ORGCELLS_BIN to the path of the built orgcells binary}"
[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION"
PY="$VENV/bin/python"

WORK="$(mktemp -d -t orgcells-fuzz.XXXXXX)"
PID=""
cleanup() {
    local rc=$?
    [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT/api/v4"
env -u DATABASE_URL ORGCELLS_ADMIN_TOKEN="$ADMIN_TOKEN" ORGCELLS_LOG=warn \
    "$ORGCELLS_BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
PID=$!

# Something to find: a public Group with a Project, and a plain User with a token.
USER_TOKEN="$("$PY" "$HERE/seed.py" "$BASE" "$ADMIN_TOKEN")"

# The document is valid OpenAPI 3.1.
"$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "$BASE/openapi.json" >"$WORK/openapi.json"
"$VENV/bin/openapi-spec-validator" "$WORK/openapi.json"

status=0
# The plain User first: the admin's campaign may delete or block that User. The operations that
# revoke or rotate a token are left out: the first would end the campaign's own token (they are
# tested in crates/orgcells/tests/tokens.rs).
for caller in user admin; do
    token=$ADMIN_TOKEN
    [[ $caller == user ]] && token=$USER_TOKEN
    echo "==> schemathesis as the $caller, ${SECONDS_EACH} s, seed $SEED"
    if ! "$VENV/bin/st" run "$BASE/openapi.json" -H "PRIVATE-TOKEN: $token" \
        --exclude-operation-id-regex '^(revoke|rotate)_(own_)?personal_access_token$' \
        --checks "$CHECKS" --max-examples 10 --max-time "$SECONDS_EACH" --seed "$SEED" \
        --no-color --warnings off --report ndjson --report-ndjson-path "$WORK/$caller.ndjson" \
        >"$WORK/$caller.out" 2>&1; then
        status=1
        cat "$WORK/$caller.out"
    fi
    grep -E "^(Test cases|  [0-9]+ generated)|generated," "$WORK/$caller.out" | tail -1
    "$PY" "$HERE/count.py" "$WORK/$caller.ndjson" || status=1
done
if [[ $status != 0 ]]; then
    echo "----- server log -----"
    tail -50 "$WORK/server.log"
fi
exit "$status"
