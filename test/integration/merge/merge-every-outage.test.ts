// `merge --every` rides through its object store restarting (a real MinIO of the test's own, stopped and
// started again on the same port, its data kept): the passes that fail meanwhile are logged and tried again
// on a new lake session, the process keeps running, and what is written once the store is back reaches
// bronze. Before, the first failed listing ended the process.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { postgresConninfo } from '../../../core/postgres-conninfo.ts';
import { createTestDatabase, lakeTestConfig, testConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedMinio, type IsolatedMinio } from '../../support/isolated-minio.ts';
import { queryLake } from '../../support/lake.ts';
import { startCdclake } from '../../support/processes.ts';
import { writeRawObject, type RawEvent } from '../../support/raw-writer.ts';
import { waitUntil as waitFor } from '../../support/wait.ts';

const waitUntil = (what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> =>
  waitFor(what, check, ms, 300);

let minio: IsolatedMinio;

beforeAll(async () => {
  minio = await startIsolatedMinio(testConfig().CDCLAKE_HOME, 'outage');
});

afterAll(async () => {
  await minio?.stop();
});

test('merge --every keeps running while S3 restarts, and merges what arrives after', async () => {
  const id = uniqueId('outage');
  const database = await createTestDatabase(lakeTestConfig(id));
  onTestFinished(() => database.drop());
  const config = lakeTestConfig(id, {
    ...minio.env,
    LAKE_DATA_PATH: `s3://${minio.env['S3_BUCKET']}/${id}/lake/`,
    LAKE_CATALOG: `postgres:${postgresConninfo(database.url, database.name)}`,
  });
  const topic = `${id}.public.items`;
  const events = (from: number, to: number): RawEvent[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      op: 'c' as const,
      pos: from + i,
      offset: from + i,
      row: { id: from + i, name: `item ${from + i}` },
    }));
  const write = (from: number, to: number): Promise<string> =>
    writeRawObject(config, {
      topic,
      table: 'items',
      key: ['id'],
      columns: { id: 'BIGINT', name: 'VARCHAR' },
      events: events(from, to),
    });
  const bronzeRows = async (): Promise<number> =>
    Number((await queryLake<{ n: bigint }>(config, 'SELECT count(*) AS n FROM bronze.items'))[0]?.n ?? 0);

  await write(0, 9);
  const merge = startCdclake(config, ['merge', '--every', '300ms'], {
    LOG_LEVEL: 'info',
    S3_REQUEST_TIMEOUT_MS: '2000',
    S3_MAX_ATTEMPTS: '2',
  });
  onTestFinished(async () => {
    merge.process.kill('SIGKILL');
    await merge.exited;
  });
  await waitUntil('the first objects in bronze', async () => (await bronzeRows()) === 10);

  await minio.down();
  await waitUntil('a failed pass', async () => merge.output().includes('merge pass failed'), 30_000);
  await sleep(2000);
  expect(merge.process.exitCode).toBeNull();
  await minio.up();

  await write(10, 19);
  await waitUntil('the objects written after the restart in bronze', async () => (await bronzeRows()) === 20);
  expect(merge.output()).toContain('merge pass succeeded again');
  merge.process.kill('SIGTERM');
  expect(await merge.exited).toBe(0);
}, 180_000);
