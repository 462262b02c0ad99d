import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../core/config.ts';
import { s3SecretSql } from '../../core/duckdb-s3-secret.ts';
import { quotedIdentifier, quotedString } from '../../core/sql.ts';

describe('SQL quoting', () => {
  test('identifiers and strings cannot break out of their quotes', () => {
    expect(quotedIdentifier('a"; DROP TABLE x; --')).toBe('"a""; DROP TABLE x; --"');
    expect(quotedString("it's'; DROP TABLE x; --")).toBe("'it''s''; DROP TABLE x; --'");
  });

  test('the S3 secret is filled with quoted literals from configuration', () => {
    const config = resolveConfig({ S3_ENDPOINT: 'http://127.0.0.1:9999' });
    const sql = s3SecretSql(config, { accessKeyId: "o'brien", secretAccessKey: 'cdclake-secret' });
    expect(sql).toContain("KEY_ID 'o''brien'");
    expect(sql).toContain("SESSION_TOKEN ''");
    expect(sql).toContain("ENDPOINT '127.0.0.1:9999'");
    expect(sql).toContain('USE_SSL false');
    expect(sql).not.toMatch(/\{\{/);
  });

  test('temporary credentials put their session token in the S3 secret', () => {
    const config = resolveConfig({ S3_ENDPOINT: 'https://s3.example.com' });
    const sql = s3SecretSql(config, {
      accessKeyId: 'ASIA1',
      secretAccessKey: 'temporary-secret',
      sessionToken: "tok'en",
      expiration: new Date(),
    });
    expect(sql).toContain("SESSION_TOKEN 'tok''en'");
    expect(sql).toContain('USE_SSL true');
  });
});
