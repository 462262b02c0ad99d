// `npm run demo [-- --orders N] [-- --rate EVENTS_PER_S]`: the whole pipeline live on the real services.
// The generator writes the star-schema workload into a source database of the demo's own at a steady
// rate while the producer, the consumer and `merge --every` run beside it, each the `cdclake` command a
// user runs, in its own process; a live view shows each stage's events per second, the consumer's lag,
// the rows of each lake layer and freshness. Once everything has caught up (scripts/demo/catch-up.ts)
// the processes are stopped, the gold tables printed and the replication slot dropped; Ctrl-C stops
// everything the same way at any point. Each run has its own topics, raw prefix and lake, whose catalog
// is a PostgreSQL database beside the source, so the lake can be read while the merge writes it.

import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { resolveConfig } from '../core/config.ts';
import { connectPostgres } from '../core/postgres-client.ts';
import { postgresConninfo } from '../core/postgres-conninfo.ts';
import { starSchemaTables } from '../producer/generator/tables.ts';
import { CatchUp, countersCatchUp, lakeCaughtUp } from './demo/catch-up.ts';
import {
  CdclakeChild,
  cdclakeToTerminal,
  describeExit,
  freePort,
  generatorEvents,
  stopShortLived,
} from './demo/child-process.ts';
import { LakeProbe, type LakeSnapshot } from './demo/lake-probe.ts';
import { LiveView, type ViewState } from './demo/live-view.ts';
import {
  createDatabase,
  currentWalLsn,
  dropSlot,
  slotConfirmed,
  sourceRows,
  sourceTables,
} from './demo/postgres-admin.ts';
import { CounterRate, scrape } from './demo/stage-metrics.ts';

/** How long a stopped process may take to exit before it is killed. */
const STOP_GRACE_MS = 30_000;
const MERGE_EVERY = '2s';
/** The lake is read less often than the metrics: a read lists the raw layer and counts every table. */
const LAKE_READ_EVERY_MS = 3000;
const GOLD = [
  'monthly_revenue',
  'top_products_by_category',
  'rfm_segments',
  'revenue_by_segment_category_quarter',
];

const { values } = parseArgs({
  options: { orders: { type: 'string', default: '20000' }, rate: { type: 'string', default: '2000' } },
});
function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} ${value}: expected a positive integer`);
  return n;
}
const orders = positive('orders', values.orders);
const rate = positive('rate', values.rate);

const ROOT = path.resolve(import.meta.dirname, '..');
const base = resolveConfig();
const id = `demo_${Date.now().toString(36)}`;
const catalogDatabase = `${id}_lake`;
const sourceUrl = new URL(base.PG_URL);
sourceUrl.pathname = `/${id}`;
// libpq's conninfo, as DuckLake's PostgreSQL catalog takes it; printed without its password.
const catalogShown = postgresConninfo(base.PG_URL, catalogDatabase, false);
const catalog = postgresConninfo(base.PG_URL, catalogDatabase);
const logDir = path.join(base.CDCLAKE_HOME, 'demo', id);
const env: Record<string, string> = {
  PG_URL: sourceUrl.toString(),
  PG_SLOT: id,
  PG_PUBLICATION: id,
  CDC_TOPIC_PREFIX: id,
  RAW_PREFIX: `demo/${id}/raw/`,
  LAKE_CATALOG: `postgres:${catalog}`,
  LAKE_DATA_PATH: `s3://${base.S3_BUCKET}/demo/${id}/lake/`,
  // The slot follows the source within a second once the generator is done; topics are found as they appear.
  PRODUCER_HEARTBEAT_MS: '1000',
  CONSUMER_TOPIC_REFRESH_MS: '1000',
  // Silver and gold grow in the live view too, not only at the end (the default is every minute).
  LAKE_MODELS_EVERY: '10s',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const lakeConfig = resolveConfig({ ...process.env, ...env });

// Ctrl-C (SIGINT to the whole process group) and SIGTERM end in the same place: the `finally` below.
const interrupt = new AbortController();
let interruptedBy: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    interruptedBy ??= signal;
    interrupt.abort();
  });
const pause = (ms: number) => sleep(ms, undefined, { signal: interrupt.signal }).catch(() => undefined);

const children = new Map<string, CdclakeChild>();
async function start(name: string, args: string[]): Promise<CdclakeChild> {
  const child = new CdclakeChild(name, args, {
    env,
    metricsPort: await freePort(),
    logFile: path.join(logDir, `${name}.log`),
  });
  children.set(name, child);
  return child;
}

const out = (text: string) => process.stdout.write(text + '\n');
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

fs.mkdirSync(logDir, { recursive: true });
const admin = await connectPostgres(base.PG_URL);
let source: pg.Client | undefined;
let probe: LakeProbe | undefined;
/** A lake read in flight: the lake is closed only after it. */
let probing: Promise<void> | undefined;
let slotDropped = false;
let failure: string | undefined;
let caughtUpAfter: string | undefined;
const started = performance.now();

try {
  await createDatabase(admin, id);
  await createDatabase(admin, catalogDatabase);
  source = await connectPostgres(sourceUrl.toString());
  // Opened before the merge starts, so the catalog's tables are created by one process only.
  probe = await LakeProbe.open(lakeConfig);
  out(
    `\ncdclake demo ${id}: ${orders} orders with their updates and deletes, written at ${rate} events/s into ` +
      `PostgreSQL database ${id}\nThe pipeline runs as one \`cdclake up\`; the logs are in ${path.relative(ROOT, logDir)}/\n`,
  );

  const generator = await start('generator', [
    'produce',
    '--source',
    'generator',
    '--target',
    'postgres',
    '--orders',
    String(orders),
    '--rate',
    String(rate),
  ]);
  // The producer captures the tables that exist when it starts: it waits for the generator's tables.
  const wanted = starSchemaTables.map((t) => t.name);
  while (!interrupt.signal.aborted && generator.running) {
    const present = await sourceTables(source, 'public');
    if (wanted.every((t) => present.includes(t))) break;
    await pause(200);
  }
  // A small workload may be written already: the producer then takes it all in its snapshot.
  if (!interrupt.signal.aborted && (generator.running || generator.exit?.code === 0)) {
    // The pipeline as users run it: producer, consumer and merge in one `cdclake up`.
    await start('up', ['up', '--merge-every', MERGE_EVERY]);
  }
  for (const child of children.values()) out(`  ${child.name.padEnd(10)} $ ${child.command}`);
  out('');

  const rates = {
    generator: new CounterRate(5000),
    producer: new CounterRate(5000),
    consumer: new CounterRate(5000),
    // A merge pass can take seconds: its rate is taken over a longer window.
    merge: new CounterRate(10_000),
  };
  const view = new LiveView(process.stdout, 5000);
  let lake: LakeSnapshot | undefined;
  let lakeStartedAt = 0;
  let lakeNote: string | undefined;
  let lastProbe = 0;
  let walEnd: bigint | undefined;
  let generatorTotal: number | undefined;
  let countersDoneAt: number | undefined;
  let sourceCounts: Map<string, number> | undefined;
  let phase: string = CatchUp.generating;

  while (!interrupt.signal.aborted && failure === undefined && caughtUpAfter === undefined) {
    const tick = performance.now();
    for (const child of children.values()) {
      const ended = child.exit;
      if (ended === undefined || (child === generator && ended.code === 0)) continue;
      failure = `${child.command} ended unexpectedly (${describeExit(ended)}); its log ends:\n${child.tail(15)}`;
    }
    if (failure !== undefined) break;
    if (!generator.running && walEnd === undefined) {
      walEnd = await currentWalLsn(admin);
      generatorTotal = generatorEvents(generator);
    }
    const confirmed = await slotConfirmed(admin, id);
    const slotCaughtUp = walEnd !== undefined && confirmed !== undefined && confirmed >= walEnd;
    // One /metrics for producer, consumer and merge: `up` serves the three stages' counters together.
    const [g, p] = await Promise.all(
      (['generator', 'up'] as const).map((name) => {
        const child = children.get(name);
        return child?.running === true ? scrape(child.metricsPort) : Promise.resolve(undefined);
      }),
    );
    const c = p;
    const m = p;
    const now = performance.now();
    if (g !== undefined) rates.generator.add(g.get('cdclake_generator_events_total') ?? 0, now);
    else if (generatorTotal !== undefined) rates.generator.add(generatorTotal, now);
    if (p !== undefined) rates.producer.add(p.get('cdclake_producer_events_total') ?? 0, now);
    if (c !== undefined) rates.consumer.add(c.get('cdclake_consumer_events_in_total') ?? 0, now);
    if (m !== undefined) rates.merge.add(m.get('cdclake_merge_raw_rows_total') ?? 0, now);
    const lag = c?.get('cdclake_consumer_lag');
    const deadLetters = c?.get('cdclake_consumer_dead_letters_total') ?? 0;
    if (deadLetters > 0) {
      failure =
        `${deadLetters} events went to the dead-letter topic ${id}._dead_letters (its headers say why): ` +
        `bronze cannot equal the source`;
      break;
    }

    if (probing === undefined && now - lastProbe >= LAKE_READ_EVERY_MS) {
      lastProbe = now;
      const begun = now;
      probing = probe
        .read()
        .then(
          (snapshot) => {
            lake = snapshot;
            lakeStartedAt = begun;
            lakeNote = undefined;
          },
          (error: unknown) => {
            lakeNote = `not readable yet: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
          },
        )
        .finally(() => {
          probing = undefined;
        });
    }

    phase = countersCatchUp({
      generatorDone: walEnd !== undefined,
      slotCaughtUp,
      producerEvents: p === undefined ? undefined : rates.producer.total,
      consumerEvents: c === undefined ? undefined : rates.consumer.total,
      consumerLag: lag,
      mergedRawRows: m === undefined ? undefined : rates.merge.total,
    });
    if (phase === CatchUp.bronze) {
      countersDoneAt ??= now;
      sourceCounts ??= await sourceRows(source, 'public', wanted);
      if (lakeCaughtUp({ lake, readBegunAt: lakeStartedAt, countersDoneAt, sourceRows: sourceCounts })) {
        phase = CatchUp.done;
        caughtUpAfter = seconds(started);
      }
    }

    const failures = m?.get('cdclake_merge_failures_total') ?? 0;
    const state: ViewState = {
      title: `cdclake demo ${id}  ·  ${orders} orders at ${rate} events/s`,
      elapsedS: (performance.now() - started) / 1000,
      phase,
      stages: [
        {
          name: 'generator',
          perSecond: generator.running ? rates.generator.perSecond : 0,
          total: rates.generator.total,
          note: generator.running ? 'writing PostgreSQL' : 'done',
        },
        {
          name: 'producer',
          perSecond: rates.producer.perSecond,
          total: rates.producer.total,
          note: slotCaughtUp ? 'slot caught up' : 'to Kafka',
        },
        {
          name: 'consumer',
          perSecond: rates.consumer.perSecond,
          total: rates.consumer.total,
          note: `lag ${lag === undefined ? '-' : lag.toLocaleString('en-US')}`,
        },
        {
          name: 'merge',
          perSecond: rates.merge.perSecond,
          total: rates.merge.total,
          note:
            `every ${MERGE_EVERY}, last pass ${(m?.get('cdclake_merge_duration_seconds') ?? 0).toFixed(2)} s` +
            (failures > 0 ? `, ${failures} table merges failed` : ''),
        },
      ],
      lake,
      lakeNote,
    };
    view.show(state, caughtUpAfter !== undefined);
    if (caughtUpAfter !== undefined) view.release();
    else await pause(Math.max(0, 1000 - (performance.now() - tick)));
  }
  await probing;

  if (caughtUpAfter !== undefined) {
    out(`\nCaught up after ${caughtUpAfter} s. Bronze rows equal the source's:`);
    for (const [table, rows] of sourceCounts ?? [])
      out(
        `  ${table.padEnd(10)} source ${rows.toLocaleString('en-US')}, bronze ${rows.toLocaleString('en-US')}`,
      );
    out('\nStopping the producer, the consumer and the merge (SIGTERM):');
    const stopped = await Promise.all(
      [...children.values()].map(async (child) => ({ child, exit: await child.stop(STOP_GRACE_MS) })),
    );
    for (const { child, exit } of stopped) {
      out(
        `  ${child.name.padEnd(10)} ${describeExit(exit)}${exit.killed ? ' (killed: it did not stop in time)' : ''}`,
      );
      if (exit.killed || exit.code !== 0) failure ??= `${child.command} did not stop cleanly`;
    }
    for (const model of GOLD) {
      if (interrupt.signal.aborted) break;
      const args = ['query', `SELECT * FROM gold.${model} LIMIT 12`];
      out(
        `\n▶ gold.${model}\n  $ cdclake ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`,
      );
      if ((await cdclakeToTerminal(args, env)) !== 0) failure ??= `cdclake query on gold.${model} failed`;
    }
  }
} catch (error: unknown) {
  failure ??= error instanceof Error ? (error.stack ?? error.message) : String(error);
} finally {
  if (interruptedBy !== undefined) out(`\n${interruptedBy}: stopping every process of the demo`);
  stopShortLived();
  const stopped = await Promise.all(
    [...children.values()].map(async (child) => ({ child, exit: await child.stop(STOP_GRACE_MS) })),
  );
  if (interruptedBy !== undefined)
    for (const { child, exit } of stopped)
      out(
        `  ${child.name.padEnd(10)} ${describeExit(exit)}${exit.killed ? ' (killed: it did not stop in time)' : ''}`,
      );
  await probing;
  probe?.close();
  await dropSlot(admin, id)
    .then(() => (slotDropped = true))
    .catch((error: unknown) => {
      out(`could not drop replication slot ${id}: ${error instanceof Error ? error.message : String(error)}`);
    });
  await source?.end().catch(() => undefined);
  await admin.end().catch(() => undefined);
}

/** How to see or stop the services, by where scripts/demo.sh found them. */
const SERVICES_STOP: Record<string, string> = {
  native: 'npm run services -- status | down',
  compose: 'docker compose ps | down',
  environment: "they are the environment's (KAFKA_BROKERS, S3_ENDPOINT, PG_URL)",
};
if (failure !== undefined) out(`\nThe demo failed: ${failure}`);
out(
  `\nThe lake of this run: catalog PostgreSQL database ${catalogDatabase} (LAKE_CATALOG=postgres:${catalogShown}, ` +
    `password as in PG_URL), data under ${env.LAKE_DATA_PATH}\n` +
    `Query it:\n  PGPASSWORD=... LAKE_CATALOG='postgres:${catalogShown}' LAKE_DATA_PATH=${env.LAKE_DATA_PATH} ` +
    `node bin/cdclake.js query "SELECT * FROM gold.monthly_revenue"\n` +
    `Replication slot ${id} ${slotDropped ? 'dropped' : 'NOT dropped'}; the source database ${id} is kept; logs in ${path.relative(ROOT, logDir)}/; ` +
    `the services keep running: ${SERVICES_STOP[process.env['CDCLAKE_SERVICES_FROM'] ?? 'native'] ?? SERVICES_STOP['native']}`,
);
process.exitCode = interruptedBy !== undefined ? 130 : failure !== undefined ? 1 : 0;
