// The generator's last step, writing the expected final state to S3, rides through the store restarting
// (a real MinIO of the test's own, stopped and started again on the same port): the write is tried again
// until the store is back, and the run exits 0 with every table's file written. Before, it exited non-zero
// with the source data complete and its oracle lost.

import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, onTestFinished, test } from 'vitest';
import { createS3Client } from '../../../core/s3.ts';
import { starSchemaTables } from '../../../producer/generator/tables.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedMinio, type IsolatedMinio } from '../../support/isolated-minio.ts';
import { startCdclake } from '../../support/processes.ts';

let minio: IsolatedMinio;

beforeAll(async () => {
  minio = await startIsolatedMinio(testConfig().CDCLAKE_HOME, 'expoutage');
});

afterAll(async () => {
  await minio?.stop();
});

test('the generator writes its expected state once S3 is back, and exits 0', async () => {
  const id = uniqueId('expo');
  const config = testConfig({ ...minio.env, CDC_TOPIC_PREFIX: id });
  await minio.down();
  const generator = startCdclake(
    config,
    ['produce', '--source', 'generator', '--target', 'kafka', '--orders', '200'],
    { LOG_LEVEL: 'info' },
  );
  onTestFinished(async () => {
    generator.process.kill('SIGKILL');
    await generator.exited;
  });
  const deadline = Date.now() + 60_000;
  while (!generator.output().includes('writing the expected state failed') && Date.now() < deadline)
    await sleep(200);
  expect(generator.output()).toContain('writing the expected state failed');
  expect(generator.process.exitCode).toBeNull();
  await minio.up();
  expect(await generator.exited).toBe(0);

  const s3 = createS3Client(config);
  try {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: config.S3_BUCKET, Prefix: `expected/${id}/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      starSchemaTables.map((t) => `expected/${id}/${t.name}.parquet`).sort(),
    );
  } finally {
    s3.destroy();
  }
}, 120_000);
