// Topics filled the way a real Debezium PostgreSQL connector fills them (JSON converter, with and without
// schemas) ingest as they are, with the right types; poison records land in dead letters with reasons.

import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { deadLettersTopic, ensureTopics } from '../../../core/kafka/topics.ts';
import { createLogger } from '../../../core/logger.ts';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { DEBEZIUM_FIXTURES, debeziumSample } from '../../support/debezium-samples.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { readTopic } from '../../support/kafka-read.ts';
import { listRawObjects, queryRaw, queryRawObject } from '../../support/raw-layer.ts';

const sample = debeziumSample;

test('Debezium JSON samples land typed in raw, and poison records land in dead letters with their reasons', async () => {
  const prefix = uniqueId('dbz');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config);
  const customers = `${prefix}.inventory.customers`;
  const orders = `${prefix}.inventory.orders`;
  await ensureTopics(kafka, [
    { topic: customers, partitions: 1 },
    { topic: orders, partitions: 1 },
  ]);
  const customerSamples = [
    'pg-snapshot-read',
    'pg-create',
    'pg-update',
    'pg-column-added',
    'pg-delete',
    'pg-tombstone',
    'noschema-create',
  ];
  const poison = [
    'poison-not-json',
    'poison-no-op',
    'poison-table-name',
    'poison-column-quote',
    'poison-delete-without-key',
  ];
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: customers,
    messages: [...customerSamples, ...poison].map((name) => sample(name)),
  });
  await producer.send({ topic: orders, messages: [sample('pg-types')] });
  await producer.disconnect();

  const summary = await new RawConsumer(
    config,
    { untilIdle: true, topics: new RegExp(`^${prefix}\\.inventory\\.`) },
    createLogger('test'),
  ).run();
  expect(summary.deadLetters).toBe(poison.length);

  const customerRows = await queryRaw<{ _op: string; id: bigint | number; loyalty_points: unknown }>(
    config,
    customers,
    (raw) => `SELECT _op, id, loyalty_points FROM ${raw} ORDER BY _offset`,
  );
  expect(customerRows.map((r) => r._op)).toEqual(['r', 'c', 'u', 'c', 'd', 'c']);

  const types = await queryRaw<{ column_name: string; column_type: string }>(
    config,
    orders,
    (raw) => `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${raw})`,
  );
  const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
  expect(typeOf).toMatchObject({
    amount: expect.stringMatching(/^DECIMAL\(\d+,\d+\)$/),
    created_at: 'TIMESTAMP',
    updated_at: 'TIMESTAMP WITH TIME ZONE',
    ship_date: 'DATE',
    order_uuid: 'UUID',
  });

  const letters = await readTopic(config, deadLettersTopic(config));
  expect(letters.length).toBe(poison.length);
  for (const letter of letters) {
    expect(letter.headers).toMatchObject({
      'cdclake.source.topic': customers,
      'cdclake.source.partition': '0',
      'cdclake.error.code': expect.stringMatching(/^CDC_/),
    });
    expect(Number(letter.headers['cdclake.source.offset'])).toBeGreaterThanOrEqual(customerSamples.length);
  }
  expect(letters.map((l) => l.headers['cdclake.error.code'])).toContain('CDC_INVALID_NAME');
});

test('a column whose type changes inside a batch closes the batch, and each object covers exactly its own offsets', async () => {
  const prefix = uniqueId('dbzt');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config);
  const topic = `${prefix}.inventory.customers`;
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const base = JSON.parse(fs.readFileSync(path.join(DEBEZIUM_FIXTURES, 'pg-create.json'), 'utf8')) as {
    key: { payload: { id: number } };
    value: {
      schema: { fields: { field: string; fields?: { field: string; type: string }[] }[] };
      payload: { after: Record<string, unknown> };
    };
  };
  // id 1..3 with `id` as int32, then id 4..6 after the source widened it to int64.
  const record = (id: number, idType: string): { key: Buffer; value: Buffer } => {
    const copy = structuredClone(base);
    copy.key.payload.id = id;
    for (const field of copy.value.schema.fields)
      for (const column of field.fields ?? []) if (column.field === 'id') column.type = idType;
    copy.value.payload.after.id = id;
    return { key: Buffer.from(JSON.stringify(copy.key)), value: Buffer.from(JSON.stringify(copy.value)) };
  };
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [1, 2, 3].map((id) => record(id, 'int32')).concat([4, 5, 6].map((id) => record(id, 'int64'))),
  });
  await producer.disconnect();

  await new RawConsumer(
    config,
    { untilIdle: true, topics: new RegExp(`^${topic}$`) },
    createLogger('test'),
  ).run();

  const objects = (await listRawObjects(config, topic)).sort((a, b) => (a.first < b.first ? -1 : 1));
  expect(objects.map((o) => [o.first, o.last])).toEqual([
    [0n, 2n],
    [3n, 5n],
  ]);
  for (const object of objects) {
    const [rows] = await queryRawObject<{ low: bigint; high: bigint }>(
      config,
      object.key,
      (raw) => `SELECT min(_offset) AS low, max(_offset) AS high FROM ${raw}`,
    );
    expect([BigInt(rows?.low ?? -1), BigInt(rows?.high ?? -1)]).toEqual([object.first, object.last]);
  }
});
