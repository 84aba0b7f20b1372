#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the storage tests: its own free port and its own folder
# (mktemp), so runs from several checkouts never share or stop each other's server.
# Usage: eval "$(bash scripts/start-test-postgres.sh)"
#   sets SMOLCORD_TEST_POSTGRES_URL (admin URL) and SMOLCORD_TEST_POSTGRES_DIR (the server's folder);
#   stop it with: bash scripts/stop-test-postgres.sh "$SMOLCORD_TEST_POSTGRES_DIR"   (scripts/test.sh does both)
# SMOLCORD_TEST_POSTGRES_PORT picks the port instead of a free one.
set -euo pipefail
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ]; then
  echo "echo 'PostgreSQL is not installed (apt-get install postgresql); storage tests run on SQLite only' >&2"
  exit 0
fi

# As root the server must run as the postgres user, started from a folder that user may enter (not root's home).
run_as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

ROOT="$(mktemp -d "${TMPDIR:-/tmp}/smolcord-test-pg.XXXXXX")"
DATA="$ROOT/data"
# The stop script only ever touches a folder carrying this mark, i.e. one this script made.
echo "$$" > "$ROOT/.smolcord-test-postgres"
[ "$(id -u)" = 0 ] && chown postgres "$ROOT"
cleanup_on_failure() { run_as_postgres "$BIN/pg_ctl -D $DATA -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$ROOT"; }
trap cleanup_on_failure ERR

if ! run_as_postgres "$BIN/initdb -D $DATA -A trust -U postgres" >"$ROOT/initdb.log" 2>&1; then
  echo "initdb failed (log: $ROOT/initdb.log):" >&2; tail -n 5 "$ROOT/initdb.log" >&2
  exit 1
fi
# Another process can take a free port between the probe and the start: try a few.
for attempt in 1 2 3; do
  PORT="${SMOLCORD_TEST_POSTGRES_PORT:-$(free_port)}"
  if run_as_postgres "$BIN/pg_ctl -D $DATA -o '-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=off' -l $ROOT/server.log -w -t 30 start" >/dev/null 2>&1; then
    echo "export SMOLCORD_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/postgres SMOLCORD_TEST_POSTGRES_DIR=$ROOT"
    exit 0
  fi
  [ -n "${SMOLCORD_TEST_POSTGRES_PORT:-}" ] && break
done
echo "the test PostgreSQL server did not start; its log says:" >&2
tail -n 5 "$ROOT/server.log" >&2 || true
cleanup_on_failure
exit 1
