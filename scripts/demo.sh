#!/usr/bin/env bash
# `npm run demo [-- --orders N] [-- --rate R]`, the main job: installs what is missing, starts the real
# services, checks them with `cdclake smoke`, then runs the whole pipeline on the star-schema workload
# (scripts/demo.ts) and prints the gold tables. Which services: scripts/use-services.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
bash scripts/with-deps.sh true
source scripts/use-services.sh
node bin/cdclake.js smoke
"$tsx" scripts/demo.ts "$@"
