// Temporary S3 credentials from a real STS (MinIO's AssumeRole at its own endpoint): the consumer writes
// raw objects with them, the merge and `cdclake query` read the lake through DuckDB with their session
// token, DuckDB's secret is renewed before they expire, and a wrong token is refused with the store's reason.

import { describe, expect, test } from 'vitest';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { openDuckDB } from '../../../core/duckdb.ts';
import { createLogger } from '../../../core/logger.ts';
import { REFRESH_BEFORE_EXPIRY_MS, s3Credentials } from '../../../core/s3-credentials.ts';
import { runGeneratorWorkload } from '../../../producer/generator-run.ts';
import { lakeTestConfig, testConfig, uniqueId } from '../../support/fixtures.ts';
import { runCdclake, startCdclake } from '../../support/processes.ts';
import { queryRaw } from '../../support/raw-layer.ts';

const log = createLogger('test');
const ROLE = 'arn:aws:iam::000000000000:role/cdclake-test';

/** A test's lake whose S3 credentials are the shared MinIO's keys exchanged for a 15-minute session. */
function roleConfig(id: string) {
  return lakeTestConfig(id, {
    S3_ROLE_ARN: ROLE,
    S3_STS_ENDPOINT: testConfig().S3_ENDPOINT,
    S3_ROLE_DURATION_SECONDS: '900',
    KAFKA_PARTITIONS: '2',
  });
}

async function secretKeyId(duck: Awaited<ReturnType<typeof openDuckDB>>): Promise<string> {
  const rows = (
    await duck.connection.runAndReadAll(
      `SELECT secret_string FROM duckdb_secrets() WHERE name = 'cdclake_s3'`,
    )
  ).getRowObjectsJS() as { secret_string: string }[];
  return /key_id=([^;]*)/.exec(rows[0]?.secret_string ?? '')?.[1] ?? '';
}

describe('temporary S3 credentials', () => {
  test('raw objects are written and the lake is merged and queried with credentials assumed through STS', async () => {
    const id = uniqueId('sts');
    const config = roleConfig(id);
    const credentials = await s3Credentials(config);
    expect(credentials.accessKeyId).not.toBe(testConfig().S3_ACCESS_KEY_ID);
    expect(credentials.sessionToken).toEqual(expect.any(String));
    const left = (credentials.expiration?.getTime() ?? 0) - Date.now();
    expect(left).toBeGreaterThan(800_000);
    expect(left).toBeLessThanOrEqual(900_000);

    const generated = await runGeneratorWorkload(
      config,
      { target: 'kafka', orders: '300', customers: '30', products: '10', changes: '200' },
      log,
    );
    const consumed = await new RawConsumer(config, { untilIdle: true }, log).run();
    expect(consumed.events).toBe(generated.events);

    // The merge and the query are processes of their own: each assumes the role and hands DuckDB the token.
    await runCdclake(config, ['merge', '--once']);
    const [raw] = await queryRaw<{ n: number }>(
      config,
      `${id}.public.orders`,
      (from) => `SELECT count(DISTINCT order_id)::INTEGER AS n FROM ${from}`,
    );
    const sql = 'SELECT count(DISTINCT order_id)::INTEGER AS n FROM bronze.orders';
    const out = await runCdclake(config, ['query', '--format', 'json', sql]);
    expect(JSON.parse(out.slice(out.indexOf('[')))).toEqual([{ n: raw?.n }]);
    expect(raw?.n).toBeGreaterThan(0);

    // The same session given as static keys with its token reads the lake; a wrong token is refused.
    const session = {
      S3_ROLE_ARN: '',
      S3_STS_ENDPOINT: '',
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const given = await runCdclake(config, ['query', '--format', 'json', sql], {
      ...session,
      S3_SESSION_TOKEN: credentials.sessionToken ?? '',
    });
    expect(JSON.parse(given.slice(given.indexOf('[')))).toEqual([{ n: raw?.n }]);
    const wrong = startCdclake(config, ['query', sql], {
      ...session,
      S3_SESSION_TOKEN: `${credentials.sessionToken ?? ''}x`,
    });
    expect(await wrong.exited).not.toBe(0);
    expect(wrong.output()).toMatch(/403/);
    expect(wrong.output()).toMatch(/security token included in the request is invalid/);
  });

  test("DuckDB's secret is created again with new credentials when less than 5 minutes remain", async () => {
    const config = roleConfig(uniqueId('sts'));
    const duck = await openDuckDB(config);
    try {
      const first = await secretKeyId(duck);
      const expiration = duck.s3Secret.expiration?.getTime();
      expect(expiration).toEqual(expect.any(Number));
      expect(first).toBe((await s3Credentials(config)).accessKeyId);

      // Ten minutes before expiry: nothing to do.
      expect(await duck.s3Secret.ensureFresh((expiration ?? 0) - 2 * REFRESH_BEFORE_EXPIRY_MS)).toBe(false);
      expect(await secretKeyId(duck)).toBe(first);

      // Four minutes before: STS is asked again and DuckDB reads S3 with the new session.
      expect(await duck.s3Secret.ensureFresh((expiration ?? 0) - REFRESH_BEFORE_EXPIRY_MS + 60_000)).toBe(
        true,
      );
      const second = await secretKeyId(duck);
      expect(second).not.toBe(first);
      expect(second).toBe((await s3Credentials(config)).accessKeyId);
      const bucket = `s3://${config.S3_BUCKET}/`;
      const read = await duck.connection.runAndReadAll(`SELECT count(*) AS n FROM glob('${bucket}*')`);
      expect(read.getRowObjectsJS()).toEqual([{ n: expect.any(BigInt) }]);
    } finally {
      duck.close();
    }
  });
});
