#!/usr/bin/env bash
# `npm run setup`: everything cdclake needs on a fresh machine, installed and cached, nothing started: the
# machine's packages (scripts/setup-machine.sh), the npm packages, then Kafka's jars, MinIO's build,
# PostgreSQL's server and the DuckDB extensions under CDCLAKE_HOME (.cdclake/ by default). `npm test` and
# `npm run demo` do the same on their own when something is missing; this is for doing it ahead of time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-machine.sh
exec bash scripts/services.sh install
