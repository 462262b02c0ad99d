// Writes the expected final state of each source table as Parquet (one file per table), so a test or a
// benchmark has an oracle to compare the lake with.

import { DuckDBInstance } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { openDuckDB } from '../core/duckdb.ts';
import { appendValue } from '../core/duckdb-types.ts';
import type { Row, TableDef } from '../core/events/types.ts';
import { identifier, literal, renderSql } from '../core/sql-files.ts';

/** How long a failed write of the expected state to S3 is tried again (a store restarting at the end of a run). */
const WRITE_RETRY_MS = 5 * 60_000;

/**
 * Writes `<location>/<table>.parquet` for each table; `location` is a local folder or an s3:// prefix. A
 * write to S3 that fails is tried again after a growing wait (1 s, doubling, at most 30 s) for up to 5
 * minutes: the rows are held in DuckDB meanwhile, so a store that restarts does not cost the run its oracle.
 */
export async function writeExpectedState(
  config: Config,
  location: string,
  tables: { table: TableDef; rows: Iterable<Row> }[],
  log?: Logger,
): Promise<string[]> {
  const onS3 = location.startsWith('s3://');
  const session = onS3 ? await openDuckDB(config) : undefined;
  const instance = session?.instance ?? (await DuckDBInstance.create(':memory:'));
  const connection = session?.connection ?? (await instance.connect());
  const written: string[] = [];
  try {
    for (const { table, rows } of tables) {
      const name = `expected_${table.name}`;
      await connection.run(
        renderSql('expected/create-table.sql', { table: identifier(name), columns: { columns: table } }),
      );
      const appender = await connection.createAppender(name);
      for (const row of rows) {
        for (const column of table.columns) appendValue(appender, column, row[column.name]);
        appender.endRow();
      }
      appender.closeSync();
      const path = `${location.replace(/\/$/, '')}/${table.name}.parquet`;
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          await connection.run(
            renderSql('expected/copy-to-parquet.sql', { table: identifier(name), path: literal(path) }),
          );
          break;
        } catch (error: unknown) {
          const elapsed = Date.now() - started;
          if (!onS3 || elapsed >= WRITE_RETRY_MS) throw error;
          const waitMs = Math.min(1000 * 2 ** Math.min(attempt - 1, 5), 30_000, WRITE_RETRY_MS - elapsed);
          log?.warn(
            { err: error, path, attempt, retryInMs: waitMs },
            'writing the expected state failed; trying again',
          );
          await new Promise((resolve) => setTimeout(resolve, waitMs));
        }
      }
      written.push(path);
    }
  } finally {
    if (session !== undefined) session.close();
    else {
      connection.closeSync();
      instance.closeSync();
    }
  }
  return written;
}
