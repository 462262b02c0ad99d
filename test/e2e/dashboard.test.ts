// The live dashboard `cdclake up` serves at /, in headless Chromium during a live run: the stages show
// their rates and charts while changes flow; once they are in bronze, every figure the page took from a
// metric equals /metrics, the rows in the lake equal the source, every partition's lag is 0, the table's
// freshness is shown, and a table the producer refuses appears among the last problems. The screenshot is
// kept in .cdclake/artifacts/dashboard.png.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { launchChromium, parseMetrics } from '../support/browser.ts';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { createSourceWithLake } from '../support/postgres-source.ts';
import { startCdclake } from '../support/processes.ts';
import { waitUntil } from '../support/wait.ts';

const ARTIFACTS = path.resolve('.cdclake', 'artifacts');

/** Figures that move on their own while nothing changes (clocks, the slot's WAL position): not compared. */
const MOVING = new Set([
  'cdclake_producer_slot_lag_bytes',
  'cdclake_consumer_batch_age_seconds',
  'cdclake_merge_last_pass_timestamp_seconds',
  'cdclake_merge_duration_seconds',
]);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

test('the dashboard shows a live run, and its figures equal /metrics and the source', async () => {
  const f = await createSourceWithLake();
  cleanups.push(() => f.cleanup());
  const config = f.config;
  await f.sql('create table items (id int primary key, name text, qty int)');
  await f.sql("insert into items select i, 'item ' || i, i from generate_series(1, 1000) i");
  const up = startCdclake(config, ['up'], {
    MERGE_EVERY: '1s',
    PRODUCER_TABLE_REFRESH_MS: '1000',
    CONSUMER_TOPIC_REFRESH_MS: '1000',
    LOG_LEVEL: 'info',
  });
  cleanups.push(async () => {
    up.process.kill('SIGKILL');
    await up.exited;
  });
  const base = `http://127.0.0.1:${config.METRICS_PORT}`;
  await waitUntil(
    '/ready',
    async () => (await fetch(`${base}/ready`).catch(() => undefined))?.status === 200,
    120_000,
  );

  // Changes flow while the page is open: inserts and updates, a batch every 100 ms.
  let writing = true;
  let next = 1001;
  const writer = (async () => {
    while (writing) {
      await f.sql(
        `insert into items select i, 'item ' || i, i from generate_series($1::int, $1::int + 49) i`,
        [next],
      );
      await f.sql('update items set qty = qty + 1 where id % 97 = $1', [next % 97]);
      next += 50;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // A table the producer cannot capture (its name cannot name a topic): logged as an error, listed on the page.
  await f.sql('create table "bad name" (id int primary key)');

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('requestfailed', (request) => {
    if (!request.url().startsWith(base)) pageErrors.push(`a request outside cdclake: ${request.url()}`);
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto(base);
  expect(await page.title()).toBe('cdclake');

  const rateOf = async (stage: string): Promise<number> =>
    Number((await page.locator(`[data-rate="${stage}"]`).innerText()).split(' ')[0]?.replaceAll(',', ''));
  await waitUntil(
    'the producer, consumer and merge rates above 0 on the page',
    async () =>
      (await rateOf('producer')) > 0 && (await rateOf('consumer')) > 0 && (await rateOf('merge')) > 0,
    120_000,
    500,
  );
  // Each stage draws its rate over the last minutes: once 20 s of samples are kept, a line of ten points.
  const points = async (stage: string): Promise<number> =>
    (await page.locator(`#stage-${stage} svg.spark polyline`).getAttribute('points'))?.split(' ').length ?? 0;
  await waitUntil('20 s of samples in the charts', async () => (await points('merge')) >= 10, 60_000, 500);
  for (const stage of ['producer', 'consumer', 'merge'])
    expect(await points(stage), stage).toBeGreaterThanOrEqual(10);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png'), fullPage: true });

  writing = false;
  await writer;
  const [{ count: sourceRows }] = (await f.sql('select count(*)::int as count from items')).rows as [
    { count: number },
  ];
  await waitUntil(
    'bronze to equal the source',
    async () => {
      const [t] = await compareBronzeWithPostgres(config, ['items']);
      return (
        t !== undefined && t.onlyInBronze === 0 && t.onlyInPostgres === 0 && t.bronzeRows === t.postgresRows
      );
    },
    180_000,
    1000,
  );
  // The merge counts a table's rows at most every 15 s after a pass changed it.
  await waitUntil(
    'cdclake_lake_rows of items to equal the source',
    async () =>
      parseMetrics(await (await fetch(`${base}/metrics`)).text()).get(
        'cdclake_lake_rows{layer="bronze",table="items"}',
      ) === sourceRows,
    60_000,
    1000,
  );
  // Nothing moves any more but the clocks: the page's next refresh is compared with /metrics read after it.
  const shownAt = Number(await page.locator('body').getAttribute('data-at'));
  await waitUntil(
    'a refresh of the page',
    async () => Number(await page.locator('body').getAttribute('data-at')) > shownAt + 1000,
    30_000,
    250,
  );
  const figures = await page.locator('[data-metric]').evaluateAll((nodes) =>
    nodes.map((n) => ({
      metric: n.getAttribute('data-metric') ?? '',
      sum: n.getAttribute('data-sum') === 'true',
      value: Number(n.getAttribute('data-value')),
      text: n.textContent ?? '',
    })),
  );
  const metrics = parseMetrics(await (await fetch(`${base}/metrics`)).text());
  const compared = new Set<string>();
  for (const shown of figures) {
    const name = shown.metric.split('{')[0] ?? '';
    if (MOVING.has(name)) continue;
    const expected = shown.sum
      ? [...metrics].filter(([key]) => key.split('{')[0] === name).reduce((sum, [, v]) => sum + v, 0)
      : metrics.get(shown.metric);
    expect(shown.value, shown.metric).toBe(expected);
    compared.add(name);
  }
  for (const name of [
    'cdclake_producer_events_total',
    'cdclake_consumer_events_in_total',
    'cdclake_consumer_lag',
    'cdclake_consumer_dead_letters_total',
    'cdclake_merge_raw_rows_total',
    'cdclake_merge_bronze_rows_total',
    'cdclake_lake_rows',
    'cdclake_producer_tables_refused',
  ])
    expect(compared, name).toContain(name);

  // The rows in bronze as the page shows them are the source's rows.
  const bronzeRows = page.locator('[data-metric=\'cdclake_lake_rows{layer="bronze",table="items"}\']');
  expect(await bronzeRows.innerText()).toBe(sourceRows.toLocaleString('en-US'));
  // Every partition of the table's topic is listed, none behind.
  const lag = figures.filter((f) => f.metric.startsWith('cdclake_consumer_lag{'));
  expect(lag.length).toBe(config.KAFKA_PARTITIONS);
  expect(lag.every((l) => l.value === 0 && l.text === '0')).toBe(true);
  // The table's freshness is shown, and the refused table among the last problems.
  expect(await page.locator('[data-freshness="items"]').innerText()).toMatch(/^\d/);
  const problems = await page.locator('#problems').innerText();
  expect(problems).toContain('table not captured');
  expect(problems).toContain('bad name');
  expect(problems).not.toContain('Limiting retries');
  expect(await page.locator('#health').innerText()).toBe('ok');
  expect(pageErrors).toEqual([]);

  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  up.process.kill('SIGTERM');
  expect(await up.exited).toBe(0);
}, 600_000);
