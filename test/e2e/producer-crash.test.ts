// The producer's promise under crashes: the generator's workload written into PostgreSQL reaches Kafka
// completely, key by key, although the producer is killed with SIGKILL several times in the middle of it.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { createSourceFixture, type SourceFixture } from '../support/postgres-source.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';
import { compareKafkaWithPostgres } from '../support/star-schema-oracle.ts';

let fixture: SourceFixture | undefined;
afterAll(async () => {
  await fixture?.cleanup();
});

test('100k generated changes reach Kafka completely across kill -9 and restarts of the producer', async () => {
  fixture = await createSourceFixture();
  const { config } = fixture;
  // About 100k changes: 500 products, 2,000 customers, 70,000 order lines, 30,000 updates and deletes.
  const generator = startCdclake(config, [
    'produce',
    '--source',
    'generator',
    '--target',
    'postgres',
    '--products',
    '500',
    '--customers',
    '2000',
    '--orders',
    '70000',
    '--changes',
    '30000',
    '--seed',
    '7',
  ]);
  let generating = true;
  void generator.exited.then(() => (generating = false));
  await sleep(1500); // let the tables exist before the producer first looks for them
  let kills = 0;
  // At least two kills, whether the generator is still writing (most runs) or its backlog is being read.
  while ((generating || kills < 2) && kills < 4) {
    const producer = startCdclake(config, ['produce', '--source', 'postgres']);
    await sleep(1500 + Math.random() * 2500);
    producer.process.kill('SIGKILL');
    await producer.exited;
    kills++;
  }
  expect(await generator.exited).toBe(0);
  expect(kills).toBeGreaterThanOrEqual(2);
  await runCdclake(config, ['produce', '--source', 'postgres', '--until-idle']);

  const mismatches = await compareKafkaWithPostgres(config);
  for (const m of mismatches) {
    expect(m).toEqual({ ...m, onlyInKafka: [], onlyInPostgres: [], differing: [], trail: [] });
  }
  const rows = Object.fromEntries(mismatches.map((m) => [m.table, m.rows]));
  expect(rows['orders']).toBeGreaterThan(50_000);
}, 600_000);
