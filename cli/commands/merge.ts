// `cdclake merge --once | --every DURATION`

import type { Config } from '../../core/config.ts';
import { parseDuration } from '../../core/duration.ts';
import { createLogger } from '../../core/logger.ts';
import { MergeJob, type PassResult } from '../../merge/merge-job.ts';
import { onStop } from '../stop.ts';

function report(result: PassResult): string {
  const rows = result.merged.reduce((n, m) => n + m.rawRows, 0);
  const changed = result.merged.reduce((n, m) => n + m.changed, 0);
  return (
    `merged ${result.merged.length} table(s): ${rows} raw rows, ${changed} bronze rows changed` +
    (result.models.length > 0 ? `; models rebuilt: ${result.models.join(', ')}` : '') +
    result.failed.map((f) => `\n  ${f.topic}: FAILED: ${f.error.message}`).join('')
  );
}

export async function merge(config: Config, flags: { once?: boolean; every?: string }): Promise<number> {
  if ((flags.once === true) === (flags.every !== undefined))
    throw new Error('merge: give exactly one of --once or --every DURATION');
  const every = flags.every === undefined ? undefined : parseDuration(flags.every, '--every');
  const log = createLogger('merge', config.LOG_LEVEL);
  const job = new MergeJob(config, log);
  try {
    if (every === undefined) {
      const result = await job.pass();
      process.stdout.write(report(result) + '\n');
      return result.failed.length === 0 ? 0 : 1;
    }
    const server = await job.metrics
      .serve(config.METRICS_PORT, config.METRICS_HOST, { stallMs: config.HEALTH_STALL_MS })
      .catch(() => undefined);
    const compactEvery = parseDuration(config.LAKE_COMPACT_EVERY, 'LAKE_COMPACT_EVERY');
    // Bronze every pass; silver and gold at most every LAKE_MODELS_EVERY, built beside the passes (a
    // connection of their own), so rebuilding them does not hold back bronze's freshness. What is stale when
    // the loop stops is rebuilt before it exits.
    const modelsEvery = parseDuration(config.LAKE_MODELS_EVERY, 'LAKE_MODELS_EVERY');
    let lastModels = Number.NEGATIVE_INFINITY;
    let modelsStale = true;
    let modelsRun: Promise<void> | undefined;
    const refreshModels = (): void => {
      lastModels = Date.now();
      modelsStale = false;
      const run = job.refreshModels().then(
        (models) => {
          if (models.length > 0) log.info({ models }, 'models rebuilt');
        },
        (error: unknown) => {
          modelsStale = true;
          log.error({ err: error }, 'model refresh failed; the next one tries again');
        },
      );
      modelsRun = run.finally(() => (modelsRun = undefined));
    };
    let lastCompaction = Date.now();
    let stopped = false;
    let wake: (() => void) | undefined;
    onStop(async () => {
      stopped = true;
      wake?.();
    });
    job.metrics.setReady(true);
    try {
      while (!stopped) {
        const result = await job.pass({ models: false });
        if (result.merged.some((m) => m.changed > 0)) modelsStale = true;
        if (result.merged.length > 0 || result.failed.length > 0)
          log.info({ summary: report(result) }, 'pass');
        if (modelsStale && modelsRun === undefined && Date.now() - lastModels >= modelsEvery) refreshModels();
        if (Date.now() - lastCompaction >= compactEvery) {
          await modelsRun; // compaction rewrites files the models read
          await job.compact().catch((error: unknown) => log.error({ err: error }, 'lake compaction failed'));
          lastCompaction = Date.now();
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, every);
        });
      }
      await modelsRun;
      if (modelsStale) log.info({ models: await job.refreshModels() }, 'models brought up to date');
    } finally {
      await server?.close();
    }
    return 0;
  } finally {
    job.close();
  }
}
