// A PostgreSQL source database of a test's own, with its own slot, topic prefix, raw prefix and lake,
// removed afterwards.

import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
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
