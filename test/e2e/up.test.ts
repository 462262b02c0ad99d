// `cdclake up`: one process runs producer, consumer and merge with one configuration and serves one
// /metrics, /health and /ready. Changes made while it runs reach bronze; SIGTERM stops the stages in the
// order data flows and exits 0; started again, it goes on where it stopped. Started before the source
// has any table, it waits for the first.

import { afterAll, expect, test } from 'vitest';
import type { Config } from '../../core/config.ts';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { createSourceWithLake, type SourceFixture } from '../support/postgres-source.ts';
import { startCdclake, type Child } from '../support/processes.ts';
import { waitUntil as waitFor } from '../support/wait.ts';
import { METRICS } from '../../core/metric-catalog.ts';
import { monitoringMetricNames } from '../support/monitoring.ts';

const waitUntil = (what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> =>
  waitFor(what, check, ms, 500);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A source database of the test's own, and a lake whose catalog is a PostgreSQL database of its own. */
async function sourceAndLake(): Promise<{ f: SourceFixture; config: Config }> {
  const f = await createSourceWithLake();
  cleanups.push(() => f.cleanup());
  return { f, config: f.config };
}

async function bronzeEqualsSource(config: Config, tables: string[]): Promise<boolean> {
  const compared = await compareBronzeWithPostgres(config, tables);
  return compared.every(
    (t) => t.onlyInBronze === 0 && t.onlyInPostgres === 0 && t.bronzeRows === t.postgresRows,
  );
}

test('up runs the whole pipeline in one process, stops in order on SIGTERM and resumes', async () => {
  const { f, config } = await sourceAndLake();
  const port = config.METRICS_PORT;
  const env = {
    MERGE_EVERY: '1s',
    PRODUCER_TABLE_REFRESH_MS: '1000',
    CONSUMER_TOPIC_REFRESH_MS: '1000',
    LOG_LEVEL: 'info',
  };

  const start = (): Child => {
    const child = startCdclake(config, ['up'], env);
    cleanups.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
    return child;
  };
  // Started on a database with no tables yet, as a stack started before its application: it waits for them.
  let up = start();
  const base = `http://127.0.0.1:${port}`;
  await waitUntil('/health', async () => (await fetch(`${base}/health`)).status === 200);
  await f.sql('create table items (id int primary key, name text, qty int)');
  await f.sql("insert into items select i, 'item ' || i, i from generate_series(1, 2000) i");
  await waitUntil('/ready', async () => (await fetch(`${base}/ready`)).status === 200);
  await f.sql('update items set qty = qty * 10 where id % 3 = 0');
  await f.sql('delete from items where id % 7 = 0');
  // A table created while it runs is found and captured too.
  await f.sql('create table notes (id int primary key, body text)');
  await f.sql("insert into notes select i, 'note ' || i from generate_series(1, 100) i");
  await waitUntil('bronze to equal the source', () => bronzeEqualsSource(config, ['items', 'notes']));

  const metrics = await (await fetch(`${base}/metrics`)).text();
  for (const name of ['cdclake_producer_', 'cdclake_consumer_', 'cdclake_merge_'])
    expect(metrics).toContain(name);
  // Every metric the alert rules and the Grafana dashboard query is served, with its kind.
  for (const name of monitoringMetricNames())
    expect(metrics, name).toContain(`# TYPE ${name} ${METRICS[name as keyof typeof METRICS].kind}`);
  // ... and the ones they watch have values: freshness per merged table, the slot's lag, the last pass.
  expect(metrics).toMatch(/^cdclake_merge_newest_change_timestamp_seconds\{table="items"\} 1\d{9}(\.\d+)?$/m);
  expect(metrics).toMatch(/^cdclake_producer_slot_lag_bytes \d+$/m);
  expect(metrics).toMatch(/^cdclake_merge_last_pass_timestamp_seconds 1\d{9}(\.\d+)?$/m);
  // Counters the alerts read through increase() are there at 0 before their first increase.
  expect(metrics).toMatch(/^cdclake_consumer_dead_letters_total 0$/m);
  expect(metrics).toMatch(/^cdclake_merge_failures_total\{topic="[^"]+\.public\.items"\} 0$/m);
  expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });

  up.process.kill('SIGTERM');
  expect(await up.exited).toBe(0);
  const log = up.output();
  const order = ['"service":"producer"', '"service":"consumer"', '"service":"merge"'].map((service) =>
    log.lastIndexOf(service),
  );
  expect(log).toContain('stopping: producer, then consumer, then merge');
  expect(order[0]).toBeLessThan(order[2] as number);

  // Changes made while it was down are taken up by the next start.
  await f.sql("insert into items select i, 'late ' || i, 0 from generate_series(3001, 3500) i");
  await f.sql('update notes set body = upper(body)');
  up = start();
  await waitUntil('bronze to equal the source again', () => bronzeEqualsSource(config, ['items', 'notes']));
  up.process.kill('SIGTERM');
  expect(await up.exited).toBe(0);
}, 400_000);

test('up merges as soon as its consumer writes raw objects, not at the next MERGE_EVERY', async () => {
  const { f, config } = await sourceAndLake();
  await f.sql('create table items (id int primary key, name text)');
  await f.sql("insert into items select i, 'item ' || i from generate_series(1, 500) i");
  // An interval far longer than the test: only the consumer's word that raw objects are written can start
  // the passes that bring bronze up to date.
  const up = startCdclake(config, ['up'], { MERGE_EVERY: '1h', LOG_LEVEL: 'info' });
  cleanups.push(async () => {
    up.process.kill('SIGKILL');
    await up.exited;
  });
  await waitUntil('the snapshot in bronze', () => bronzeEqualsSource(config, ['items']), 90_000);
  await f.sql("update items set name = 'changed' where id <= 100");
  await f.sql('delete from items where id > 450');
  await waitUntil('the later changes in bronze', () => bronzeEqualsSource(config, ['items']), 60_000);
  up.process.kill('SIGTERM');
  expect(await up.exited).toBe(0);
}, 300_000);
