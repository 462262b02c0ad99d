# Kafka from its jars on Maven Central (the ones the native launcher resolves), on a JRE from Debian, for
# sites with package mirrors but no image registry. It takes the apache/kafka image's environment
# (KAFKA_* settings as server.properties keys, CLUSTER_ID) and has its healthcheck script at the same path,
# so docker-compose.yml describes both.
FROM debian:bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/*
COPY lib/ /opt/kafka/libs/
COPY kafka-run.sh /opt/kafka/run.sh
COPY kafka-broker-api-versions.sh /opt/kafka/bin/kafka-broker-api-versions.sh
COPY kafka-log4j2.properties /opt/kafka/config/log4j2.properties
RUN chmod 0755 /opt/kafka/run.sh /opt/kafka/bin/kafka-broker-api-versions.sh \
    && mkdir -p /var/lib/kafka/data
ENV KAFKA_HEAP_OPTS="-Xms256m -Xmx1g"
EXPOSE 9092
CMD ["/opt/kafka/run.sh"]
