// Prometheus metrics and health over HTTP for every long-running process: counters and gauges with
// labels, rendered in the text exposition format on /metrics; /health fails when a stage is stuck (pending work,
// no progress for a while) or cannot work; /ready tells whether it has started.

import http from 'node:http';
import { dashboardPage, MetricsHistory } from './dashboard.ts';
import { METRICS, type CounterName, type GaugeName } from './metric-catalog.ts';

type Labels = Record<string, string | number>;

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

class Metric {
  readonly name: string;
  readonly help: string;
  readonly kind: 'counter' | 'gauge';
  private readonly values = new Map<string, number>();
  /** Each series' labels, by the same key as its value. */
  private readonly labelsOf = new Map<string, Record<string, string>>();

  constructor(name: string, help: string, kind: 'counter' | 'gauge') {
    this.name = name;
    this.help = help;
    this.kind = kind;
  }

  inc(amount = 1, labels: Labels = {}): void {
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + amount);
  }

  set(value: number, labels: Labels = {}): void {
    this.values.set(this.key(labels), value);
  }

  /** Every series: its labels, its label text as /metrics writes it, and its value. */
  series(): { labels: Record<string, string>; text: string; value: number }[] {
    return [...this.values].map(([text, value]) => ({ labels: this.labelsOf.get(text) ?? {}, text, value }));
  }

  private key(labels: Labels): string {
    const key = labelText(labels);
    if (!this.labelsOf.has(key))
      this.labelsOf.set(key, Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])));
    return key;
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels)) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const v of this.values.values()) sum += v;
    return sum;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`];
    for (const [labels, value] of this.values) lines.push(`${this.name}${labels} ${value}`);
    return lines.join('\n');
  }
}

/** A stage's pending work, described (undefined when it has none), and when it last made progress. */
interface Watch {
  stage: string;
  pending: () => string | undefined;
  lastProgress: number;
}

export interface HealthOptions {
  /** Pending work with no progress for this long makes /health fail (a hung upload, a stalled slot). */
  stallMs: number;
}

export interface Health {
  /** Liveness: false when something stops the process from doing its work. */
  live: boolean;
  /** Readiness: started, and live. */
  ready: boolean;
  problems: string[];
}

export class Metrics {
  private readonly metrics = new Map<string, Metric>();
  private readonly watches: Watch[] = [];
  private started = false;

  /** What stops the process from doing its work, if anything: /health then answers 503 with it. */
  private unhealthy: string | undefined;

  setUnhealthy(problem: string | undefined): void {
    this.unhealthy = problem;
  }

  /** Ready once the stage has connected and works; not ready again while it stops. */
  setReady(ready: boolean): void {
    this.started = ready;
  }

  /**
   * Watches a stage: `pending` describes the work it has waiting (undefined: none); the returned function is
   * called whenever it makes progress. Pending work with no progress for HealthOptions.stallMs fails health.
   */
  watch(stage: string, pending: () => string | undefined): () => void {
    const watch: Watch = { stage, pending, lastProgress: Date.now() };
    this.watches.push(watch);
    return () => {
      watch.lastProgress = Date.now();
    };
  }

  /** Called about once a second: a stage with nothing pending is not stalled, however long it waits. */
  sample(now = Date.now()): void {
    for (const watch of this.watches) if (watch.pending() === undefined) watch.lastProgress = now;
  }

  health(options: HealthOptions, now = Date.now()): Health {
    const problems: string[] = [];
    if (this.unhealthy !== undefined) problems.push(this.unhealthy);
    for (const watch of this.watches) {
      const pending = watch.pending();
      if (pending === undefined) continue;
      const idle = now - watch.lastProgress;
      if (idle >= options.stallMs)
        problems.push(`${watch.stage}: no progress for ${Math.round(idle / 1000)} s with ${pending}`);
    }
    return { live: problems.length === 0, ready: this.started && problems.length === 0, problems };
  }

  /** A counter of the catalogue (metric-catalog.ts); asking again for a name gives the same metric. */
  counter(name: CounterName): Metric {
    return this.metric(name, METRICS[name].help, 'counter');
  }

  gauge(name: GaugeName): Metric {
    return this.metric(name, METRICS[name].help, 'gauge');
  }

  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }

  /** The registry's metrics, for the dashboard. */
  all(): Metric[] {
    return [...this.metrics.values()];
  }

  /** Serves this registry alone: see serveMetrics. */
  serve(
    port: number,
    host = '127.0.0.1',
    health: HealthOptions = { stallMs: DEFAULT_STALL_MS },
  ): Promise<MetricsServer> {
    return serveMetrics([this], port, host, health);
  }

  private metric(name: string, help: string, kind: 'counter' | 'gauge'): Metric {
    let metric = this.metrics.get(name);
    if (metric === undefined) this.metrics.set(name, (metric = new Metric(name, help, kind)));
    return metric;
  }
}

export const DEFAULT_STALL_MS = 300_000;

export interface MetricsServer {
  port: number;
  close: () => Promise<void>;
}

/**
 * Serves /metrics (every registry), /health (liveness: 503 naming each problem), /ready (readiness: 503
 * until every registry's stage has started, and while any is unhealthy), and the live dashboard: its page at
 * / and its data at /dashboard.json (dashboard.ts); resolves with the port.
 */
export function serveMetrics(
  registries: Metrics[],
  port: number,
  host: string,
  options: HealthOptions,
): Promise<MetricsServer> {
  const started = Date.now();
  const history = new MetricsHistory(registries);
  const sampler = setInterval(() => {
    for (const registry of registries) registry.sample();
    history.sample();
  }, 1000);
  sampler.unref();
  history.sample();
  const healthOf = () => {
    const states = registries.map((r) => r.health(options));
    const problems = states.flatMap((s) => s.problems);
    const status = problems.length > 0 ? 'failing' : states.every((s) => s.ready) ? 'ok' : 'starting';
    return { states, problems, status };
  };
  const server = http.createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (path === '/' || path === '/index.html') {
      let html: string;
      try {
        html = dashboardPage();
      } catch (error: unknown) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : String(error));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      response.end(html);
      return;
    }
    if (path === '/dashboard.json') {
      const { problems, status } = healthOf();
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(history.state(started, { status, problems })));
      return;
    }
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(registries.map((r) => r.render()).join(''));
      return;
    }
    if (path === '/health' || path === '/ready') {
      const { states, problems } = healthOf();
      const ok = path === '/health' ? problems.length === 0 : states.every((s) => s.ready);
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      const status = ok ? 'ok' : problems.length > 0 ? 'failing' : 'starting';
      response.end(JSON.stringify(problems.length === 0 ? { status } : { status, problems }));
      return;
    }
    response.writeHead(404);
    response.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () => {
          clearInterval(sampler);
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

export type { Metric };
