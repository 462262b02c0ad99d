#!/usr/bin/env bash
# `npm test`: installs what is missing (npm packages; the services and DuckDB extensions through the
# test harness), then runs unit, integration and end-to-end tests against the real services.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
exec bash scripts/with-deps.sh node_modules/.bin/vitest run "$@"
