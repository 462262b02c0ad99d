#!/usr/bin/env bash
# `npm run demo`, the main job: installs what is missing, starts the real services (native on a machine
# without Docker) and runs the pipeline on them. Today the pipeline is the smoke pass of `cdclake smoke`.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
bash scripts/with-deps.sh node_modules/.bin/tsx scripts/services/main.ts up
eval "$(node_modules/.bin/tsx scripts/services/main.ts env)"
node bin/cdclake.js smoke
echo "services are still running: npm run services -- status | logs | down"
