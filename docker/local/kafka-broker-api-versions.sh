#!/bin/sh
# As Kafka's own script: the API versions each broker supports (the compose healthcheck calls it).
exec java -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*' \
  org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
