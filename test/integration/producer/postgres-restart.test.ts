// PostgreSQL restarted under a running `produce --source postgres`, twice: once quickly (fast shutdown, the
// server back at once) and once held down long enough that connecting is refused for a few seconds. The
// producer rides through both on its own: it reconnects, resumes from its slot, and its slot ends confirmed
// at the source's current position; nothing it captured is lost, so bronze equals the source. On a
// PostgreSQL server of the test's own, so the restarts disturb no other test.

import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { freePort } from '../../../core/free-port.ts';
import { connectPostgres, isConnectionLoss } from '../../../core/postgres-client.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedPostgres, type IsolatedPostgres } from '../../support/isolated-postgres.ts';
import { compareBronzeWithPostgres } from '../../support/lake-oracle.ts';
import { runCdclake, startCdclake, type Child } from '../../support/processes.ts';
import { waitUntil } from '../../support/wait.ts';

let server: IsolatedPostgres | undefined;
let producer: Child | undefined;
afterAll(async () => {
  producer?.process.kill('SIGKILL');
  await server?.stop();
});

async function metric(port: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  } catch {
    return 0;
  }
}

test('the producer reconnects after PostgreSQL restarts, resumes from its slot, and loses nothing', async () => {
  const id = uniqueId('pgrestart');
  server = await startIsolatedPostgres(lakeTestConfig(id).CDCLAKE_HOME);
  const pgServer = server;
  const config = lakeTestConfig(id, { PG_URL: pgServer.url, PG_SLOT: id, PG_PUBLICATION: id });
  const port = await freePort();
  const setup = await connectPostgres(pgServer.url);
  await setup.query('create table t (id int primary key, v text, n int)');
  await setup.query("insert into t select i, 'v' || i, 0 from generate_series(1, 20000) i");
  await setup.end();

  producer = startCdclake(config, ['produce', '--source', 'postgres'], {
    METRICS_PORT: String(port),
    PRODUCER_HEARTBEAT_MS: '500',
    PG_SNAPSHOT_CHUNK_ROWS: '2000',
    LOG_LEVEL: 'info',
  });
  const running = producer;

  // The source keeps changing throughout, as an application would, reconnecting when the server is back.
  let writing = true;
  let written = 0;
  const writer = (async () => {
    let db: pg.Client | undefined;
    for (let i = 0; writing; i++) {
      try {
        if (db === undefined) {
          db = await connectPostgres(pgServer.url);
          db.on('error', () => undefined);
        }
        await db.query('begin');
        await db.query('update t set n = n + 1, v = $1 where id % 97 = $2', [`w${i}`, i % 97]);
        await db.query("insert into t values ($1, 'new', 0)", [100000 + i]);
        if (i % 5 === 0) await db.query('delete from t where id = $1', [1 + ((i * 37) % 20000)]);
        await db.query('commit');
        written++;
      } catch (error: unknown) {
        if (!isConnectionLoss(error)) throw error;
        await db?.end().catch(() => undefined);
        db = undefined;
        await sleep(200);
      }
      await sleep(10);
    }
    await db?.end();
  })();

  await waitUntil(
    'the producer streams',
    async () => (await metric(port, 'cdclake_producer_events_total')) > 20000,
    60_000,
  );
  await waitUntil('changes flow', async () => written > 100, 30_000);
  await pgServer.restart();
  await waitUntil('changes flow after the first restart', async () => written > 300, 60_000);
  await pgServer.restart(4000);
  await waitUntil('changes flow after the second restart', async () => written > 500, 60_000);
  writing = false;
  await writer;

  // The producer, never restarted, confirms its slot at the source's current position.
  const db = await connectPostgres(pgServer.url);
  try {
    const current = (await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]
      ?.lsn;
    await waitUntil(
      'the slot confirmed at the current position',
      async () =>
        (
          await db.query<{ caught: boolean }>(
            'select confirmed_flush_lsn >= $1::pg_lsn as caught from pg_replication_slots where slot_name = $2',
            [current, id],
          )
        ).rows[0]?.caught === true,
      60_000,
    );
  } finally {
    await db.end();
  }
  expect(running.process.exitCode).toBeNull();
  expect(await metric(port, 'cdclake_producer_reconnects_total')).toBeGreaterThan(0);
  expect(running.output()).toContain('PostgreSQL is back');
  running.process.kill('SIGTERM');
  expect(await running.exited).toBe(0);

  await runCdclake(config, ['consume', '--until-idle']);
  await runCdclake(config, ['merge', '--once']);
  const [compared] = await compareBronzeWithPostgres(config, ['t']);
  expect(compared).toEqual({ ...compared, onlyInBronze: 0, onlyInPostgres: 0, sample: [] });
}, 300_000);
