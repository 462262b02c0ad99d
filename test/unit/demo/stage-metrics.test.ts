import { describe, expect, test } from 'vitest';
import { Metrics } from '../../../core/metrics.ts';
import { CounterRate, parsePrometheusText } from '../../../scripts/demo/stage-metrics.ts';

describe('parsePrometheusText', () => {
  test('a labelled metric is read under its name, summed over every label set', () => {
    const text = [
      '# HELP cdclake_consumer_events_in_total change events read',
      '# TYPE cdclake_consumer_events_in_total counter',
      'cdclake_consumer_events_in_total{topic="demo.public.customers"} 120',
      'cdclake_consumer_events_in_total{topic="demo.public.orders"} 3000',
      'cdclake_consumer_events_in_total{topic="demo.public.products"} 45',
      '',
    ].join('\n');
    const metrics = parsePrometheusText(text);
    expect(metrics.get('cdclake_consumer_events_in_total')).toBe(3165);
    expect([...metrics.keys()]).toEqual(['cdclake_consumer_events_in_total']);
  });

  test('metrics with and without labels, and names that share a prefix, stay apart', () => {
    const text = [
      'cdclake_merge_raw_rows_total{table="orders"} 10',
      'cdclake_merge_raw_rows_total{table="customers"} 5',
      'cdclake_merge_raw_rows_total_extra 1000',
      'cdclake_merge_failures_total{topic="demo.public.orders"} 2',
      'cdclake_merge_duration_seconds 1.25',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual(
      new Map([
        ['cdclake_merge_raw_rows_total', 15],
        ['cdclake_merge_raw_rows_total_extra', 1000],
        ['cdclake_merge_failures_total', 2],
        ['cdclake_merge_duration_seconds', 1.25],
      ]),
    );
  });

  test('the lag is summed over topics and partitions: one partition behind keeps the total above 0', () => {
    const text = [
      'cdclake_consumer_lag{topic="demo.public.orders",partition="0"} 0',
      'cdclake_consumer_lag{topic="demo.public.orders",partition="1"} 7',
      'cdclake_consumer_lag{topic="demo.public.customers",partition="0"} 0',
    ].join('\n');
    expect(parsePrometheusText(text).get('cdclake_consumer_lag')).toBe(7);
  });

  test('label values with spaces, braces, escaped quotes and digits do not shift the value', () => {
    const text = [
      'm{reason="no key 42",topic="a} 99"} 3',
      'm{topic="x\\"} 5 {"} 4',
      'm{a="1",b="2",} 2 1700000000000',
    ].join('\n');
    expect(parsePrometheusText(text).get('m')).toBe(9);
  });

  test('comments, blank lines, CRLF endings and non-finite values are not counted', () => {
    const text = [
      '# HELP cdclake_x_total 12 things counted',
      '# TYPE cdclake_x_total counter',
      'cdclake_x_total{k="a"} 5\r',
      '\r',
      'cdclake_x_total{k="b"} NaN',
      'cdclake_x_total{k="c"} +Inf',
      'cdclake_x_total{k="d"} 2.5e1',
      'not a sample line',
      '',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual(new Map([['cdclake_x_total', 30]]));
  });

  test('a metric declared without samples yet is absent, not 0 (an unknown lag is not a lag of 0)', () => {
    const metrics = new Metrics();
    metrics.gauge('cdclake_consumer_lag');
    metrics.counter('cdclake_consumer_events_in_total').inc(4, { topic: 't' });
    const parsed = parsePrometheusText(metrics.render());
    expect(parsed.has('cdclake_consumer_lag')).toBe(false);
    expect(parsed.get('cdclake_consumer_events_in_total')).toBe(4);
  });

  test("reads back what a process's Metrics serve, labels escaped as they render them", () => {
    const metrics = new Metrics();
    const events = metrics.counter('cdclake_consumer_events_in_total');
    events.inc(3, { topic: 'demo.public.orders' });
    events.inc(2, { topic: 'demo.public.orders' });
    events.inc(6, { topic: 'we"ird\\ topic} 1' });
    const lag = metrics.gauge('cdclake_consumer_lag');
    lag.set(4, { topic: 'demo.public.orders', partition: 0 });
    lag.set(1, { topic: 'demo.public.orders', partition: 1 });
    metrics.counter('cdclake_consumer_dead_letters_total').inc(0);
    expect(parsePrometheusText(metrics.render())).toEqual(
      new Map([
        ['cdclake_consumer_events_in_total', 11],
        ['cdclake_consumer_lag', 5],
        ['cdclake_consumer_dead_letters_total', 0],
      ]),
    );
  });
});

describe('CounterRate', () => {
  /** Adds `value(t)` at each time in `times` (ms). */
  function sampled(windowMs: number, times: number[], value: (t: number) => number): CounterRate {
    const rate = new CounterRate(windowMs);
    for (const t of times) rate.add(value(t), t);
    return rate;
  }
  const seconds = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => (from + i) * 1000);

  test('total is the last value seen, and 0 before any sample', () => {
    const rate = new CounterRate(5000);
    expect(rate.total).toBe(0);
    rate.add(10, 0);
    rate.add(25, 1000);
    rate.add(40, 2000);
    expect(rate.total).toBe(40);
  });

  test('the rate is 0 until two samples at different times are in', () => {
    const rate = new CounterRate(5000);
    expect(rate.perSecond).toBe(0);
    rate.add(100, 1000);
    expect(rate.perSecond).toBe(0);
    rate.add(200, 1000);
    expect(rate.perSecond).toBe(0);
    rate.add(300, 1500);
    expect(rate.perSecond).toBe(400);
  });

  test('a steady counter gives its rate per second', () => {
    expect(sampled(5000, seconds(0, 20), (t) => t / 10).perSecond).toBe(100);
  });

  test('the rate covers the last window only, not the whole history nor the last two samples', () => {
    // 1000 events/s for 10 s, then nothing: 3 s later the 5 s window holds 2 s of events.
    const value = (t: number) => Math.min(t, 10_000);
    expect(sampled(5000, seconds(0, 13), value).perSecond).toBe(400);
    // Once the window holds no events at all, the rate is 0.
    expect(sampled(5000, seconds(0, 15), value).perSecond).toBe(0);
  });

  test('the window is the one given: 10 s keeps events a 5 s window has let go', () => {
    const value = (t: number) => Math.min(t, 10_000);
    expect(sampled(10_000, seconds(0, 15), value).perSecond).toBe(500);
    expect(sampled(5000, seconds(0, 15), value).perSecond).toBe(0);
  });

  test('on uneven ticks the rate starts at the newest sample at least a window old and divides by the real interval', () => {
    // 2 events/ms. At 7000 the 5 s window starts at 2000; the newest sample at or before it is at 1500.
    const times = [0, 1500, 3200, 4900, 6100, 7000];
    const rate = sampled(5000, times, (t) => 2 * t);
    expect(rate.perSecond).toBe(2000);
    // The sample at 0 has left, the one at 1500 stays: a jump between 0 and 1500 no longer counts, one
    // between 1500 and 3200 still does, over the 5.5 s from 1500 to 7000.
    expect(sampled(5000, times, (t) => (t === 0 ? 0 : 1_000_000)).perSecond).toBe(0);
    expect(sampled(5000, times, (t) => (t <= 1500 ? 0 : 3300)).perSecond).toBe(600);
  });

  test('a counter that went back (its process restarted) gives 0, not a negative rate', () => {
    const rate = new CounterRate(5000);
    rate.add(5000, 0);
    rate.add(6000, 1000);
    rate.add(50, 2000);
    expect(rate.perSecond).toBe(0);
    expect(rate.total).toBe(50);
  });
});
