// Lake maintenance, as `cdclake lake compact` and on a schedule in `merge --every`: files with deleted rows
// rewritten, small data files merged into larger ones (each merge adds files; reading many small files costs per file), snapshots older than
// LAKE_SNAPSHOT_RETENTION expired, and files no snapshot needs deleted.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { integer, renderSql } from '../core/sql-files.ts';

export async function compactLake(connection: DuckDBConnection, config: Config): Promise<void> {
  await connection.run(renderSql('maintenance/flush-inlined-data.sql', {}));
  await connection.run(renderSql('maintenance/rewrite-data-files.sql', {}));
  await connection.run(renderSql('maintenance/merge-adjacent-files.sql', {}));
  await connection.run(
    renderSql('maintenance/expire-snapshots.sql', { retention_ms: integer(config.LAKE_SNAPSHOT_RETENTION) }),
  );
  await connection.run(renderSql('maintenance/cleanup-old-files.sql', {}));
}
