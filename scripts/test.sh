#!/usr/bin/env bash
# Run the test suite; storage tests also run on PostgreSQL when it is installed: a throwaway server of this
# run's own (free port, mktemp folder), stopped and deleted when the tests end, however they end.
# Set SMOLCORD_TEST_POSTGRES_URL to use a server of your own instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SMOLCORD_TEST_POSTGRES_URL:-}" ]; then
  setup="$(bash scripts/start-test-postgres.sh)"
  eval "$setup"
  if [ -n "${SMOLCORD_TEST_POSTGRES_DIR:-}" ]; then
    trap 'bash scripts/stop-test-postgres.sh "$SMOLCORD_TEST_POSTGRES_DIR"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m pytest "$@"
