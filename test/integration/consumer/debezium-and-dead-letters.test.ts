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
import { listRawObjects, queryRaw, queryRawObject, rawObjectMetadata } from '../../support/raw-layer.ts';

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
  // Typed by the embedded schema, and the object says so.
  for (const object of await listRawObjects(config, orders))
    expect(await rawObjectMetadata(config, object.key)).toMatchObject({ 'cdclake.types': 'schema' });

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

test('without schemas, nulls (a delete whose before image is only its key) keep the batch whole and the types the values give', async () => {
  const prefix = uniqueId('dbzn');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config);
  const topic = `${prefix}.inventory.people`;
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const source = { connector: 'postgresql', name: prefix, db: 'shop', schema: 'inventory', table: 'people' };
  let lsn = 1000;
  const event = (op: string, before: unknown, after: unknown): { key: Buffer; value: Buffer } => {
    lsn += 10;
    const id = ((after ?? before) as { id: number }).id;
    return {
      key: Buffer.from(JSON.stringify({ id })),
      value: Buffer.from(
        JSON.stringify({
          before,
          after,
          op,
          ts_ms: 1_767_261_600_000 + lsn,
          source: { ...source, lsn, ts_ms: 1 },
        }),
      ),
    };
  };
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      // The first record of the batch has nulls in two columns: they must not become text.
      event('c', null, { id: 1, name: null, score: null }),
      event('c', null, { id: 2, name: 'b', score: 7 }),
      // REPLICA IDENTITY DEFAULT: a delete's before image is its key, the rest null.
      event('d', { id: 1, name: null, score: null }, null),
      event('u', null, { id: 2, name: 'c', score: 8_000_000_000 }),
      event('d', { id: 2, name: null, score: null }, null),
      event('c', null, { id: 3, name: 'd', score: 9 }),
    ],
  });
  await producer.disconnect();

  const summary = await new RawConsumer(
    config,
    { untilIdle: true, topics: new RegExp(`^${topic}$`) },
    createLogger('test'),
  ).run();
  expect(summary.deadLetters).toBe(0);
  // One batch, one object: no delete started a new one.
  const objects = await listRawObjects(config, topic);
  expect(objects).toHaveLength(1);
  // The object says its columns were typed by their values: the merge may type them as bronze says.
  expect(await rawObjectMetadata(config, objects[0]?.key ?? '')).toMatchObject({ 'cdclake.types': 'values' });
  const types = await queryRaw<{ column_name: string; column_type: string }>(
    config,
    topic,
    (raw) => `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${raw})`,
  );
  expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
    id: 'BIGINT',
    name: 'VARCHAR',
    score: 'BIGINT',
  });
  const rows = await queryRaw<{ _op: string; id: bigint; name: string | null; score: bigint | null }>(
    config,
    topic,
    (raw) => `SELECT _op, id, name, score FROM ${raw} ORDER BY _offset`,
  );
  expect(rows.map((r) => [r._op, Number(r.id), r.name, r.score === null ? null : Number(r.score)])).toEqual([
    ['c', 1, null, null],
    ['c', 2, 'b', 7],
    ['d', 1, null, null],
    ['u', 2, 'c', 8_000_000_000],
    ['d', 2, null, null],
    ['c', 3, 'd', 9],
  ]);
});
