// `merge --every` and the merge stage of `cdclake up`: a pass every interval (bronze), silver and gold at most
// every LAKE_MODELS_EVERY on a connection of their own (so rebuilding them does not hold back bronze's
// freshness), compaction every LAKE_COMPACT_EVERY. What is stale when the loop stops is rebuilt before
// `run` resolves.

import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { MergeJob, PassResult } from './merge-job.ts';

/** The longest wait between failed passes (they start at the interval and double). */
const MAX_RETRY_WAIT_MS = 60_000;

/** One line per pass: what was merged, what was rebuilt, what failed. */
export function describePass(result: PassResult): string {
  const rows = result.merged.reduce((n, m) => n + m.rawRows, 0);
  const changed = result.merged.reduce((n, m) => n + m.changed, 0);
  return (
    `merged ${result.merged.length} table(s): ${rows} raw rows, ${changed} bronze rows changed` +
    (result.models.length > 0 ? `; models rebuilt: ${result.models.join(', ')}` : '') +
    result.failed.map((f) => `\n  ${f.topic}: FAILED: ${f.error.message}`).join('') +
    result.modelFailures.map((f) => `\n  model ${f.model} (${f.file}): FAILED: ${f.error}`).join('')
  );
}

export class MergeLoop {
  private readonly job: MergeJob;
  private readonly log: Logger;
  private readonly every: number;
  private readonly modelsEvery: number;
  private readonly compactEvery: number;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** New raw objects were written since the pass under way listed: the next pass starts without waiting. */
  private nudged = false;

  constructor(job: MergeJob, config: Config, everyMs: number, log: Logger) {
    this.job = job;
    this.log = log;
    this.every = everyMs;
    this.modelsEvery = config.LAKE_MODELS_EVERY;
    this.compactEvery = config.LAKE_COMPACT_EVERY;
  }

  /**
   * New raw objects are in S3 (`cdclake up`'s consumer says so): a pass starts now, or as soon as the one
   * under way ends, rather than at the next interval. The interval still paces passes when no one nudges.
   */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Waits `ms`, or less when nudged or stopped. */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** Asks the loop to end after the pass under way; `run` then brings the models up to date and resolves. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    const { job, log } = this;
    let lastModels = Number.NEGATIVE_INFINITY;
    let modelsStale = true;
    let modelsRun: Promise<void> | undefined;
    const refreshModels = (): void => {
      lastModels = Date.now();
      modelsStale = false;
      const run = job.refreshModels().then(
        ({ refreshed, failed }) => {
          if (refreshed.length > 0) log.info({ models: refreshed }, 'models rebuilt');
          // A failed model is stale still: the next refresh tries it again (its failure is in /health).
          if (failed.length > 0) modelsStale = true;
        },
        (error: unknown) => {
          modelsStale = true;
          log.error({ err: error }, 'model refresh failed; the next one tries again');
        },
      );
      modelsRun = run.finally(() => (modelsRun = undefined));
    };
    let lastCompaction = Date.now();
    job.metrics.setReady(true);
    try {
      let failedPasses = 0;
      while (!this.stopped) {
        this.nudged = false;
        let result: PassResult;
        try {
          result = await job.pass({ models: false });
        } catch (error: unknown) {
          // S3, the catalog or a lease connection gone for a while (a service restarting): the pass is logged,
          // the lake session opened again, and the pass tried again after a growing wait. Nothing was
          // committed, so nothing is lost; /health says so while it lasts.
          failedPasses++;
          const waitMs = Math.min(this.every * 2 ** Math.min(failedPasses - 1, 10), MAX_RETRY_WAIT_MS);
          log.error(
            { err: error, failedPasses, retryInMs: waitMs },
            'merge pass failed; the lake session is opened again and the pass tried again',
          );
          job.passFailed(error, failedPasses);
          await modelsRun; // the models build on the same DuckDB instance: not closed under them
          await job.resetSession();
          await this.sleep(waitMs);
          continue;
        }
        if (failedPasses > 0) {
          log.info({ failedPasses }, 'merge pass succeeded again');
          failedPasses = 0;
          job.passFailed(undefined, 0);
        }
        if (result.merged.some((m) => m.changed > 0)) modelsStale = true;
        if (result.merged.length > 0 || result.failed.length > 0)
          log.info({ summary: describePass(result) }, 'pass');
        if (modelsStale && modelsRun === undefined && Date.now() - lastModels >= this.modelsEvery)
          refreshModels();
        if (Date.now() - lastCompaction >= this.compactEvery) {
          await modelsRun; // compaction rewrites files the models read
          await job.compact().catch((error: unknown) => log.error({ err: error }, 'lake compaction failed'));
          lastCompaction = Date.now();
        }
        if (this.stopped) break;
        if (this.nudged) continue;
        await this.sleep(this.every);
      }
      await modelsRun;
      if (modelsStale) {
        const { refreshed, failed } = await job.refreshModels();
        log.info({ models: refreshed, failed: failed.map((f) => f.model) }, 'models brought up to date');
      }
    } finally {
      job.metrics.setReady(false);
    }
  }
}
