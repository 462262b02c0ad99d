// Several merge processes on one lake: three `merge --every` start together on a new PostgreSQL catalog
// while the generator's workload streams in, and two of them are killed with SIGKILL at random points. Each
// table is merged by one process at a time (a lease on the catalog's server, let go when a process dies),
// so the survivor ends with bronze equal to the source and no key twice.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import type { Config } from '../../core/config.ts';
import { createTestDatabase } from '../support/fixtures.ts';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { createSourceFixture } from '../support/postgres-source.ts';
import { runCdclake, startCdclake, stopCdclake, type Child } from '../support/processes.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const TABLES = ['products', 'customers', 'orders'];

function track(child: Child): Child {
  cleanups.push(async () => {
    child.process.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

test('three merge --every on one lake, two killed -9 at random: bronze equals the source, no key twice', async () => {
  const f = await createSourceFixture();
  cleanups.push(() => f.cleanup());
  const catalog = await createTestDatabase(f.config);
  cleanups.push(() => catalog.drop());
  const url = new URL(f.config.PG_URL);
  const config: Config = {
    ...f.config,
    LAKE_CATALOG: `postgres:host=${url.hostname} port=${url.port || '5432'} dbname=${catalog.name} user=${url.username} password=${decodeURIComponent(url.password)}`,
    METRICS_PORT: 0,
  };
  const fast = {
    PRODUCER_TABLE_REFRESH_MS: '1000',
    CONSUMER_TOPIC_REFRESH_MS: '1000',
    CONSUMER_BATCH_AGE_MS: '300',
    LAKE_MODELS_EVERY: '2s',
    LOG_LEVEL: 'info',
  };
  const generator = track(
    startCdclake(config, [
      'produce',
      '--source',
      'generator',
      '--target',
      'postgres',
      '--orders',
      '12000',
      '--rate',
      '2500',
      '--seed',
      '5',
    ]),
  );
  const producer = track(startCdclake(config, ['produce', '--source', 'postgres'], fast));
  const consumer = track(startCdclake(config, ['consume'], fast));
  const mergers = [0, 1, 2].map(() => track(startCdclake(config, ['merge', '--every', '300ms'], fast)));

  const killed: number[] = [];
  for (const victim of [0, 1]) {
    await sleep(2000 + Math.random() * 4000);
    mergers[victim]?.process.kill('SIGKILL');
    killed.push(Date.now());
  }
  expect(await generator.exited).toBe(0);
  // Everything the source holds reaches raw: the running producer and consumer stop, and a last run of each
  // takes what was still on its way.
  expect(await stopCdclake(producer)).toBe(0);
  await runCdclake(config, ['produce', '--source', 'postgres', '--until-idle']);
  expect(await stopCdclake(consumer)).toBe(0);
  await runCdclake(config, ['consume', '--until-idle']);

  const survivor = mergers[2] as Child;
  const deadline = Date.now() + 180_000;
  let compared = await compareBronzeWithPostgres(config, TABLES);
  while (
    Date.now() < deadline &&
    !compared.every((t) => t.onlyInBronze === 0 && t.onlyInPostgres === 0 && t.bronzeRows === t.postgresRows)
  ) {
    await sleep(1000);
    compared = await compareBronzeWithPostgres(config, TABLES);
  }
  const equal = compared.every(
    (t) => t.onlyInBronze === 0 && t.onlyInPostgres === 0 && t.bronzeRows === t.postgresRows,
  );
  // On a failure, what the survivor said about its passes is the first thing to read.
  if (!equal)
    process.stderr.write(
      `survivor's log (last 60 lines):\n${survivor.output().split('\n').slice(-60).join('\n')}\n`,
    );
  // Every table at once, so a failure shows which tables fell behind, not only the first.
  expect(compared).toEqual(
    compared.map((t) => ({
      ...t,
      onlyInBronze: 0,
      onlyInPostgres: 0,
      bronzeRows: t.postgresRows,
      sample: [],
    })),
  );
  expect(await stopCdclake(survivor)).toBe(0);
  // The survivor took the tables of the killed ones: their leases went with their connections.
  expect(survivor.output()).toContain('"msg":"pass"');
}, 600_000);
