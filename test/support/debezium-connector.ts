// A real Debezium PostgreSQL connector (Kafka Connect standalone) on a test's own source database: its jars
// installed on first use, its slot, publication and topics the test's own, all removed by `remove()`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import {
  installDebezium,
  startDebeziumConnector,
  type CommittedOffset,
  type DebeziumConnector,
} from '../../scripts/services/debezium.ts';
import { Home } from '../../scripts/services/home.ts';
import { waitUntil } from './wait.ts';

/** Debezium's jars under CDCLAKE_HOME, fetched from Maven Central by the first test that needs them. */
export async function installTestDebezium(config: Config): Promise<void> {
  await installDebezium(new Home(config.CDCLAKE_HOME));
}

export interface TestConnector extends DebeziumConnector {
  /** Stops Connect, then drops the slot if a kill left it, and the connector's topics. */
  remove(): Promise<void>;
}

/**
 * Debezium on `config`'s source database (PG_URL): slot PG_SLOT, publication PG_PUBLICATION, topics
 * `<CDC_TOPIC_PREFIX>.<schema>.<table>`, so cdclake's consumer finds them by its own prefix.
 */
export async function startTestConnector(
  config: Config,
  options: { tables: string[]; schemasEnable: boolean; properties?: Record<string, string> },
): Promise<TestConnector> {
  const url = new URL(config.PG_URL);
  const prefix = config.CDC_TOPIC_PREFIX;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `cdclake-debezium-${prefix}-`));
  const connector = await startDebeziumConnector(new Home(config.CDCLAKE_HOME), {
    bootstrapServers: config.KAFKA_BROKERS.join(','),
    postgres: {
      host: url.hostname,
      port: Number(url.port || '5432'),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.slice(1)),
    },
    name: prefix,
    topicPrefix: prefix,
    slotName: config.PG_SLOT,
    publicationName: config.PG_PUBLICATION,
    tables: options.tables,
    schemasEnable: options.schemasEnable,
    // A graceful stop drops the slot; remove() drops one a kill left behind.
    dropSlotOnStop: true,
    ...(options.properties === undefined ? {} : { properties: options.properties }),
    workDir,
  });
  return {
    ...connector,
    remove: async () => {
      await connector.stop();
      const client = await connectPostgres(config.PG_URL);
      try {
        await client.query(
          'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
          [config.PG_SLOT],
        );
      } finally {
        await client.end();
      }
      const admin = createKafka(config).admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`));
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } finally {
        await admin.disconnect();
      }
      if (process.env['KEEP_DEBEZIUM_LOGS'] !== '1') fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

function offsetOf(offsets: CommittedOffset[]): Record<string, unknown> | undefined {
  return offsets[0]?.offset;
}

/**
 * The initial snapshot's last record is written to Kafka and its offset committed. A snapshot of empty
 * tables writes no record, and so commits no offset: give it at least one row.
 */
export async function untilSnapshotDone(connector: DebeziumConnector, ms = 120_000): Promise<void> {
  await waitUntil(
    `Debezium's snapshot (log ${connector.log})`,
    async () => {
      const offset = offsetOf(await connector.offsets());
      return offset !== undefined && (offset['snapshot_completed'] === true || !('snapshot' in offset));
    },
    ms,
    250,
  );
}

/** The WAL position a change made after this call lands past: compare with `untilStreamedPast`. */
export async function walInsertPosition(
  sql: (text: string) => Promise<{ rows: unknown[] }>,
): Promise<bigint> {
  const { rows } = await sql("select (pg_current_wal_insert_lsn() - '0/0')::text as lsn");
  return BigInt((rows[0] as { lsn: string }).lsn);
}

/**
 * Connect committed an offset at or past `lsn`: every record before it was acknowledged by Kafka (offsets
 * are committed only for a prefix of acknowledged records), so a consumer started now reads them all.
 */
export async function untilStreamedPast(
  connector: DebeziumConnector,
  lsn: bigint,
  ms = 120_000,
): Promise<void> {
  await waitUntil(
    `Debezium's committed offset to pass LSN ${lsn} (log ${connector.log})`,
    async () => {
      const at = offsetOf(await connector.offsets())?.['lsn'];
      return typeof at === 'number' && BigInt(at) >= lsn;
    },
    ms,
    250,
  );
}
