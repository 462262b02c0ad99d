import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../core/config.ts';
import { CdcError } from '../../core/errors.ts';

describe('configuration', () => {
  test('every variable has a sane default', () => {
    const config = resolveConfig({});
    expect(config.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(config.CDC_TOPIC_PREFIX).toBe('cdc');
    expect(config.KAFKA_PARTITIONS).toBe(6);
    expect(config.LAKE_CATALOG.startsWith('duckdb:')).toBe(true);
    expect(config.LAKE_DATA_PATH).toBe('s3://cdclake/lake/');
  });

  test('a wrong value names the variable, the value and what was expected', () => {
    let error: unknown;
    try {
      resolveConfig({ KAFKA_BROKERS: 'no port here', KAFKA_PARTITIONS: '7' });
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(CdcError);
    expect((error as CdcError).code).toBe('CDC_CONFIG_INVALID');
    expect((error as CdcError).message).toContain(
      'KAFKA_BROKERS="no port here": expected a comma-separated list of host:port',
    );
  });

  test('a secret is never shown in the error', () => {
    expect(() => resolveConfig({ S3_SECRET_ACCESS_KEY: 'short' })).toThrow(
      /S3_SECRET_ACCESS_KEY=<hidden>: expected at least 8/,
    );
    expect(() => resolveConfig({ S3_SECRET_ACCESS_KEY: 'short' })).not.toThrow(/short/);
  });

  test('numbers and booleans are checked', () => {
    expect(() => resolveConfig({ KAFKA_PARTITIONS: 'many' })).toThrow(/KAFKA_PARTITIONS="many"/);
    expect(() => resolveConfig({ S3_FORCE_PATH_STYLE: 'yes' })).toThrow(
      /S3_FORCE_PATH_STYLE="yes": expected true or false/,
    );
    expect(resolveConfig({ S3_FORCE_PATH_STYLE: 'false' }).S3_FORCE_PATH_STYLE).toBe(false);
  });
});
