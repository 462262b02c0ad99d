#!/bin/sh
# server.properties from the environment as the apache/kafka image reads it: KAFKA_FOO_BAR=x is foo.bar=x
# (`__` is `_`, `___` is `-`); the storage is formatted with CLUSTER_ID on the first start (the apache/kafka
# image's default id when unset).
set -eu
config=/opt/kafka/config/server.properties
: > "$config"
env | sort | while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=$(printf '%s' "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed -e 's/___/-/g' -e 's/__/%/g' -e 's/_/./g' -e 's/%/_/g')
  printf '%s=%s\n' "$key" "$value" >> "$config"
done
logs=$(sed -n 's/^log\.dirs=//p' "$config")
: "${logs:=/tmp/kraft-combined-logs}"
if [ ! -f "${logs%%,*}/meta.properties" ]; then
  java -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*' \
    kafka.tools.StorageTool format --cluster-id="${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$config"
fi
# shellcheck disable=SC2086
exec java $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*' kafka.Kafka "$config"
