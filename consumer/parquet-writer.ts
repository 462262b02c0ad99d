// Writes a micro-batch as one Parquet file through DuckDB: the appender fills a staging table through its
// fast paths, then COPY (SELECT <exact types>) ... (FORMAT parquet, COMPRESSION zstd). Values keep their
// exact types: decimals from their text, timestamps from their microseconds.

import type { DuckDBConnection } from '@duckdb/node-api';
import { identifier, integer, literal, renderSql } from '../core/sql-files.ts';
import type { Batch } from './batch.ts';
import { appendStaged, projectionList, stagingColumns } from './staging-columns.ts';

let sequence = 0;

export async function writeBatchParquet(
  connection: DuckDBConnection,
  batch: Batch,
  path: string,
): Promise<void> {
  const name = `raw_batch_${process.pid}_${++sequence}`;
  const table = identifier(name);
  await connection.run(
    renderSql('raw/create-staging-table.sql', { table, columns: { raw: stagingColumns(batch.columns) } }),
  );
  try {
    const appender = await connection.createAppender(name, 'main', 'temp');
    const columns = batch.columns;
    for (const { change, offset } of batch.entries) {
      appender.appendVarchar(change.op);
      appender.appendHugeInt(change.pos);
      appender.appendBigInt(change.tsMs);
      appender.appendBigInt(offset);
      if (change.unchanged.length === 0) appender.appendNull();
      else appender.appendVarchar(change.unchanged.join(','));
      const row = change.row;
      for (const column of columns) appendStaged(appender, column, row[column.name]);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run(
      renderSql('raw/copy-batch.sql', {
        table,
        path: literal(path),
        topic: literal(batch.topic),
        partition: integer(batch.partition),
        ingested_at: literal(String(Date.now() * 1000)),
        projection: { raw: projectionList(columns) },
      }),
    );
  } finally {
    await connection.run(renderSql('raw/drop-batch-table.sql', { table }));
  }
}
