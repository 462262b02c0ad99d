// The synthetic workload straight to Kafka as change events (for benchmarks), with the expected final
// state of each table kept alongside so a test has an oracle.

import type { Config } from '../../core/config.ts';
import { TableCodec } from '../../core/events/envelope-codec.ts';
import { fingerprintToHex } from '../../core/events/fingerprint.ts';
import type { ChangeEvent, Row } from '../../core/events/types.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { writeEntries } from '../../core/kafka/compacted-topic.ts';
import { ensureTopics, schemasTopic, tableTopic } from '../../core/kafka/topics.ts';
import { Publisher, type OutgoingRecord, type PublisherOptions } from '../publisher.ts';
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
  const codecs = new Map(
    starSchemaTables.map((t) => [
      t.name,
      { codec: new TableCodec(t), topic: tableTopic(config, t.schema, t.name) },
    ]),
  );
  await ensureTopics(kafka, [
    ...[...codecs.values()].map((c) => ({ topic: c.topic, partitions: config.KAFKA_PARTITIONS })),
    { topic: schemasTopic(config), partitions: 1, compacted: true },
  ]);
  await writeEntries(
    kafka,
    schemasTopic(config),
    [...codecs.values()].flatMap(({ codec }) =>
      [codec.key, codec.value].map((s) => ({ key: fingerprintToHex(s.fingerprint), value: s.json })),
    ),
  );
  const publisher = new Publisher(config, `${config.KAFKA_CLIENT_ID}-generator`, options);
  await publisher.connect();
  const startedMs = BigInt(Date.now());
  return {
    get acknowledged() {
      return publisher.acknowledgedCount;
    },
    async write(changes) {
      const records: OutgoingRecord[] = [];
      const nowMs = BigInt(Date.now());
      for (const change of changes) {
        const target = codecs.get(change.table.name);
        if (target === undefined) throw new CdcError(ErrorCode.INTERNAL, `no codec for ${change.table.name}`);
        const event = generatedEvent(change, startedMs, nowMs);
        const key = target.codec.encodeKey((change.after ?? change.before) as Row);
        records.push({ topic: target.topic, key, value: target.codec.encodeEvent(event) });
        if (change.op === 'd') records.push({ topic: target.topic, key, value: null });
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
  return {
    before: change.before,
    after: change.after,
    op: change.op,
    ts_ms: nowMs,
    source: {
      connector: 'generator',
      db: 'generator',
      schema: change.table.schema,
      table: change.table.name,
      lsn: null,
      txId: BigInt(change.txId),
      ts_ms: sourceMs,
      snapshot: false,
    },
    pos: change.pos,
    unchanged: [],
  };
}
