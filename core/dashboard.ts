// The live dashboard every metrics port serves at `/`: one static page (dashboard.html: no build step, no
// script or font from elsewhere) that reads /dashboard.json every two seconds. The JSON holds the metrics
// as /metrics has them, their values over the last ten minutes (sampled here, so a page opened late still
// draws its charts), health, and the process's last warnings and errors.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CdcError, ErrorCode } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { recentProblems, type LoggedProblem } from './logger.ts';

/** How often a sample of every series is kept, and for how long. */
export const HISTORY_EVERY_MS = 2_000;
export const HISTORY_MS = 10 * 60_000;

export interface DashboardSeries {
  labels: Record<string, string>;
  value: number;
}

export interface DashboardState {
  /** When this state was read, ms since the epoch. */
  at: number;
  /** When the process started serving, ms since the epoch. */
  started: number;
  health: { status: string; problems: string[] };
  metrics: Record<string, { kind: 'counter' | 'gauge'; help: string; series: DashboardSeries[] }>;
  /** Samples, oldest first: `t` in ms since the epoch, `v` each series' value by `name{labels}` as /metrics writes it. */
  history: { t: number; v: Record<string, number> }[];
  problems: LoggedProblem[];
}

/** The last HISTORY_MS of every series of the registries, a sample each HISTORY_EVERY_MS. */
export class MetricsHistory {
  private readonly registries: Metrics[];
  private readonly samples: { t: number; v: Record<string, number> }[] = [];

  constructor(registries: Metrics[]) {
    this.registries = registries;
  }

  /** Takes a sample when the last one is HISTORY_EVERY_MS old, and forgets those past HISTORY_MS. */
  sample(now = Date.now()): void {
    const last = this.samples.at(-1);
    if (last !== undefined && now - last.t < HISTORY_EVERY_MS - 100) return;
    const v: Record<string, number> = {};
    for (const registry of this.registries)
      for (const metric of registry.all())
        for (const series of metric.series()) v[metric.name + series.text] = series.value;
    this.samples.push({ t: now, v });
    let old = 0;
    while (old < this.samples.length && now - (this.samples[old]?.t ?? now) > HISTORY_MS) old++;
    if (old > 0) this.samples.splice(0, old);
  }

  state(started: number, health: DashboardState['health'], now = Date.now()): DashboardState {
    const metrics: DashboardState['metrics'] = {};
    for (const registry of this.registries)
      for (const metric of registry.all()) {
        const entry = (metrics[metric.name] ??= { kind: metric.kind, help: metric.help, series: [] });
        for (const { labels, value } of metric.series()) entry.series.push({ labels, value });
      }
    return { at: now, started, health, metrics, history: this.samples, problems: recentProblems() };
  }
}

let page: string | undefined;

/** The dashboard's page, read once: core/dashboard.html beside this file, or above a bundle in dist/<hash>/. */
export function dashboardPage(): string {
  if (page !== undefined) return page;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    for (const file of [path.join(dir, 'dashboard.html'), path.join(dir, 'core', 'dashboard.html')])
      if (fs.existsSync(file)) return (page = fs.readFileSync(file, 'utf8'));
    if (path.dirname(dir) === dir)
      throw new CdcError(ErrorCode.INTERNAL, `no core/dashboard.html in ${here} or any folder above it`);
  }
}
