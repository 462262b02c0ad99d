// PostgreSQL restarted (fast shutdown, down for a moment) under a running `produce --source generator
// --target postgres`: the generator connects again, sends the batch the restart cut off again, and exits 0
// with the tables exactly as the workload's final state. And the replay that relies on: a batch sent again
// after some or all of its transactions committed leaves the tables as one commit would.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, onTestFinished, test } from 'vitest';
import type { Row } from '../../../core/events/types.ts';
import { connectPostgres } from '../../../core/postgres-client.ts';
import { finalState } from '../../../producer/generator/final-state.ts';
import { PostgresWriter } from '../../../producer/generator/postgres-writer.ts';
import { starSchemaTables } from '../../../producer/generator/tables.ts';
import { generateWorkload, type WorkloadOptions } from '../../../producer/generator/workload.ts';
import { createTestDatabase, testConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedPostgres, type IsolatedPostgres } from '../../support/isolated-postgres.ts';
import { startCdclake, type Child } from '../../support/processes.ts';
import { waitUntil } from '../../support/wait.ts';

type TextRow = Record<string, string | null>;
/** Rows by key as text, per table name. */
type TextState = Map<string, Map<string, TextRow>>;

let server: IsolatedPostgres | undefined;
let generator: Child | undefined;
afterAll(async () => {
  generator?.process.kill('SIGKILL');
  await server?.stop();
});

/** The workload's final state, every value as text (timestamps as microseconds since the epoch). */
function expectedState(options: WorkloadOptions): TextState {
  const state = finalState(generateWorkload(options));
  const text: TextState = new Map();
  for (const table of starSchemaTables) {
    const rows = new Map<string, TextRow>();
    for (const row of state.get(table.name)?.values() ?? []) {
      const out: TextRow = {};
      for (const column of table.columns) {
        const value = (row as Row)[column.name];
        out[column.name] = value === null || value === undefined ? null : String(value);
      }
      rows.set(String(out[table.key[0]!]), out);
    }
    text.set(table.name, rows);
  }
  return text;
}

/** The tables as PostgreSQL renders them, so the comparison does not trust our parsing. */
async function postgresState(url: string): Promise<TextState> {
  const client = await connectPostgres(url);
  const text: TextState = new Map();
  try {
    for (const table of starSchemaTables) {
      const columns = table.columns.map((c) =>
        c.type.kind === 'timestamptz'
          ? `(extract(epoch from ${c.name}) * 1000000)::bigint::text as ${c.name}`
          : `${c.name}::text as ${c.name}`,
      );
      const { rows } = await client.query<TextRow>(`select ${columns.join(', ')} from public.${table.name}`);
      text.set(table.name, new Map(rows.map((row) => [String(row[table.key[0]!]), row])));
    }
  } finally {
    await client.end();
  }
  return text;
}

/** What differs, a few keys per table: missing, extra or changed rows. */
function differences(expected: TextState, actual: TextState): string[] {
  const found: string[] = [];
  for (const [name, want] of expected) {
    const have = actual.get(name) ?? new Map<string, TextRow>();
    const keys = new Set([...want.keys(), ...have.keys()]);
    const wrong = [...keys].filter(
      (key) => JSON.stringify(want.get(key) ?? null) !== JSON.stringify(have.get(key) ?? null),
    );
    for (const key of wrong.slice(0, 5))
      found.push(
        `${name} ${key}: expected ${JSON.stringify(want.get(key) ?? null)}, found ${JSON.stringify(have.get(key) ?? null)}`,
      );
    if (wrong.length > 5) found.push(`${name}: ${wrong.length - 5} more`);
  }
  return found;
}

async function count(url: string, table: string): Promise<number> {
  const client = await connectPostgres(url);
  try {
    const { rows } = await client.query<{ n: string }>(`select count(*)::text as n from public.${table}`);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

test('the generator rides through PostgreSQL restarting under it, and the tables end as its final state', async () => {
  const id = uniqueId('genrestart');
  server = await startIsolatedPostgres(testConfig().CDCLAKE_HOME);
  const pgServer = server;
  const config = testConfig({ PG_URL: pgServer.url, CDC_TOPIC_PREFIX: id });
  const expectedDir = path.join(os.tmpdir(), 'cdclake-tests', id);
  fs.mkdirSync(expectedDir, { recursive: true });
  onTestFinished(() => fs.rmSync(expectedDir, { recursive: true, force: true }));

  // About 12k events at 2,000 a second: some 6 s, in batches of 100 events (a twentieth of the rate).
  const rate = 2000;
  const workload = { seed: 5, customers: 200, products: 30, orders: 8000, changes: 4000 };
  generator = startCdclake(
    config,
    [
      'produce',
      '--source',
      'generator',
      '--target',
      'postgres',
      ...Object.entries(workload).flatMap(([name, value]) => [`--${name}`, String(value)]),
      '--rate',
      String(rate),
      '--expected',
      expectedDir,
    ],
    { LOG_LEVEL: 'info', METRICS_PORT: '0' },
  );
  const running = generator;

  await waitUntil(
    'the generator writes orders',
    async () => (await count(pgServer.url, 'orders')) > 300,
    60_000,
  );
  expect(running.process.exitCode).toBeNull();
  await pgServer.restart(1500);

  expect(await running.exited, running.output()).toBe(0);
  // The restart landed under the run, not after it: the generator lost its connection and came back.
  expect(running.output()).toContain('the connection to PostgreSQL went away');
  expect(running.output()).toContain('PostgreSQL is back');

  const expected = expectedState({ ...workload, batchSize: rate / 20 });
  const actual = await postgresState(pgServer.url);
  expect(differences(expected, actual)).toEqual([]);
  expect(actual.get('orders')?.size).toBeGreaterThan(5000);
}, 180_000);

test('a batch sent again after some or all of its transactions committed leaves the tables as one commit would', async () => {
  const database = await createTestDatabase(testConfig());
  onTestFinished(() => database.drop());
  const writeOnce = async (changes: Parameters<PostgresWriter['write']>[0]): Promise<void> => {
    const writer = new PostgresWriter(database.url);
    await writer.connect();
    await writer.write(changes);
    await writer.close();
  };

  const workload: WorkloadOptions = {
    seed: 9,
    customers: 150,
    products: 20,
    orders: 3000,
    changes: 3000,
    batchSize: 200,
  };
  let replays = 0;
  let index = 0;
  for (const batch of generateWorkload(workload)) {
    if (index % 2 === 1) {
      // The connection went after the batch's first transactions committed: the whole batch goes again.
      const cut = batch.findIndex((change, i) => i >= batch.length / 2 && change.txId !== batch[i - 1]?.txId);
      if (cut > 0) {
        await writeOnce(batch.slice(0, cut));
        replays++;
      }
    }
    await writeOnce(batch);
    if (index % 3 === 2) {
      // The connection went after the last commit, before the answer: the whole batch again.
      await writeOnce(batch);
      replays++;
    }
    index++;
  }

  expect(replays).toBeGreaterThan(10);
  const actual = await postgresState(database.url);
  expect(differences(expectedState(workload), actual)).toEqual([]);
  expect(actual.get('orders')?.size).toBeGreaterThan(2000);
});
