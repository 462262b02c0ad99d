// Reads a child's Prometheus text from /metrics and turns counters into rates: each metric is summed over
// its labels, and a rate is the counter's change over the last few seconds of samples.

/** Every sample of the text, summed per metric name over its labels. */
export function parsePrometheusText(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    const name = match[1] as string;
    sums.set(name, (sums.get(name) ?? 0) + value);
  }
  return sums;
}

/** The child's metrics now, or undefined when it does not answer (not up yet, or gone). */
export async function scrape(port: number): Promise<Map<string, number> | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(800) });
    if (!response.ok) return undefined;
    return parsePrometheusText(await response.text());
  } catch {
    return undefined;
  }
}

/** A counter's recent samples: its last value and its rate over a sliding window. */
export class CounterRate {
  private readonly windowMs: number;
  private readonly samples: { at: number; value: number }[] = [];

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  add(value: number, at = performance.now()): void {
    this.samples.push({ at, value });
    while (this.samples.length > 2 && at - (this.samples[1] as { at: number }).at >= this.windowMs)
      this.samples.shift();
  }

  get total(): number {
    return this.samples.at(-1)?.value ?? 0;
  }

  /** Per second over the window; 0 until two samples are in. */
  get perSecond(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at <= first.at) return 0;
    return Math.max(0, ((last.value - first.value) * 1000) / (last.at - first.at));
  }
}
