// Topics written by a real Debezium PostgreSQL connector (Kafka Connect standalone, jars from Maven Central)
// go through cdclake's consumer and merge: its snapshot, then inserts, updates, deletes, key changes, a
// truncate and unchanged TOASTed values streamed while it runs, with the generator's workload beside them.
// Bronze equals the source over every column: with the converter's schemas, and without them once
// LAKE_COLUMN_TYPES names the types of the columns whose JSON cannot say them (decimals, timestamps, dates).

import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Config } from '../../core/config.ts';
import { postgresConninfo } from '../../core/postgres-conninfo.ts';
import { sqlFile } from '../../core/sql-files.ts';
import {
  installTestDebezium,
  startTestConnector,
  untilSnapshotDone,
  untilStreamedPast,
  walInsertPosition,
} from '../support/debezium-connector.ts';
import { createTestDatabase, testConfig } from '../support/fixtures.ts';
import { compareBronzeWithPostgres, compareGoldWithPostgres } from '../support/lake-oracle.ts';
import { bronzeTypes } from '../support/bronze-columns.ts';
import { listRawObjects, queryRaw } from '../support/raw-layer.ts';
import { createSourceFixture, type SourceFixture } from '../support/postgres-source.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
});

beforeAll(async () => {
  await installTestDebezium(testConfig());
}, 600_000);

const OWN_TABLES = ['accounts', 'counters', 'line_items', 'tags'];
const GENERATOR_TABLES = ['products', 'customers', 'orders'];
const TABLES = [...OWN_TABLES, ...GENERATOR_TABLES];

/** The source's tables, with rows of every type the test covers, NULLs and values before 1970 among them. */
async function createSource(f: SourceFixture): Promise<void> {
  await f.sql(
    `create table accounts (id bigint primary key, name text, balance numeric(12, 2), opened_at timestamptz,
       seen_at timestamp, active boolean, born date, notes text)`,
  );
  // Values of a kind where the snapshot and streamed changes could differ: microseconds, negative
  // numbers, dates and times before the epoch, quotes and non-ASCII text.
  await f.sql(
    `insert into accounts select i,
       case when i % 17 = 0 then null else 'n''' || i || ' é€' end,
       case when i % 19 = 0 then null else (i * 12.34 - 9000)::numeric(12, 2) end,
       timestamptz '1965-03-01 10:00:00.000001+00' + i * interval '7 days 3 hours 1.234567 seconds',
       case when i % 23 = 0 then null
         when i % 5 = 0 then timestamp '1969-12-31 23:59:59.000001' - i * interval '1 hour 1 microsecond'
         else timestamp '2024-02-29 23:59:59.999999' - i * interval '1 day 1 microsecond' end,
       case when i % 3 = 0 then null else i % 2 = 0 end,
       date '1969-12-25' + (i % 40) * 9,
       null
     from generate_series(1, 2000) i`,
  );
  // Stored out of line (TOAST, incompressible): an update that leaves it alone does not send it.
  await f.sql(
    `update accounts set notes = (select string_agg(md5(id::text || g::text), '') from generate_series(1, 200) g)
     where id % 10 = 1`,
  );
  await f.sql('create table counters (id int primary key, label text, hits int, ratio numeric(12, 2))');
  await f.sql(
    "insert into counters select i, 'c' || i, i * 3, (i / 7.0)::numeric(12, 2) from generate_series(1, 500) i",
  );
  await f.sql(
    `create table line_items (order_id bigint, line int, sku text, qty int, price numeric(12, 2), shipped_on date,
       primary key (order_id, line))`,
  );
  await f.sql(
    `insert into line_items select o, l, 'sku-' || (o * l) % 97, l * 2, (o * 1.5 + l)::numeric(12, 2),
       case when l = 3 then null else date '2025-01-01' + o end
     from generate_series(1, 500) o, generate_series(1, 3) l`,
  );
  await f.sql('create table tags (id int primary key, tag text)');
  await f.sql("insert into tags select i, 'tag ' || i from generate_series(1, 50) i");
  // The generator's tables exist before the connector makes its publication of the included tables.
  await f.sql(sqlFile('generator/create-tables.sql'));
}

/** Changes made while the connector streams: every kind of row change, in the source's own transactions. */
async function changeSource(f: SourceFixture): Promise<void> {
  await f.sql(
    `insert into accounts select i, 'new ' || i, -i * 0.01, now(), localtimestamp, true, current_date, null
     from generate_series(2001, 2500) i`,
  );
  await f.sql("update accounts set balance = balance + 0.01, name = name || ' changed' where id % 7 = 0");
  await f.sql('update accounts set active = null, born = null, opened_at = null where id % 11 = 0');
  // Only other columns change: the TOASTed notes are not in the event (Debezium's unavailable placeholder).
  await f.sql('update accounts set balance = 1.11 where id % 10 = 1 and id % 20 = 1');
  await f.sql('delete from accounts where id % 13 = 0');
  // Key changes: many rows at once, one row, a swap inside one transaction, a composite key's either part.
  await f.sql('update accounts set id = id + 100000 where id % 50 = 0');
  await f.sql('update counters set id = 10000 where id = 1');
  await f.sql(
    'begin; update counters set id = -2 where id = 2; update counters set id = 2 where id = 3; ' +
      'update counters set id = 3 where id = -2; commit',
  );
  await f.sql('update line_items set line = line + 10 where order_id % 20 = 0');
  await f.sql('update line_items set order_id = order_id + 5000, qty = 0 where order_id % 30 = 1');
  // A key deleted and inserted again; a row inserted, changed and deleted in one transaction; inserted and
  // changed in one.
  await f.sql('delete from counters where id = 10');
  await f.sql("insert into counters values (10, 'again', 0, null)");
  await f.sql(
    "begin; insert into counters values (900, 'brief', 1, 1); update counters set hits = 2 where id = 900; " +
      'delete from counters where id = 900; commit',
  );
  await f.sql(
    "begin; insert into counters values (901, 'kept', 1, 1); update counters set hits = 2, ratio = -0.5 where id = 901; commit",
  );
  await f.sql('delete from line_items where order_id % 17 = 0');
  await f.sql('update counters set hits = hits + 1, ratio = ratio * 2 where id % 4 = 0');
  // A TRUNCATE (Debezium skips it unless skipped.operations leaves it out), then rows again.
  await f.sql("update tags set tag = 'before truncate' where id <= 5");
  await f.sql('truncate tags');
  await f.sql("insert into tags select i, 'after ' || i from generate_series(40, 60) i");
}

/** A source and its connector, the workload streamed through it, then `consume --until-idle` and a merge. */
async function captureAndMerge(
  schemasEnable: boolean,
  properties: Record<string, string> = {},
  /** LAKE_COLUMN_TYPES, read from the source once its tables exist. */
  lakeColumnTypes?: (f: SourceFixture) => Promise<string>,
): Promise<{ f: SourceFixture; config: Config }> {
  const f = await createSourceFixture();
  cleanups.push(() => f.cleanup());
  const catalog = await createTestDatabase(f.config);
  cleanups.push(() => catalog.drop());
  await createSource(f);
  const config: Config = {
    ...f.config,
    LAKE_CATALOG: `postgres:${postgresConninfo(catalog.url, catalog.name)}`,
    LAKE_COLUMN_TYPES: (await lakeColumnTypes?.(f)) ?? '',
  };
  const connector = await startTestConnector(config, {
    tables: TABLES.map((t) => `public\\.${t}`),
    schemasEnable,
    properties: { 'skipped.operations': 'none', ...properties },
  });
  // Before the fixture's cleanup (pushed first, run last): a database with a slot cannot be dropped.
  cleanups.push(() => connector.remove());
  await untilSnapshotDone(connector);

  const generator = startCdclake(f.config, [
    'produce',
    '--source',
    'generator',
    '--target',
    'postgres',
    '--products',
    '40',
    '--customers',
    '300',
    '--orders',
    '3000',
    '--changes',
    '1500',
    '--rate',
    '2000',
    '--seed',
    '11',
  ]);
  cleanups.push(async () => {
    generator.process.kill('SIGKILL');
    await generator.exited;
  });
  await changeSource(f);
  const generated = await generator.exited;
  if (generated !== 0) console.log(generator.output());
  expect(generated).toBe(0);
  // The last change: once Connect commits an offset past it, Kafka holds every change before it.
  const last = await walInsertPosition(f.sql);
  await f.sql("update counters set label = 'last' where id = 5");
  await untilStreamedPast(connector, last);

  const topics = `^${config.CDC_TOPIC_PREFIX}\\.public\\.`;
  // Batches are written by size and type only, not by age (the backlog is read at once), so the test sees
  // what closes a batch early: each topic partition lands in one raw object unless its records disagree.
  await runCdclake(config, ['consume', '--topics', topics, '--until-idle'], {
    CONSUMER_BATCH_AGE_MS: '600000',
  });
  await runCdclake(config, ['merge', '--once']);
  return { f, config };
}

test("bronze equals the source over every column after a real Debezium connector's snapshot and stream (JSON with schemas)", async () => {
  const { config } = await captureAndMerge(true);
  const compared = await compareBronzeWithPostgres(config, TABLES);
  for (const t of compared)
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
  expect(compared.every((t) => t.postgresRows > 0)).toBe(true);
  // The connector's records took every path: snapshot reads, creates, updates, deletes, and updates whose
  // TOASTed notes Debezium did not have (its placeholder, kept from bronze).
  const [paths] = await queryRaw<Record<string, bigint>>(
    config,
    `${config.CDC_TOPIC_PREFIX}.public.accounts`,
    (raw) =>
      `SELECT count(*) FILTER (_op = 'r') AS r, count(*) FILTER (_op = 'c') AS c, count(*) FILTER (_op = 'u') AS u, ` +
      `count(*) FILTER (_op = 'd') AS d, count(*) FILTER (list_contains(_unchanged, 'notes')) AS unchanged FROM ${raw}`,
  );
  expect(
    Object.values(paths ?? {}).every((n) => n > 0n),
    JSON.stringify(paths, (_k, v: unknown) => String(v)),
  ).toBe(true);
  // The star schema's models, built on the connector's types, give what the same analytics give on the source.
  for (const g of await compareGoldWithPostgres(config)) {
    expect(g.goldRows).toBeGreaterThan(0);
    expect(g).toEqual({ ...g, goldRows: g.postgresRows, differing: [] });
  }
}, 240_000);

/**
 * LAKE_COLUMN_TYPES for the source's columns whose type Debezium's JSON without schemas does not carry:
 * numeric (its text, with decimal.handling.mode=string), timestamptz (ISO-8601 text), timestamp
 * (microseconds) and date (days since the epoch), what a user writes from their schema.
 */
async function columnTypes(f: SourceFixture): Promise<string> {
  const columns = (
    await f.sql(
      `select table_name as table, column_name as name, data_type as type, numeric_precision as precision,
         numeric_scale as scale
       from information_schema.columns where table_schema = 'public' and table_name = any($1)
       order by table_name, ordinal_position`,
      [TABLES],
    )
  ).rows as { table: string; name: string; type: string; precision: number; scale: number }[];
  const typeOf: Record<string, (c: (typeof columns)[number]) => string> = {
    numeric: (c) => `DECIMAL(${c.precision},${c.scale})`,
    'timestamp with time zone': () => 'TIMESTAMPTZ',
    'timestamp without time zone': () => 'TIMESTAMP',
    date: () => 'DATE',
  };
  return columns
    .filter((c) => typeOf[c.type] !== undefined)
    .map((c) => `${c.table}.${c.name}=${typeOf[c.type]?.(c) ?? ''}`)
    .join('; ');
}

test('without schemas, LAKE_COLUMN_TYPES types decimals, timestamps and dates: bronze equals the source over every column', async () => {
  const { config } = await captureAndMerge(false, { 'decimal.handling.mode': 'string' }, columnTypes);
  // Typed by the JSON values (int4 as BIGINT, text, boolean), and by LAKE_COLUMN_TYPES where they cannot say.
  expect(await bronzeTypes(config, 'accounts')).toEqual({
    id: 'BIGINT',
    name: 'VARCHAR',
    balance: 'DECIMAL(12,2)',
    opened_at: 'TIMESTAMP WITH TIME ZONE',
    seen_at: 'TIMESTAMP',
    active: 'BOOLEAN',
    born: 'DATE',
    notes: 'VARCHAR',
  });
  expect(await bronzeTypes(config, 'line_items')).toEqual({
    order_id: 'BIGINT',
    line: 'BIGINT',
    sku: 'VARCHAR',
    qty: 'BIGINT',
    price: 'DECIMAL(12,2)',
    shipped_on: 'DATE',
  });
  // Batches stay whole: a delete's nulls neither type a column nor close a batch (before, each delete of the
  // stream started a new raw object): one object per topic partition.
  for (const table of TABLES) {
    const topic = `${config.CDC_TOPIC_PREFIX}.public.${table}`;
    const objects = await listRawObjects(config, topic);
    expect(objects.length, topic).toBe(new Set(objects.map((o) => o.partition)).size);
  }
  const compared = await compareBronzeWithPostgres(config, TABLES);
  for (const t of compared)
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
  expect(compared.every((t) => t.postgresRows > 0)).toBe(true);
  // With the types given, the star schema's models build on schemaless input and agree with the source.
  for (const g of await compareGoldWithPostgres(config)) {
    expect(g.goldRows).toBeGreaterThan(0);
    expect(g).toEqual({ ...g, goldRows: g.postgresRows, differing: [] });
  }
}, 240_000);
