# Sourced by scripts/demo.sh and scripts/bench.sh: the real services for a run, exported as the environment
# cdclake reads, in this order of preference:
#   - the environment's, when KAFKA_BROKERS, S3_ENDPOINT and PG_URL are all set;
#   - docker-compose.yml's Kafka, MinIO and PostgreSQL, when a Docker engine answers (CDCLAKE_NATIVE=1: not);
#   - the native ones of `npm run services` (Kafka from its jars, MinIO built with Go, PostgreSQL from Debian).
# CDCLAKE_SERVICES_FROM says which (environment, compose or native). Needs node_modules (scripts/with-deps.sh).
tsx=node_modules/.bin/tsx
if [ -n "${KAFKA_BROKERS:-}" ] && [ -n "${S3_ENDPOINT:-}" ] && [ -n "${PG_URL:-}" ]; then
  echo "[services] from the environment: Kafka $KAFKA_BROKERS, S3 $S3_ENDPOINT" >&2
  "$tsx" scripts/services/main.ts extensions
  export CDCLAKE_SERVICES_FROM=environment
elif [ "${CDCLAKE_NATIVE:-}" != 1 ] && docker compose version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo "[services] Docker answers: Kafka, MinIO and PostgreSQL from docker-compose.yml" >&2
  docker compose up -d --wait kafka minio postgres
  docker compose run --rm minio-init
  "$tsx" scripts/services/main.ts extensions
  # The compose stack's host ports and credentials (docker-compose.yml).
  export KAFKA_BROKERS="localhost:${KAFKA_HOST_PORT:-19092}"
  export S3_ENDPOINT="http://127.0.0.1:${MINIO_HOST_PORT:-9000}" S3_REGION=us-east-1 S3_BUCKET=cdclake
  export S3_ACCESS_KEY_ID=minio-admin S3_SECRET_ACCESS_KEY=minio-admin-secret S3_FORCE_PATH_STYLE=true
  export PG_URL="postgres://cdclake:cdclake@127.0.0.1:${POSTGRES_HOST_PORT:-5432}/cdclake"
  export CDCLAKE_SERVICES_FROM=compose
else
  "$tsx" scripts/services/main.ts up
  eval "$("$tsx" scripts/services/main.ts env)"
  export CDCLAKE_SERVICES_FROM=native
fi
