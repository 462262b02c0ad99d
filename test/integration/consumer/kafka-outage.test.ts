// The consumer's reads of Kafka besides its fetches, with the real broker down for longer than kafkajs's own
// retries (about 20 s with cdclake's settings), as a broker restarting under load can be:
// - a partition's resume reads its offsets (the committed hint, the log's start and end) as the group hands
//   it over: tried again until the broker is back; before, the failure ended the consumer (chaos saw
//   `cdclake up` exit on it);
// - a record of a writer schema not known yet waits for the schemas topic: while that topic cannot be read
//   nothing says the schema is missing, so the record waits; before, it became a dead letter after 20 s
//   (chaos saw 4,203 events of one table dead-lettered that way, their schema on the topic all along).

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { AvroChangeDecoder } from '../../../consumer/avro-change.ts';
import { fingerprintToHex } from '../../../core/events/fingerprint.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import type { TableDef } from '../../../core/events/types.ts';
import { writeEntries } from '../../../core/kafka/compacted-topic.ts';
import { createKafka } from '../../../core/kafka/client.ts';
import { ensureTopics, schemasTopic } from '../../../core/kafka/topics.ts';
import { createLogger } from '../../../core/logger.ts';
import { createS3Client } from '../../../core/s3.ts';
import { PartitionState } from '../../../consumer/partition-state.ts';
import { resumePartition } from '../../../consumer/resume.ts';
import { startExtraKafka, type ExtraKafka } from '../../support/extra-kafka.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { makeEvent } from '../../unit/events/make-event.ts';

let kafka: ExtraKafka | undefined;
afterAll(async () => {
  await kafka?.remove();
});

test("a resume waits for a broker that is away, then reads the partition's offsets", async () => {
  kafka ??= await startExtraKafka();
  const id = uniqueId('resumekafka');
  const config = testConfig({ KAFKA_BROKERS: kafka.brokers, CDC_TOPIC_PREFIX: id, RAW_PREFIX: `${id}/raw/` });
  const topic = `${id}.public.items`;
  const client = createKafka(config);
  await ensureTopics(client, [{ topic, partitions: 1 }]);
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: [1, 2, 3, 4, 5].map((n) => ({ value: `v${n}` })) });
  await producer.disconnect();

  await kafka.kill();
  const warnings: string[] = [];
  const log = createLogger('test', 'warn');
  const state = new PartitionState(topic, 0, Promise.resolve());
  const s3 = createS3Client(config);
  const started = Date.now();
  const resumed = resumePartition(
    {
      kafka: createKafka(config, 'cdclake-resume-test'),
      s3,
      config,
      groupId: `${id}-raw`,
      log: Object.assign(Object.create(log) as typeof log, {
        warn: (_fields: object, message: string) => void warnings.push(message),
      }),
      current: () => true,
      retried: () => undefined,
      skipped: () => undefined,
    },
    state,
  );
  // Longer than kafkajs's own retries of a connection (about 20 s with cdclake's settings).
  await sleep(35_000);
  await kafka.start();
  expect(await resumed).toBe(0n);
  expect(state.highWatermark).toBe(5n);
  expect(Date.now() - started).toBeGreaterThan(35_000);
  expect(warnings).toContain("reading the partition's offsets from Kafka failed; trying again");
  s3.destroy();
}, 240_000);

test('a record of a writer schema not known yet waits while the schemas topic cannot be read', async () => {
  kafka ??= await startExtraKafka();
  const id = uniqueId('schemawait');
  const config = testConfig({ KAFKA_BROKERS: kafka.brokers, CDC_TOPIC_PREFIX: id });
  const table: TableDef = {
    schema: 'public',
    name: 'items',
    key: ['id'],
    columns: [
      { name: 'id', type: { kind: 'int8' }, nullable: false },
      { name: 'name', type: { kind: 'text' }, nullable: true },
    ],
  };
  const codec = new TableCodec(table);
  const client = createKafka(config);
  await ensureTopics(client, [{ topic: schemasTopic(config), partitions: 1, compacted: true }]);
  await writeEntries(
    client,
    schemasTopic(config),
    [codec.key, codec.value].map((s) => ({ key: fingerprintToHex(s.fingerprint), value: s.json })),
  );

  // A consumer that has not read the schemas yet meets a record of them while the broker is away.
  const decoder = new AvroChangeDecoder(
    createKafka(config, 'cdclake-schema-wait-test'),
    schemasTopic(config),
  );
  await kafka.kill();
  let settled = false;
  const decoded = decoder.decode(
    codec.encodeKey({ id: 1n }),
    codec.encodeEvent(makeEvent(table, { after: { id: 1n, name: 'one' } })),
  );
  void Promise.resolve(decoded).then(
    () => (settled = true),
    () => (settled = true),
  );
  await sleep(35_000);
  expect(settled).toBe(false);
  await kafka.start();
  expect(await decoded).toMatchObject({ op: 'c', table: 'items', row: { id: 1n, name: 'one' } });
}, 240_000);
