// `cdclake produce --source generator --target postgres|kafka [--orders N] [--seed S] [--rate EVENTS_PER_S]`:
// the star-schema workload into PostgreSQL (the real replication path carries it) or straight to Kafka,
// with progress every second and the expected final state written as Parquet at the end.

import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { Metrics } from '../core/metrics.ts';
import { writeExpectedState } from './expected-state.ts';
import { applyChanges, emptyState } from './generator/final-state.ts';
import { openKafkaTarget } from './generator/kafka-target.ts';
import { PostgresWriter } from './generator/postgres-writer.ts';
import { starSchemaTables } from './generator/tables.ts';
import { generateWorkload } from './generator/workload.ts';
import { RateLimit } from './rate-limit.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';

export interface GeneratorFlags {
  target?: string;
  orders?: string;
  seed?: string;
  rate?: string;
  customers?: string;
  products?: string;
  changes?: string;
  expected?: string;
}

function integerFlag(
  name: string,
  value: string | undefined,
  fallback: number | undefined,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new CdcError(ErrorCode.USAGE, `--${name}=${JSON.stringify(value)}: expected a whole number >= 0`);
  return n;
}

export interface GeneratorSummary {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  expected: string[];
}

export async function runGeneratorWorkload(
  config: Config,
  flags: GeneratorFlags,
  log: Logger,
  metrics = new Metrics(),
): Promise<GeneratorSummary> {
  const written = metrics.counter('cdclake_generator_events_total');
  if (flags.target !== 'kafka' && flags.target !== 'postgres') {
    throw new CdcError(
      ErrorCode.USAGE,
      `--target must be kafka or postgres, not ${JSON.stringify(flags.target)}`,
    );
  }
  const seed = integerFlag('seed', flags.seed, 1) as number;
  const rate = integerFlag('rate', flags.rate, undefined);
  const options = {
    seed,
    ...optional('orders', integerFlag('orders', flags.orders, undefined)),
    ...optional('customers', integerFlag('customers', flags.customers, undefined)),
    ...optional('products', integerFlag('products', flags.products, undefined)),
    ...optional('changes', integerFlag('changes', flags.changes, undefined)),
    // At a set rate, batches of about a twentieth of a second keep the flow steady, not a burst per batch.
    ...optional('batchSize', rate ? Math.max(1, Math.min(4096, Math.round(rate / 20))) : undefined),
  };
  const sink =
    flags.target === 'kafka' ? await openKafkaTarget(config) : await openPostgresTarget(config, log);
  const limit = rate === undefined || rate === 0 ? undefined : new RateLimit(rate);
  const state = emptyState();
  const started = performance.now();
  let events = 0;
  let lastReport = started;
  try {
    for (const batch of generateWorkload(options)) {
      applyChanges(state, batch);
      await limit?.take(batch.length);
      await sink.write(batch);
      events += batch.length;
      written.inc(batch.length);
      const now = performance.now();
      if (now - lastReport >= 1000) {
        lastReport = now;
        log.info(
          { events, eventsPerSecond: Math.round(events / ((now - started) / 1000)) },
          'generator progress',
        );
      }
    }
  } finally {
    await sink.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const location = flags.expected ?? `s3://${config.S3_BUCKET}/expected/${config.CDC_TOPIC_PREFIX}`;
  const expected = await writeExpectedState(
    config,
    location,
    starSchemaTables.map((table) => ({ table, rows: state.get(table.name)?.values() ?? [] })),
    log,
  );
  const summary = { events, seconds, eventsPerSecond: Math.round(events / seconds), expected };
  log.info(summary, 'generator done');
  return summary;
}

/** The command: the workload, with its progress on METRICS_PORT while it runs. */
export async function runGenerator(config: Config, flags: GeneratorFlags, log: Logger): Promise<number> {
  const metrics = new Metrics();
  const server = await metrics
    .serve(config.METRICS_PORT, config.METRICS_HOST, { stallMs: config.HEALTH_STALL_MS })
    .catch((error: unknown) => {
      log.warn({ err: error, port: config.METRICS_PORT }, 'metrics port unavailable: serving no metrics');
      return undefined;
    });
  metrics.setReady(true);
  try {
    await runGeneratorWorkload(config, flags, log, metrics);
  } finally {
    await server?.close();
  }
  return 0;
}

async function openPostgresTarget(config: Config, log: Logger) {
  const writer = new PostgresWriter(config.PG_URL, { reconnectMs: config.GENERATOR_RECONNECT_MS, log });
  await writer.connect();
  return writer;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
