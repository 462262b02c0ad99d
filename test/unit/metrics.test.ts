import { describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { METRICS } from '../../core/metric-catalog.ts';
import { Metrics } from '../../core/metrics.ts';

describe('metrics', () => {
  test('counters and gauges render in the Prometheus text format, labels escaped', () => {
    const metrics = new Metrics();
    const events = metrics.counter('cdclake_consumer_events_in_total');
    events.inc(3, { topic: 'cdc.public.orders' });
    events.inc(2, { topic: 'cdc.public.orders' });
    metrics.gauge('cdclake_consumer_lag').set(7, { topic: 'a"b', partition: 1 });
    expect(metrics.render()).toBe(
      [
        '# HELP cdclake_consumer_events_in_total change events read from Kafka',
        '# TYPE cdclake_consumer_events_in_total counter',
        'cdclake_consumer_events_in_total{topic="cdc.public.orders"} 5',
        '# HELP cdclake_consumer_lag records behind the high watermark, per partition',
        '# TYPE cdclake_consumer_lag gauge',
        'cdclake_consumer_lag{topic="a\\"b",partition="1"} 7',
        '',
      ].join('\n'),
    );
  });

  test('/metrics and /health are served over HTTP', async () => {
    const metrics = new Metrics();
    metrics.counter('cdclake_merge_failures_total').inc();
    const server = await metrics.serve(0, '127.0.0.1');
    try {
      const body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(body).toContain('cdclake_merge_failures_total 1');
      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  test('/health fails when a stage has pending work and no progress for the stall time; /ready waits for the start', async () => {
    const metrics = new Metrics();
    let waiting: string | undefined;
    const progressed = metrics.watch('consumer', () => waiting);
    const t0 = Date.now();
    expect(metrics.health({ stallMs: 1000 }, t0 + 5000)).toEqual({ live: true, ready: false, problems: [] });
    metrics.setReady(true);
    waiting = '1 batch being uploaded';
    expect(metrics.health({ stallMs: 1000 }, t0 + 500).live).toBe(true);
    expect(metrics.health({ stallMs: 1000 }, t0 + 3000)).toEqual({
      live: false,
      ready: false,
      problems: ['consumer: no progress for 3 s with 1 batch being uploaded'],
    });
    progressed();
    expect(metrics.health({ stallMs: 1000 }, Date.now() + 500).live).toBe(true);
    // Idle time does not count: with nothing pending, a sample moves the clock of the stage on.
    waiting = undefined;
    metrics.sample(t0 + 60_000);
    waiting = 'lag 10';
    expect(metrics.health({ stallMs: 1000 }, t0 + 60_500).live).toBe(true);

    const served = new Metrics();
    served.setReady(true);
    served.watch('consumer', () => waiting);
    const server = await served.serve(0, '127.0.0.1', { stallMs: 1 });
    try {
      await new Promise((r) => setTimeout(r, 20));
      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({
        status: 'failing',
        problems: [expect.stringMatching(/^consumer: no progress for \d+ s with lag 10$/)],
      });
      expect((await fetch(`http://127.0.0.1:${server.port}/ready`)).status).toBe(503);
      waiting = undefined;
      expect((await fetch(`http://127.0.0.1:${server.port}/ready`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

test("the README's table of metrics is the catalogue: every name, kind and help text", () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `(cdclake_[a-z_]+)` \| (counter|gauge) \| (.*) \|$/gm)].map(
    ([, name, kind, help]) => [name, kind, (help as string).replaceAll('\\|', '|')],
  );
  expect(rows).toEqual(Object.entries(METRICS).map(([name, { kind, help }]) => [name, kind, help]));
});
