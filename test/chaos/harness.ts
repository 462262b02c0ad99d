// The chaos run (`npm run test:chaos`, and a short one in `npm test`): the generator's workload and a side
// workload of key updates, TRUNCATE, DDL and a late table go into PostgreSQL while the whole pipeline runs
// on services of the run's own (Kafka, MinIO, PostgreSQL holding both the source and the DuckLake catalog),
// and a seeded schedule kills processes with SIGKILL, restarts the services under them, hangs MinIO and
// rebalances the consumer group. Then the sources stop, everything catches up, and the run checks that the
// lake equals the source (bronze both ways over every column, gold against the same analytics on
// PostgreSQL), that the raw layer holds every Kafka offset once (none dead-lettered), that no process exited
// on its own or was left running, and that the slot is confirmed near the source's current position. A
// process killed by its own native code (a DuckDB segfault) is restarted and reported apart, not failed on:
// cdclake cannot catch it, and the checks above still say whether the lake came out right.

import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../core/config.ts';
import { resolveConfig } from '../../core/config.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { deadLettersTopic } from '../../core/kafka/topics.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { uniqueId } from '../support/fixtures.ts';
import { startExtraKafka, type ExtraKafka } from '../support/extra-kafka.ts';
import { startIsolatedMinio, type IsolatedMinio } from '../support/isolated-minio.ts';
import { startIsolatedPostgres, type IsolatedPostgres } from '../support/isolated-postgres.ts';
import { readTopic } from '../support/kafka-read.ts';
import {
  compareBronzeWithPostgres,
  compareGoldWithPostgres,
  type GoldDifference,
  type TableDifference,
} from '../support/lake-oracle.ts';
import { startCdclake, type Child } from '../support/processes.ts';
import { queryRaw } from '../support/raw-layer.ts';
import {
  chaosSchedule,
  describeSchedule,
  FAULT_KINDS,
  seededRandom,
  type Fault,
  type FaultKind,
} from './schedule.ts';
import { prepareSideSchema, SIDE_TABLES, startSideWorkload } from './side-workload.ts';

export interface ChaosOptions {
  /** Changes the generator writes after its initial rows. */
  changes: number;
  seed: number;
  /** How long the sources change, in minutes: the generator's rate follows. */
  minutes: number;
  kinds?: readonly FaultKind[];
  /** One fault per this many seconds beyond one of each kind. */
  spacing?: number;
  /** The lab's settings every process gets (the shared services' S3 bucket name and CDCLAKE_HOME). */
  baseEnv: Record<string, string | undefined>;
  print(line: string): void;
}

export interface OffsetCheck {
  topic: string;
  records: number;
  tombstones: number;
  inRaw: number;
  deadLettered: number;
  missing: number;
  duplicated: number;
  unexpected: number;
  /** Per dead-letter code: how many records of this topic, and the first one's offset and reason. */
  deadLetterCodes: Record<string, { count: number; offset: string; reason: string }>;
}

export interface ChaosSummary {
  seed: number;
  events: number;
  sideTransactions: number;
  faults: Record<string, number>;
  /** Seconds from the sources stopping, and from the last fault's end, to bronze equal to the source. */
  caughtUpAfterSourcesS: number;
  caughtUpAfterLastFaultS: number;
  unplannedExits: string[];
  /** Processes killed by a signal of their own (SIGSEGV, SIGABRT): a crash in native code, not a cdclake error. */
  nativeCrashes: string[];
  stopFailures: string[];
  bronze: TableDifference[];
  gold: GoldDifference[];
  offsets: OffsetCheck[];
  slotLagBytes: number;
  problems: string[];
}

const GENERATOR_TABLES = ['products', 'customers', 'orders'];
const INITIAL = { products: 300, customers: 3000, orders: 20_000 };

/** Signals a process gets from its own native code (DuckDB and its extensions), not from anyone else. */
const NATIVE_CRASH = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE']);

type Role = 'producer' | 'consumer' | 'merge-1' | 'merge-2' | 'up' | 'consumer-2';

/** The processes of the pipeline, restarted after each planned kill; an exit nobody asked for is noted. */
class Supervisor {
  private readonly running = new Map<Role, Child>();
  private readonly planned = new Set<Child>();
  readonly unplanned: string[] = [];
  readonly nativeCrashes: string[] = [];
  private readonly config: Config;
  private readonly env: Record<string, string>;
  private readonly print: (line: string) => void;

  /** Every process's whole output, one file per role, appended across its restarts. */
  readonly logDir: string;

  constructor(config: Config, env: Record<string, string>, print: (line: string) => void, logDir: string) {
    this.logDir = logDir;
    this.config = config;
    this.env = env;
    this.print = print;
  }

  start(role: Role): void {
    const args: Record<Role, string[]> = {
      producer: ['produce', '--source', 'postgres'],
      consumer: ['consume'],
      'consumer-2': ['consume'],
      'merge-1': ['merge', '--every', '1s'],
      'merge-2': ['merge', '--every', '1s'],
      up: ['up'],
    };
    const child = startCdclake(this.config, args[role], this.env);
    const log = fs.createWriteStream(path.join(this.logDir, `${role}.log`), { flags: 'a' });
    child.process.stdout?.pipe(log, { end: false });
    child.process.stderr?.pipe(log, { end: false });
    this.running.set(role, child);
    void child.exited.then((code) => {
      if (this.planned.has(child)) return;
      const tail = child.output().split('\n').slice(-40).join('\n');
      const how = code ?? child.process.signalCode;
      const native = code === null && NATIVE_CRASH.has(child.process.signalCode ?? '');
      (native ? this.nativeCrashes : this.unplanned).push(`${role} exited ${how} on its own:\n${tail}`);
      this.print(`!! ${role} exited ${how} on its own; starting it again`);
      if (this.running.get(role) === child) setTimeout(() => this.start(role), 2000);
    });
  }

  async kill(role: Role, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.running.get(role);
    if (child === undefined) return null;
    this.planned.add(child);
    this.running.delete(role);
    child.process.kill(signal);
    return child.exited;
  }

  roles(): Role[] {
    return [...this.running.keys()];
  }

  /** Stops everything with SIGTERM: each must exit 0 within `ms`. */
  async stopAll(ms: number): Promise<string[]> {
    const failures: string[] = [];
    await Promise.all(
      this.roles().map(async (role) => {
        const child = this.running.get(role) as Child;
        const timer = setTimeout(() => child.process.kill('SIGKILL'), ms);
        const code = await this.kill(role, 'SIGTERM');
        clearTimeout(timer);
        if (code !== 0)
          failures.push(
            `${role} exited ${code} on SIGTERM:\n${child.output().split('\n').slice(-40).join('\n')}`,
          );
      }),
    );
    return failures;
  }
}

interface Lab {
  kafka: ExtraKafka;
  minio: IsolatedMinio;
  postgres: IsolatedPostgres;
  config: Config;
  close(): Promise<void>;
}

async function startLab(options: ChaosOptions, id: string): Promise<Lab> {
  const base = resolveConfig(options.baseEnv);
  const [kafka, minio, postgres] = await Promise.all([
    startExtraKafka(),
    startIsolatedMinio(base.CDCLAKE_HOME, 'chaos'),
    startIsolatedPostgres(base.CDCLAKE_HOME),
  ]);
  const admin = await connectPostgres(postgres.url);
  await admin.query('create database lake_catalog');
  await admin.end();
  const pg = new URL(postgres.url);
  const config = resolveConfig({
    ...options.baseEnv,
    ...minio.env,
    KAFKA_BROKERS: kafka.brokers,
    PG_URL: postgres.url,
    PG_SCHEMA: 'public,chaos',
    PG_SLOT: id,
    PG_PUBLICATION: id,
    CDC_TOPIC_PREFIX: id,
    RAW_PREFIX: `${id}/raw/`,
    LAKE_CATALOG: `postgres:host=${pg.hostname} port=${pg.port} dbname=lake_catalog user=${pg.username} password=${decodeURIComponent(pg.password)}`,
    LAKE_DATA_PATH: `s3://chaos/${id}/lake/`,
    METRICS_PORT: '0',
  });
  return {
    kafka,
    minio,
    postgres,
    config,
    close: async () => {
      await Promise.allSettled([kafka.remove(), minio.stop(), postgres.stop()]);
    },
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const { print } = options;
  const id = uniqueId('chaos');
  const seconds = Math.round(options.minutes * 60);
  const faults = chaosSchedule(options.seed, seconds, options.kinds ?? FAULT_KINDS, options.spacing);
  print(`chaos run ${id}: seed ${options.seed}, ${options.changes} changes over ${seconds} s; schedule:`);
  print(describeSchedule(faults));
  const lab = await startLab(options, id);
  const { config } = lab;
  const env = { LOG_LEVEL: 'warn', PRODUCER_HEARTBEAT_MS: '1000' };
  const logDir = path.join(config.CDCLAKE_HOME, 'chaos', id);
  fs.mkdirSync(logDir, { recursive: true });
  print(`each process's output: ${logDir}`);
  const supervisor = new Supervisor(config, env, print, logDir);
  const problems: string[] = [];
  let generator: Child | undefined;
  try {
    await prepareSideSchema(config.PG_URL);
    const events = INITIAL.products + INITIAL.customers + INITIAL.orders + options.changes;
    const rate = Math.max(100, Math.ceil(events / seconds));
    generator = startCdclake(
      config,
      [
        'produce',
        '--source',
        'generator',
        '--target',
        'postgres',
        '--products',
        String(INITIAL.products),
        '--customers',
        String(INITIAL.customers),
        '--orders',
        String(INITIAL.orders),
        '--changes',
        String(options.changes),
        '--rate',
        String(rate),
        '--seed',
        String(options.seed),
      ],
      env,
    );
    const generatorLog = fs.createWriteStream(path.join(logDir, 'generator.log'));
    generator.process.stdout?.pipe(generatorLog);
    generator.process.stderr?.pipe(generatorLog);
    const started = Date.now();
    void generator.exited.then((code) => {
      if (code !== 0) print(`!! the generator exited ${code}`);
    });
    for (const role of ['producer', 'consumer', 'merge-1', 'merge-2'] as const) supervisor.start(role);
    const random = seededRandom(options.seed ^ 0x5eed);
    const side = startSideWorkload(
      config.PG_URL,
      { truncateAt: seconds * 0.3, createTableAt: seconds * 0.45, addColumnAt: seconds * 0.55 },
      random,
      print,
    );

    let inUp = false;
    let lastFaultEnd = started;
    const counts: Record<string, number> = {};
    for (const fault of faults) {
      const wait = started + fault.at * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      print(`t+${Math.round((Date.now() - started) / 1000)} s: ${fault.kind} for ${fault.seconds} s`);
      counts[fault.kind] = (counts[fault.kind] ?? 0) + 1;
      await inject(fault, lab, supervisor, inUp, (next) => (inUp = next));
      lastFaultEnd = Date.now();
    }

    const generatorCode = await generator.exited;
    if (generatorCode !== 0)
      problems.push(
        `the generator exited ${generatorCode}:\n${generator.output().split('\n').slice(-15).join('\n')}`,
      );
    side.stop();
    await side.done;
    const sourcesStopped = Date.now();
    print(
      `t+${Math.round((sourcesStopped - started) / 1000)} s: sources stopped; waiting for the lake to catch up`,
    );

    const tables = [...GENERATOR_TABLES, ...SIDE_TABLES];
    let bronze: TableDifference[] = [];
    const deadline = Date.now() + 15 * 60_000;
    let equal = false;
    let said = '';
    let lastSaid = 0;
    while (Date.now() < deadline) {
      let state: string;
      try {
        bronze = await withTimeout(compareBronzeWithPostgres(config, tables), 120_000, 'comparing bronze');
        equal = bronze.every((d) => d.onlyInBronze === 0 && d.onlyInPostgres === 0);
        state = bronze
          .filter((d) => d.onlyInBronze > 0 || d.onlyInPostgres > 0)
          .map((d) => `${d.table} (${d.onlyInBronze} only in bronze, ${d.onlyInPostgres} only in PostgreSQL)`)
          .join(', ');
      } catch (error: unknown) {
        state = `comparing failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (equal) break;
      // What keeps the lake from the source, when it changes or once a minute.
      if (state !== said || Date.now() - lastSaid > 60_000) {
        print(`  not yet equal: ${state}`);
        said = state;
        lastSaid = Date.now();
      }
      await sleep(3000);
    }
    const caughtUp = Date.now();
    if (!equal)
      problems.push('bronze did not come to equal the source within 15 minutes of the sources stopping');
    const slotLagBytes = await slotLag(config);
    if (slotLagBytes > 16 * 1024 * 1024) problems.push(`the slot is ${slotLagBytes} bytes behind the source`);

    const stopFailures = await supervisor.stopAll(180_000);
    problems.push(...stopFailures);
    const gold = await compareGoldWithPostgres(config);
    for (const model of gold)
      if (model.differing.length > 0 || model.goldRows !== model.postgresRows)
        problems.push(`gold.${model.model} differs from PostgreSQL`);
    for (const table of bronze)
      if (table.onlyInBronze > 0 || table.onlyInPostgres > 0)
        problems.push(
          `bronze ${table.table}: ${table.onlyInBronze} rows only in bronze, ${table.onlyInPostgres} only in PostgreSQL`,
        );
    const offsets = await checkOffsets(config);
    for (const o of offsets)
      if (o.missing + o.duplicated + o.unexpected > 0)
        problems.push(
          `raw layer for ${o.topic}: ${o.missing} missing, ${o.duplicated} twice, ${o.unexpected} unexpected`,
        );
    // Every record of this workload is a valid change: a dead letter here is one the pipeline lost.
    for (const o of offsets)
      if (o.deadLettered > 0)
        problems.push(
          `raw layer for ${o.topic}: ${o.deadLettered} valid changes sent to dead letters: ${Object.entries(
            o.deadLetterCodes,
          )
            .map(([code, d]) => `${d.count} ${code}, first at ${d.offset}: ${d.reason}`)
            .join('; ')}`,
        );
    problems.push(...supervisor.unplanned);
    return {
      seed: options.seed,
      events,
      sideTransactions: side.transactions(),
      faults: counts,
      caughtUpAfterSourcesS: Math.round((caughtUp - sourcesStopped) / 1000),
      caughtUpAfterLastFaultS: Math.round((caughtUp - lastFaultEnd) / 1000),
      unplannedExits: supervisor.unplanned,
      nativeCrashes: supervisor.nativeCrashes,
      stopFailures,
      bronze,
      gold,
      offsets,
      slotLagBytes,
      problems,
    };
  } finally {
    generator?.process.kill('SIGKILL');
    await Promise.all(supervisor.roles().map((role) => supervisor.kill(role)));
    await lab.close();
  }
}

async function inject(
  fault: Fault,
  lab: Lab,
  supervisor: Supervisor,
  inUp: boolean,
  setUp: (inUp: boolean) => void,
): Promise<void> {
  const pause = (): Promise<void> => sleep(fault.seconds * 1000);
  const killAndRestart = async (role: Role): Promise<void> => {
    await supervisor.kill(role);
    await pause();
    supervisor.start(role);
  };
  switch (fault.kind) {
    case 'kill-producer':
      return killAndRestart(inUp ? 'up' : 'producer');
    case 'kill-consumer':
      return killAndRestart(inUp ? 'up' : 'consumer');
    case 'kill-merge':
      return killAndRestart(inUp || fault.at % 2 === 0 ? 'merge-2' : 'merge-1');
    case 'enter-up':
      await Promise.all([
        supervisor.kill('producer'),
        supervisor.kill('consumer'),
        supervisor.kill('merge-1'),
      ]);
      await pause();
      supervisor.start('up');
      setUp(true);
      return;
    case 'kill-up':
      await supervisor.kill('up');
      await pause();
      for (const role of ['producer', 'consumer', 'merge-1'] as const) supervisor.start(role);
      setUp(false);
      return;
    case 'restart-kafka':
      await lab.kafka.kill();
      await pause();
      await lab.kafka.start();
      return;
    case 'restart-minio':
      await lab.minio.down();
      await pause();
      await lab.minio.up();
      return;
    case 'hang-minio':
      lab.minio.pause();
      await pause();
      lab.minio.resume();
      return;
    case 'restart-postgres':
      return lab.postgres.restart(fault.seconds * 1000);
    case 'rebalance': {
      supervisor.start('consumer-2');
      await pause();
      const code = await supervisor.kill('consumer-2', 'SIGTERM');
      if (code !== 0)
        supervisor.unplanned.push(`the second consumer exited ${code} when asked to leave the group`);
      return;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function slotLag(config: Config): Promise<number> {
  const db = await connectPostgres(config.PG_URL);
  try {
    const { rows } = await db.query<{ lag: string | null }>(
      'select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text as lag from pg_replication_slots where slot_name = $1',
      [config.PG_SLOT],
    );
    return Number(rows[0]?.lag ?? Number.POSITIVE_INFINITY);
  } finally {
    await db.end();
  }
}

/**
 * Every record of every table topic against the raw layer: a change is in raw exactly once, or in a dead
 * letter; a tombstone (a null value, for compaction) is in neither; raw holds nothing else.
 */
async function checkOffsets(config: Config): Promise<OffsetCheck[]> {
  const admin = createKafka(config, 'chaos-check').admin();
  await admin.connect();
  const topics = (await admin.listTopics())
    .filter(
      (t) =>
        t.startsWith(`${config.CDC_TOPIC_PREFIX}.`) &&
        !t.slice(config.CDC_TOPIC_PREFIX.length + 1).startsWith('_'),
    )
    .sort();
  await admin.disconnect();
  const dead = new Map<string, { code: string; reason: string }>();
  for (const letter of await readTopic(config, deadLettersTopic(config)).catch(() => []))
    dead.set(
      `${letter.headers['cdclake.source.topic']}/${letter.headers['cdclake.source.partition']}/${letter.headers['cdclake.source.offset']}`,
      {
        code: String(letter.headers['cdclake.error.code'] ?? '?'),
        reason: String(letter.headers['cdclake.error.reason'] ?? ''),
      },
    );
  const raw = new Map<string, number>();
  const rows = await queryRaw<{ t: string; p: number; o: bigint; n: bigint }>(
    config,
    config.CDC_TOPIC_PREFIX,
    (r) => `SELECT _topic AS t, _partition AS p, _offset AS o, count(*) AS n FROM ${r} GROUP BY ALL`,
  );
  for (const row of rows) raw.set(`${row.t}/${row.p}/${row.o}`, Number(row.n));
  const out: OffsetCheck[] = [];
  for (const topic of topics) {
    const check: OffsetCheck = {
      topic,
      records: 0,
      tombstones: 0,
      inRaw: 0,
      deadLettered: 0,
      missing: 0,
      duplicated: 0,
      unexpected: 0,
      deadLetterCodes: {},
    };
    for (const record of await readTopic(config, topic)) {
      check.records++;
      const key = `${topic}/${record.partition}/${record.offset}`;
      const copies = raw.get(key) ?? 0;
      raw.delete(key);
      if (record.value === null) {
        check.tombstones++;
        if (copies > 0) check.unexpected += copies;
        continue;
      }
      if (copies === 1) check.inRaw++;
      else if (copies > 1) check.duplicated++;
      else if (dead.has(key)) {
        check.deadLettered++;
        const { code, reason } = dead.get(key) as { code: string; reason: string };
        const seen = (check.deadLetterCodes[code] ??= {
          count: 0,
          offset: `${record.partition}/${record.offset}`,
          reason,
        });
        seen.count++;
      } else check.missing++;
    }
    out.push(check);
  }
  for (const key of raw.keys()) {
    const topic = key.split('/')[0] as string;
    const check = out.find((c) => c.topic === topic);
    if (check !== undefined) check.unexpected++;
  }
  return out;
}

/** The summary as printed at the end of a run. */
export function describeSummary(summary: ChaosSummary): string {
  const lines = [
    `chaos summary (seed ${summary.seed})`,
    `  generator events ${summary.events}, side transactions ${summary.sideTransactions}`,
    `  faults: ${Object.entries(summary.faults)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  caught up ${summary.caughtUpAfterSourcesS} s after the sources stopped, ${summary.caughtUpAfterLastFaultS} s after the last fault`,
    `  slot ${summary.slotLagBytes} bytes behind the source's current position`,
    '  bronze vs source:',
    ...summary.bronze.map(
      (t) =>
        `    ${t.table.padEnd(22)} ${String(t.bronzeRows).padStart(8)} rows, ${t.onlyInBronze} only in bronze, ${t.onlyInPostgres} only in PostgreSQL`,
    ),
    '  gold vs PostgreSQL:',
    ...summary.gold.map(
      (g) =>
        `    ${g.model.padEnd(22)} ${g.goldRows} rows vs ${g.postgresRows}, ${g.differing.length} differing`,
    ),
    '  raw layer vs Kafka:',
    ...summary.offsets.map(
      (o) =>
        `    ${o.topic.padEnd(34)} ${o.records} records (${o.tombstones} tombstones): ${o.inRaw} once, ${o.deadLettered} dead-lettered, ${o.missing} missing, ${o.duplicated} twice, ${o.unexpected} unexpected`,
    ),
  ];
  if (summary.nativeCrashes.length > 0)
    lines.push(
      `  crashes in native code (restarted, as a supervisor would): ${summary.nativeCrashes.length}`,
      ...summary.nativeCrashes.map((c) => `    ${c.split('\n')[0] ?? ''}`),
    );
  for (const table of summary.bronze)
    if (table.sample.length > 0)
      lines.push(`  differing rows of ${table.table}: ${JSON.stringify(table.sample.slice(0, 5))}`);
  lines.push(
    summary.problems.length === 0
      ? '  PASSED'
      : `  FAILED:\n${summary.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  return lines.join('\n');
}
