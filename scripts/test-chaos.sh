#!/usr/bin/env bash
# `npm run test:chaos [-- --changes N --seed S --minutes M]`: the chaos run (test/chaos/harness.ts) on
# services of its own, after the same set-up as `npm test`. Defaults: 500000 changes, a random seed (printed,
# so a failed run can be replayed), 10 minutes of changes.
set -euo pipefail
cd "$(dirname "$0")/.."
while [[ $# -gt 0 ]]; do
  case "$1" in
    --changes) export CHAOS_CHANGES="$2"; shift 2 ;;
    --seed) export CHAOS_SEED="$2"; shift 2 ;;
    --minutes) export CHAOS_MINUTES="$2"; shift 2 ;;
    *) echo "test:chaos: unknown option $1 (expected --changes N, --seed S, --minutes M)" >&2; exit 2 ;;
  esac
done
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
exec bash scripts/with-deps.sh node_modules/.bin/vitest run --config vitest.chaos.config.ts
