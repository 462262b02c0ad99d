// A PostgreSQL source database of a test's own, with its own slot, topic prefix, raw prefix and lake,
// removed afterwards.

import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import { freePort } from '../../core/free-port.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { postgresConninfo } from '../../core/postgres-conninfo.ts';
import { createTestDatabase, lakeTestConfig, testConfig, uniqueId } from './fixtures.ts';

export interface SourceFixture {
  config: Config;
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  cleanup(): Promise<void>;
}

export async function createSourceFixture(): Promise<SourceFixture> {
  const base = testConfig();
  const database = await createTestDatabase(base);
  const id = uniqueId('src');
  // Its own topics, raw prefix and lake too, so a merge in the test sees only this source.
  const config = lakeTestConfig(id, { PG_URL: database.url, PG_SLOT: id, PG_PUBLICATION: id });
  const client = await connectPostgres(database.url);
  return {
    config,
    sql: (text, values) => client.query(text, values),
    cleanup: async () => {
      await client
        .query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [
          id,
        ])
        .catch(() => undefined);
      await client.end();
      await database.drop();
    },
  };
}

/**
 * A source of the test's own (createSourceFixture) whose lake's catalog is a PostgreSQL database of its own, as
 * `cdclake up` and several processes need, and a metrics port; `cleanup` removes both.
 */
export async function createSourceWithLake(): Promise<SourceFixture> {
  const f = await createSourceFixture();
  const catalog = await createTestDatabase(f.config);
  return {
    config: {
      ...f.config,
      LAKE_CATALOG: `postgres:${postgresConninfo(catalog.url, catalog.name)}`,
      METRICS_PORT: await freePort(),
    },
    sql: f.sql,
    cleanup: async () => {
      await catalog.drop();
      await f.cleanup();
    },
  };
}
