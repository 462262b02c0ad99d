// Two consumers in one group and a rebalance in the middle of a batch: the second joins while the first
// holds open batches, then the first dies; the raw layer still holds every offset exactly once.

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { runGeneratorWorkload } from '../../producer/generator-run.ts';
import { testConfig, uniqueId } from '../support/fixtures.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';
import { listRawObjects, overlaps, rawOffsetCounts } from '../support/raw-layer.ts';

test('two consumers in one group and a rebalance mid-batch write every offset exactly once', async () => {
  const prefix = uniqueId('rebal');
  const config = testConfig({
    CDC_TOPIC_PREFIX: prefix,
    METRICS_PORT: '0',
    CONSUMER_BATCH_ROWS: '30000',
    CONSUMER_BATCH_AGE_MS: '4000',
  });
  const generated = await runGeneratorWorkload(
    config,
    { target: 'kafka', orders: '120000', customers: '3000', products: '200' },
    createLogger('test'),
  );
  const first = startCdclake(config, ['consume']);
  await sleep(2500);
  const second = startCdclake(config, ['consume']);
  await sleep(2500); // the group rebalances while the first holds open batches
  first.process.kill('SIGKILL');
  await first.exited;
  await sleep(2000);
  second.process.kill('SIGTERM');
  const stopped = await Promise.race([second.exited, sleep(60_000).then(() => 'hung')]);
  expect({ stopped, output: stopped === 0 ? '' : second.output() }).toEqual({ stopped: 0, output: '' });
  await runCdclake(config, ['consume', '--until-idle'], { LOG_LEVEL: 'info' }, 120_000);

  expect(overlaps(await listRawObjects(config, prefix))).toEqual([]);
  const counts = await rawOffsetCounts(config, prefix);
  expect(counts).toEqual({ rows: generated.events, distinct_offsets: generated.events });
}, 400_000);
