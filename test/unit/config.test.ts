import { describe, expect, test } from 'vitest';
import { configEnv, resolveConfig } from '../../core/config.ts';
import { formatDuration } from '../../core/duration.ts';
import { CdcError } from '../../core/errors.ts';

describe('configuration', () => {
  test('every variable has a sane default', () => {
    const config = resolveConfig({});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
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

  test('durations, lists and key columns are parsed once: milliseconds, arrays and a map, written back as they read', () => {
    const config = resolveConfig({
      KAFKA_BROKERS: 'k1:9092,k2:9093',
      PG_SCHEMA: 'public,sales',
      PG_TABLES: 'public.orders,sales.items',
      MERGE_EVERY: '1.5s',
      LAKE_MODELS_EVERY: '2m',
      CDC_KEY_COLUMNS: 'public.events=id;sales.lines=order_id+line',
    });
    expect(config.CDC_KEY_COLUMNS).toEqual({ 'public.events': ['id'], 'sales.lines': ['order_id', 'line'] });
    expect(config.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9093']);
    expect(config.PG_SCHEMA).toEqual(['public', 'sales']);
    expect(config.PG_TABLES).toEqual(['public.orders', 'sales.items']);
    expect(resolveConfig({}).PG_TABLES).toBeUndefined();
    expect(config.MERGE_EVERY).toBe(1500);
    expect(config.LAKE_MODELS_EVERY).toBe(120_000);
    expect(config.LAKE_COMPACT_EVERY).toBe(3_600_000);
    expect(config.LAKE_SNAPSHOT_RETENTION).toBe(7 * 86_400_000);
    // A child process given configEnv(config) reads the same configuration.
    expect(resolveConfig(configEnv(config))).toEqual(config);
    expect([1500, 120_000, 7 * 86_400_000, 1].map(formatDuration)).toEqual(['1500ms', '2m', '7d', '1ms']);
  });

  test('a zero or malformed duration is refused, named', () => {
    expect(() => resolveConfig({ MERGE_EVERY: '0s' })).toThrow(/MERGE_EVERY="0s": expected a duration/);
    expect(() => resolveConfig({ LAKE_MODELS_EVERY: 'often' })).toThrow(/LAKE_MODELS_EVERY="often"/);
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

  test('a batch may not be larger than the memory all batches share; unset, it fits that memory', () => {
    expect(() =>
      resolveConfig({ CONSUMER_BATCH_BYTES: '134217728', CONSUMER_MEMORY_BYTES: '67108864' }),
    ).toThrow(/CONSUMER_BATCH_BYTES="134217728": expected at most CONSUMER_MEMORY_BYTES \(67108864\)/);
    expect(resolveConfig({}).CONSUMER_BATCH_BYTES).toBe(64 * 1024 * 1024);
    expect(resolveConfig({ CONSUMER_MEMORY_BYTES: '16777216' }).CONSUMER_BATCH_BYTES).toBe(16777216);
    const equal = resolveConfig({ CONSUMER_BATCH_BYTES: '16777216', CONSUMER_MEMORY_BYTES: '16777216' });
    expect(equal.CONSUMER_BATCH_BYTES).toBe(16777216);
    // Written back for a child process, it reads the same.
    expect(resolveConfig(configEnv(equal)).CONSUMER_BATCH_BYTES).toBe(16777216);
  });

  test('S3 credentials are static keys by default, with bounded requests', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      S3_CREDENTIALS: 'static',
      S3_ACCESS_KEY_ID: 'cdclake',
      S3_SECRET_ACCESS_KEY: 'cdclake-secret',
      S3_REQUEST_TIMEOUT_MS: 30_000,
      S3_CONNECT_TIMEOUT_MS: 5000,
      S3_MAX_ATTEMPTS: 5,
      S3_ROLE_DURATION_SECONDS: 3600,
    });
    expect(config.S3_SESSION_TOKEN).toBeUndefined();
    expect(config.S3_ROLE_ARN).toBeUndefined();
  });

  test('the credential chain refuses S3 keys it would ignore, naming them', () => {
    expect(resolveConfig({ S3_CREDENTIALS: 'chain' }).S3_CREDENTIALS).toBe('chain');
    expect(() => resolveConfig({ S3_CREDENTIALS: 'chain', S3_ACCESS_KEY_ID: 'AKIA1' })).toThrow(
      /S3_ACCESS_KEY_ID="AKIA1": expected unset with S3_CREDENTIALS=chain/,
    );
    expect(() => resolveConfig({ S3_CREDENTIALS: 'chain', S3_SESSION_TOKEN: 'tok-value' })).toThrow(
      /S3_SESSION_TOKEN=<hidden>: expected unset with S3_CREDENTIALS=chain/,
    );
    expect(() => resolveConfig({ S3_CREDENTIALS: 'chain', S3_SESSION_TOKEN: 'tok-value' })).not.toThrow(
      /tok-value/,
    );
    expect(() => resolveConfig({ S3_CREDENTIALS: 'instance' })).toThrow(/S3_CREDENTIALS="instance"/);
  });

  test('role assumption settings are checked together', () => {
    expect(() => resolveConfig({ S3_STS_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(
      /S3_STS_ENDPOINT="http:\/\/127.0.0.1:9000": expected S3_ROLE_ARN as well/,
    );
    expect(() => resolveConfig({ S3_ROLE_ARN: 'cdclake' })).toThrow(
      /S3_ROLE_ARN="cdclake": expected a role ARN/,
    );
    expect(() =>
      resolveConfig({ S3_ROLE_ARN: 'arn:aws:iam::1:role/x', S3_ROLE_DURATION_SECONDS: '60' }),
    ).toThrow(/S3_ROLE_DURATION_SECONDS="60"/);
    const config = resolveConfig({
      S3_ROLE_ARN: 'arn:aws:iam::123456789012:role/cdclake',
      S3_STS_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(config.S3_ROLE_SESSION_NAME).toBe('cdclake');
  });

  test('timeouts and attempts are bounded numbers', () => {
    expect(() => resolveConfig({ S3_MAX_ATTEMPTS: '0' })).toThrow(/S3_MAX_ATTEMPTS="0"/);
    expect(() => resolveConfig({ S3_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/S3_REQUEST_TIMEOUT_MS="soon"/);
    expect(resolveConfig({ S3_CONNECT_TIMEOUT_MS: '250' }).S3_CONNECT_TIMEOUT_MS).toBe(250);
  });

  test('the generator keeps reconnecting to PostgreSQL for 10 minutes unless told otherwise', () => {
    expect(resolveConfig({}).GENERATOR_RECONNECT_MS).toBe(600_000);
    expect(resolveConfig({ GENERATOR_RECONNECT_MS: '0' }).GENERATOR_RECONNECT_MS).toBe(0);
    expect(() => resolveConfig({ GENERATOR_RECONNECT_MS: '-1' })).toThrow(/GENERATOR_RECONNECT_MS="-1"/);
  });
});
