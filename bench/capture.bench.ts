// Capture from PostgreSQL, the stream (DESIGN.md, performance targets): a backlog of the generator's workload
// (inserts, updates and deletes over the star schema, one transaction per order) committed while the
// producer is stopped, then read from its slot by `cdclake produce --source postgres`: events/s, CPU µs per
// event and peak RSS of the producer until it has handed Kafka every change. Beside it, in the same run,
// PostgreSQL's own pg_recvlogical reads the same backlog from a second slot made at the same point, with the
// same pgoutput plugin and publication, to /dev/null: what the server delivers when the client does nothing.
// Writes bench/results/capture.json.
// Run: npx tsx bench/capture.bench.ts [--scale X] [--cpu-prof DIR]     (scale 1 = 300,000 orders, about 420,000 changes)

import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../core/config.ts';
import { freePort } from '../core/free-port.ts';
import { createLogger } from '../core/logger.ts';
import { connectPostgres } from '../core/postgres-client.ts';
import { sqlFile } from '../core/sql-files.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import { findBinDir } from '../scripts/services/postgres.ts';
import { createDatabase, currentWalLsn, dropDatabase, dropSlot } from '../scripts/demo/postgres-admin.ts';
import {
  argNumber,
  deleteTopics,
  producerEventsOut,
  argString,
  cpuSeconds,
  peakRssKb,
  progress,
  runCdclakeMeasured,
  table,
  writeResults,
  type Stage,
} from './support.ts';

const scale = argNumber('scale', 1);
const orders = Math.round(300_000 * scale);
const note = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const base = resolveConfig({ LOG_LEVEL: 'error', ...process.env });
const id = `capbench${Date.now().toString(36)}`;
const slot = id;
const peerSlot = `${id}_peer`;
const sourceUrl = (() => {
  const url = new URL(base.PG_URL);
  url.pathname = `/${id}`;
  return url.toString();
})();
const producerEnv = (port: number): Record<string, string> => ({
  PG_URL: sourceUrl,
  PG_SLOT: slot,
  PG_PUBLICATION: slot,
  CDC_TOPIC_PREFIX: id,
  LOG_LEVEL: 'info',
  METRICS_PORT: String(port),
});

const lsnText = (lsn: bigint): string => `${(lsn >> 32n).toString(16)}/${(lsn & 0xffffffffn).toString(16)}`;

/** pg_recvlogical from the peer slot up to `end`, to /dev/null: wall seconds, its CPU seconds and RSS. */
async function recvlogical(end: bigint): Promise<{ seconds: number; cpu: number; rssMb: number }> {
  const bin = findBinDir();
  if (bin === undefined) throw new Error('no PostgreSQL binaries found for pg_recvlogical');
  const started = performance.now();
  const child = spawn(
    path.join(bin, 'pg_recvlogical'),
    [
      `--dbname=${sourceUrl}`,
      `--slot=${peerSlot}`,
      '--start',
      `--endpos=${lsnText(end)}`,
      '--no-loop',
      '--file=/dev/null',
      '--option=proto_version=1',
      `--option=publication_names=${slot}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  let cpu = 0;
  let rssKb = 0;
  const timer = setInterval(() => {
    cpu = Math.max(cpu, cpuSeconds(child.pid));
    rssKb = Math.max(rssKb, peakRssKb(child.pid));
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`pg_recvlogical exited ${code}: ${errors}`);
  return { seconds: (performance.now() - started) / 1000, cpu, rssMb: Math.round(rssKb / 1024) };
}

const admin = await connectPostgres(base.PG_URL);
await createDatabase(admin, id);
let result:
  | {
      events: number;
      cdclake: { seconds: number; cpu: number; rssMb: number };
      peer: { seconds: number; cpu: number; rssMb: number };
    }
  | undefined;
try {
  const source = await connectPostgres(sourceUrl);
  try {
    await source.query(sqlFile('generator/create-tables.sql'));
    // The producer makes its slot and publication, snapshots the empty tables, and is stopped.
    note(`capture bench: slot ${slot} in database ${id}`);
    // --until-idle: it stops once the snapshot is done and the stream caught up.
    await runCdclakeMeasured(
      ['produce', '--source', 'postgres', '--until-idle'],
      producerEnv(await freePort()),
    );
    await source.query(sqlFile('bench/create-peer-slot.sql'), [peerSlot]);

    progress(`committing ${fmt(orders)} orders of the generator's workload while the producer is stopped...`);
    const generated = await runGeneratorWorkload(
      resolveConfig({ ...process.env, PG_URL: sourceUrl, LOG_LEVEL: 'warn' }),
      { target: 'postgres', orders: String(orders) },
      createLogger('bench', 'warn'),
    );
    const end = await currentWalLsn(source);
    note(`\nbacklog: ${fmt(generated.events)} changes, WAL up to ${lsnText(end)}`);

    progress('pg_recvlogical reading the backlog...');
    const peer = await recvlogical(end);
    note(`\npg_recvlogical: ${peer.seconds.toFixed(2)} s`);

    const port = await freePort();
    const started = Date.now();
    const ours = await runCdclakeMeasured(
      ['produce', '--source', 'postgres'],
      producerEnv(port),
      () => progress(`cdclake produce --source postgres: ${Math.round((Date.now() - started) / 1000)} s`),
      argString('cpu-prof'),
      async () => (await producerEventsOut(port)) >= generated.events,
    );
    note(`\ncdclake: ${ours.seconds.toFixed(2)} s, ${ours.cpuSeconds.toFixed(2)} s of CPU`);
    result = {
      events: generated.events,
      cdclake: { seconds: ours.seconds, cpu: ours.cpuSeconds, rssMb: ours.peakRssMb },
      peer,
    };
  } finally {
    await source.end();
  }
} finally {
  for (const name of [slot, peerSlot]) await dropSlot(admin, name).catch(() => undefined);
  // The slots' walsenders may linger a moment after their clients stop.
  await sleep(500);
  await dropDatabase(admin, id).catch((error: unknown) =>
    note(`could not drop database ${id}: ${String(error)}`),
  );
  await admin.end();
  await deleteTopics(base, id);
}

if (result === undefined) throw new Error('the capture bench measured nothing');
const { events, cdclake, peer } = result;
const rate = events / cdclake.seconds;
const peerRate = events / peer.seconds;
const stages: Stage[] = [
  {
    name: `capture from PostgreSQL, streamed backlog (${fmt(events)} changes of the workload)`,
    value: rate,
    unit: 'events/s',
    peer: 'pg_recvlogical reading the same backlog (pgoutput) to /dev/null',
    peer_value: peerRate,
    ratio: rate / peerRate,
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: 'capture from PostgreSQL, streamed backlog, CPU per event',
    value: (cdclake.cpu / events) * 1e6,
    unit: 'µs',
    peer: 'pg_recvlogical (its own process: the server decodes for both)',
    peer_value: (peer.cpu / events) * 1e6,
    ratio: cdclake.cpu / Math.max(peer.cpu, 0.01),
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: 'producer peak RSS, streamed backlog',
    value: cdclake.rssMb,
    unit: 'MB',
    peer: 'pg_recvlogical',
    peer_value: peer.rssMb,
    ratio: cdclake.rssMb / Math.max(peer.rssMb, 1),
    target: '-',
    meets: true,
    vs_target: null,
  },
];
process.stdout.write(`\n${table(stages)}\n`);
process.stdout.write(`results: ${writeResults('capture', scale, stages)}\n`);
process.exit(0);
