import { describe, expect, test } from 'vitest';
import { Metrics } from '../../core/metrics.ts';

describe('metrics', () => {
  test('counters and gauges render in the Prometheus text format, labels escaped', () => {
    const metrics = new Metrics();
    const events = metrics.counter('cdclake_consumer_events_in_total', 'change events read');
    events.inc(3, { topic: 'cdc.public.orders' });
    events.inc(2, { topic: 'cdc.public.orders' });
    metrics.gauge('cdclake_consumer_lag', 'lag').set(7, { topic: 'a"b', partition: 1 });
    expect(metrics.render()).toBe(
      [
        '# HELP cdclake_consumer_events_in_total change events read',
        '# TYPE cdclake_consumer_events_in_total counter',
        'cdclake_consumer_events_in_total{topic="cdc.public.orders"} 5',
        '# HELP cdclake_consumer_lag lag',
        '# TYPE cdclake_consumer_lag gauge',
        'cdclake_consumer_lag{topic="a\\"b",partition="1"} 7',
        '',
      ].join('\n'),
    );
  });

  test('/metrics and /health are served over HTTP', async () => {
    const metrics = new Metrics();
    metrics.counter('cdclake_test_total', 'a test counter').inc();
    const server = await metrics.serve(0, '127.0.0.1');
    try {
      const body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(body).toContain('cdclake_test_total 1');
      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
