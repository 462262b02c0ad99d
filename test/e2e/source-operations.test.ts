// What ordinary PostgreSQL operations do to the lake, through the real producer, Kafka, consumer and merge:
// key changes, TRUNCATE (several tables, CASCADE, RESTART IDENTITY) and same-named tables in two schemas
// or two spellings. After each round, every bronze table equals its source table over every column.

import { afterAll, expect, test } from 'vitest';
import { bronzeTableName } from '../../core/lake-names.ts';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { queryLake } from '../support/lake.ts';
import { createSourceFixture, type SourceFixture } from '../support/postgres-source.ts';
import { runCdclake } from '../support/processes.ts';

let fixture: SourceFixture | undefined;
afterAll(async () => {
  await fixture?.cleanup();
});

async function roundTrip(f: SourceFixture, tables: string[]): Promise<void> {
  await runCdclake(f.config, ['produce', '--source', 'postgres', '--until-idle']);
  await runCdclake(f.config, ['consume', '--until-idle']);
  await runCdclake(f.config, ['merge', '--once']);
  const compared = await compareBronzeWithPostgres(f.config, tables);
  for (const t of compared)
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
}

test('key changes, truncates and same-named tables land as the source has them', async () => {
  fixture = await createSourceFixture();
  const f = fixture;
  await f.sql('create schema sales');
  await f.sql('create table parents (id int primary key, name text)');
  await f.sql(
    'create table children (id serial primary key, parent int references parents on update cascade, v text)',
  );
  await f.sql('create table items (a int, b text, v int, primary key (a, b))');
  await f.sql('create table sales.items (a int, b text, v int, primary key (a, b))');
  await f.sql('create table "Items" (id int primary key, v text)');
  await f.sql("insert into parents select i, 'p' || i from generate_series(1, 50) i");
  await f.sql("insert into children (parent, v) select 1 + i % 50, 'c' || i from generate_series(1, 200) i");
  await f.sql("insert into items select i, 'x', i from generate_series(1, 100) i");
  await f.sql("insert into sales.items select i, 'y', -i from generate_series(1, 30) i");
  await f.sql('insert into "Items" select i, \'upper\' from generate_series(1, 10) i');
  const tables = ['parents', 'children', 'items', 'sales.items', 'Items'];
  await runCdclake(f.config, ['produce', '--source', 'postgres', '--until-idle'], {
    PG_TABLES: 'public.parents,public.children,public.items,sales.items,public.Items',
  });
  await runCdclake(f.config, ['consume', '--until-idle']);
  await runCdclake(f.config, ['merge', '--once']);
  for (const t of await compareBronzeWithPostgres(f.config, tables))
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
  const names = await queryLake<{ bronze_name: string; source_schema: string; source_table: string }>(
    f.config,
    'SELECT bronze_name, source_schema, source_table FROM cdclake.tables ORDER BY bronze_name',
  );
  expect(names.map((n) => `${n.source_schema}.${n.source_table}=${n.bronze_name}`)).toEqual([
    'public.children=children',
    'public.items=items',
    `public.Items=${bronzeTableName('public', 'Items', 'public')}`,
    'public.parents=parents',
    'sales.items=sales__items',
  ]);

  // Key changes: one row, many rows at once, a composite key, a key swap inside one transaction.
  await f.sql('update parents set id = id + 1000 where id = 1');
  await f.sql('update items set a = a + 1000 where a <= 20');
  await f.sql("update items set b = 'z' where a = 50");
  await f.sql(
    'begin; update parents set id = -2 where id = 2; update parents set id = 2 where id = 3; ' +
      'update parents set id = 3 where id = -2; commit',
  );
  await f.sql('update sales.items set a = 0, v = 0 where a = 30');
  // TRUNCATE of several tables, with CASCADE and RESTART IDENTITY, then new rows; and a plain TRUNCATE.
  await f.sql('truncate parents, items restart identity cascade');
  await f.sql("insert into parents values (7, 'after')");
  await f.sql("insert into children (parent, v) values (7, 'after')");
  await f.sql("insert into items values (1, 'x', 1)");
  await f.sql('truncate "Items"');
  await f.sql('insert into "Items" values (5, \'again\')');
  await roundTrip(f, tables);
  expect((await compareBronzeWithPostgres(f.config, ['children']))[0]?.postgresRows).toBe(1);

  // A truncate merged in its own pass.
  await f.sql('truncate sales.items');
  await roundTrip(f, tables);

  // The one pair the naming rule cannot tell apart is refused by the lake, naming both tables.
  await f.sql('create table sales__items (a int, b text, v int, primary key (a, b))');
  await runCdclake(f.config, ['produce', '--source', 'postgres', '--until-idle'], {
    PG_TABLES: 'public.sales__items',
  });
  await f.sql("insert into sales__items values (1, 'clash', 1)");
  await runCdclake(f.config, ['produce', '--source', 'postgres', '--until-idle'], {
    PG_TABLES: 'public.sales__items',
  });
  await runCdclake(f.config, ['consume', '--until-idle']);
  const refused = await runCdclake(f.config, ['merge', '--once']).then(
    () => 'merged',
    (error: unknown) => String(error),
  );
  expect(refused).toMatch(
    /bronze\.sales__items already holds source table sales\.items; public\.sales__items/,
  );
  const [salesItems] = await compareBronzeWithPostgres(f.config, ['sales.items']);
  expect(salesItems).toEqual({ ...salesItems, onlyInBronze: 0, onlyInPostgres: 0, sample: [] });
}, 300_000);
