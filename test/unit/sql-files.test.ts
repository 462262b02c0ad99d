import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../core/config.ts';
import { s3SecretSql } from '../../core/duckdb.ts';
import { quotedIdentifier, quotedString } from '../../core/sql.ts';

describe('SQL quoting', () => {
  test('identifiers and strings cannot break out of their quotes', () => {
    expect(quotedIdentifier('a"; DROP TABLE x; --')).toBe('"a""; DROP TABLE x; --"');
    expect(quotedString("it's'; DROP TABLE x; --")).toBe("'it''s''; DROP TABLE x; --'");
  });

  test('the S3 secret is filled with quoted literals from configuration', () => {
    const sql = s3SecretSql(
      resolveConfig({ S3_ENDPOINT: 'http://127.0.0.1:9999', S3_ACCESS_KEY_ID: "o'brien" }),
    );
    expect(sql).toContain("KEY_ID 'o''brien'");
    expect(sql).toContain("ENDPOINT '127.0.0.1:9999'");
    expect(sql).toContain('USE_SSL false');
    expect(sql).not.toMatch(/\{\{/);
  });
});
