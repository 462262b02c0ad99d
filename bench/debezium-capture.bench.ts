// Capture from PostgreSQL beside the industry peer: Debezium's PostgreSQL connector (3.6.1.Final, Kafka
// Connect standalone, pgoutput, its own slot and publication, JsonConverter with schemas as Connect ships it)
// and `cdclake produce --source postgres`, both capturing the same source database, taking turns (each turn
// on a database of its own):
//   1. the initial snapshot of the generator's tables (products, customers, orders) after a workload,
//   2. a streamed backlog of the generator's workload (inserts, updates, deletes, one transaction per order)
//      committed while both are stopped, their slots made before it.
// Each process is measured from its start (the JVM's and Connect's start-up counts for Debezium, Node's for
// cdclake) until Kafka holds every record of the turn: events/s, CPU µs per event (/proc/<pid>/stat) and
// peak RSS. Kafka's end offsets tell when a turn is done: the snapshot's rows; for the stream, as many records
// as cdclake wrote for the same backlog (both write a tombstone after each delete).
// Writes bench/results/debezium-capture.json.
// Run: npx tsx bench/debezium-capture.bench.ts [--scale X]     (scale 1 = 100,000 orders, then 100,000 more)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../core/config.ts';
import { freePort } from '../core/free-port.ts';
import { createKafka } from '../core/kafka/client.ts';
import { createLogger } from '../core/logger.ts';
import { connectPostgres } from '../core/postgres-client.ts';
import { sqlFile } from '../core/sql-files.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import type pg from 'pg';
import { createDatabase, dropDatabase, dropSlot, sourceRows } from '../scripts/demo/postgres-admin.ts';
import { installDebezium, startDebeziumConnector } from '../scripts/services/debezium.ts';
import { Home } from '../scripts/services/home.ts';
import { DEBEZIUM_VERSION } from '../scripts/services/versions.ts';
import {
  argNumber,
  cpuSeconds,
  deleteTopics,
  peakRssKb,
  producerEventsOut,
  progress,
  runCdclakeMeasured,
  table,
  writeResults,
  type Stage,
} from './support.ts';

const scale = argNumber('scale', 1);
const orders = Math.round(100_000 * scale);
const GENERATOR_TABLES = ['products', 'customers', 'orders'];
const note = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const base = resolveConfig({ LOG_LEVEL: 'error', ...process.env });
const run = `dbzcap${Date.now().toString(36)}`;

/** One turn's source database, and the names cdclake (`c`) and Debezium (`d`) use on it. */
interface Source {
  database: string;
  url: string;
  tables: string[];
  ours: string;
  theirs: string;
}

function source(turn: string, tables: string[]): Source {
  const url = new URL(base.PG_URL);
  url.pathname = `/${run}${turn}`;
  return {
    database: `${run}${turn}`,
    url: url.toString(),
    tables,
    ours: `${run}${turn}_c`,
    theirs: `${run}${turn}_d`,
  };
}

const producerEnv = (s: Source, port: number): Record<string, string> => ({
  PG_URL: s.url,
  PG_SLOT: s.ours,
  PG_PUBLICATION: s.ours,
  PG_TABLES: s.tables.map((t) => `public.${t}`).join(','),
  CDC_TOPIC_PREFIX: s.ours,
  LOG_LEVEL: 'info',
  METRICS_PORT: String(port),
});

const kafka = createKafka(base);
/** A Kafka admin client of the turn's own: kafkajs keeps asking for the metadata of topics deleted since. */
let admin = kafka.admin();

/** Records on the table topics of a prefix (end offsets less start offsets, summed): not cdclake's own `_` topics. */
async function recordsUnder(prefix: string): Promise<number> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.public.`));
  let total = 0;
  for (const topic of topics) {
    // A topic Connect has just made may not be known everywhere yet: it holds nothing worth counting.
    const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
    for (const p of offsets) total += Number(p.high) - Number(p.low);
  }
  return total;
}

interface Turn {
  seconds: number;
  cpu: number;
  rssMb: number;
}

/**
 * Debezium from its start until its topics hold `records` records: the first start in `workDir` snapshots,
 * a later one resumes from the offsets file there. It is stopped once its snapshot is committed as done, so
 * a later start streams.
 */
async function debeziumTurn(s: Source, workDir: string, records: number, what: string): Promise<Turn> {
  const url = new URL(base.PG_URL);
  const started = performance.now();
  const connector = await startDebeziumConnector(new Home(base.CDCLAKE_HOME), {
    bootstrapServers: base.KAFKA_BROKERS.join(','),
    postgres: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: s.database,
    },
    name: s.theirs,
    topicPrefix: s.theirs,
    slotName: s.theirs,
    publicationName: s.theirs,
    tables: s.tables.map((t) => `public\\.${t}`),
    schemasEnable: true,
    workDir,
  });
  const running = (performance.now() - started) / 1000;
  let cpu = 0;
  let rssKb = 0;
  const sampler = setInterval(() => {
    cpu = Math.max(cpu, cpuSeconds(connector.pid));
    rssKb = Math.max(rssKb, peakRssKb(connector.pid));
  }, 100);
  try {
    let seen = -1;
    let still = performance.now();
    for (;;) {
      const now = await recordsUnder(s.theirs);
      progress(
        `Debezium, ${what}: ${fmt(now)} of ${fmt(records)} records, ${Math.round((performance.now() - started) / 1000)} s`,
      );
      if (now >= records) break;
      if (now !== seen) [seen, still] = [now, performance.now()];
      else if (performance.now() - still > 60_000)
        throw new Error(
          `Debezium wrote no record for 60 s at ${fmt(now)} of ${fmt(records)}; see ${connector.log}`,
        );
      await sleep(200);
    }
    const seconds = (performance.now() - started) / 1000;
    note(
      `\nDebezium, ${what}: ${seconds.toFixed(1)} s, of which ${running.toFixed(1)} s until Connect ran its task`,
    );
    const turn = {
      seconds,
      cpu: Math.max(cpu, cpuSeconds(connector.pid)),
      rssMb: Math.round(Math.max(rssKb, peakRssKb(connector.pid)) / 1024),
    };
    // Not measured: the snapshot committed as done, so the next start streams rather than snapshots again.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
      const offset = (await connector.offsets().catch(() => []))[0]?.offset;
      if (offset !== undefined && (offset['snapshot_completed'] === true || !('snapshot' in offset))) break;
    }
    return turn;
  } finally {
    clearInterval(sampler);
    await connector.stop();
  }
}

const measured = (m: { seconds: number; cpuSeconds: number; peakRssMb: number }): Turn => ({
  seconds: m.seconds,
  cpu: m.cpuSeconds,
  rssMb: m.peakRssMb,
});

/** The generator's workload committed into a source database. */
async function generate(s: Source, seed: string): Promise<number> {
  const config = resolveConfig({ ...process.env, PG_URL: s.url, LOG_LEVEL: 'warn' });
  const summary = await runGeneratorWorkload(
    config,
    { target: 'postgres', orders: String(orders), seed },
    createLogger('bench', 'warn'),
  );
  return summary.events;
}

/** 1. The initial snapshot of the generator's tables after its workload: cdclake (until idle), then Debezium. */
async function snapshotTurn(
  s: Source,
  client: pg.Client,
  workDir: string,
): Promise<{ rows: number; turns: [Turn, Turn] }> {
  progress(`the generator's workload of ${fmt(orders)} orders into PostgreSQL...`);
  await generate(s, '1');
  const rows = [...(await sourceRows(client, 'public', s.tables)).values()].reduce((a, b) => a + b, 0);
  note(`\nsnapshot: ${fmt(rows)} rows in ${s.tables.join(', ')}`);
  progress('cdclake produce --source postgres, snapshot...');
  const ours = await runCdclakeMeasured(
    ['produce', '--source', 'postgres', '--until-idle'],
    producerEnv(s, await freePort()),
  );
  const written = await recordsUnder(s.ours);
  if (written !== rows) throw new Error(`cdclake's snapshot wrote ${written} records for ${rows} rows`);
  note(`\ncdclake snapshot: ${ours.seconds.toFixed(1)} s`);
  const theirs = await debeziumTurn(s, workDir, rows, 'snapshot');
  return { rows, turns: [measured(ours), theirs] };
}

/**
 * 2. A backlog committed while both are stopped, their slots made before it (each snapshot of the marker
 * row done), then each resumed: cdclake until it handed Kafka every change, Debezium until its topics hold
 * as many more records as cdclake's (changes and tombstones).
 */
async function streamTurn(
  s: Source,
  client: pg.Client,
  workDir: string,
): Promise<{ changes: number; turns: [Turn, Turn] }> {
  await client.query(sqlFile('bench/create-marker.sql'));
  await runCdclakeMeasured(
    ['produce', '--source', 'postgres', '--until-idle'],
    producerEnv(s, await freePort()),
  );
  await debeziumTurn(s, workDir, 1, 'its slot');
  const [oursBefore, theirsBefore] = [await recordsUnder(s.ours), await recordsUnder(s.theirs)];
  progress(`committing ${fmt(orders)} orders of the generator's workload while both are stopped...`);
  const changes = await generate(s, '2');
  note(`\nbacklog: ${fmt(changes)} changes`);
  const port = await freePort();
  const started = Date.now();
  const ours = await runCdclakeMeasured(
    ['produce', '--source', 'postgres'],
    producerEnv(s, port),
    () =>
      progress(`cdclake produce --source postgres, stream: ${Math.round((Date.now() - started) / 1000)} s`),
    undefined,
    async () => (await producerEventsOut(port)) >= changes,
  );
  const records = (await recordsUnder(s.ours)) - oursBefore;
  note(`\ncdclake stream: ${ours.seconds.toFixed(1)} s, ${fmt(records)} records`);
  const theirs = await debeziumTurn(s, workDir, theirsBefore + records, 'stream');
  return { changes, turns: [measured(ours), theirs] };
}

/** A turn on a database of its own, removed after with its slots, topics and Connect's offsets. */
async function onSource<T>(s: Source, work: (client: pg.Client, workDir: string) => Promise<T>): Promise<T> {
  admin = kafka.admin();
  await admin.connect();
  const pgAdmin = await connectPostgres(base.PG_URL);
  await createDatabase(pgAdmin, s.database);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${s.database}-`));
  try {
    const client = await connectPostgres(s.url);
    try {
      await client.query(sqlFile('generator/create-tables.sql'));
      return await work(client, workDir);
    } finally {
      await client.end();
    }
  } finally {
    for (const slot of [s.ours, s.theirs]) await dropSlot(pgAdmin, slot).catch(() => undefined);
    await sleep(500);
    await dropDatabase(pgAdmin, s.database).catch((error: unknown) =>
      note(`could not drop database ${s.database}: ${String(error)}`),
    );
    await pgAdmin.end();
    await admin.disconnect();
    await deleteTopics(base, s.ours, s.theirs);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

await installDebezium(new Home(base.CDCLAKE_HOME));
const snapshotSource = source('s', GENERATOR_TABLES);
const snapshot = await onSource(snapshotSource, (client, dir) => snapshotTurn(snapshotSource, client, dir));
const streamSource = source('b', [...GENERATOR_TABLES, 'cdclake_marker']);
const stream = await onSource(streamSource, (client, dir) => streamTurn(streamSource, client, dir));
const result = { snapshot, stream };

const peer = `Debezium ${DEBEZIUM_VERSION} PostgreSQL connector (Connect standalone, JSON with schemas)`;
const stages: Stage[] = [];
for (const [what, events, [c, d]] of [
  [`initial snapshot (${fmt(result.snapshot.rows)} rows)`, result.snapshot.rows, result.snapshot.turns],
  [`streamed backlog (${fmt(result.stream.changes)} changes)`, result.stream.changes, result.stream.turns],
] as const) {
  const none = { target: '-', meets: true, vs_target: null };
  stages.push(
    {
      name: `capture beside Debezium, ${what}, from process start`,
      value: events / c.seconds,
      unit: 'events/s',
      peer,
      peer_value: events / d.seconds,
      ratio: d.seconds / c.seconds,
      ...none,
    },
    {
      name: `capture beside Debezium, ${what}, CPU per event`,
      value: (c.cpu / events) * 1e6,
      unit: 'µs',
      peer,
      peer_value: (d.cpu / events) * 1e6,
      ratio: c.cpu / Math.max(d.cpu, 0.01),
      ...none,
    },
    {
      name: `capture beside Debezium, ${what}, peak RSS`,
      value: c.rssMb,
      unit: 'MB',
      peer,
      peer_value: d.rssMb,
      ratio: c.rssMb / Math.max(d.rssMb, 1),
      ...none,
    },
  );
}
process.stdout.write(`\n${table(stages)}\n`);
process.stdout.write(`results: ${writeResults('debezium-capture', scale, stages)}\n`);
process.exit(0);
