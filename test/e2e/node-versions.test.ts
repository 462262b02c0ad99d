// cdclake runs on every supported Node.js release, not only the one the tests run on: on Node 22 and 24
// (the official binaries, from the npm registry), a source's changes go through produce, consume and merge,
// and query reads back what the source holds.

import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../core/config.ts';
import { Home } from '../../scripts/services/home.ts';
import { ensureNodeRuntime, nodeRuntimeUnavailable } from '../../scripts/services/node-runtimes.ts';
import { NODE_RUNTIMES } from '../../scripts/services/versions.ts';
import { createSourceFixture } from '../support/postgres-source.ts';
import { runCdclake } from '../support/processes.ts';

const unavailable = nodeRuntimeUnavailable();

describe.skipIf(unavailable !== undefined)('other Node.js releases', () => {
  for (const major of Object.keys(NODE_RUNTIMES) as (keyof typeof NODE_RUNTIMES)[]) {
    test(`Node ${major}: produce, consume, merge and query`, async () => {
      const node = await ensureNodeRuntime(new Home(resolveConfig().CDCLAKE_HOME), major);
      const f = await createSourceFixture();
      try {
        await f.sql(
          'create table items (id int primary key, name text, price numeric(10,2), at timestamptz)',
        );
        await f.sql(
          "insert into items select i, 'item ' || i, i * 1.25, '2026-01-01'::timestamptz + i * interval '1 hour' from generate_series(1, 5000) i",
        );
        await f.sql('update items set price = price * 2 where id % 10 = 0');
        await f.sql('delete from items where id % 100 = 0');
        const run = (args: string[]): Promise<string> => runCdclake(f.config, args, {}, 300_000, node);
        expect(await run(['--version-check-is-not-a-command']).catch((e: Error) => e.message)).toContain(
          'unknown command',
        );
        await run(['produce', '--source', 'postgres', '--until-idle']);
        await run(['consume', '--until-idle']);
        await run(['merge', '--once']);
        const csv = await run([
          'query',
          'select count(*) as n, sum(price) as total, max("at") as latest from bronze.items',
          '--format',
          'csv',
        ]);
        const [n, total, last] = (csv.trim().split('\n')[1] ?? '').split(',');
        const [expected] = (
          await f.sql(
            "select count(*)::int as n, sum(price)::text as total, to_char(max(at) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as last from items",
          )
        ).rows as { n: number; total: string; last: string }[];
        expect({ n: Number(n), total, last: last?.slice(0, 19) }).toEqual(expected);
      } finally {
        await f.cleanup();
      }
    }, 300_000);
  }
});
