// The synthetic workload straight to Kafka as change events (for benchmarks), with the expected final
// state of each table kept alongside so a test has an oracle.

import type { Config } from '../../core/config.ts';
import type { ChangeEvent } from '../../core/events/types.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { writeEntries } from '../../core/kafka/compacted-topic.ts';
import { ensureTopics, schemasTopic } from '../../core/kafka/topics.ts';
import { Publisher, type OutgoingRecord, type PublisherOptions } from '../publisher.ts';
import { SchemaPublication } from '../schema-publication.ts';
import { changeEvent, TableWriter, type ChangeOrigin } from '../table-writer.ts';
import type { GeneratedChange } from './change-sink.ts';
import { starSchemaTables } from './tables.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

export interface KafkaTarget {
  write(changes: readonly GeneratedChange[]): Promise<void>;
  close(): Promise<void>;
  readonly acknowledged: number;
}

export async function openKafkaTarget(
  config: Config,
  options: Partial<PublisherOptions> = {},
): Promise<KafkaTarget> {
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-generator`);
  const schemas = new SchemaPublication((entries) => writeEntries(kafka, schemasTopic(config), entries));
  const writers = new Map(starSchemaTables.map((t) => [t.name, new TableWriter(config, t, schemas)]));
  await ensureTopics(kafka, [
    ...[...writers.values()].map((w) => ({ topic: w.topic, partitions: config.KAFKA_PARTITIONS })),
    { topic: schemasTopic(config), partitions: 1, compacted: true },
  ]);
  await schemas.flush();
  const publisher = new Publisher(config, `${config.KAFKA_CLIENT_ID}-generator`, options);
  await publisher.connect();
  const maxBytes = Math.min(config.KAFKA_MAX_RECORD_BYTES, publisher.largestRecordBytes);
  const startedMs = BigInt(Date.now());
  return {
    get acknowledged() {
      return publisher.acknowledgedCount;
    },
    async write(changes) {
      const records: OutgoingRecord[] = [];
      const nowMs = BigInt(Date.now());
      for (const change of changes) {
        const writer = writers.get(change.table.name);
        if (writer === undefined)
          throw new CdcError(ErrorCode.INTERNAL, `no writer for table ${change.table.name}`);
        writer.change(records, generatedEvent(change, startedMs, nowMs), maxBytes);
      }
      await publisher.publish(records);
    },
    async close() {
      try {
        await publisher.flush();
      } finally {
        await publisher.disconnect();
      }
    },
  };
}

/** The envelope of a generated change: the generator's own source block, its sequence as position. */
export function generatedEvent(change: GeneratedChange, sourceMs: bigint, nowMs: bigint): ChangeEvent {
  const origin: ChangeOrigin = {
    connector: 'generator',
    db: 'generator',
    lsn: null,
    txId: BigInt(change.txId),
    ts_ms: sourceMs,
    snapshot: false,
  };
  return changeEvent(change.table, change.op, change.before, change.after, origin, change.pos, [], nowMs);
}
