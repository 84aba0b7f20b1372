#!/usr/bin/env bash
# Stop a server started by scripts/start-test-postgres.sh and delete its folder.
# Usage: bash scripts/stop-test-postgres.sh "$SMOLCORD_TEST_POSTGRES_DIR"
# Refuses any folder that script did not make, so it never stops someone else's server.
set -euo pipefail
ROOT="${1:?usage: stop-test-postgres.sh FOLDER (the SMOLCORD_TEST_POSTGRES_DIR that start-test-postgres.sh printed)}"
if [ ! -f "$ROOT/.smolcord-test-postgres" ]; then
  echo "stop-test-postgres.sh: $ROOT was not made by start-test-postgres.sh; leaving it alone" >&2
  exit 1
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
run_as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi; }
if [ -n "$BIN" ] && [ -f "$ROOT/data/postmaster.pid" ]; then
  run_as_postgres "$BIN/pg_ctl -D $ROOT/data -m fast -w stop" >/dev/null 2>&1 || true
fi
rm -rf "$ROOT"
