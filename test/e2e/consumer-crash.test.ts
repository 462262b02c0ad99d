// The consumer's promise under crashes: while a 500k-event stream arrives, the consumer is killed with
// SIGKILL again and again; afterwards the raw layer holds every offset exactly once: no gap, no second copy.

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { testConfig, uniqueId } from '../support/fixtures.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';
import { listRawObjects, overlaps, rawOffsetCounts } from '../support/raw-layer.ts';

test('under a 500k-event stream and repeated kill -9 of the consumer, the raw layer holds every offset exactly once', async () => {
  const prefix = uniqueId('crash');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix, METRICS_PORT: '0', CONSUMER_BATCH_ROWS: '50000' });
  const generator = startCdclake(
    config,
    [
      'produce',
      '--source',
      'generator',
      '--target',
      'kafka',
      '--orders',
      '380000',
      '--customers',
      '5000',
      '--products',
      '300',
      '--seed',
      '11',
    ],
    { LOG_LEVEL: 'info' },
  );
  let generating = true;
  void generator.exited.then(() => (generating = false));
  await sleep(3000); // the generator creates its topics first
  let kills = 0;
  while (generating || kills < 3) {
    const consumer = startCdclake(config, ['consume']);
    await sleep(1500 + Math.random() * 3000);
    consumer.process.kill('SIGKILL');
    await consumer.exited;
    kills++;
  }
  expect(await generator.exited).toBe(0);
  const done = /"events":(\d+),"seconds"/.exec(generator.output());
  const events = Number(done?.[1]);
  expect(events).toBeGreaterThan(450_000);
  await runCdclake(config, ['consume', '--until-idle']);

  expect(overlaps(await listRawObjects(config, prefix))).toEqual([]);
  const counts = await rawOffsetCounts(config, prefix);
  expect({ kills, ...counts }).toEqual({ kills, rows: events, distinct_offsets: events });
}, 900_000);
