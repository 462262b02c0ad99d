#!/usr/bin/env bash
# `npm run bench [-- --scale X]`: installs what is missing, finds or starts the services (scripts/use-services.sh),
# then runs every benchmark beside its peer (DESIGN.md, performance targets); results go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
export KAFKAJS_NO_PARTITIONER_WARNING=1

scale=1
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a number}"; shift 2 ;;
    --scale=*) scale="${1#*=}"; shift ;;
    *) echo "npm run bench: unknown argument $1 (expected --scale X)" >&2; exit 2 ;;
  esac
done
orders=$(awk -v s="$scale" 'BEGIN { if (s + 0 <= 0) exit 1; printf "%d", 1000000 * s }') ||
  { echo "npm run bench: --scale $scale: expected a positive number" >&2; exit 2; }

bash scripts/with-deps.sh true
source scripts/use-services.sh >&2
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run() {
  echo "" && echo "## $1" && shift
  "$tsx" "$@"
}
run 'Generator (no encoding, no Kafka)' bench/generator.bench.ts --orders "$orders" --runs 3
run 'Avro encoding of change events' bench/codec.bench.ts --scale "$scale"
run 'Kafka clients: kafkajs beside @platformatic/kafka' bench/kafka-clients.bench.ts --scale "$scale"
run 'Producer -> Kafka' bench/producer.bench.ts --scale "$scale"
run 'Capture from PostgreSQL: incremental snapshot beside the single exported-snapshot read' bench/snapshot.bench.ts --scale "$scale"
run 'Capture from PostgreSQL: a streamed backlog beside pg_recvlogical on the same slot point' bench/capture.bench.ts --scale "$scale"
run "Capture from PostgreSQL beside Debezium's connector: snapshot and streamed backlog, taking turns" bench/debezium-capture.bench.ts --scale "$scale"
run 'Consumer: Kafka -> raw Parquet on S3' bench/consumer.bench.ts --scale "$scale"
run 'Consumer: Debezium JSON with schemas beside cdclake Avro, same changes' bench/debezium.bench.ts --scale "$scale"
run 'Merge: raw -> bronze, incremental beside rebuilding at the final lake size' bench/merge.bench.ts --scale "$scale"
run 'Merge cost as the lake grows: one micro-batch into 1M and 10M rows, both strategies; one large pass' bench/merge-scale.bench.ts
run 'Merge scale-out: the same raw of 16 tables merged by 1 and by 2 processes' bench/merge-scale-out.bench.ts
run 'End-to-end freshness at a steady 10k events/s' bench/freshness.bench.ts --scale "$scale"
"$tsx" bench/summary.ts --since "$started" --scale "$scale"
