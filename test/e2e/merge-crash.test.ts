// The merge's exactly-once promise under crashes: kill -9 of `cdclake merge --once` at random points, then
// a rerun, gives the same bronze as an uninterrupted merge of the same raw objects into a second lake.

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import type { Config } from '../../core/config.ts';
import { lakeTestConfig, uniqueId } from '../support/fixtures.ts';
import { queryLake } from '../support/lake.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';

/** Per bronze table: rows, and a sum of row hashes over every column but the merge time. */
async function bronzeFingerprint(config: Config): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['customers', 'orders', 'products']) {
    const [row] = await queryLake<{ n: bigint; h: bigint }>(
      config,
      `SELECT count(*) AS n, sum(hash(s)) AS h FROM (SELECT * EXCLUDE (_merged_at) FROM bronze.${table}) AS s`,
    );
    out[table] = `${row?.n ?? 0}:${row?.h ?? 0}`;
  }
  return out;
}

test('kill -9 in the middle of merges, then a rerun, gives the bronze of an uninterrupted merge', async () => {
  const id = uniqueId('mcrash');
  const crashed = lakeTestConfig(id);
  const calm = lakeTestConfig(id, {
    LAKE_CATALOG: crashed.LAKE_CATALOG.replace('catalog.ducklake', 'calm.ducklake'),
    LAKE_DATA_PATH: `${crashed.LAKE_DATA_PATH}calm/`,
  });
  // Raw objects from the generator's workload, in several batches per partition.
  await runCdclake(crashed, [
    'produce',
    '--source',
    'generator',
    '--target',
    'kafka',
    '--orders',
    '60000',
    '--seed',
    '5',
  ]);
  await runCdclake(crashed, ['consume', '--until-idle'], { CONSUMER_BATCH_ROWS: '4000' });

  // Killed at a random point, or just after a table committed (so the next table is in the middle of its
  // merge and the lake holds some tables merged and others not).
  let kills = 0;
  let midway = 0;
  for (let attempt = 0; attempt < 6; attempt++) {
    const merge = startCdclake(crashed, ['merge', '--once'], { LOG_LEVEL: 'info' });
    let exited = false;
    void merge.exited.then(() => (exited = true));
    const committed = (async () => {
      while (!merge.output().includes('"msg":"merged"')) {
        if (exited) return new Promise<never>(() => undefined);
        await sleep(20);
      }
      midway++;
      await sleep(Math.random() * 300);
    })();
    const trigger = attempt % 2 === 0 ? committed : sleep(500 + Math.random() * 2500);
    const outcome = await Promise.race([merge.exited, trigger.then(() => 'kill' as const)]);
    if (outcome !== 'kill') break;
    merge.process.kill('SIGKILL');
    await merge.exited;
    kills++;
  }
  await runCdclake(crashed, ['merge', '--once']);
  await runCdclake(calm, ['merge', '--once']);
  expect(kills).toBeGreaterThanOrEqual(1);
  expect(midway).toBeGreaterThanOrEqual(1);

  const [a, b] = [await bronzeFingerprint(crashed), await bronzeFingerprint(calm)];
  expect(a).toEqual(b);
  expect(Number(a['orders']?.split(':')[0])).toBeGreaterThan(50_000);
}, 600_000);
