// A rebalance while uploads are in flight: the first consumer's uploads hang (a proxy holds every write),
// a second consumer joins the group, and the first abandons those uploads for the partitions' next owners.
// An upload abandoned so is not a failure: the first keeps running, and once writes pass again every event
// is in raw exactly once. Before, the abort ended the process ("Upload aborted."). The proxy reads the held
// requests' bodies, as a server that hangs before it answers does, so the abandoned uploads land when writes
// pass again, after the partitions' owners resumed: the owners remove those second copies.

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, onTestFinished, test } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { runGeneratorWorkload } from '../../producer/generator-run.ts';
import { testConfig, uniqueId } from '../support/fixtures.ts';
import { startCdclake } from '../support/processes.ts';
import { rawOffsetCounts } from '../support/raw-layer.ts';
import { startS3HoldProxy } from '../support/s3-hold-proxy.ts';
import { waitUntil } from '../support/wait.ts';

test('uploads abandoned for a rebalance do not stop the consumer; every event lands once', async () => {
  const prefix = uniqueId('rbup');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix, METRICS_PORT: '0', CONSUMER_BATCH_AGE_MS: '300' });
  const generated = await runGeneratorWorkload(
    config,
    { target: 'kafka', orders: '20000', customers: '1000', products: '100' },
    createLogger('test'),
  );
  const proxy = await startS3HoldProxy(config.S3_ENDPOINT, { readBodies: true });
  onTestFinished(() => proxy.close());
  proxy.hold();
  const first = startCdclake({ ...config, S3_ENDPOINT: proxy.endpoint }, ['consume'], { LOG_LEVEL: 'info' });
  onTestFinished(async () => {
    first.process.kill('SIGKILL');
    await first.exited;
  });
  await waitUntil('uploads held in flight', async () => proxy.held() > 0, 60_000);
  const second = startCdclake(config, ['consume'], { LOG_LEVEL: 'info' });
  onTestFinished(async () => {
    second.process.kill('SIGKILL');
    await second.exited;
  });
  // The group rebalances around the held uploads; the first abandons them.
  await waitUntil(
    'the group to rebalance',
    async () => first.output().includes('the group is rebalancing') || first.process.exitCode !== null,
    60_000,
  );
  await waitUntil(
    'the second to resume its partitions',
    async () => second.output().includes('partition resumes'),
    60_000,
  );
  await sleep(2000);
  expect(first.process.exitCode, first.output().slice(-3000)).toBeNull();
  proxy.release();
  // The abandoned uploads are carried out now; the check below waits for what they leave.
  await waitUntil('the released writes answered', async () => proxy.forwarding() === 0, 60_000);
  let counts = { rows: 0, distinct_offsets: 0 };
  await waitUntil(
    'every event in raw once',
    async () => {
      counts = await rawOffsetCounts(config, prefix);
      return counts.rows === generated.events && counts.distinct_offsets === counts.rows;
    },
    120_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}: ${JSON.stringify(counts)} of ${generated.events} events`);
  });
  expect(first.process.exitCode, first.output().slice(-3000)).toBeNull();
  second.process.kill('SIGTERM');
  first.process.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(await first.exited).toBe(0);
}, 300_000);
