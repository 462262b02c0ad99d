// The lake session of the merge, the query and status commands: DuckDB with the DuckLake catalog attached
// as `lake` and made the default catalog (so models say `bronze.orders`), its schemas created.

import type { Config } from '../core/config.ts';
import { attachLake, openDuckDB, type DuckSession } from '../core/duckdb.ts';
import { renderSql } from '../core/sql-files.ts';

export async function openLake(config: Config): Promise<DuckSession> {
  const session = await openDuckDB(config);
  try {
    await session.connection.run(renderSql('lake/load.sql', {}));
    await session.connection.run(renderSql('session/parquet-metadata-cache.sql', {}));
    await attachLake(session.connection, config, 'lake');
    await session.connection.run(renderSql('merge/create-schemas.sql', {}));
    await session.connection.run(renderSql('lake/use.sql', {}));
  } catch (error: unknown) {
    session.close();
    throw error;
  }
  return session;
}
