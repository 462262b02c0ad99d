#!/usr/bin/env bash
# `npm run demo [-- --orders N]`, the main job: installs what is missing, starts the real services (native on
# a machine without Docker), checks them with `cdclake smoke`, then runs the whole pipeline on the star-schema
# workload (scripts/demo.ts) and prints the gold tables.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
bash scripts/with-deps.sh node_modules/.bin/tsx scripts/services/main.ts up
eval "$(node_modules/.bin/tsx scripts/services/main.ts env)"
node bin/cdclake.js smoke
node_modules/.bin/tsx scripts/demo.ts "$@"
