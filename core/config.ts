// Configuration of every cdclake process, read from the environment in one pure function.
// A wrong value stops the process with an error naming the variable, the value and what was expected.

import path from 'node:path';
import { z } from 'zod';
import { CdcError, ErrorCode } from './errors.ts';
import { durationMs } from './duration.ts';
import { redact } from './redact.ts';

/** A TCP port; 0 asks the system for any free one. */
const port = z.coerce.number().int().min(0).max(65535);
const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case identifier: letters, digits, _');

// Parsed once, here: code reads milliseconds and arrays, never the text. `configEnv` writes them back.
const DEFAULT_BATCH_BYTES = 64 * 1024 * 1024;
const list = (text: string): string[] => text.split(',').map((item) => item.trim());

/** Key columns by table, from CDC_KEY_COLUMNS (`schema.table=col1+col2;table2=col`). */
export type KeyOverrides = Record<string, string[]>;

function keyOverrides(text: string): KeyOverrides {
  const keys: KeyOverrides = {};
  for (const part of text.split(';')) {
    const [table, columns] = part.split('=') as [string, string];
    keys[table] = columns.split('+');
  }
  return keys;
}
const DURATION_KEYS = ['MERGE_EVERY', 'LAKE_COMPACT_EVERY', 'LAKE_MODELS_EVERY', 'LAKE_SNAPSHOT_RETENTION'];
/** A duration such as 500ms, 30s, 5m, 1h or 7d, in milliseconds. */
const duration = (expected: string, fallback: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, expected)
    .refine((text) => durationMs(text) > 0, expected)
    .default(fallback)
    .transform(durationMs);

/** Every variable cdclake reads, with its default. The README's configuration table mirrors this list. */
export const configSchema = z
  .object({
    CDCLAKE_HOME: z.string().min(1).default('.cdclake'),
    /** Read by bin/cdclake.js before anything else; here so that it is checked and passed on like the rest. */
    CDCLAKE_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(1000).default(35),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    METRICS_PORT: port.default(9464),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    HEALTH_STALL_MS: z.coerce.number().int().min(100).default(300_000),
    KAFKA_BROKERS: z
      .string()
      .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'a comma-separated list of host:port')
      .default('127.0.0.1:9092')
      .transform(list),
    KAFKA_CLIENT_ID: z.string().min(1).default('cdclake'),
    KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
    KAFKA_MAX_RECORD_BYTES: z.coerce.number().int().min(1024).default(1_000_000),
    // Named as librdkafka and the Java client name them (security.protocol, sasl.mechanism, ssl.ca.location...).
    KAFKA_SECURITY_PROTOCOL: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).default('PLAINTEXT'),
    KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    KAFKA_SSL_CA_LOCATION: z.string().min(1).optional(),
    KAFKA_SSL_CERTIFICATE_LOCATION: z.string().min(1).optional(),
    KAFKA_SSL_KEY_LOCATION: z.string().min(1).optional(),
    KAFKA_SSL_KEY_PASSWORD: z.string().min(1).optional(),
    KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM: z.enum(['https', 'none']).default('https'),
    CDC_TOPIC_PREFIX: identifier.default('cdc'),
    S3_ENDPOINT: z.url('an http(s) URL such as http://127.0.0.1:9000').default('http://127.0.0.1:9000'),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 of a-z 0-9 . -')
      .default('cdclake'),
    /** `static`: the S3_* keys below; `chain`: the AWS default chain (AWS_* variables, profile, web identity, container, instance). */
    S3_CREDENTIALS: z.enum(['static', 'chain']).default('static'),
    // Optional here, so `chain` can refuse keys it would ignore; `static` fills the defaults in below.
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(8, 'at least 8 characters').optional(),
    S3_SESSION_TOKEN: z.string().min(1).optional(),
    /** A role assumed through STS on top of the credentials above; they are then only the caller's. */
    S3_ROLE_ARN: z
      .string()
      .regex(/^arn:[^:]*:iam::[^:]*:role\/.+$/, 'a role ARN such as arn:aws:iam::123456789012:role/cdclake')
      .optional(),
    S3_ROLE_SESSION_NAME: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, '2-64 of letters, digits and +=,.@_-')
      .default('cdclake'),
    S3_ROLE_DURATION_SECONDS: z.coerce.number().int().min(900).max(43_200).default(3600),
    S3_STS_ENDPOINT: z.url('an http(s) URL such as https://sts.eu-west-1.amazonaws.com').optional(),
    /** How long one S3 request may go without a byte moving before it is abandoned (and retried). */
    S3_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    S3_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
    /** Attempts per S3 request, the first included (the SDK's `maxAttempts`). */
    S3_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'], 'true or false')
      .default('true')
      .transform((v) => v === 'true'),
    PG_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .default('postgres://cdclake:cdclake@127.0.0.1:5432/cdclake'),
    PG_SLOT: identifier.default('cdclake'),
    PG_PUBLICATION: identifier.default('cdclake'),
    PG_SCHEMA: z
      .string()
      .regex(/^[A-Za-z_][\w$]*(,[A-Za-z_][\w$]*)*$/, 'a comma-separated list of schema names')
      .default('public')
      .transform(list),
    PG_TABLES: z
      .string()
      .regex(
        /^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?(,[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?)*$/,
        'a comma-separated list of [schema.]table',
      )
      .transform(list)
      .optional(),
    CDC_KEY_COLUMNS: z
      .string()
      .regex(
        /^[\w$.]+=[\w$]+(\+[\w$]+)*(;[\w$.]+=[\w$]+(\+[\w$]+)*)*$/,
        'schema.table=col1+col2;schema.table2=col',
      )
      .transform(keyOverrides)
      .optional(),
    PG_SNAPSHOT_MODE: z.enum(['incremental', 'exported']).default('incremental'),
    PG_SNAPSHOT_CHUNK_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    PG_SNAPSHOT_PARALLELISM: z.coerce.number().int().min(1).max(64).default(1),
    PG_SLOT_LOST: z.enum(['fail', 'resnapshot']).default('fail'),
    PRODUCER_TABLE_REFRESH_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    PRODUCER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    PRODUCER_RECONNECT_MS: z.coerce.number().int().min(0).default(600_000),
    GENERATOR_RECONNECT_MS: z.coerce.number().int().min(0).default(600_000),
    CONSUMER_GROUP: z.string().min(1).optional(),
    CONSUMER_BATCH_ROWS: z.coerce.number().int().min(1).default(200_000),
    // Unset: 64 MiB, or CONSUMER_MEMORY_BYTES when that is smaller (see the transform below).
    CONSUMER_BATCH_BYTES: z.coerce.number().int().min(1024).optional(),
    CONSUMER_FETCH_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .default(1024 * 1024),
    CONSUMER_BATCH_AGE_MS: z.coerce.number().int().min(10).default(500),
    CONSUMER_UPLOAD_RETRY_MS: z.coerce.number().int().min(0).default(600_000),
    CONSUMER_ACCEPT_GAP: z
      .enum(['true', 'false'], 'true or false')
      .default('false')
      .transform((v) => v === 'true'),
    CONSUMER_TOPIC_REFRESH_MS: z.coerce.number().int().min(100).default(10_000),
    CONSUMER_MEMORY_BYTES: z.coerce
      .number()
      .int()
      .min(1024 * 1024)
      .default(256 * 1024 * 1024),
    RAW_PREFIX: z
      .string()
      .regex(/^([A-Za-z0-9._-]+\/)+$/, 'a key prefix ending in /, such as raw/')
      .default('raw/'),
    LAKE_CATALOG: z
      .string()
      .regex(/^(duckdb|postgres):.+/, 'duckdb:<file> or postgres:<libpq connection string>')
      .optional(),
    LAKE_DATA_PATH: z.string().min(1).optional(),
    MERGE_EVERY: duration('a duration such as 2s, 10s or 1m', '10s'),
    MERGE_STRATEGY: z.enum(['merge', 'delete-insert']).default('merge'),
    LAKE_PLAIN_SCHEMA: z.string().min(1).default('public'),
    /** `table.column=TYPE; ...`: types for columns that arrive without one (merge/column-types.ts). */
    LAKE_COLUMN_TYPES: z.string().default(''),
    LAKE_COMPACT_EVERY: duration('a duration such as 30m, 1h or 1d', '1h'),
    LAKE_MODELS_EVERY: duration('a duration such as 10s, 1m', '1m'),
    LAKE_SNAPSHOT_RETENTION: duration('a duration such as 1h, 7d', '7d'),
    DUCKDB_EXTENSION_DIR: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.S3_CREDENTIALS === 'chain') {
      for (const variable of ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_SESSION_TOKEN'] as const) {
        if (c[variable] === undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: [variable],
          message:
            'unset with S3_CREDENTIALS=chain, which reads AWS_ACCESS_KEY_ID and the rest of the AWS chain ' +
            '(or S3_CREDENTIALS=static to use the S3_* keys)',
        });
      }
    }
    if (c.S3_STS_ENDPOINT !== undefined && c.S3_ROLE_ARN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_STS_ENDPOINT'],
        message: 'S3_ROLE_ARN as well: the STS endpoint is only used to assume that role',
      });
    }
    if (c.CONSUMER_BATCH_BYTES !== undefined && c.CONSUMER_BATCH_BYTES > c.CONSUMER_MEMORY_BYTES) {
      ctx.addIssue({
        code: 'custom',
        path: ['CONSUMER_BATCH_BYTES'],
        message:
          `at most CONSUMER_MEMORY_BYTES (${c.CONSUMER_MEMORY_BYTES}): a larger batch is never reached, ` +
          'since the largest batch is written once all open batches together pass CONSUMER_MEMORY_BYTES',
      });
    }
    for (const problem of kafkaSecurityProblems(c))
      ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.expected });
  })
  .transform((c) => {
    const home = path.resolve(c.CDCLAKE_HOME);
    return {
      ...c,
      S3_ACCESS_KEY_ID: c.S3_ACCESS_KEY_ID ?? 'cdclake',
      S3_SECRET_ACCESS_KEY: c.S3_SECRET_ACCESS_KEY ?? 'cdclake-secret',
      CDCLAKE_HOME: home,
      CONSUMER_BATCH_BYTES: c.CONSUMER_BATCH_BYTES ?? Math.min(DEFAULT_BATCH_BYTES, c.CONSUMER_MEMORY_BYTES),
      LAKE_CATALOG: c.LAKE_CATALOG ?? `duckdb:${path.join(home, 'lake', 'catalog.ducklake')}`,
      LAKE_DATA_PATH: c.LAKE_DATA_PATH ?? `s3://${c.S3_BUCKET}/lake/`,
      DUCKDB_EXTENSION_DIR: c.DUCKDB_EXTENSION_DIR ?? path.join(home, 'duckdb', 'extensions'),
    };
  });

export type Config = z.output<typeof configSchema>;

/** Reads the configuration from `env`; throws CDC_CONFIG_INVALID naming every variable at fault. */
export function resolveConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.in.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '?');
    const value = input[variable];
    if (value === undefined) return `${variable} unset: expected ${issue.message}`;
    const shown = SECRET_VARIABLES.has(variable) ? '<hidden>' : redact(JSON.stringify(value));
    return `${variable}=${shown}: expected ${issue.message}`;
  });
  throw new CdcError(ErrorCode.CONFIG_INVALID, `invalid configuration: ${problems.join('; ')}`, {
    facts: { variables: parsed.error.issues.map((i) => String(i.path[0])) },
  });
}

/**
 * The configuration as environment variables again (for a child process): lists joined, durations in
 * milliseconds (`1500ms`).
 */
export function configEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config) as [string, unknown][]) {
    if (value === undefined) continue;
    if (key === 'CDC_KEY_COLUMNS')
      env[key] = Object.entries(value as KeyOverrides)
        .map(([table, columns]) => `${table}=${columns.join('+')}`)
        .join(';');
    else if (Array.isArray(value)) env[key] = value.join(',');
    else if (DURATION_KEYS.includes(key)) env[key] = `${String(value)}ms`;
    else env[key] = String(value);
  }
  return env;
}

const SECRET_VARIABLES = new Set([
  'S3_SECRET_ACCESS_KEY',
  'S3_SESSION_TOKEN',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD',
]);

interface KafkaSecurityVariables {
  KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  KAFKA_SASL_MECHANISM?: string | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SSL_CA_LOCATION?: string | undefined;
  KAFKA_SSL_CERTIFICATE_LOCATION?: string | undefined;
  KAFKA_SSL_KEY_LOCATION?: string | undefined;
  KAFKA_SSL_KEY_PASSWORD?: string | undefined;
}

/**
 * The Kafka security variables that contradict each other. A SASL or TLS variable the protocol does not use
 * is an error, not ignored: forgetting KAFKA_SECURITY_PROTOCOL would otherwise connect in plain text.
 */
function kafkaSecurityProblems(c: KafkaSecurityVariables): { variable: string; expected: string }[] {
  const protocol = c.KAFKA_SECURITY_PROTOCOL;
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const problems: { variable: string; expected: string }[] = [];
  const saslVariables = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  const tlsVariables = [
    'KAFKA_SSL_CA_LOCATION',
    'KAFKA_SSL_CERTIFICATE_LOCATION',
    'KAFKA_SSL_KEY_LOCATION',
    'KAFKA_SSL_KEY_PASSWORD',
  ] as const;
  for (const variable of saslVariables) {
    if (sasl && c[variable] === undefined)
      problems.push({ variable, expected: `to be set with KAFKA_SECURITY_PROTOCOL=${protocol}` });
    if (!sasl && c[variable] !== undefined)
      problems.push({
        variable,
        expected: `KAFKA_SECURITY_PROTOCOL=SASL_SSL or SASL_PLAINTEXT to use it (it is ${protocol})`,
      });
  }
  for (const variable of tlsVariables) {
    if (!tls && c[variable] !== undefined)
      problems.push({
        variable,
        expected: `KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL to use it (it is ${protocol})`,
      });
  }
  if (tls && c.KAFKA_SSL_CERTIFICATE_LOCATION !== undefined && c.KAFKA_SSL_KEY_LOCATION === undefined)
    problems.push({
      variable: 'KAFKA_SSL_KEY_LOCATION',
      expected: "the client certificate's private key (PEM), as KAFKA_SSL_CERTIFICATE_LOCATION is set",
    });
  if (tls && c.KAFKA_SSL_KEY_LOCATION !== undefined && c.KAFKA_SSL_CERTIFICATE_LOCATION === undefined)
    problems.push({
      variable: 'KAFKA_SSL_CERTIFICATE_LOCATION',
      expected: 'the client certificate (PEM) of the key in KAFKA_SSL_KEY_LOCATION',
    });
  if (tls && c.KAFKA_SSL_KEY_PASSWORD !== undefined && c.KAFKA_SSL_KEY_LOCATION === undefined)
    problems.push({
      variable: 'KAFKA_SSL_KEY_PASSWORD',
      expected: 'KAFKA_SSL_KEY_LOCATION to be set too (the password decrypts that key)',
    });
  return problems;
}
