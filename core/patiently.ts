// One way of waiting out a service that is away (S3 restarting, a broker rejoining): the request is tried
// again after a growing wait, for up to a budget of time, while the failure may pass and the work is still
// wanted. A refusal that waiting cannot cure (credentials, TLS trust, a missing bucket) ends it at once, and
// so does work no longer wanted (a rebalance moved the partition, a stop).

/** The wait before attempt `attempt + 1`: 0.5 s, doubling, at most 30 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.min(attempt - 1, 6), 30_000);
}

export interface Patience {
  /** The time budget from the first attempt, in milliseconds: a failure after it is thrown. */
  forMs: number;
  /**
   * Whether the failure may pass by waiting; false throws it at once. Returning an error throws that one
   * instead (a plainer account of the same failure).
   */
  retriable(error: unknown): boolean | Error;
  /** Whether the work is still wanted (checked after each failure); false throws the failure. */
  wanted?: () => boolean;
  /** Told before each wait: for a log line and a metric. */
  onRetry(error: unknown, attempt: number, waitMs: number): void;
  /** Ends a wait early (the failure is then thrown, as `wanted` would). */
  signal?: AbortSignal;
}

export async function patiently<T>(attempt: (n: number) => Promise<T>, patience: Patience): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error: unknown) {
      const retriable = patience.retriable(error);
      if (retriable instanceof Error) throw retriable;
      const elapsed = Date.now() - started;
      if (
        !retriable ||
        patience.signal?.aborted === true ||
        patience.wanted?.() === false ||
        elapsed >= patience.forMs
      )
        throw error;
      const waitMs = Math.min(retryDelayMs(n), patience.forMs - elapsed);
      patience.onRetry(error, n, waitMs);
      await sleep(waitMs, patience.signal);
    }
  }
}

/** Waits `ms`, or until the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
