// `cdclake merge --once | --every DURATION`

import type { Config } from '../../core/config.ts';
import { parseDuration } from '../../core/duration.ts';
import { createLogger } from '../../core/logger.ts';
import { MergeJob } from '../../merge/merge-job.ts';
import { describePass, MergeLoop } from '../../merge/merge-loop.ts';
import { onStop } from '../stop.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

export async function merge(config: Config, flags: { once?: boolean; every?: string }): Promise<number> {
  if ((flags.once === true) === (flags.every !== undefined))
    throw new CdcError(ErrorCode.USAGE, 'merge: give exactly one of --once or --every DURATION');
  const every = flags.every === undefined ? undefined : parseDuration(flags.every, '--every');
  const log = createLogger('merge', config.LOG_LEVEL);
  const job = new MergeJob(config, log);
  try {
    if (every === undefined) {
      const result = await job.pass();
      process.stdout.write(describePass(result) + '\n');
      return result.failed.length === 0 && result.modelFailures.length === 0 ? 0 : 1;
    }
    const server = await job.metrics
      .serve(config.METRICS_PORT, config.METRICS_HOST, { stallMs: config.HEALTH_STALL_MS })
      .catch(() => undefined);
    const loop = new MergeLoop(job, config, every, log);
    onStop(async () => loop.stop());
    try {
      await loop.run();
    } finally {
      await server?.close();
    }
    return 0;
  } finally {
    job.close();
  }
}
