// S3_CREDENTIALS=chain: the AWS default credential chain as an operator's machine or pod provides it (here a
// shared credentials file and AWS_PROFILE), for both the S3 client and DuckDB, alone or as the caller of
// an assumed role; a chain that finds nothing says where it looked.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lakeTestConfig, testConfig, uniqueId } from '../../support/fixtures.ts';
import { runCdclake, startCdclake } from '../../support/processes.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-chain-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The environment of a process whose S3 keys come from the profile `cdclake-test` of a credentials file. */
function chainEnv(): Record<string, string> {
  const shared = testConfig();
  const file = path.join(dir, 'credentials');
  fs.writeFileSync(
    file,
    `[cdclake-test]\naws_access_key_id = ${shared.S3_ACCESS_KEY_ID}\naws_secret_access_key = ${shared.S3_SECRET_ACCESS_KEY}\n`,
  );
  return {
    S3_CREDENTIALS: 'chain',
    S3_ACCESS_KEY_ID: '',
    S3_SECRET_ACCESS_KEY: '',
    AWS_SHARED_CREDENTIALS_FILE: file,
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_PROFILE: 'cdclake-test',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

const GLOB = (bucket: string) => `SELECT count(*) >= 0 AS ok FROM glob('s3://${bucket}/*')`;

describe('the AWS credential chain', () => {
  test('a shared credentials profile serves the S3 client and DuckDB, alone and as the caller of a role', async () => {
    const config = lakeTestConfig(uniqueId('chain'));
    const env = chainEnv();
    const status = await runCdclake(config, ['status', '--format', 'json'], env);
    expect(JSON.parse(status.slice(status.indexOf('[')))).toEqual([]);
    const read = await runCdclake(config, ['query', '--format', 'json', GLOB(config.S3_BUCKET)], env);
    expect(JSON.parse(read.slice(read.indexOf('[')))).toEqual([{ ok: true }]);

    const assumed = await runCdclake(config, ['query', '--format', 'json', GLOB(config.S3_BUCKET)], {
      ...env,
      S3_ROLE_ARN: 'arn:aws:iam::000000000000:role/cdclake-test',
      S3_STS_ENDPOINT: config.S3_ENDPOINT,
    });
    expect(JSON.parse(assumed.slice(assumed.indexOf('[')))).toEqual([{ ok: true }]);
  });

  test('a chain that finds no credentials fails with CDC_S3_CREDENTIALS, naming the chain', async () => {
    const config = lakeTestConfig(uniqueId('chain'));
    const child = startCdclake(config, ['query', 'SELECT 1'], {
      ...chainEnv(),
      AWS_PROFILE: 'no-such-profile',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    });
    expect(await child.exited).toBe(1);
    expect(child.output()).toMatch(/no S3 credentials from the AWS default credential chain/);
    expect(child.output()).toMatch(/\[CDC_S3_CREDENTIALS\]/);
  });
});
