// A model rebuilt with the columns it had is refilled in its table, with no schema change: replacing the
// table on every build made each build a schema change, and on one DuckDB instance a schema change committed
// while the merge's transaction ran beside it has put a model in the wrong schema (duckdb/ducklake#1248).
// A model's first build, and a build whose columns changed, replace the table.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { MergeJob } from '../../../merge/merge-job.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { writeRawObject } from '../../support/raw-writer.ts';

test('a model keeps its table while its columns stay, and is replaced when they change', async () => {
  const id = uniqueId('modelbuild');
  const config = lakeTestConfig(id);
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-models-'));
  fs.mkdirSync(path.join(models, 'silver'));
  const model = path.join(models, 'silver', 'items_copy.sql');
  fs.writeFileSync(model, 'SELECT id, name FROM bronze.items WHERE NOT _deleted\n');
  const topic = `${id}.public.items`;
  const write = (offset: number, row: { id: number; name: string }): Promise<string> =>
    writeRawObject(config, {
      topic,
      table: 'items',
      key: ['id'],
      columns: { id: 'BIGINT', name: 'VARCHAR' },
      events: [{ op: 'c', pos: offset + 1, offset, row }],
    });
  await write(0, { id: 1, name: 'one' });
  const job = new MergeJob(config, createLogger('test'), { modelRoot: models });
  onTestFinished(() => job.close());
  const schemaVersion = async (): Promise<bigint> =>
    (await job.query("SELECT max(schema_version) AS v FROM ducklake_snapshots('lake')"))[0]?.v as bigint;

  expect((await job.pass()).models).toEqual(['silver.items_copy']);
  const afterFirst = await schemaVersion();

  // New rows, the same columns: refilled in place, no schema change.
  await write(1, { id: 2, name: 'two' });
  expect((await job.pass()).models).toEqual(['silver.items_copy']);
  expect(await schemaVersion()).toBe(afterFirst);
  expect(await job.query('SELECT id, name FROM silver.items_copy ORDER BY id')).toEqual([
    { id: 1n, name: 'one' },
    { id: 2n, name: 'two' },
  ]);

  // A column more: the table is replaced, with it.
  fs.writeFileSync(model, 'SELECT id, name, upper(name) AS loud FROM bronze.items WHERE NOT _deleted\n');
  expect((await job.pass()).models).toEqual(['silver.items_copy']);
  expect(await schemaVersion()).toBeGreaterThan(afterFirst);
  expect(await job.query('SELECT id, name, loud FROM silver.items_copy ORDER BY id')).toEqual([
    { id: 1n, name: 'one', loud: 'ONE' },
    { id: 2n, name: 'two', loud: 'TWO' },
  ]);
  // And the same columns of other types: replaced too, not cast into the old ones.
  fs.writeFileSync(
    model,
    'SELECT id::VARCHAR AS id, name, upper(name) AS loud FROM bronze.items WHERE NOT _deleted\n',
  );
  expect((await job.pass()).models).toEqual(['silver.items_copy']);
  expect(await job.query('SELECT id FROM silver.items_copy ORDER BY id')).toEqual([{ id: '1' }, { id: '2' }]);
}, 120_000);
