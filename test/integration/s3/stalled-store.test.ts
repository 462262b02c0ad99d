// S3 that stops answering mid-run (a real MinIO process stopped with SIGSTOP, not a mocked SDK): requests
// are abandoned after S3_REQUEST_TIMEOUT_MS of silence and retried S3_MAX_ATTEMPTS times, then fail with
// an error naming the object, instead of waiting forever.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { uploadFile } from '../../../consumer/upload.ts';
import { openDuckDB } from '../../../core/duckdb.ts';
import { CdcError } from '../../../core/errors.ts';
import { createS3Client } from '../../../core/s3.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedMinio, type IsolatedMinio } from '../../support/isolated-minio.ts';

let minio: IsolatedMinio;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-stall-'));

beforeAll(async () => {
  minio = await startIsolatedMinio(testConfig().CDCLAKE_HOME, 'stall');
});

afterAll(async () => {
  await minio?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a store that stops answering', () => {
  test('an upload fails after S3_MAX_ATTEMPTS attempts of S3_REQUEST_TIMEOUT_MS each, naming the object and the timeout', async () => {
    const config = testConfig({
      ...minio.env,
      S3_REQUEST_TIMEOUT_MS: '1000',
      S3_CONNECT_TIMEOUT_MS: '1000',
      S3_MAX_ATTEMPTS: '3',
    });
    const s3 = createS3Client(config);
    const file = path.join(dir, 'batch.parquet');
    fs.writeFileSync(file, Buffer.alloc(64 * 1024, 7));
    const never = new AbortController().signal;
    try {
      // Healthy first, so the failure below is the stall and nothing else.
      expect(await uploadFile(s3, config, `${uniqueId('k')}.parquet`, file, never)).toBe(64 * 1024);

      const key = `raw/${uniqueId('topic')}/partition=0/stalled.parquet`;
      minio.pause();
      const started = performance.now();
      const error = await uploadFile(s3, config, key, file, never).then(
        () => undefined,
        (e: unknown) => e,
      );
      const seconds = (performance.now() - started) / 1000;
      minio.resume();

      expect(error).toBeInstanceOf(CdcError);
      const failure = error as CdcError;
      expect(failure.code).toBe('CDC_S3_UNAVAILABLE');
      expect(failure.retriable).toBe(true);
      expect(failure.facts).toMatchObject({ bucket: 'stall', key, attempts: 3 });
      expect(failure.message).toContain(`upload of s3://stall/${key} failed after 3 attempts`);
      expect(failure.message).toContain('timed out after 1000 ms of inactivity');
      expect(failure.message).toContain('S3_REQUEST_TIMEOUT_MS=1000');
      // Three silent attempts of a second each, plus the SDK's backoff between them; never unbounded.
      expect(seconds).toBeGreaterThanOrEqual(3);
      expect(seconds).toBeLessThan(15);

      // Once the store answers again, the same client writes the object.
      expect(await uploadFile(s3, config, key, file, never)).toBe(64 * 1024);
    } finally {
      minio.resume();
      s3.destroy();
    }
  });

  test('a DuckDB read from it fails within S3_MAX_ATTEMPTS attempts of S3_REQUEST_TIMEOUT_MS', async () => {
    const config = testConfig({ ...minio.env, S3_REQUEST_TIMEOUT_MS: '1000', S3_MAX_ATTEMPTS: '2' });
    const duck = await openDuckDB(config);
    try {
      const sql = `SELECT count(*) AS n FROM glob('s3://stall/*')`;
      await duck.connection.run(sql);
      minio.pause();
      const started = performance.now();
      const error = await duck.connection.run(sql).then(
        () => undefined,
        (e: unknown) => e,
      );
      const seconds = (performance.now() - started) / 1000;
      minio.resume();
      expect(String(error)).toMatch(
        /Timeout was reached error for HTTP GET to 'http:\/\/127\.0\.0\.1:\d+\/stall\//,
      );
      // Without the settings DuckDB would wait 30 s, four times.
      expect(seconds).toBeGreaterThanOrEqual(2);
      expect(seconds).toBeLessThan(15);
    } finally {
      minio.resume();
      duck.close();
    }
  });
});
