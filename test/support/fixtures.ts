// Per-test isolation on a shared stack: every test gets its own id, and from it its own topic names,
// bucket prefix and PostgreSQL database, each removed after the test.

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { resolveConfig, type Config } from '../../core/config.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { quotedIdentifier } from '../../core/sql.ts';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return resolveConfig({ ...process.env, ...inject('env'), ...overrides });
}

export function uniqueId(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A fresh database on the test PostgreSQL server; `drop()` removes it. */
export async function createTestDatabase(
  config: Config,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = uniqueId('db');
  const admin = await connectPostgres(config.PG_URL);
  try {
    await admin.query(`create database ${quotedIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(config.PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const again = await connectPostgres(config.PG_URL);
      try {
        await again.query(`drop database if exists ${quotedIdentifier(name)} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

/**
 * A test's own lake: topics, raw prefix, DuckLake catalog and data path of its own, so a merge sees
 * nothing of other tests.
 */
export function lakeTestConfig(id: string, overrides: Record<string, string> = {}): Config {
  const base = testConfig();
  return testConfig({
    CDC_TOPIC_PREFIX: id,
    RAW_PREFIX: `${id}/raw/`,
    LAKE_CATALOG: `duckdb:${path.join(os.tmpdir(), 'cdclake-tests', id, 'catalog.ducklake')}`,
    LAKE_DATA_PATH: `s3://${base.S3_BUCKET}/${id}/lake/`,
    ...overrides,
  });
}
