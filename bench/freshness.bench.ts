// End-to-end freshness: source commit -> visible in bronze, while the star-schema generator writes into
// PostgreSQL at a steady rate and `cdclake up` (producer, consumer and merge in one process) runs as users
// run it. A probe row is committed in its own transaction every PROBE_MS; the bench polls
// bronze.cdclake_probe and takes, per probe, the time from its commit to its first sight in bronze (a poll
// every POLL_MS, so each figure is late by up to that much). The lake's catalog is in PostgreSQL, so the bench
// reads it while the merge writes it. Also: the peak RSS of each process of the pipeline.
//   npx tsx bench/freshness.bench.ts [--rate 10000] [--seconds 60]   (BENCH_LOG_LEVEL=info keeps the logs)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../core/config.ts';
import { freePort } from '../core/free-port.ts';
import { connectPostgres } from '../core/postgres-client.ts';
import { postgresConninfo } from '../core/postgres-conninfo.ts';
import { integer, renderSql } from '../core/sql-files.ts';
import { openLake } from '../merge/lake.ts';
import { CdclakeChild, describeExit } from '../scripts/demo/child-process.ts';
import { createDatabase, dropDatabase, dropSlot } from '../scripts/demo/postgres-admin.ts';
import { scrape } from '../scripts/demo/stage-metrics.ts';
import {
  argNumber,
  atLeast,
  atMost,
  bar,
  peakRssKb,
  progress,
  table,
  writeResults,
  type Stage,
} from './support.ts';

const RATE = argNumber('rate', 10_000);
const SECONDS = argNumber('seconds', 60);
const PROBE_MS = 200;
const POLL_MS = 100;
const TARGET_P99_S = 2;
/** Seconds between the first probe through and the measured window (see the warm-up below). */
const SETTLE_S = 20;
/** DESIGN.md's peer: Kafka Connect's S3 sink writes a file per rotation, commonly minutes; not run here. */
const PEER_SECONDS = 600;

const base = resolveConfig();
const id = `fresh_${Date.now().toString(36)}`;
const catalogDb = `${id}_lake`;

function databaseUrl(name: string): URL {
  const url = new URL(base.PG_URL);
  url.pathname = `/${name}`;
  return url;
}

const env: Record<string, string> = {
  PG_URL: databaseUrl(id).toString(),
  PG_SLOT: id,
  PG_PUBLICATION: id,
  CDC_TOPIC_PREFIX: id,
  RAW_PREFIX: `bench/${id}/raw/`,
  LAKE_CATALOG: `postgres:${postgresConninfo(base.PG_URL, catalogDb)}`,
  LAKE_DATA_PATH: `s3://${base.S3_BUCKET}/bench/${id}/lake/`,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `cdclake-${id}-`));
/** Each process of the pipeline, as the demo runs them, with its peak RSS so far. */
const running: { child: CdclakeChild; peakKb: number }[] = [];

async function start(name: string, args: string[]): Promise<CdclakeChild> {
  const child = new CdclakeChild(name, args, {
    env,
    metricsPort: await freePort(),
    logFile: path.join(logDir, `${name}.log`),
  });
  running.push({ child, peakKb: 0 });
  return child;
}

function sampleRss(): void {
  for (const entry of running) entry.peakKb = Math.max(entry.peakKb, peakRssKb(entry.child.pid));
}

async function stopAll(): Promise<void> {
  await Promise.all(running.map((entry) => entry.child.stop(20_000)));
}

function failIfExited(): void {
  for (const { child } of running) {
    if (!child.running)
      throw new Error(`${child.command} ended early (${describeExit(child.exit)}):\n${child.tail(40)}`);
  }
}

/** Change events the consumer has read so far, from its /metrics. */
async function consumed(consumer: CdclakeChild): Promise<number> {
  const metrics = await scrape(consumer.metricsPort);
  const events = metrics?.get('cdclake_consumer_events_in_total');
  if (events === undefined)
    throw new Error(`the consumer's /metrics did not answer (its log: ${consumer.logFile})`);
  return events;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const admin = await connectPostgres(base.PG_URL);
await createDatabase(admin, id);
await createDatabase(admin, catalogDb);
const source = await connectPostgres(databaseUrl(id).toString());
const rssTimer = setInterval(sampleRss, 250);
const committed = new Map<number, number>();
const freshness: { at: number; seconds: number }[] = [];
let lake: Awaited<ReturnType<typeof openLake>> | undefined;
let deliveredRate = 0;
let measured = false;
try {
  await source.query(renderSql('bench/create-probe.sql', {}));
  // The generator runs longer than warm-up, measurement and drain, and is stopped at the end: the workload
  // makes about 1.3 change events per order (1M orders, 1.31M events).
  const orders = Math.ceil((RATE * (SECONDS + SETTLE_S + 180)) / 1.3);
  await start('generator', [
    'produce',
    '--source',
    'generator',
    '--target',
    'postgres',
    '--orders',
    String(orders),
    '--rate',
    String(RATE),
  ]);
  while ((await source.query<{ n: number }>(renderSql('bench/source-ready.sql', {}))).rows[0]?.n !== 1) {
    failIfExited();
    await sleep(200);
  }
  const consumer = await start('up', ['up']);

  let nextId = 1;
  const probe = async (): Promise<void> => {
    const probeId = nextId++;
    await source.query(renderSql('bench/insert-probe.sql', {}), [probeId]);
    committed.set(probeId, Date.now());
  };
  // Probes travel through several partitions, so they may reach bronze out of order: every id from the
  // lowest one not seen yet is read again, and each counts once.
  let lastSeen = 0;
  let lowestUnseen = 1;
  const seen = new Set<number>();
  const poll = async (): Promise<void> => {
    if (lake === undefined) {
      const session = await openLake(resolveConfig({ ...process.env, ...env }));
      lake = session;
    }
    const exists = await lake.connection.runAndReadAll(renderSql('bench/probe-table-exists.sql', {}));
    if ((exists.getRowObjectsJS()[0] as { n: number }).n === 0) return;
    const reader = await lake.connection.runAndReadAll(
      renderSql('bench/visible-probes.sql', { from: integer(lowestUnseen) }),
    );
    const now = Date.now();
    for (const row of reader.getRowObjectsJS() as { id: bigint }[]) {
      const probeId = Number(row.id);
      if (seen.has(probeId)) continue;
      seen.add(probeId);
      while (seen.has(lowestUnseen)) lowestUnseen++;
      const at = committed.get(probeId);
      if (at !== undefined && measuring(probeId)) freshness.push({ at, seconds: (now - at) / 1000 });
      lastSeen = Math.max(lastSeen, probeId);
    }
  };

  // Warm-up: the pipeline runs until a probe has gone all the way, then SETTLE_S more, so the backlog the
  // generator built while the other processes started is worked off; then the measured window begins.
  let firstMeasured = Number.POSITIVE_INFINITY;
  let lastMeasured = Number.POSITIVE_INFINITY;
  const measuring = (probeId: number): boolean => probeId >= firstMeasured && probeId <= lastMeasured;
  const warmupStarted = Date.now();
  while (lastSeen === 0) {
    failIfExited();
    await probe();
    await poll();
    progress(`freshness: warming up (${Math.round((Date.now() - warmupStarted) / 1000)} s)`);
    if (Date.now() - warmupStarted > 180_000) throw new Error('no probe reached bronze within 3 minutes');
    await sleep(PROBE_MS);
  }
  const settleStarted = Date.now();
  while (Date.now() - settleStarted < SETTLE_S * 1000) {
    failIfExited();
    await probe();
    await poll();
    progress(`freshness: settling ${bar(Date.now() - settleStarted, SETTLE_S * 1000)}`);
    await sleep(PROBE_MS);
  }
  firstMeasured = nextId;
  const windowStart = Date.now();
  const consumedAtStart = await consumed(consumer);
  let lastProbe = 0;
  while (Date.now() - windowStart < SECONDS * 1000) {
    failIfExited();
    if (Date.now() - lastProbe >= PROBE_MS) {
      lastProbe = Date.now();
      await probe();
    }
    await poll();
    const sorted = freshness.map((f) => f.seconds).sort((a, b) => a - b);
    progress(
      `freshness ${bar(Date.now() - windowStart, SECONDS * 1000)} ${Math.round((Date.now() - windowStart) / 1000)}/${SECONDS} s, ${freshness.length} probes seen, ` +
        `p50 ${percentile(sorted, 50).toFixed(2)} s, p99 ${percentile(sorted, 99).toFixed(2)} s`,
    );
    await sleep(POLL_MS);
  }
  lastMeasured = nextId - 1;
  deliveredRate = ((await consumed(consumer)) - consumedAtStart) / ((Date.now() - windowStart) / 1000);
  const drainStarted = Date.now();
  while (lowestUnseen <= lastMeasured && Date.now() - drainStarted < 60_000) {
    await poll();
    await sleep(POLL_MS);
  }
  progress('');
  const lost = lastMeasured - firstMeasured + 1 - freshness.length;
  if (lost > 0) throw new Error(`${lost} probes did not reach bronze within 60 s of the window's end`);
  measured = true;
} finally {
  clearInterval(rssTimer);
  sampleRss();
  lake?.close();
  await stopAll();
  await dropSlot(admin, id).catch(() => undefined);
  await source.end().catch(() => undefined);
  await dropDatabase(admin, id).catch(() => undefined);
  await dropDatabase(admin, catalogDb).catch(() => undefined);
  await admin.end();
  // The processes' logs are kept when the run failed, to show why.
  if (measured && process.env.BENCH_LOG_LEVEL === undefined)
    fs.rmSync(logDir, { recursive: true, force: true });
  else process.stderr.write(`\nthe pipeline's logs: ${logDir}\n`);
}

const sorted = freshness.map((f) => f.seconds).sort((a, b) => a - b);
const p50 = percentile(sorted, 50);
const p99 = percentile(sorted, 99);
const peer = `Kafka Connect S3 sink, rotation ${PEER_SECONDS / 60} min (documented, not run)`;
const stages: Stage[] = [
  {
    name: 'change events through the pipeline during the freshness run',
    value: deliveredRate,
    unit: 'events/s',
    peer: 'generator rate asked for',
    peer_value: RATE,
    ratio: deliveredRate / RATE,
    target: `${RATE.toLocaleString('en-US')} events/s steady`,
    meets: deliveredRate >= RATE * 0.95,
    vs_target: atLeast(deliveredRate, RATE),
  },
  {
    name: `end-to-end freshness p50 at ${RATE.toLocaleString('en-US')} events/s`,
    value: p50,
    unit: 's',
    peer,
    peer_value: PEER_SECONDS,
    ratio: PEER_SECONDS / p50,
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: `end-to-end freshness p99 at ${RATE.toLocaleString('en-US')} events/s`,
    value: p99,
    unit: 's',
    peer,
    peer_value: PEER_SECONDS,
    ratio: PEER_SECONDS / p99,
    target: `p99 <= ${TARGET_P99_S} s`,
    meets: p99 <= TARGET_P99_S,
    vs_target: atMost(p99, TARGET_P99_S),
  },
  ...running.map((entry): Stage => ({
    name: `${entry.child.name} peak RSS (freshness run)`,
    value: Math.round(entry.peakKb / 1024),
    unit: 'MB',
    // DESIGN.md budgets the consumer only (bench/consumer.bench.ts measures it alone); `up` holds all three
    // stages and is shown against the same 300 MB for scale.
    peer: "the consumer's 300 MB budget",
    peer_value: 300,
    ratio: entry.peakKb / 1024 / 300,
    target: entry.child.name === 'consumer' ? '<= 300 MB' : '-',
    meets: entry.child.name === 'consumer' ? entry.peakKb / 1024 <= 300 : true,
    vs_target: entry.child.name === 'consumer' ? atMost(entry.peakKb / 1024, 300) : null,
  })),
];
const file = writeResults('freshness', argNumber('scale', 1), stages);
fs.writeFileSync(
  path.join(path.dirname(file), 'freshness-series.json'),
  JSON.stringify(
    freshness.map((f) => ({ t: (f.at - (freshness[0]?.at ?? 0)) / 1000, seconds: f.seconds })),
    null,
    0,
  ) + '\n',
);
process.stdout.write(
  `${freshness.length} probes over ${SECONDS} s, one every ${PROBE_MS} ms, polled every ${POLL_MS} ms; ` +
    `cdclake up with its defaults\n\n${table(stages)}\n\nresults: ${file}\n`,
);
