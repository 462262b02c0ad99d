// Prometheus metrics and health over HTTP for every long-running process: counters and gauges with
// labels, rendered in the text exposition format on /metrics; /health answers 200 while the process runs.

import http from 'node:http';

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

  constructor(name: string, help: string, kind: 'counter' | 'gauge') {
    this.name = name;
    this.help = help;
    this.kind = kind;
  }

  inc(amount = 1, labels: Labels = {}): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + amount);
  }

  set(value: number, labels: Labels = {}): void {
    this.values.set(labelText(labels), value);
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

export class Metrics {
  private readonly metrics = new Map<string, Metric>();

  /** What stops the process from doing its work, if anything: /health then answers 503 with it. */
  private unhealthy: string | undefined;

  setUnhealthy(problem: string | undefined): void {
    this.unhealthy = problem;
  }

  counter(name: string, help: string): Metric {
    return this.metric(name, help, 'counter');
  }

  gauge(name: string, help: string): Metric {
    return this.metric(name, help, 'gauge');
  }

  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }

  /** Serves /metrics and /health; resolves with the port it listens on and a function that closes it. */
  serve(port: number, host = '0.0.0.0'): Promise<{ port: number; close: () => Promise<void> }> {
    const server = http.createServer((request, response) => {
      if (request.url === '/metrics') {
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        response.end(this.render());
      } else if (request.url === '/health') {
        response.writeHead(this.unhealthy === undefined ? 200 : 503, { 'content-type': 'application/json' });
        response.end(
          this.unhealthy === undefined
            ? '{"status":"ok"}'
            : JSON.stringify({ status: 'failing', problem: this.unhealthy }),
        );
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const address = server.address();
        resolve({
          port: typeof address === 'object' && address !== null ? address.port : port,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      });
    });
  }

  private metric(name: string, help: string, kind: 'counter' | 'gauge'): Metric {
    let metric = this.metrics.get(name);
    if (metric === undefined) this.metrics.set(name, (metric = new Metric(name, help, kind)));
    return metric;
  }
}

export type { Metric };
