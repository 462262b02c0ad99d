// Writes a micro-batch as one Parquet file through DuckDB: appender into a temporary table, then
// COPY ... (FORMAT parquet, COMPRESSION zstd). Values keep their exact types.

import {
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  LIST,
  VARCHAR,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { appendValue } from '../core/duckdb-types.ts';
import type { TableDef } from '../core/events/types.ts';
import { identifier, literal, renderSql } from '../core/sql-files.ts';
import type { Batch } from './batch.ts';

const UNCHANGED_TYPE = LIST(VARCHAR);
let sequence = 0;

export async function writeBatchParquet(
  connection: DuckDBConnection,
  batch: Batch,
  path: string,
): Promise<void> {
  const name = `raw_batch_${process.pid}_${++sequence}`;
  const table: TableDef = { schema: 'temp', name, columns: batch.columns, key: [] };
  await connection.run(
    batch.columns.length === 0
      ? renderSql('raw/create-batch-table-no-columns.sql', { table: identifier(name) })
      : renderSql('raw/create-batch-table.sql', { table: identifier(name), columns: { columns: table } }),
  );
  try {
    const appender = await connection.createAppender(name, 'main', 'temp');
    const ingestedAt = new DuckDBTimestampTZValue(BigInt(Date.now()) * 1000n);
    const topic = batch.topic;
    const partition = batch.partition;
    for (const { change, offset } of batch.entries) {
      appender.appendVarchar(change.op);
      appender.appendDecimal(new DuckDBDecimalValue(change.pos, 38, 0));
      appender.appendBigInt(change.tsMs);
      appender.appendVarchar(topic);
      appender.appendInteger(partition);
      appender.appendBigInt(offset);
      appender.appendTimestampTZ(ingestedAt);
      if (change.unchanged.length === 0) appender.appendNull();
      else appender.appendList(change.unchanged, UNCHANGED_TYPE);
      const row = change.row;
      for (const column of batch.columns) appendValue(appender, column, row[column.name]);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run(renderSql('raw/copy-batch.sql', { table: identifier(name), path: literal(path) }));
  } finally {
    await connection.run(renderSql('raw/drop-batch-table.sql', { table: identifier(name) }));
  }
}
