// The checkpoints table is shared by every topic, so by every merge process on a lake. Updated in place, it
// made two processes' commits conflict on most passes (DuckLake checks conflicts per table: both deleted
// the old rows of the one table), and the loser merged its topic again. Appended to, both commit; the
// newest row of a partition is its checkpoint, and the superseded rows are pruned without moving any.

import { expect, onTestFinished, test } from 'vitest';
import type { Config } from '../../../core/config.ts';
import { createLogger } from '../../../core/logger.ts';
import { postgresConninfo } from '../../../core/postgres-conninfo.ts';
import { renderSql } from '../../../core/sql-files.ts';
import { PRUNE_SUPERSEDED_AT, pruneCheckpoints, readCheckpoints } from '../../../merge/checkpoints.ts';
import { Leases } from '../../../merge/leases.ts';
import { MergeJob } from '../../../merge/merge-job.ts';
import { createTestDatabase, lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { writeRawObject } from '../../support/raw-writer.ts';

async function postgresLake(prefix: string): Promise<{ id: string; config: Config }> {
  const id = uniqueId(prefix);
  const database = await createTestDatabase(lakeTestConfig(id));
  onTestFinished(() => database.drop());
  return {
    id,
    config: lakeTestConfig(id, { LAKE_CATALOG: `postgres:${postgresConninfo(database.url, database.name)}` }),
  };
}

function write(config: Config, topic: string, offset: number, name: string): Promise<string> {
  return writeRawObject(config, {
    topic,
    table: topic.split('.').at(-1) as string,
    key: ['id'],
    columns: { id: 'BIGINT', name: 'VARCHAR' },
    events: [{ op: 'u', pos: 10 + offset, offset, row: { id: 1, name } }],
  });
}

function job(config: Config): MergeJob {
  const merge = new MergeJob(config, createLogger('test'), { models: false });
  onTestFinished(() => merge.close());
  return merge;
}

test('two merge processes committing checkpoints at once on one PostgreSQL catalog both succeed', async () => {
  const { id, config } = await postgresLake('cplog');
  const [a, b] = [`${id}.public.alpha`, `${id}.public.beta`];
  await write(config, a, 0, 'a0');
  await write(config, b, 0, 'b0');
  const first = job(config);
  const second = job(config);
  expect((await first.pass()).merged.map((m) => m.table).sort()).toEqual(['alpha', 'beta']);

  // The first process moves alpha's checkpoint in a transaction still open ...
  const open = await first.rawConnection();
  onTestFinished(() => open.closeSync());
  await open.run('BEGIN TRANSACTION');
  await open.run(renderSql('merge/create-bounds.sql', {}));
  await open.run(`INSERT INTO merge_bounds VALUES ('${a}', 0, 1, 2, 'alpha-key-2')`);
  await open.run(renderSql('merge/advance-checkpoints.sql', { table_name: { literal: 'alpha' } }));
  // ... while the second merges beta's new object and commits ...
  await write(config, b, 1, 'b1');
  const pass = await second.pass();
  expect(pass.failed).toEqual([]);
  expect(pass.merged).toMatchObject([{ table: 'beta', rawRows: 1 }]);
  // ... and the first commits after it, without a conflict.
  await open.run('COMMIT');

  const checkpoints = await readCheckpoints(open);
  expect(checkpoints.get(a)?.get(0)).toMatchObject({
    nextOffset: 2n,
    lastKey: 'alpha-key-2',
    table: 'alpha',
  });
  expect(checkpoints.get(b)?.get(0)).toMatchObject({ nextOffset: 2n, table: 'beta' });
  expect(await second.query(`SELECT name FROM bronze.beta`)).toEqual([{ name: 'b1' }]);
}, 120_000);

test('superseded checkpoint rows are pruned; the checkpoints and the next merge are as before', async () => {
  const { id, config } = await postgresLake('cpprune');
  const topic = `${id}.public.items`;
  const merge = job(config);
  for (let offset = 0; offset < 4; offset++) {
    await write(config, topic, offset, `v${offset}`);
    expect((await merge.pass()).merged).toMatchObject([{ table: 'items', rawRows: 1 }]);
  }
  const connection = await merge.rawConnection();
  onTestFinished(() => connection.closeSync());
  const before = (await readCheckpoints(connection)).get(topic)?.get(0);
  expect(before).toMatchObject({ nextOffset: 4n, versions: 4 });

  await pruneCheckpoints(connection);
  const after = (await readCheckpoints(connection)).get(topic)?.get(0);
  expect(after).toEqual({ ...before, versions: 1 });
  expect(await merge.query('SELECT count(*)::INTEGER AS n FROM cdclake.checkpoints')).toEqual([{ n: 1 }]);

  // The listing goes on after the kept row's key: nothing merged twice, the next object merged.
  expect((await merge.pass()).merged).toEqual([]);
  await write(config, topic, 4, 'v4');
  expect((await merge.pass()).merged).toMatchObject([{ table: 'items', rawRows: 1 }]);
  expect(await merge.query('SELECT name FROM bronze.items')).toEqual([{ name: 'v4' }]);
}, 120_000);

test('superseded rows are pruned after a pass only while no other process holds a topic it knows', async () => {
  const { id, config } = await postgresLake('cpbusy');
  const topic = `${id}.public.items`;
  const merge = job(config);
  await write(config, topic, 0, 'v0');
  await merge.pass();
  // As many superseded rows as make a pass prune (older offsets than the one checkpoint).
  await merge.query(
    `INSERT INTO cdclake.checkpoints
     SELECT topic, "partition", table_name, 0, '', merged_at - INTERVAL 1 HOUR
     FROM cdclake.checkpoints, range(${PRUNE_SUPERSEDED_AT})`,
  );
  const rows = async (): Promise<number> =>
    ((await merge.query('SELECT count(*)::INTEGER AS n FROM cdclake.checkpoints'))[0] as { n: number }).n;
  expect(await rows()).toBe(PRUNE_SUPERSEDED_AT + 1);

  // Another process merging the topic: its lease is busy, so the rows are left for later.
  const other = await Leases.open(config, createLogger('test'));
  onTestFinished(() => other.close());
  expect(await other.tryTake(`topic:${topic}`)).toBe(true);
  await merge.pass();
  expect(await rows()).toBe(PRUNE_SUPERSEDED_AT + 1);

  await other.release(`topic:${topic}`);
  await merge.pass();
  expect(await rows()).toBe(1);
  expect((await readCheckpoints(await merge.rawConnection())).get(topic)?.get(0)).toMatchObject({
    nextOffset: 1n,
    versions: 1,
  });
}, 120_000);
