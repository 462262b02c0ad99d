import { describe, expect, test } from 'vitest';
import { redact, secretsOf } from '../../core/redact.ts';

describe('redact', () => {
  test('passwords in URLs and libpq keyword strings are masked, whoever printed them', () => {
    expect(redact('connect postgres://app:s3cr%40t@db:5432/x failed', [])).toBe(
      'connect postgres://app:***@db:5432/x failed',
    );
    expect(
      redact(
        `IO Error: Unable to connect to Postgres at "host=db port=5432 password=hunter22 dbname=lake"`,
        [],
      ),
    ).toBe('IO Error: Unable to connect to Postgres at "host=db port=5432 password=*** dbname=lake"');
    expect(redact(`user=a password='it''s long' host=b`, [])).toContain('password=***');
    expect(redact('http://127.0.0.1:9000/bucket and user@example.com', [])).toBe(
      'http://127.0.0.1:9000/bucket and user@example.com',
    );
  });

  test("the environment's secret values are masked wherever they appear", () => {
    const secrets = secretsOf({
      S3_SECRET_ACCESS_KEY: 'minio-secret-9',
      PG_URL: 'postgres://app:p%40ss-word@db/x?sslmode=require',
      LAKE_CATALOG: "postgres:host=db password='cat pass' dbname=lake",
      KAFKA_SASL_PASSWORD: 'kafka-pw-7',
    });
    expect(secrets).toEqual(
      expect.arrayContaining(['minio-secret-9', 'p@ss-word', 'cat pass', 'kafka-pw-7']),
    );
    const text = 'auth failed for kafka-pw-7; key minio-secret-9; raw p@ss-word; catalog cat pass';
    for (const secret of ['kafka-pw-7', 'minio-secret-9', 'p@ss-word', 'cat pass'])
      expect(redact(text, secrets)).not.toContain(secret);
  });
});

test('a password equal to its user name is not hunted through every line', () => {
  expect(secretsOf({ PG_URL: 'postgres://cdclake:cdclake@127.0.0.1/cdclake' })).toEqual([]);
  expect(redact('cdclake: connect postgres://cdclake:cdclake@db/x', [])).toBe(
    'cdclake: connect postgres://cdclake:***@db/x',
  );
});
