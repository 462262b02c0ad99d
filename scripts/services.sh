#!/usr/bin/env bash
# `npm run services -- up|down|status|logs|env`, after making sure the npm packages are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
exec bash scripts/with-deps.sh node_modules/.bin/tsx scripts/services/main.ts "$@"
