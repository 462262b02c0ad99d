// A batch's dead letters are durable before its raw object marks its offsets done. The consumer is killed
// with SIGKILL between the two steps (its upload held by a proxy in front of MinIO, its dead letters
// already acknowledged); after a restart every record is in raw or in dead letters, none in neither.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { createKafka } from '../../core/kafka/client.ts';
import { deadLettersTopic, ensureTopics } from '../../core/kafka/topics.ts';
import { debeziumSample } from '../support/debezium-samples.ts';
import { testConfig, uniqueId } from '../support/fixtures.ts';
import { readTopic } from '../support/kafka-read.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';
import { listRawObjects, rawOffsetCounts } from '../support/raw-layer.ts';
import { startS3HoldProxy } from '../support/s3-hold-proxy.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test('kill -9 after the dead letters are acknowledged and before the raw object lands: nothing is lost', async () => {
  const prefix = uniqueId('dlq');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix, METRICS_PORT: '0' });
  const topic = `${prefix}.inventory.customers`;
  const kafka = createKafka(config);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const good = ['pg-snapshot-read', 'pg-create', 'pg-update', 'pg-delete'];
  const poison = ['poison-not-json', 'poison-no-op', 'poison-table-name'];
  const records = [...good, ...poison, 'noschema-create'];
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: records.map((name) => debeziumSample(name)) });
  await producer.disconnect();

  const proxy = await startS3HoldProxy(config.S3_ENDPOINT);
  cleanups.push(() => proxy.close());
  proxy.hold();
  const consumer = startCdclake({ ...config, S3_ENDPOINT: proxy.endpoint }, ['consume']);
  let letters = 0;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && (letters < poison.length || proxy.held() === 0)) {
    await sleep(250);
    letters = (await readTopic(config, deadLettersTopic(config))).length;
  }
  // Between the two steps: the dead letters acknowledged, the upload of their batch not answered.
  expect({ letters, uploadsWaiting: proxy.held() > 0 }).toEqual({
    letters: poison.length,
    uploadsWaiting: true,
  });
  consumer.process.kill('SIGKILL');
  await consumer.exited;
  await proxy.close();
  expect(await listRawObjects(config, prefix)).toEqual([]);

  await runCdclake(config, ['consume', '--until-idle']);
  const counts = await rawOffsetCounts(config, prefix);
  expect(counts).toEqual({ rows: good.length + 1, distinct_offsets: good.length + 1 });
  const sent = await readTopic(config, deadLettersTopic(config));
  const poisonOffsets = new Set(sent.map((l) => l.headers['cdclake.source.offset']));
  expect([...poisonOffsets].sort()).toEqual(poison.map((_, i) => String(good.length + i)));
}, 180_000);
