// Writes the expected final state of each source table as Parquet (one file per table), so a test or a
// benchmark has an oracle to compare the lake with.

import { DuckDBInstance } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { openDuckDB } from '../core/duckdb.ts';
import { appendValue } from '../core/duckdb-types.ts';
import type { Row, TableDef } from '../core/events/types.ts';
import { identifier, literal, renderSql } from '../core/sql-files.ts';

/** Writes `<location>/<table>.parquet` for each table; `location` is a local folder or an s3:// prefix. */
export async function writeExpectedState(
  config: Config,
  location: string,
  tables: { table: TableDef; rows: Iterable<Row> }[],
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
      await connection.run(
        renderSql('expected/copy-to-parquet.sql', { table: identifier(name), path: literal(path) }),
      );
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
