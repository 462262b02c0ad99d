// The merge's promises on real MinIO and a real DuckLake catalog, with raw objects written by hand so each
// position and offset is chosen: replays change nothing, older events lose to newer ones, deletes stay
// deleted against late older events but not against newer ones, unchanged columns keep their values.

import { postgresConninfo } from '../../../core/postgres-conninfo.ts';
import { expect, onTestFinished, test } from 'vitest';
import { createTestDatabase, lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { bronzeState, mergeOnce, queryLake } from '../../support/lake.ts';
import { writeRawObject, type RawEvent } from '../../support/raw-writer.ts';

const columns = { id: 'BIGINT', name: 'VARCHAR', amount: 'DECIMAL(10,2)', note: 'VARCHAR' };

function object(topic: string, events: RawEvent[]) {
  return { topic, table: 'items', key: ['id'], columns, events };
}

/** The lake's catalog in a DuckDB file (the default) or in PostgreSQL (the compose stack's). */
async function catalogFor(
  kind: 'duckdb' | 'postgres',
  id: string,
): Promise<{ overrides: Record<string, string>; drop(): Promise<void> }> {
  if (kind === 'duckdb') return { overrides: {}, drop: async () => undefined };
  const database = await createTestDatabase(lakeTestConfig(id));
  const conninfo = postgresConninfo(database.url, database.name);
  return { overrides: { LAKE_CATALOG: `postgres:${conninfo}` }, drop: () => database.drop() };
}

test.each([
  ['duckdb', 'delete-insert'],
  ['postgres', 'delete-insert'],
  ['duckdb', 'merge'],
] as const)(
  'replays, older events, deletes and unchanged columns (%s catalog, %s)',
  async (kind, strategy) => {
    const id = uniqueId('mrg');
    const catalog = await catalogFor(kind, id);
    onTestFinished(() => catalog.drop());
    const config = lakeTestConfig(id, { ...catalog.overrides, MERGE_STRATEGY: strategy });
    const topic = `${id}.public.items`;

    await writeRawObject(
      config,
      object(topic, [
        { op: 'r', pos: 10, offset: 0, row: { id: 1, name: 'one', amount: '1.10', note: 'big text' } },
        { op: 'r', pos: 11, offset: 1, row: { id: 2, name: 'two', amount: '2.20', note: 'n2' } },
        { op: 'c', pos: 20, offset: 2, row: { id: 3, name: 'three', amount: '3.30', note: 'n3' } },
        { op: 'u', pos: 21, offset: 3, row: { id: 3, name: 'three again', amount: '3.31', note: 'n3' } },
      ]),
    );
    const first = await mergeOnce(config);
    expect(first.failed).toEqual([]);
    expect(first.merged[0]).toMatchObject({ table: 'items', rawRows: 4, changed: 3 });
    const afterFirst = await bronzeState(config, 'items', 'id');
    expect(afterFirst).toMatchObject([
      { id: '1', name: 'one', amount: 1.1, _deleted: false, _pos: 10 },
      { id: '2', name: 'two', _deleted: false },
      { id: '3', name: 'three again', amount: 3.31, _op: 'u', _pos: 21 },
    ]);

    // Newer and older events in one object: an update that leaves `note` unchanged (TOAST), an older update
    // of id 3 that must lose, a delete of id 2, and then an older insert of id 2 replayed late.
    await writeRawObject(
      config,
      object(topic, [
        {
          op: 'u',
          pos: 30,
          offset: 4,
          row: { id: 1, name: 'one v2', amount: '1.20', note: null },
          unchanged: ['note'],
        },
        { op: 'u', pos: 15, offset: 5, row: { id: 3, name: 'stale', amount: '9.99', note: 'stale' } },
        { op: 'd', pos: 31, offset: 6, row: { id: 2, name: null, amount: null, note: null } },
      ]),
    );
    await writeRawObject(
      config,
      object(topic, [
        { op: 'c', pos: 12, offset: 7, row: { id: 2, name: 'two replayed', amount: '2.20', note: 'n2' } },
      ]),
    );
    await mergeOnce(config);
    const afterSecond = await bronzeState(config, 'items', 'id');
    expect(afterSecond).toMatchObject([
      { id: '1', name: 'one v2', amount: 1.2, note: 'big text', _pos: 30, _deleted: false },
      { id: '2', name: 'two', _deleted: true, _op: 'd', _pos: 31 },
      { id: '3', name: 'three again', _pos: 21 },
    ]);

    // Every raw object replayed: the checkpoints forgotten, all merged again. Nothing changes.
    await queryLake(config, 'DELETE FROM cdclake.checkpoints');
    const replay = await mergeOnce(config);
    expect(replay.merged[0]).toMatchObject({ rawRows: 8, changed: 0 });
    expect(await bronzeState(config, 'items', 'id')).toEqual(afterSecond);

    // Nothing new: the listing starts after the checkpoint, and no table is merged.
    expect((await mergeOnce(config)).merged).toEqual([]);

    // A newer insert after the delete brings the key back.
    await writeRawObject(
      config,
      object(topic, [
        { op: 'c', pos: 40, offset: 8, row: { id: 2, name: 'two reborn', amount: '2.50', note: 'n' } },
      ]),
    );
    await mergeOnce(config);
    expect((await bronzeState(config, 'items', 'id'))[1]).toMatchObject({
      id: '2',
      name: 'two reborn',
      _deleted: false,
      _pos: 40,
    });
    const [checkpoint] = await queryLake<{ next_offset: bigint; table_name: string }>(
      config,
      'SELECT next_offset, table_name FROM cdclake.checkpoints ORDER BY next_offset DESC LIMIT 1',
    );
    expect(checkpoint).toMatchObject({ next_offset: 9n, table_name: 'items' });
  },
);

test.each(['merge', 'delete-insert'] as const)(
  'an unchanged column takes its value from an earlier event of the same pass, else from bronze (%s)',
  async (strategy) => {
    const id = uniqueId('tst');
    const config = lakeTestConfig(id, { MERGE_STRATEGY: strategy });
    const topic = `${id}.public.items`;
    const row = (key: number, name: string, note: string | null) => ({ id: key, name, amount: '1.00', note });
    await writeRawObject(
      config,
      object(topic, [{ op: 'c', pos: 1, offset: 0, row: row(1, 'one', 'stored') }]),
    );
    await mergeOnce(config);

    await writeRawObject(
      config,
      object(topic, [
        // A new key: inserted, then updated with `note` unchanged, both in this pass.
        { op: 'c', pos: 10, offset: 1, row: row(10, 'ten', 'long text') },
        { op: 'u', pos: 11, offset: 2, row: row(10, 'ten v2', null), unchanged: ['note'] },
        // The newest event that sent `note` wins, not the first.
        { op: 'c', pos: 12, offset: 3, row: row(11, 'eleven', 'first') },
        { op: 'u', pos: 13, offset: 4, row: row(11, 'eleven v2', 'second') },
        { op: 'u', pos: 14, offset: 5, row: row(11, 'eleven v3', null), unchanged: ['note'] },
        // A NULL that was sent is a value.
        { op: 'c', pos: 15, offset: 6, row: row(12, 'twelve', null) },
        { op: 'u', pos: 16, offset: 7, row: row(12, 'twelve v2', null), unchanged: ['note'] },
        // No event of the pass sent `note`: bronze's stored value stays.
        { op: 'u', pos: 17, offset: 8, row: row(1, 'one v2', null), unchanged: ['note'] },
        { op: 'u', pos: 18, offset: 9, row: row(1, 'one v3', null), unchanged: ['note'] },
      ]),
    );
    await mergeOnce(config);
    const notes = (await bronzeState(config, 'items', 'id')).map((r) => {
      const { id: key, name, note } = r as { id: string; name: string; note: string | null };
      return { id: key, name, note };
    });
    expect(notes).toEqual([
      { id: '1', name: 'one v3', note: 'stored' },
      { id: '10', name: 'ten v2', note: 'long text' },
      { id: '11', name: 'eleven v3', note: 'second' },
      { id: '12', name: 'twelve v2', note: null },
    ]);
  },
);

test.each(['merge', 'delete-insert'] as const)(
  'a new bronze table is written sorted by its key, and later micro-batches merge as before (%s)',
  async (strategy) => {
    const id = uniqueId('srt');
    const config = lakeTestConfig(id, { MERGE_STRATEGY: strategy });
    const topic = `${id}.public.items`;
    // Keys arrive shuffled: the first pass creates bronze and loads it, sorted by DuckLake on insert.
    const keys = Array.from({ length: 500 }, (_, i) => (i * 7919) % 500);
    await writeRawObject(
      config,
      object(
        topic,
        keys.map((k, i) => ({
          op: 'c' as const,
          pos: 100 + i,
          offset: i,
          row: { id: k, name: `n${k}`, amount: '1.00', note: null },
        })),
      ),
    );
    expect((await mergeOnce(config)).merged[0]).toMatchObject({ changed: 500 });
    const files = await queryLake<{ data_file: string }>(
      config,
      "SELECT data_file FROM ducklake_list_files('lake', 'items', schema => 'bronze')",
    );
    expect(files).toHaveLength(1);
    const inFile = await queryLake<{ id: bigint }>(
      config,
      `SELECT id FROM read_parquet('${files[0]?.data_file}') ORDER BY file_row_number`,
    );
    expect(inFile.map((r) => Number(r.id))).toEqual([...Array(500).keys()]);

    await writeRawObject(
      config,
      object(topic, [
        { op: 'u', pos: 1000, offset: 500, row: { id: 7, name: 'seven', amount: '7.00', note: null } },
        { op: 'd', pos: 1001, offset: 501, row: { id: 8, name: null, amount: null, note: null } },
        { op: 'c', pos: 1002, offset: 502, row: { id: 900, name: 'new', amount: '9.00', note: null } },
      ]),
    );
    expect((await mergeOnce(config)).merged[0]).toMatchObject({ changed: 3 });
    const state = await queryLake<{ n: bigint; live: bigint; seven: string }>(
      config,
      'SELECT count(*) AS n, count(*) FILTER (WHERE NOT _deleted) AS live, any_value(name) FILTER (WHERE id = 7) AS seven FROM bronze.items',
    );
    expect(state[0]).toMatchObject({ n: 501n, live: 500n, seven: 'seven' });
  },
);

test('an object with no rows that names no table (an empty batch) is merged past, beside the objects around it', async () => {
  const id = uniqueId('mre');
  const config = lakeTestConfig(id);
  const topic = `${id}.public.items`;
  await writeRawObject(
    config,
    object(topic, [{ op: 'c', pos: 10, offset: 0, row: { id: 1, name: 'one', amount: '1.10', note: 'a' } }]),
  );
  await writeRawObject(config, {
    ...object(topic, [{ op: 'c', pos: 11, offset: 1, row: { id: 9, name: 'x', amount: '0', note: 'x' } }]),
    noRows: true,
    first: 1n,
    last: 0n,
    metadataTable: '',
    metadataSchema: '',
  });
  await writeRawObject(
    config,
    object(topic, [{ op: 'c', pos: 12, offset: 1, row: { id: 2, name: 'two', amount: '2.20', note: 'b' } }]),
  );
  const pass = await mergeOnce(config);
  expect(pass.failed).toEqual([]);
  expect(await bronzeState(config, 'items', 'id')).toMatchObject([
    { id: '1', name: 'one' },
    { id: '2', name: 'two' },
  ]);
});
