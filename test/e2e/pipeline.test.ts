// The whole pipeline against its oracle, the source: the generator's workload written into PostgreSQL,
// then producer, consumer and merge, each as the `cdclake` command a user runs. Afterwards every bronze
// table equals its PostgreSQL table, and each gold table equals the same analytics run on PostgreSQL.

import { afterAll, expect, test } from 'vitest';
import { compareBronzeWithPostgres, compareGoldWithPostgres } from '../support/lake-oracle.ts';
import { createSourceFixture, type SourceFixture } from '../support/postgres-source.ts';
import { queryLake } from '../support/lake.ts';
import { runCdclake } from '../support/processes.ts';

let fixture: SourceFixture | undefined;
afterAll(async () => {
  await fixture?.cleanup();
});

test('PostgreSQL to bronze, silver and gold: bronze equals the source tables, gold equals their analytics', async () => {
  fixture = await createSourceFixture();
  const { config } = fixture;
  const workload = [
    '--products',
    '300',
    '--customers',
    '1500',
    '--orders',
    '15000',
    '--changes',
    '6000',
    '--seed',
    '11',
  ];
  await runCdclake(config, ['produce', '--source', 'generator', '--target', 'postgres', ...workload]);
  await runCdclake(config, ['produce', '--source', 'postgres', '--until-idle']);
  await runCdclake(config, ['consume', '--until-idle']);
  expect(await runCdclake(config, ['merge', '--once'])).toMatch(/models rebuilt: silver\.customers/);
  // A second pass, in a new process, with nothing new: nothing is merged and no model is rebuilt.
  const again = await runCdclake(config, ['merge', '--once']);
  expect(again).toMatch(/merged 0 table\(s\)/);
  expect(again).not.toMatch(/models rebuilt/);

  const tables = await compareBronzeWithPostgres(config, ['products', 'customers', 'orders']);
  for (const t of tables) {
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
  }
  expect(tables.find((t) => t.table === 'orders')?.postgresRows).toBeGreaterThan(10_000);

  const gold = await compareGoldWithPostgres(config);
  expect(gold.map((g) => g.model)).toEqual([
    'monthly_revenue',
    'revenue_by_segment_category_quarter',
    'rfm_segments',
    'top_products_by_category',
  ]);
  for (const g of gold) {
    expect(g.goldRows).toBeGreaterThan(0);
    expect(g).toEqual({ ...g, goldRows: g.postgresRows, differing: [] });
  }
  // Averages of money are exact decimals, not doubles.
  expect(
    await queryLake(
      config,
      'SELECT (SELECT any_value(typeof(avg_order_value)) FROM gold.monthly_revenue) AS order_value, ' +
        '(SELECT any_value(typeof(avg_ltv)) FROM gold.rfm_segments) AS ltv',
    ),
  ).toEqual([{ order_value: 'DECIMAL(38,2)', ltv: 'DECIMAL(38,2)' }]);
}, 600_000);
