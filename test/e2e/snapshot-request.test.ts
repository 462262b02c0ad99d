// `cdclake snapshot --tables ... [--reconcile]`: a snapshot asked of the producer while it runs (here: a
// stopped producer meets the request when it starts, as it would meet it streaming). With --reconcile, rows
// bronze holds that the source no longer has (deletes the stream never carried: here the table was out of
// the publication meanwhile) are marked deleted.

import { afterAll, expect, test } from 'vitest';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { createSourceFixture, type SourceFixture } from '../support/postgres-source.ts';
import { runCdclake } from '../support/processes.ts';

let fixture: SourceFixture | undefined;
afterAll(async () => {
  await fixture?.cleanup();
});

test('cdclake snapshot re-reads tables beside the stream; --reconcile removes rows the source lost', async () => {
  fixture = await createSourceFixture();
  const f = fixture;
  const round = async () => {
    await runCdclake(f.config, ['produce', '--source', 'postgres', '--until-idle']);
    await runCdclake(f.config, ['consume', '--until-idle']);
    await runCdclake(f.config, ['merge', '--once']);
  };
  await f.sql('create table t (id int primary key, v text)');
  await f.sql('create table u (id int primary key, v text)');
  await f.sql("insert into t select i, 'v' || i from generate_series(1, 2000) i");
  await f.sql("insert into u select i, 'u' || i from generate_series(1, 300) i");
  await round();

  // Changes the stream never carries: the table is out of the publication while they are made.
  await f.sql(`alter publication ${f.config.PG_PUBLICATION} drop table t`);
  await f.sql('delete from t where id <= 150');
  await f.sql("update t set v = 'unseen' where id between 500 and 520");
  await f.sql(`alter publication ${f.config.PG_PUBLICATION} add table t`);
  await round();
  const [drifted] = await compareBronzeWithPostgres(f.config, ['t']);
  expect(drifted?.onlyInBronze).toBe(171); // 150 ghosts and 21 stale rows

  const refused = await runCdclake(f.config, ['snapshot', '--tables', 'nope']).then(
    () => 'accepted',
    (error: unknown) => String(error),
  );
  expect(refused).toMatch(/table public\.nope does not exist in the source/);
  const asked = await runCdclake(f.config, ['snapshot', '--tables', 't,public.u', '--reconcile']);
  expect(asked).toMatch(/incremental snapshot of public\.t, public\.u requested/);
  await round();
  for (const t of await compareBronzeWithPostgres(f.config, ['t', 'u']))
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
}, 300_000);
