// `consume` rides through its object store restarting (a real MinIO of the test's own, stopped and started
// again on the same port, its data kept): the batches it cannot upload are kept and sent again with a
// growing wait, the process keeps running, and once the store is back every event lands in raw exactly once,
// as many as a fresh consumer reads from the same topics. Before, the first failed upload ended the process.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import type { Config } from '../../../core/config.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedMinio, type IsolatedMinio } from '../../support/isolated-minio.ts';
import { rawOffsetCounts } from '../../support/raw-layer.ts';
import { runCdclake, startCdclake } from '../../support/processes.ts';
import { waitUntil as waitFor } from '../../support/wait.ts';

const waitUntil = (what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> =>
  waitFor(what, check, ms, 300);

let minio: IsolatedMinio;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-upload-outage-'));

beforeAll(async () => {
  minio = await startIsolatedMinio(testConfig().CDCLAKE_HOME, 'upoutage');
});

afterAll(async () => {
  await minio?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Every event of the test's topics lands in its raw prefix exactly once: as many as a reference consumer of
 * its own group reads from the start into a prefix of its own.
 */
async function expectEveryEventOnce(config: Config, id: string): Promise<void> {
  const reference = testConfig({
    ...minio.env,
    CDC_TOPIC_PREFIX: id,
    RAW_PREFIX: `${id}/reference/`,
    CONSUMER_GROUP: `${id}-reference`,
  });
  await runCdclake(reference, ['consume', '--until-idle']);
  const expected = await rawOffsetCounts(reference, id);
  expect(expected.rows).toBeGreaterThan(0);
  await waitUntil(
    'every event in raw once',
    async () => {
      const counts = await rawOffsetCounts(config, id);
      return counts.rows === expected.rows && counts.distinct_offsets === counts.rows;
    },
    90_000,
  );
}

test('consume keeps its batches while S3 restarts and writes each event once when it is back', async () => {
  const id = uniqueId('upo');
  const config = testConfig({ ...minio.env, CDC_TOPIC_PREFIX: id, RAW_PREFIX: `${id}/raw/` });
  const generate = (seed: string, orders: string): Promise<string> => {
    fs.mkdirSync(path.join(dir, seed), { recursive: true });
    return runCdclake(config, [
      'produce',
      '--source',
      'generator',
      '--target',
      'kafka',
      '--orders',
      orders,
      '--seed',
      seed,
      '--expected',
      path.join(dir, seed),
    ]);
  };
  await generate('1', '300');
  const consumer = startCdclake(config, ['consume'], {
    LOG_LEVEL: 'info',
    CONSUMER_BATCH_AGE_MS: '300',
    CONSUMER_TOPIC_REFRESH_MS: '1000',
    S3_REQUEST_TIMEOUT_MS: '2000',
    S3_MAX_ATTEMPTS: '2',
  });
  onTestFinished(async () => {
    consumer.process.kill('SIGKILL');
    await consumer.exited;
  });
  await waitUntil('the first events in raw', async () => (await rawOffsetCounts(config, id)).rows > 0);

  await minio.down();
  await generate('2', '300');
  await waitUntil(
    'a failed upload kept for another try',
    async () => consumer.output().includes('upload failed; the batch is kept and sent again'),
    30_000,
  );
  await sleep(2000);
  expect(consumer.process.exitCode).toBeNull();
  await minio.up();

  await expectEveryEventOnce(config, id);
  consumer.process.kill('SIGTERM');
  expect(await consumer.exited).toBe(0);
}, 240_000);

test('consume started while S3 is down waits at its partitions’ resume point, then writes each event once', async () => {
  const id = uniqueId('upr');
  const config = testConfig({ ...minio.env, CDC_TOPIC_PREFIX: id, RAW_PREFIX: `${id}/raw/` });
  fs.mkdirSync(path.join(dir, id), { recursive: true });
  await runCdclake(config, [
    'produce',
    '--source',
    'generator',
    '--target',
    'kafka',
    '--orders',
    '300',
    '--expected',
    path.join(dir, id),
  ]);
  // Assigned its partitions with the store down: each resume point is a listing that fails until it is back.
  await minio.down();
  const consumer = startCdclake(config, ['consume'], {
    LOG_LEVEL: 'info',
    CONSUMER_BATCH_AGE_MS: '300',
    S3_REQUEST_TIMEOUT_MS: '2000',
    S3_MAX_ATTEMPTS: '2',
  });
  onTestFinished(async () => {
    consumer.process.kill('SIGKILL');
    await consumer.exited;
  });
  try {
    await waitUntil(
      'a failed listing tried again',
      async () => consumer.output().includes('listing the raw layer failed; trying again'),
      60_000,
    );
    await sleep(1500);
    expect(consumer.process.exitCode).toBeNull();
  } finally {
    await minio.up();
  }
  await expectEveryEventOnce(config, id);
  consumer.process.kill('SIGTERM');
  expect(await consumer.exited).toBe(0);
}, 240_000);
