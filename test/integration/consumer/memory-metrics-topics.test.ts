// The consumer's flush under memory pressure, its /metrics endpoint as a running `cdclake consume` serves
// it, and a topic created while it runs, against the real Kafka and MinIO.

import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { writeEntries } from '../../../core/kafka/compacted-topic.ts';
import { ensureTopics, schemasTopic } from '../../../core/kafka/topics.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import { fingerprintToHex } from '../../../core/events/fingerprint.ts';
import { Op, type TableDef } from '../../../core/events/types.ts';
import { createLogger } from '../../../core/logger.ts';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { runGeneratorWorkload } from '../../../producer/generator-run.ts';
import { freePort } from '../../../core/free-port.ts';
import { debeziumSample } from '../../support/debezium-samples.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { startCdclake } from '../../support/processes.ts';
import { listRawObjects, overlaps, rawOffsetCounts } from '../../support/raw-layer.ts';

const log = createLogger('test');
const sample = debeziumSample;

test('batches are written early when the open batches together pass CONSUMER_MEMORY_BYTES', async () => {
  const prefix = uniqueId('mem');
  // Rows and age would let a partition's whole topic gather in one batch, and bytes a quarter of it: the four
  // partitions' batches together pass the memory limit long before any one of them is 1 MiB.
  const config = testConfig({
    CDC_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: '4',
    CONSUMER_BATCH_ROWS: '100000000',
    CONSUMER_BATCH_BYTES: String(1024 * 1024),
    CONSUMER_BATCH_AGE_MS: '600000',
    CONSUMER_MEMORY_BYTES: String(1024 * 1024),
    // Fetches of 128 KiB: the check after each fetch finds the batch just past the limit.
    CONSUMER_FETCH_BYTES: String(128 * 1024),
  });
  const generated = await runGeneratorWorkload(
    config,
    { target: 'kafka', orders: '40000', customers: '500', products: '50', changes: '2000' },
    log,
  );
  const consumer = new RawConsumer(config, { untilIdle: true }, log);
  const summary = await consumer.run();
  expect(summary.events).toBe(generated.events);

  const objects = await listRawObjects(config, prefix);
  const ordersObjects = objects.filter((o) => o.topic === `${prefix}.public.orders`);
  // 40,000 orders and their changes are about 6 MB of records: an object for each MB and a bit.
  expect(ordersObjects.length).toBeGreaterThanOrEqual(3);
  expect(consumer.metrics.render()).toMatch(/^cdclake_consumer_memory_flushes_total [1-9]\d*$/m);
  expect(overlaps(objects)).toEqual([]);
  expect(await rawOffsetCounts(config, prefix)).toEqual({
    rows: generated.events,
    distinct_offsets: generated.events,
  });
});

/** Prometheus text to `name{labels}` → value. */
async function scrape(port: number): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match !== null) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
}

test('a running `cdclake consume` serves its metrics, and picks up topics created after it started', async () => {
  const prefix = uniqueId('live');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix });
  const kafka = createKafka(config);
  const customers = `${prefix}.inventory.customers`;
  const orders = `${prefix}.inventory.orders`;
  // The consumer starts before any topic of its pattern exists, as beside a producer that has not run yet.
  const port = await freePort();
  const child = startCdclake(config, ['consume'], {
    METRICS_PORT: String(port),
    CONSUMER_BATCH_AGE_MS: '200',
    CONSUMER_TOPIC_REFRESH_MS: '500',
  });
  await until('the metrics endpoint', async () => ((await scrape(port)).size >= 0 ? true : undefined));
  await ensureTopics(kafka, [{ topic: customers, partitions: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  const samples = ['pg-snapshot-read', 'pg-create', 'pg-update', 'pg-delete', 'pg-tombstone'];
  await producer.send({ topic: customers, messages: [...samples, 'poison-not-json'].map(sample) });
  try {
    // Four changes (the tombstone is skipped) and the poison record are read; one object, one dead letter.
    const first = await until('the customers topic in /metrics', async () => {
      const m = await scrape(port);
      const done =
        m.get(`cdclake_consumer_events_in_total{topic="${customers}"}`) === 5 &&
        m.get(`cdclake_consumer_files_written_total{topic="${customers}"}`) === 1 &&
        m.get('cdclake_consumer_dead_letters_total') === 1;
      return done ? m : undefined;
    });
    expect(first.get(`cdclake_consumer_bytes_written_total{topic="${customers}"}`)).toBeGreaterThan(0);
    expect(first.get(`cdclake_consumer_lag{topic="${customers}",partition="0"}`)).toBe(0);
    expect(first.get('cdclake_consumer_batch_age_seconds')).toBeGreaterThanOrEqual(0);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    // A new source table: its topic appears while the consumer runs.
    await ensureTopics(kafka, [{ topic: orders, partitions: 1 }]);
    await producer.send({ topic: orders, messages: [sample('pg-types')] });
    await until('the new orders topic in /metrics', async () => {
      const m = await scrape(port);
      return m.get(`cdclake_consumer_files_written_total{topic="${orders}"}`) === 1 ? m : undefined;
    });
    expect((await listRawObjects(config, orders)).map((o) => [o.first, o.last])).toEqual([[0n, 0n]]);
    // Nothing of the first topic was written twice by the rejoin.
    expect((await listRawObjects(config, customers)).length).toBe(1);
  } finally {
    await producer.disconnect();
    child.process.kill('SIGTERM');
  }
  expect(await child.exited).toBe(0);
}, 120_000);

test('an event read before its writer schema is on the schemas topic waits for it, not to dead letters', async () => {
  const prefix = uniqueId('late');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix, CONSUMER_BATCH_AGE_MS: '200' });
  const kafka = createKafka(config);
  const table: TableDef = {
    schema: 'public',
    name: 'notes',
    key: ['id'],
    columns: [
      { name: 'id', type: { kind: 'int8' }, nullable: false },
      { name: 'body', type: { kind: 'text' }, nullable: true },
    ],
  };
  const codec = new TableCodec(table);
  const topic = `${prefix}.public.notes`;
  await ensureTopics(kafka, [
    { topic, partitions: 1 },
    { topic: schemasTopic(config), partitions: 1 },
  ]);
  const after = { id: 1n, body: 'written before its schema was published' };
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      {
        key: codec.encodeKey(after),
        value: codec.encodeEvent({
          before: null,
          after,
          op: Op.create,
          ts_ms: 1n,
          source: {
            connector: 'generator',
            db: 'd',
            schema: 'public',
            table: 'notes',
            lsn: null,
            txId: null,
            ts_ms: 1n,
            snapshot: false,
          },
          pos: 1n,
          unchanged: [],
        }),
      },
    ],
  });
  await producer.disconnect();

  const consumer = new RawConsumer(config, { untilIdle: true }, log);
  const running = consumer.run();
  // The schemas arrive three seconds after the consumer has read the event.
  await new Promise((r) => setTimeout(r, 3000));
  await writeEntries(
    kafka,
    schemasTopic(config),
    [codec.key, codec.value].map((s) => ({ key: fingerprintToHex(s.fingerprint), value: s.json })),
  );
  const summary = await running;
  expect(summary).toMatchObject({ events: 1, files: 1, deadLetters: 0 });
  expect(await rawOffsetCounts(config, prefix)).toEqual({ rows: 1, distinct_offsets: 1 });
}, 60_000);
