// `cdclake consume [--topics REGEX] [--until-idle]`

import type { Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { RawConsumer } from '../../consumer/raw-consumer.ts';
import { onStop } from '../stop.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

export async function consume(
  config: Config,
  flags: { topics?: string; 'until-idle'?: boolean },
): Promise<number> {
  const log = createLogger('consumer', config.LOG_LEVEL);
  let topics: RegExp | undefined;
  if (flags.topics !== undefined) {
    try {
      topics = new RegExp(flags.topics);
    } catch (error: unknown) {
      throw new CdcError(
        ErrorCode.USAGE,
        `--topics=${JSON.stringify(flags.topics)}: not a regular expression (${String(error)})`,
      );
    }
  }
  const consumer = new RawConsumer(
    config,
    { untilIdle: flags['until-idle'] === true, ...(topics ? { topics } : {}) },
    log,
  );
  const server = await consumer.metrics
    .serve(config.METRICS_PORT, config.METRICS_HOST, { stallMs: config.HEALTH_STALL_MS })
    .catch((error: unknown) => {
      log.warn({ err: error, port: config.METRICS_PORT }, 'metrics port unavailable: serving no metrics');
      return undefined;
    });
  onStop(() => consumer.stop());
  try {
    const summary = await consumer.run();
    log.info(summary, 'consumer stopped');
  } finally {
    await server?.close();
  }
  return 0;
}
