// Every process's metrics port serves the live dashboard: the page at / (one file, nothing fetched from
// elsewhere) and its data at /dashboard.json, with the series as /metrics has them, their history, health,
// and the process's last warnings and errors with secrets masked.

import { afterEach, describe, expect, test } from 'vitest';
import { HISTORY_EVERY_MS, HISTORY_MS, MetricsHistory, type DashboardState } from '../../core/dashboard.ts';
import { createLogger, recentProblems } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';

const saved = process.env['LOG_LEVEL'];
afterEach(() => {
  if (saved === undefined) delete process.env['LOG_LEVEL'];
  else process.env['LOG_LEVEL'] = saved;
});

describe('dashboard', () => {
  test('a metrics port serves the page and its data', async () => {
    const metrics = new Metrics();
    metrics.counter('cdclake_consumer_events_in_total').inc(42, { topic: 'cdc.public.orders' });
    metrics.gauge('cdclake_consumer_lag').set(7, { topic: 'cdc.public.orders', partition: 3 });
    metrics.counter('cdclake_consumer_dead_letters_total');
    const server = await metrics.serve(0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('<title>cdclake</title>');
      // No script, style, font or image from elsewhere: the page works where the machine reaches no network.
      expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
      expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);

      const state = (await (await fetch(`${base}/dashboard.json`)).json()) as DashboardState;
      expect(state.health.status).toBe('starting');
      expect(state.metrics['cdclake_consumer_events_in_total']).toEqual({
        kind: 'counter',
        help: 'change events read from Kafka',
        series: [{ labels: { topic: 'cdc.public.orders' }, value: 42 }],
      });
      expect(state.metrics['cdclake_consumer_lag']?.series).toEqual([
        { labels: { topic: 'cdc.public.orders', partition: '3' }, value: 7 },
      ]);
      // A metric with no series yet is there, empty: the page shows it as 0.
      expect(state.metrics['cdclake_consumer_dead_letters_total']?.series).toEqual([]);
      // The first sample is taken when the port opens, keyed as /metrics writes each series.
      expect(state.history[0]?.v).toEqual({
        'cdclake_consumer_events_in_total{topic="cdc.public.orders"}': 42,
        'cdclake_consumer_lag{topic="cdc.public.orders",partition="3"}': 7,
      });
    } finally {
      await server.close();
    }
  });

  test('the history keeps a sample every HISTORY_EVERY_MS for HISTORY_MS', () => {
    const metrics = new Metrics();
    const events = metrics.counter('cdclake_producer_events_total');
    const history = new MetricsHistory([metrics]);
    const t0 = 1_800_000_000_000;
    for (let t = t0; t <= t0 + 2 * HISTORY_MS; t += 1000) {
      events.inc(10);
      history.sample(t);
    }
    const { history: samples } = history.state(t0, { status: 'ok', problems: [] }, t0 + 2 * HISTORY_MS);
    expect(samples.length).toBe(HISTORY_MS / HISTORY_EVERY_MS + 1);
    expect(samples[0]?.t).toBe(t0 + HISTORY_MS);
    expect(samples.at(-1)?.t).toBe(t0 + 2 * HISTORY_MS);
    const last = samples.at(-1)?.v['cdclake_producer_events_total'] ?? 0;
    const before = samples.at(-2)?.v['cdclake_producer_events_total'] ?? 0;
    expect(last - before).toBe((10 * HISTORY_EVERY_MS) / 1000);
  });

  test('the last warnings and errors are kept, masked, without the info lines', () => {
    process.env['LOG_LEVEL'] = 'warn';
    const log = createLogger('dashboard-test', 'info');
    const before = recentProblems().length;
    log.info('an ordinary line');
    log.warn({ table: 'orders' }, 'slow upload');
    log.error({ err: new Error('connect to postgres://cdc:hunter2@db:5432/x failed') }, 'source lost');
    const kept = recentProblems().slice(before);
    expect(kept.map((p) => [p.level, p.service, p.msg])).toEqual([
      ['warn', 'dashboard-test', 'slow upload'],
      ['error', 'dashboard-test', 'source lost'],
    ]);
    expect(kept[1]?.error).toBe('connect to postgres://cdc:***@db:5432/x failed');
    for (let i = 0; i < 30; i++) log.warn(`warning ${i}`);
    expect(recentProblems().length).toBe(20);
    expect(recentProblems().at(-1)?.msg).toBe('warning 29');
  });
});
