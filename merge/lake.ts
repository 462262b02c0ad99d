// The lake session of the merge, the query and status commands: DuckDB with the DuckLake catalog attached
// as `lake` and made the default catalog (so models say `bronze.orders`), its schemas created.

import type { Config } from '../core/config.ts';
import { attachLake, openDuckDB, type DuckSession } from '../core/duckdb.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { renderSql } from '../core/sql-files.ts';

export async function openLake(config: Config): Promise<DuckSession> {
  const session = await openDuckDB(config);
  try {
    await session.connection.run(renderSql('lake/load.sql', {}));
    await session.connection.run(renderSql('session/parquet-metadata-cache.sql', {}));
    await attachLake(session.connection, config, 'lake').catch((error: unknown) => {
      const held = /Could not set lock on file .*Conflicting lock is held in (.*)\. See/.exec(String(error));
      if (held === null) throw error;
      throw new CdcError(
        ErrorCode.LAKE_BUSY,
        `the lake's catalog ${config.LAKE_CATALOG} is in use by another process (${held[1] ?? 'unknown'}), ` +
          'such as a running `cdclake merge --every`: a DuckDB-file catalog serves one process at a time. ' +
          'Stop that process, or keep the catalog in PostgreSQL (LAKE_CATALOG=postgres:...) to query while it merges.',
        { cause: error, facts: { catalog: config.LAKE_CATALOG } },
      );
    });
    await session.connection.run(renderSql('merge/create-schemas.sql', {}));
    await session.connection.run(renderSql('lake/use.sql', {}));
  } catch (error: unknown) {
    session.close();
    throw error;
  }
  return session;
}
