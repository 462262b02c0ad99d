// `cdclake merge --every` as a user leaves it running: new raw objects reach bronze pass after pass, the lake
// is compacted on its LAKE_COMPACT_EVERY schedule while the loop goes on, silver and gold are rebuilt on
// their LAKE_MODELS_EVERY schedule and brought up to date at the end, and SIGTERM ends it with exit 0.
// The catalog is in PostgreSQL, so the test can query the lake while the merge holds it.

import { postgresConninfo } from '../../core/postgres-conninfo.ts';
import { expect, onTestFinished, test } from 'vitest';
import { createTestDatabase, lakeTestConfig, uniqueId } from '../support/fixtures.ts';
import { queryLake } from '../support/lake.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';
import { writeRawObject } from '../support/raw-writer.ts';

const columns = { id: 'BIGINT', name: 'VARCHAR' };

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('merge --every merges each new object, compacts on schedule, and stops on SIGTERM', async () => {
  const id = uniqueId('evr');
  const database = await createTestDatabase(lakeTestConfig(id));
  onTestFinished(() => database.drop());
  const conninfo = postgresConninfo(database.url, database.name);
  const config = lakeTestConfig(id, { LAKE_CATALOG: `postgres:${conninfo}` });
  const topic = `${id}.public.items`;
  const write = (offset: number, name: string) =>
    writeRawObject(config, {
      topic,
      table: 'items',
      key: ['id'],
      columns,
      events: [{ op: offset === 0 ? 'c' : 'u', pos: offset + 1, offset, row: { id: 1, name } }],
    });
  const bronzeName = async (): Promise<string | undefined> =>
    (await queryLake<{ name: string }>(config, 'SELECT name FROM bronze.items WHERE id = 1'))[0]?.name;

  await write(0, 'v0');
  const child = startCdclake(config, ['merge', '--every', '300ms'], {
    LAKE_COMPACT_EVERY: '2s',
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
  });
  try {
    await until('the first object in bronze', async () => (await bronzeName()) === 'v0');
    // Objects written while it runs: each one a pass, each pass a small data file and a delete file.
    for (let i = 1; i <= 4; i++) {
      await write(i, `v${i}`);
      await until(`object ${i} in bronze`, async () => (await bronzeName()) === `v${i}`);
    }
    await until('a compaction on schedule', async () => child.output().includes('lake compacted'));
    await write(5, 'v5');
    await until('an object merged after the compaction', async () => (await bronzeName()) === 'v5');
  } finally {
    child.process.kill('SIGTERM');
  }
  expect(await child.exited).toBe(0);
  expect(child.output()).not.toMatch(/"level":(50|60)/);
  const [state] = await queryLake<{ rows: bigint; next: bigint }>(
    config,
    `SELECT (SELECT count(*) FROM bronze.items) AS rows,
            (SELECT max(next_offset) FROM cdclake.checkpoints) AS next`,
  );
  expect(state).toEqual({ rows: 1n, next: 6n });
}, 180_000);

test('merge --every rebuilds silver and gold on LAKE_MODELS_EVERY, not every pass, and brings them up to date when stopped', async () => {
  const id = uniqueId('mdl');
  const database = await createTestDatabase(lakeTestConfig(id));
  onTestFinished(() => database.drop());
  const config = lakeTestConfig(id, {
    LAKE_CATALOG: `postgres:${postgresConninfo(database.url, database.name)}`,
  });
  const workload = async (seed: string): Promise<void> => {
    await runCdclake(config, [
      'produce',
      '--source',
      'generator',
      '--target',
      'kafka',
      '--orders',
      '400',
      '--seed',
      seed,
    ]);
    await runCdclake(config, ['consume', '--until-idle']);
  };
  type Orders = { n: bigint; amount: string };
  const silverOrders = async (): Promise<Orders | undefined> =>
    (
      await queryLake<Orders>(
        config,
        'SELECT count(*) AS n, CAST(sum(total_amount) AS VARCHAR) AS amount FROM silver.orders',
      )
    )[0];
  const bronzeOrders = async (): Promise<Orders | undefined> =>
    (
      await queryLake<Orders>(
        config,
        'SELECT count(*) AS n, CAST(sum(total_amount) AS VARCHAR) AS amount FROM bronze.orders WHERE NOT _deleted',
      )
    )[0];
  const builtAt = async (): Promise<string | undefined> =>
    (
      await queryLake<{ at: string }>(
        config,
        "SELECT CAST(built_at AS VARCHAR) AS at FROM cdclake.models WHERE model = 'silver.orders'",
      )
    )[0]?.at;

  await workload('1');
  const child = startCdclake(config, ['merge', '--every', '300ms'], {
    LAKE_MODELS_EVERY: '1h',
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
  });
  let firstBuild: string | undefined;
  try {
    // The first pass is due: bronze and then the models.
    await until('silver.orders built from the first workload', async () => {
      const silver = await silverOrders();
      return silver !== undefined && silver.n > 0n && silver.amount === (await bronzeOrders())?.amount;
    });
    firstBuild = await builtAt();
    expect(firstBuild).toBeDefined();
    const before = await silverOrders();
    // Another workload (other values for the same keys): bronze follows within passes, silver does not yet.
    await workload('2');
    await until('the second workload in bronze', async () => {
      const bronze = await bronzeOrders();
      return bronze !== undefined && bronze.amount !== before?.amount;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; merge --every's log ends:\n${child.output().slice(-4000)}`);
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await builtAt()).toBe(firstBuild);
    expect(await silverOrders()).toEqual(before);
  } finally {
    child.process.kill('SIGTERM');
  }
  expect(await child.exited).toBe(0);
  expect(child.output()).toContain('models brought up to date');
  expect(child.output()).not.toMatch(/"level":(50|60)/);
  expect(await builtAt()).not.toBe(firstBuild);
  expect(await silverOrders()).toEqual(await bronzeOrders());
}, 300_000);
