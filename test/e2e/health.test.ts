// /health says the truth: a consumer whose uploads hang (MinIO stops answering writes, through a proxy in
// front of the real one) turns unhealthy after HEALTH_STALL_MS, naming what waits, and healthy again when
// the uploads go through. /ready follows. The endpoints listen on METRICS_HOST, 127.0.0.1 by default.

import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { freePort } from '../../core/free-port.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { ensureTopics } from '../../core/kafka/topics.ts';
import { debeziumSample } from '../support/debezium-samples.ts';
import { testConfig, uniqueId } from '../support/fixtures.ts';
import { startCdclake } from '../support/processes.ts';
import { startS3HoldProxy } from '../support/s3-hold-proxy.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

interface Answer {
  status: number;
  body: { status: string; problems?: string[] };
}

async function get(url: string): Promise<Answer | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  } catch {
    return undefined;
  }
}

async function waitFor(url: string, check: (a: Answer) => boolean, ms = 60_000): Promise<Answer> {
  const deadline = Date.now() + ms;
  let last: Answer | undefined;
  while (Date.now() < deadline) {
    last = await get(url);
    if (last !== undefined && check(last)) return last;
    await sleep(200);
  }
  throw new Error(`${url} never answered as expected; last: ${JSON.stringify(last)}`);
}

test('a hung upload fails /health after HEALTH_STALL_MS and recovers when S3 answers again', async () => {
  const prefix = uniqueId('health');
  const port = await freePort();
  const config = testConfig({
    CDC_TOPIC_PREFIX: prefix,
    METRICS_PORT: String(port),
    HEALTH_STALL_MS: '3000',
  });
  const topic = `${prefix}.inventory.customers`;
  const kafka = createKafka(config);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const send = (): Promise<unknown> =>
    producer.send({ topic, messages: [debeziumSample('pg-create'), debeziumSample('pg-update')] });
  await send();

  const proxy = await startS3HoldProxy(config.S3_ENDPOINT);
  cleanups.push(() => proxy.close());
  const consumer = startCdclake({ ...config, S3_ENDPOINT: proxy.endpoint }, ['consume']);
  cleanups.push(async () => {
    consumer.process.kill('SIGKILL');
    await consumer.exited;
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/ready`, (a) => a.status === 200);
  expect(await get(`${base}/health`)).toEqual({ status: 200, body: { status: 'ok' } });

  proxy.hold();
  await send();
  const failing = await waitFor(`${base}/health`, (a) => a.status === 503);
  expect(failing.body.status).toBe('failing');
  expect(failing.body.problems).toEqual([
    expect.stringMatching(/^consumer: no progress for \d+ s with 1 batch\(es\) not yet written to S3/),
  ]);
  expect(proxy.held()).toBeGreaterThan(0);
  expect((await get(`${base}/ready`))?.status).toBe(503);

  proxy.release();
  await waitFor(`${base}/health`, (a) => a.status === 200);
  await waitFor(`${base}/ready`, (a) => a.status === 200);

  // Not on other interfaces: METRICS_HOST is 127.0.0.1 unless set.
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
  if (external !== undefined) expect(await get(`http://${external.address}:${port}/health`)).toBeUndefined();

  consumer.process.kill('SIGTERM');
  expect(await consumer.exited).toBe(0);
}, 180_000);
