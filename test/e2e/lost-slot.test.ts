// A replication slot lost to max_slot_wal_keep_size while the producer was stopped, with deletes, updates and
// inserts made meanwhile: the producer says what happened and how to fix it, once, with a distinct exit
// code; `--resnapshot` takes a new slot, snapshots every table incrementally and reconciles, so bronze ends
// equal to the source with no ghost rows. On a PostgreSQL server of the test's own: the setting
// invalidates every slot that falls behind, and other tests' slots must not be among them.

import { afterAll, expect, test } from 'vitest';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { lakeTestConfig, uniqueId } from '../support/fixtures.ts';
import { startIsolatedPostgres, type IsolatedPostgres } from '../support/isolated-postgres.ts';
import { runCdclake } from '../support/processes.ts';
import { connectPostgres } from '../../core/postgres-client.ts';

let server: IsolatedPostgres | undefined;
afterAll(async () => {
  await server?.stop();
});

test('a lost slot: one clear error, then --resnapshot brings bronze back to the source, no ghost rows', async () => {
  const id = uniqueId('lost');
  server = await startIsolatedPostgres(lakeTestConfig(id).CDCLAKE_HOME);
  const config = lakeTestConfig(id, { PG_URL: server.url, PG_SLOT: id, PG_PUBLICATION: id });
  const db = await connectPostgres(server.url);
  const sql = (text: string) => db.query(text);
  try {
    await sql('create table t (id int primary key, v text)');
    await sql('create table filler (n int, pad text)');
    await sql("insert into t select i, 'v' || i from generate_series(1, 1000) i");
    const round = async (extra: string[] = []) => {
      await runCdclake(config, ['produce', '--source', 'postgres', '--until-idle', ...extra], {
        PG_TABLES: 'public.t',
      });
      await runCdclake(config, ['consume', '--until-idle']);
      await runCdclake(config, ['merge', '--once']);
    };
    await round();
    const [first] = await compareBronzeWithPostgres(config, ['t']);
    expect(first).toEqual({ ...first, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: 1000, sample: [] });

    // The producer is stopped; the source changes; WAL is pushed past max_slot_wal_keep_size.
    await sql("alter system set max_slot_wal_keep_size = '16MB'");
    await sql('select pg_reload_conf()');
    await sql('delete from t where id <= 100');
    await sql("update t set v = 'changed' where id between 200 and 300");
    await sql("insert into t select i, 'new' from generate_series(1001, 1100) i");
    let status = '';
    for (let i = 0; i < 30 && status !== 'lost'; i++) {
      await sql("insert into filler select g, repeat('x', 100) from generate_series(1, 2000) g");
      await sql('select pg_switch_wal()');
      if (i % 3 === 2) await sql('checkpoint');
      status =
        (
          await db.query<{ wal_status: string }>(
            `select wal_status from pg_replication_slots where slot_name = '${id}'`,
          )
        ).rows[0]?.wal_status ?? 'gone';
    }
    expect(status).toBe('lost');

    const refused = await runCdclake(config, ['produce', '--source', 'postgres', '--until-idle'], {
      PG_TABLES: 'public.t',
    }).then(
      () => 'no error',
      (error: unknown) => String(error),
    );
    expect(refused).toContain('exited 3');
    expect(refused).toContain('wal_status = lost');
    expect(refused).toContain('--resnapshot');
    expect(refused.match(/is lost/g)?.length).toBe(1); // said once

    await round(['--resnapshot']);
    const [after] = await compareBronzeWithPostgres(config, ['t']);
    expect(after).toEqual({ ...after, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: 1000, sample: [] });
    // The stream goes on from the new slot.
    await sql('delete from t where id = 500');
    await round();
    const [last] = await compareBronzeWithPostgres(config, ['t']);
    expect(last).toEqual({ ...last, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: 999, sample: [] });
  } finally {
    await db.end();
  }
}, 300_000);
