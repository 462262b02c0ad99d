#!/usr/bin/env bash
# `npm run test:compose`: the docker-compose stack end to end on this machine. Starts the project's own
# Docker engine when none of ours runs (Debian's docker.io; data and socket under .cdclake/docker), builds
# the stack's images from the Debian base image, runs test/compose/, and stops the engine again if it
# started it, leaving nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
services() { bash scripts/with-deps.sh node_modules/.bin/tsx scripts/services/main.ts "$@"; }
if [ -z "$(services docker env)" ]; then
  trap 'services docker down' EXIT
fi
services docker images
bash scripts/with-deps.sh node_modules/.bin/vitest run -c vitest.compose.config.ts "$@"
