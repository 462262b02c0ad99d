// Topics filled the way a real Debezium PostgreSQL connector fills them (JSON converter, with and without
// schemas) ingest as they are, with the right types; poison records land in dead letters with reasons.

import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { deadLettersTopic, ensureTopics } from '../../../core/kafka/topics.ts';
import { createLogger } from '../../../core/logger.ts';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { readTopic } from '../../support/kafka-read.ts';
import { queryRaw } from '../../support/raw-layer.ts';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'debezium');

function sample(name: string): { key: Buffer | null; value: Buffer | null } {
  const record = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as {
    key: unknown;
    value?: unknown;
    valueText?: string;
  };
  const value =
    record.valueText !== undefined
      ? Buffer.from(record.valueText)
      : record.value === null
        ? null
        : Buffer.from(JSON.stringify(record.value));
  return { key: record.key === null ? null : Buffer.from(JSON.stringify(record.key)), value };
}

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
