#!/usr/bin/env bash
# Runs a project command after making sure node_modules matches package-lock.json (npm ci when it does not).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci" >&2
  start=$(date +%s)
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "[setup] npm ci: $(( $(date +%s) - start )) s" >&2
fi
exec "$@"
