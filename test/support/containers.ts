// The same three services from testcontainers, for machines where a Docker engine answers. Images match
// docker-compose.yml: the official ones, or the locally built ones named by the same KAFKA_IMAGE,
// MINIO_IMAGE and POSTGRES_IMAGE variables (`npm run services -- docker images`; no registry needed).
// Without a Ryuk image (none is pulled here), set TESTCONTAINERS_RYUK_DISABLED=true: the harness stops
// what it started in its teardown.

import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { Endpoints } from './endpoints.ts';

const KAFKA_IMAGE = process.env['KAFKA_IMAGE'] ?? 'apache/kafka:4.3.1';
const MINIO_IMAGE = process.env['MINIO_IMAGE'] ?? 'minio/minio:RELEASE.2025-09-07T16-13-09Z';
const POSTGRES_IMAGE = process.env['POSTGRES_IMAGE'] ?? 'postgres:17';

export async function startContainers(): Promise<Endpoints> {
  const [kafka, minio, postgres] = await Promise.all([startKafka(), startMinio(), startPostgres()]);
  const started: StartedTestContainer[] = [kafka.container, minio, postgres];
  return {
    source: 'testcontainers',
    env: {
      KAFKA_BROKERS: `${kafka.container.getHost()}:${kafka.port}`,
      S3_ENDPOINT: `http://${minio.getHost()}:${minio.getMappedPort(9000)}`,
      S3_ACCESS_KEY_ID: 'cdclake',
      S3_SECRET_ACCESS_KEY: 'cdclake-secret',
      PG_URL: `postgres://cdclake:cdclake@${postgres.getHost()}:${postgres.getMappedPort(5432)}/cdclake`,
    },
    stop: async () => {
      await Promise.all(started.map((c) => c.stop()));
    },
  };
}

async function startKafka(): Promise<{ container: StartedTestContainer; port: number }> {
  // A fixed host port keeps the advertised listener equal to what the client dials.
  const port = 19092 + Math.floor(Math.random() * 500);
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return { container, port };
}

function startMinio(): Promise<StartedTestContainer> {
  return new GenericContainer(MINIO_IMAGE)
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: 'cdclake', MINIO_ROOT_PASSWORD: 'cdclake-secret' })
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
    .start();
}

function startPostgres(): Promise<StartedTestContainer> {
  return new GenericContainer(POSTGRES_IMAGE)
    .withCommand([
      'postgres',
      '-c',
      'wal_level=logical',
      '-c',
      'max_replication_slots=20',
      '-c',
      'max_wal_senders=20',
    ])
    .withEnvironment({ POSTGRES_USER: 'cdclake', POSTGRES_PASSWORD: 'cdclake', POSTGRES_DB: 'cdclake' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
}
