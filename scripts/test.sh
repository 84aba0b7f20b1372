#!/usr/bin/env bash
# Run the test suite; storage tests also run on PostgreSQL when it is installed (a throwaway server on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SMOLCORD_TEST_POSTGRES_URL:-}" ]; then
  eval "$(bash scripts/start-test-postgres.sh)"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
