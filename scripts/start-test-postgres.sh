#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the storage tests and print its admin URL.
# Usage: eval "$(bash scripts/start-test-postgres.sh)"   (sets SMOLCORD_TEST_POSTGRES_URL)
set -euo pipefail
PORT="${SMOLCORD_TEST_POSTGRES_PORT:-54329}"
DATA="${SMOLCORD_TEST_POSTGRES_DIR:-/tmp/smolcord-test-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ]; then
  echo "echo 'PostgreSQL is not installed (apt-get install postgresql); storage tests run on SQLite only' >&2"
  exit 0
fi
run_as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if ! run_as_postgres "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres "$DATA"
  run_as_postgres "$BIN/initdb -D $DATA -A trust -U postgres" >/dev/null
  run_as_postgres "$BIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' -l $DATA/server.log -w start" >/dev/null
fi
echo "export SMOLCORD_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/postgres"
