// Capture from PostgreSQL, the snapshot (DESIGN.md, performance targets): the scale's orders table (1M rows
// at scale 1) captured by `cdclake produce --source postgres` from a new slot, once with the incremental
// snapshot (chunks by key between watermarks, beside the stream) and once with the single read under the
// slot's exported snapshot, taking turns in one run. A writer commits the same number of changes to another
// captured table in both runs, starting with the snapshot (the stream keeps flowing): a run is done when the
// producer has handed Kafka every snapshot row and every one of those changes (its events counter), so both
// do the same work, and the exported run pays for the stream it held back. Writes bench/results/snapshot.json.
// Run: npx tsx bench/snapshot.bench.ts [--scale X] [--rows N]

import { resolveConfig } from '../core/config.ts';
import { freePort } from '../core/free-port.ts';
import { connectPostgres } from '../core/postgres-client.ts';
import { renderSql, sqlFile } from '../core/sql-files.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, dropDatabase, dropSlot, slotConfirmed } from '../scripts/demo/postgres-admin.ts';
import {
  argNumber,
  deleteTopics,
  producerEventsOut,
  atLeast,
  progress,
  runCdclakeMeasured,
  table,
  writeResults,
  type Stage,
} from './support.ts';

const TARGET_ROWS_PER_SECOND = 100_000;
const TARGET_RATIO = 0.8;

const scale = argNumber('scale', 1);
const rows = Math.round(argNumber('rows', 1_000_000) * scale);
/** Changes the writer commits during each run, one transaction each. */
const STREAM_CHANGES = Math.round(argNumber('changes', 20_000) * scale);
/** stream_load's own rows, snapshotted too. */
const STREAM_ROWS = 1000;
const note = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const base = resolveConfig({ LOG_LEVEL: 'error', ...process.env });
const id = `snapbench${Date.now().toString(36)}`;
const sourceUrl = (() => {
  const url = new URL(base.PG_URL);
  url.pathname = `/${id}`;
  return url.toString();
})();

interface Run {
  mode: 'incremental' | 'exported';
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  cpuSeconds: number;
  snapshotRows: number;
  streamed: number;
}

/**
 * STREAM_CHANGES changes of stream_load, committed one by one (the stream beside the snapshot), from the
 * moment the producer's slot exists: every one of them is then a streamed event in either mode.
 */
async function keepStreaming(slot: string, until: { stop: boolean }): Promise<number> {
  const client = await connectPostgres(sourceUrl);
  let changes = 0;
  try {
    while (!until.stop && (await slotConfirmed(client, slot)) === undefined) await sleep(20);
    while (!until.stop && changes < STREAM_CHANGES) {
      await client.query(sqlFile('bench/touch-stream-load.sql'), [1 + (changes % 1000)]);
      changes++;
    }
  } finally {
    await client.end();
  }
  return changes;
}

async function measure(mode: Run['mode']): Promise<Run> {
  const slot = `${id}_${mode}`;
  const until = { stop: false };
  const streaming = keepStreaming(slot, until);
  const started = Date.now();
  const port = await freePort();
  const result = await runCdclakeMeasured(
    ['produce', '--source', 'postgres'],
    {
      PG_URL: sourceUrl,
      PG_SLOT: slot,
      PG_PUBLICATION: slot,
      PG_TABLES: 'public.orders,public.stream_load',
      PG_SNAPSHOT_MODE: mode,
      CDC_TOPIC_PREFIX: slot,
      LOG_LEVEL: 'info',
      METRICS_PORT: String(port),
    },
    () => progress(`${mode} snapshot of ${fmt(rows)} rows: ${Math.round((Date.now() - started) / 1000)} s`),
    undefined,
    async () => (await producerEventsOut(port)) >= rows + STREAM_ROWS + STREAM_CHANGES,
  );
  until.stop = true;
  const streamed = await streaming;
  progress('');
  const stopped = /"snapshotRows":(\d+)/.exec(result.output);
  const snapshotRows = Number(stopped?.[1] ?? 0);
  if (snapshotRows < rows)
    throw new Error(`${mode}: ${snapshotRows} snapshot rows, expected at least ${rows}`);
  return {
    mode,
    seconds: result.seconds,
    rowsPerSecond: rows / result.seconds,
    peakRssMb: result.peakRssMb,
    cpuSeconds: result.cpuSeconds,
    snapshotRows,
    streamed,
  };
}

const admin = await connectPostgres(base.PG_URL);
await createDatabase(admin, id);
const runs: Run[] = [];
try {
  const source = await connectPostgres(sourceUrl);
  try {
    note(`snapshot bench: ${fmt(rows)} orders rows (scale ${scale}) in database ${id}`);
    await source.query(sqlFile('generator/create-tables.sql'));
    await source.query(renderSql('bench/fill-orders.sql', { rows: { raw: String(rows) } }));
    await source.query(sqlFile('bench/create-stream-load.sql'));
    await source.query('VACUUM ANALYZE public.orders');
  } finally {
    await source.end();
  }
  for (const mode of ['exported', 'incremental'] as const) {
    const run = await measure(mode);
    runs.push(run);
    note(
      `${mode}: ${fmt(run.snapshotRows)} snapshot rows and ${fmt(run.streamed)} streamed changes on Kafka ` +
        `${run.seconds.toFixed(2)} s after the start (from a new slot), ${fmt(run.rowsPerSecond)} snapshot rows/s, ` +
        `${((run.cpuSeconds / (rows + STREAM_ROWS + run.streamed)) * 1e6).toFixed(1)} µs of CPU per event, peak RSS ${run.peakRssMb} MB`,
    );
  }
} finally {
  for (const mode of ['exported', 'incremental'])
    await dropSlot(admin, `${id}_${mode}`).catch(() => undefined);
  await dropDatabase(admin, id).catch((error: unknown) =>
    note(`could not drop database ${id}: ${String(error)}`),
  );
  await admin.end();
  await deleteTopics(base, id);
}

const [exported, incremental] = runs as [Run, Run];
const ratio = incremental.rowsPerSecond / exported.rowsPerSecond;
const stages: Stage[] = [
  {
    name: `incremental snapshot of orders (${fmt(rows)} rows, ${fmt(STREAM_CHANGES)} changes streamed meanwhile)`,
    value: incremental.rowsPerSecond,
    unit: 'rows/s',
    peer: 'single read under the exported snapshot, then the held-back stream; same table and changes, same run',
    peer_value: exported.rowsPerSecond,
    ratio,
    target: `>= ${fmt(TARGET_ROWS_PER_SECOND)} rows/s, ratio >= ${TARGET_RATIO}`,
    meets: incremental.rowsPerSecond >= TARGET_ROWS_PER_SECOND && ratio >= TARGET_RATIO,
    vs_target: atLeast(incremental.rowsPerSecond, TARGET_ROWS_PER_SECOND),
  },
  {
    name: 'incremental snapshot, producer CPU per event (snapshot rows and streamed changes)',
    value: (incremental.cpuSeconds / (rows + STREAM_ROWS + incremental.streamed)) * 1e6,
    unit: 'µs',
    peer: 'CPU per event with the exported snapshot',
    peer_value: (exported.cpuSeconds / (rows + STREAM_ROWS + exported.streamed)) * 1e6,
    ratio:
      incremental.cpuSeconds /
      (rows + STREAM_ROWS + incremental.streamed) /
      (exported.cpuSeconds / (rows + STREAM_ROWS + exported.streamed)),
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: 'producer peak RSS, incremental snapshot',
    value: incremental.peakRssMb,
    unit: 'MB',
    peer: 'peak RSS with the exported snapshot',
    peer_value: exported.peakRssMb,
    ratio: incremental.peakRssMb / exported.peakRssMb,
    target: '-',
    meets: true,
    vs_target: null,
  },
];
process.stdout.write(`\n${table(stages)}\n`);
process.stdout.write(`results: ${writeResults('snapshot', scale, stages)}\n`);
