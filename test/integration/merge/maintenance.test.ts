// Lake maintenance on real data: after many small merges, compaction leaves fewer data files and the same
// rows; time travel reads an older snapshot; `cdclake query` and `cdclake status` answer for the lake.

import { expect, onTestFinished, test } from 'vitest';
import { postgresConninfo } from '../../../core/postgres-conninfo.ts';
import { createTestDatabase, lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { bronzeState, mergeOnce, queryLake } from '../../support/lake.ts';
import { runCdclake } from '../../support/processes.ts';
import { writeRawObject } from '../../support/raw-writer.ts';

test('compaction keeps every row and merges files; time travel; query and status', async () => {
  const id = uniqueId('maint');
  const config = lakeTestConfig(id, { LAKE_SNAPSHOT_RETENTION: '1ms' });
  const topic = `${id}.public.items`;
  let offset = 0;
  let versionAfterFirst: bigint | undefined;
  for (let batch = 0; batch < 8; batch++) {
    const events = Array.from({ length: 50 }, (_, i) => ({
      op: 'u' as const,
      pos: batch * 1000 + i,
      offset: offset++,
      row: { id: (batch * 37 + i) % 120, name: `v${batch}-${i}` },
    }));
    await writeRawObject(config, {
      topic,
      table: 'items',
      key: ['id'],
      columns: { id: 'BIGINT', name: 'VARCHAR' },
      events,
    });
    await mergeOnce(config);
    if (batch === 0) {
      const [snapshot] = await queryLake<{ id: bigint }>(
        config,
        'SELECT max(snapshot_id) AS id FROM lake.snapshots()',
      );
      versionAfterFirst = snapshot?.id;
    }
  }
  const files = async (): Promise<number> =>
    Number(
      (
        await queryLake<{ n: bigint }>(
          config,
          "SELECT count(*) AS n FROM ducklake_list_files('lake', 'items', schema => 'bronze')",
        )
      )[0]?.n,
    );
  const before = await bronzeState(config, 'items', 'id');
  const filesBefore = await files();
  expect(filesBefore).toBeGreaterThan(4);

  // Time travel: the table as the first merge left it, 50 rows.
  const [old] = await queryLake<{ n: bigint }>(
    config,
    `SELECT count(*) AS n FROM bronze.items AT (VERSION => ${String(versionAfterFirst)})`,
  );
  expect(old?.n).toBe(50n);

  expect(await runCdclake(config, ['lake', 'compact'])).toMatch(/lake compacted/);
  expect(await bronzeState(config, 'items', 'id')).toEqual(before);
  expect(await files()).toBeLessThan(filesBefore);

  const json = await runCdclake(config, [
    'query',
    '--format',
    'json',
    'SELECT count(*) AS n FROM bronze.items',
  ]);
  expect(JSON.parse(json.slice(json.indexOf('[')))).toEqual([{ n: 120 }]);
  const status = await runCdclake(config, ['status', '--format', 'json']);
  const rows = JSON.parse(status.slice(status.indexOf('['))) as {
    table: string;
    live_rows: number;
    behind: number;
  }[];
  expect(rows).toEqual([expect.objectContaining({ table: 'items', live_rows: 120, behind: 0 })]);
});

test('compaction flushes inlined data: a small model lives in Parquet files afterwards, not only in the catalog', async () => {
  const id = uniqueId('inl');
  const database = await createTestDatabase(lakeTestConfig(id));
  onTestFinished(() => database.drop());
  const config = lakeTestConfig(id, {
    LAKE_CATALOG: `postgres:${postgresConninfo(database.url, database.name)}`,
  });
  // A model as small as gold.rfm_segments: below DuckLake's inlining limit, its rows live in the catalog.
  await queryLake(
    config,
    "CREATE TABLE gold.tiny AS SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) t(id, name)",
  );
  const inFiles = async (): Promise<number> => {
    const files = await queryLake<{ data_file: string }>(
      config,
      "SELECT data_file FROM ducklake_list_files('lake', 'tiny', schema => 'gold')",
    );
    if (files.length === 0) return 0;
    const list = files.map((f) => `'${f.data_file.replaceAll("'", "''")}'`).join(', ');
    const [row] = await queryLake<{ n: bigint }>(config, `SELECT count(*) AS n FROM read_parquet([${list}])`);
    return Number(row?.n ?? 0);
  };
  expect(await inFiles()).toBe(0);
  await runCdclake(config, ['lake', 'compact']);
  // Readers of the files (other engines) now see every row.
  expect(await inFiles()).toBe(3);
  expect(await queryLake(config, 'SELECT count(*)::INTEGER AS n FROM gold.tiny')).toEqual([{ n: 3 }]);
});
