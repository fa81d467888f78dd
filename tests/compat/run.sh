#!/usr/bin/env bash
# Run the python-gitlab compatibility tests against a freshly started orgcells server.
#
#   ORGCELLS_BIN=target/release/orgcells tests/compat/run.sh [sqlite|postgres|cluster] [pytest args...]
#
# Backend: the first argument, or postgres when DATABASE_URL is set, sqlite otherwise.
#   sqlite    the server keeps its data in a temporary --data-dir (DATABASE_URL is not passed).
#   cluster   `orgcells cluster --cells 3` (a topology service, three Cells on SQLite files, a
#             router), every request through the router.
#   postgres  a fresh database with a unique name is created next to DATABASE_URL (default
#             postgres://postgres@127.0.0.1:5432/postgres) with psql, handed to the server as
#             DATABASE_URL, and dropped at exit.
# Everything after the first argument goes to pytest (e.g. `-k sudo -x`).
# This script builds nothing: ORGCELLS_BIN must point at an already built binary.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PYTHON_GITLAB_VERSION="8.6.0"
PYTEST_VERSION="9.2.0"
ADMIN_TOKEN="glpat-compat-admin-token-0001"
ADMIN_PASSWORD="compat-Admin-password-0001"
READY_TIMEOUT_S=60

if [[ $# -ge 1 && ( $1 == sqlite || $1 == postgres || $1 == cluster ) ]]; then
    MODE="$1"
    shift
elif [[ -n ${DATABASE_URL:-} ]]; then
    MODE=postgres
else
    MODE=sqlite
fi

: "${ORGCELLS_BIN:?set ORGCELLS_BIN to the path of the built orgcells binary}"
if [[ ! -x $ORGCELLS_BIN ]]; then
    echo "run.sh: ORGCELLS_BIN=$ORGCELLS_BIN is not an executable file" >&2
    exit 2
fi
ORGCELLS_BIN="$(cd "$(dirname "$ORGCELLS_BIN")" && pwd)/$(basename "$ORGCELLS_BIN")"

# --- Python environment -------------------------------------------------------------------
if [[ ! -x $VENV/bin/python ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "python-gitlab==$PYTHON_GITLAB_VERSION" "pytest==$PYTEST_VERSION"
PY="$VENV/bin/python"

# --- state cleaned up at exit --------------------------------------------------------------
WORK_DIR="$(mktemp -d -t orgcells-compat.XXXXXX)"
DATA_DIR="$WORK_DIR/data"
SERVER_LOG="$WORK_DIR/server.log"
mkdir -p "$DATA_DIR"
SERVER_PID=""
CREATED_DB=""
PSQL_ARGS=()

cleanup() {
    local rc=$?
    set +e
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null
        for _ in $(seq 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [[ -n $CREATED_DB ]]; then
        psql "${PSQL_ARGS[@]}" -v ON_ERROR_STOP=1 -q \
            -c "DROP DATABASE IF EXISTS \"$CREATED_DB\"" >/dev/null \
            || echo "run.sh: could not drop database $CREATED_DB" >&2
    fi
    rm -rf "$WORK_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

print_server_log() {
    echo "----- orgcells server log ($SERVER_LOG) -----" >&2
    cat "$SERVER_LOG" >&2 || true
    for part in "$DATA_DIR"/logs/*.log; do
        [[ -e $part ]] || continue
        echo "----- $part (last 40 lines) -----" >&2
        tail -n 40 "$part" >&2 || true
    done
    echo "----- end of server log -----" >&2
}

# --- database -----------------------------------------------------------------------------
SERVER_ENV=()
if [[ $MODE == postgres ]]; then
    BASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    CREATED_DB="orgcells_compat_$(date +%s)_$$_$RANDOM"
    # Split the URL into psql connection settings and the URL of the new database.
    mapfile -t DB_PARTS < <("$PY" - "$BASE_URL" "$CREATED_DB" <<'EOF'
import sys
from urllib.parse import unquote, urlsplit, urlunsplit

url, name = sys.argv[1], sys.argv[2]
parts = urlsplit(url)
print(unquote(parts.hostname or "127.0.0.1"))
print(parts.port or 5432)
print(unquote(parts.username or "postgres"))
print(unquote(parts.password or ""))
print(urlunsplit(parts._replace(path="/" + name)))
EOF
    )
    PG_HOST="${DB_PARTS[0]}"
    PG_PORT="${DB_PARTS[1]}"
    PG_USER="${DB_PARTS[2]}"
    if [[ -n ${DB_PARTS[3]} ]]; then
        export PGPASSWORD="${DB_PARTS[3]}"
    fi
    TEST_DATABASE_URL="${DB_PARTS[4]}"
    PSQL_ARGS=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres)
    if ! psql "${PSQL_ARGS[@]}" -v ON_ERROR_STOP=1 -q \
        -c "CREATE DATABASE \"$CREATED_DB\"" >/dev/null; then
        CREATED_DB=""
        echo "run.sh: could not create the test database on $PG_HOST:$PG_PORT" >&2
        exit 2
    fi
    SERVER_ENV+=("DATABASE_URL=$TEST_DATABASE_URL")
    echo "run.sh: backend postgres, database $CREATED_DB"
else
    echo "run.sh: backend sqlite, data dir $DATA_DIR"
fi

# --- server -------------------------------------------------------------------------------
PORT="$("$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')"
BASE="http://127.0.0.1:$PORT"

COMMAND=(serve)
if [[ $MODE == cluster ]]; then
    COMMAND=(cluster --cells 3)
fi
env -u DATABASE_URL -u ORGCELLS_CLUSTER_SECRET \
    ORGCELLS_ADMIN_TOKEN="$ADMIN_TOKEN" \
    ORGCELLS_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    ORGCELLS_EXTERNAL_URL="$BASE" \
    "${SERVER_ENV[@]}" \
    "$ORGCELLS_BIN" "${COMMAND[@]}" --listen "127.0.0.1:$PORT" --data-dir "$DATA_DIR" \
    >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

if ! "$PY" - "$BASE/api/v4/version" "$ADMIN_TOKEN" "$READY_TIMEOUT_S" "$SERVER_PID" <<'EOF'
import os
import sys
import time
import urllib.error
import urllib.request

url, token, timeout, pid = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("orgcells exited before it was ready")
    request = urllib.request.Request(url, headers={"PRIVATE-TOKEN": token})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except (urllib.error.URLError, ConnectionError, OSError):
        pass
    time.sleep(0.2)
sys.exit(f"orgcells did not answer 200 on {url} within {timeout:g} s")
EOF
then
    print_server_log
    exit 1
fi
echo "run.sh: orgcells ready at $BASE (pid $SERVER_PID)"

# --- tests --------------------------------------------------------------------------------
if GITLAB_URL="$BASE" GITLAB_TOKEN="$ADMIN_TOKEN" PYTHONDONTWRITEBYTECODE=1 \
    "$PY" -m pytest -p no:cacheprovider --rootdir "$HERE" \
    "$HERE/test_python_gitlab.py" "$@"; then
    rc=0
else
    rc=$?
    print_server_log
fi
exit "$rc"
