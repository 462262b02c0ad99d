// A model knows what it read: a merge whose transaction began before a model's build and committed after
// it (so its commit time is older than the build's) still leaves the model stale, and the next refresh
// rebuilds it. With a build time compared to a merge time, the model stayed stale-but-"fresh".

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { postgresConninfo } from '../../../core/postgres-conninfo.ts';
import { MergeJob } from '../../../merge/merge-job.ts';
import { createTestDatabase, lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { writeRawObject } from '../../support/raw-writer.ts';

test('a merge that commits while a model builds, begun before it, leaves the model stale until rebuilt', async () => {
  const id = uniqueId('stale');
  const database = await createTestDatabase(lakeTestConfig(id));
  onTestFinished(() => database.drop());
  const config = lakeTestConfig(id, {
    LAKE_CATALOG: `postgres:${postgresConninfo(database.url, database.name)}`,
  });
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-models-'));
  fs.mkdirSync(path.join(models, 'silver'));
  fs.writeFileSync(path.join(models, 'silver', 'items_copy.sql'), 'SELECT id, name FROM bronze.items\n');
  const topic = `${id}.public.items`;
  await writeRawObject(config, {
    topic,
    table: 'items',
    key: ['id'],
    columns: { id: 'BIGINT', name: 'VARCHAR' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1, name: 'v0' } }],
  });
  const job = new MergeJob(config, createLogger('test'), { modelRoot: models });
  onTestFinished(() => job.close());
  await job.pass({ models: false });
  expect((await job.refreshModels()).refreshed).toEqual(['silver.items_copy']);

  // A merge of a second item begins (its transaction, and so its merged_at, start now) ...
  const merging = await job.rawConnection();
  await merging.run('BEGIN TRANSACTION');
  await merging.run("INSERT INTO bronze.items (id, name) SELECT 2, 'v1'");
  await merging.run('UPDATE cdclake.checkpoints SET next_offset = next_offset + 1, merged_at = now()');
  // ... a model build begins and commits meanwhile (it cannot see the uncommitted item) ...
  await new Promise((r) => setTimeout(r, 50));
  await job.query("UPDATE cdclake.models SET query_hash = 'changed' WHERE model = 'silver.items_copy'");
  expect((await job.refreshModels()).refreshed).toEqual(['silver.items_copy']);
  // ... and the merge commits after it.
  await merging.run('COMMIT');
  expect(await job.query('SELECT count(*)::INTEGER AS n FROM silver.items_copy')).toEqual([{ n: 1 }]);

  // The model did not read that commit: it is stale, and the next refresh brings it up to date.
  expect((await job.refreshModels()).refreshed).toEqual(['silver.items_copy']);
  expect(await job.query('SELECT count(*)::INTEGER AS n FROM silver.items_copy')).toEqual([{ n: 2 }]);
  expect((await job.refreshModels()).refreshed).toEqual([]);
}, 120_000);
