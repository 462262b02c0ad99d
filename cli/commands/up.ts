// `cdclake up [--merge-every DURATION]`: the whole pipeline in one process with one configuration: the
// producer (PostgreSQL slot to Kafka), the consumer (Kafka to raw Parquet on S3) and the merge loop (raw to
// bronze, silver and gold), one /metrics, /health and /ready for the three.
//
// SIGTERM stops them in the order data flows: the producer first (what it read is acknowledged by Kafka and
// confirmed to the slot), then the consumer (its open batches written and committed), then the merge (its pass
// finished, stale models rebuilt). A stage that fails stops the others the same way and `up` exits 1, so a
// supervisor restarts it; nothing is lost, each stage resumes from its own durable position.

import type { Config } from '../../core/config.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { parseDuration } from '../../core/duration.ts';
import { createLogger } from '../../core/logger.ts';
import { serveMetrics } from '../../core/metrics.ts';
import { RawConsumer } from '../../consumer/raw-consumer.ts';
import { MergeJob } from '../../merge/merge-job.ts';
import { MergeLoop } from '../../merge/merge-loop.ts';
import { PostgresSource } from '../../producer/postgres/source.ts';
import { onStop } from '../stop.ts';

export async function up(config: Config, flags: { 'merge-every'?: string }): Promise<number> {
  const every =
    flags['merge-every'] === undefined
      ? config.MERGE_EVERY
      : parseDuration(flags['merge-every'], '--merge-every');
  const log = createLogger('up', config.LOG_LEVEL);
  const source = new PostgresSource(
    config,
    { untilIdle: false, resnapshot: false },
    createLogger('producer', config.LOG_LEVEL),
  );
  const job = new MergeJob(config, createLogger('merge', config.LOG_LEVEL));
  const loop = new MergeLoop(job, config, every, createLogger('merge', config.LOG_LEVEL));
  // A raw object written starts a merge pass at once: bronze follows the source within a pass, not an interval.
  const consumer = new RawConsumer(
    config,
    { untilIdle: false, onWritten: () => loop.nudge() },
    createLogger('consumer', config.LOG_LEVEL),
  );
  const server = await serveMetrics(
    [source.metrics, consumer.metrics, job.metrics],
    config.METRICS_PORT,
    config.METRICS_HOST,
    { stallMs: config.HEALTH_STALL_MS },
  ).catch((error: unknown) => {
    log.warn({ err: error, port: config.METRICS_PORT }, 'metrics port unavailable: serving no metrics');
    return undefined;
  });

  let stopping: Promise<void> | undefined;
  let stopRequested!: () => void;
  const stopAsked = new Promise<void>((resolve) => (stopRequested = resolve));
  const stop = (): Promise<void> => {
    stopRequested();
    stopping ??= (async () => {
      log.info('stopping: producer, then consumer, then merge');
      await source.stop().catch((error: unknown) => log.error({ err: error }, 'producer stop failed'));
      await producing;
      await consumer.stop().catch((error: unknown) => log.error({ err: error }, 'consumer stop failed'));
      await consuming;
      loop.stop();
      await merging;
    })();
    return stopping;
  };
  let failure: unknown;
  const failed = (stage: string) => (error: unknown) => {
    failure ??= error;
    log.fatal({ err: error, stage }, `${stage} failed: stopping the others`);
    void stop();
  };

  const producing: Promise<void> = source.run().then(
    () => undefined,
    async (error: unknown) => {
      if (error instanceof CdcError && error.code === ErrorCode.SOURCE_SLOT_LOST) {
        // Said once; the consumer and the merge go on with what Kafka holds, and health fails until an
        // operator acts (as `produce` without --until-idle does).
        log.fatal({ code: error.code }, error.message);
        source.metrics.setUnhealthy(error.message);
        await stopAsked;
        return;
      }
      failed('producer')(error);
    },
  );
  const consuming: Promise<void> = consumer.run().then(() => undefined, failed('consumer'));
  const merging: Promise<void> = loop.run().then(() => undefined, failed('merge'));
  onStop(stop);
  log.info({ mergeEvery: every, metrics: server?.port }, 'cdclake up: producer, consumer and merge running');

  await Promise.all([producing, consuming, merging]);
  await stop();
  job.close();
  await server?.close();
  if (failure !== undefined) throw failure;
  log.info('stopped');
  return 0;
}
