// The initial snapshot: every row of every captured table, read under the slot's exported snapshot, so
// streaming continues from exactly the snapshot's point: no gap, no overlap.

import type { Row, TableDef } from '../../core/events/types.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { identifier, literal, renderSql, sqlFile } from '../../core/sql-files.ts';
import { SESSION_OPTIONS } from './replication-stream.ts';
import { rowFromText } from './rows.ts';

/** Text of every value, converted by cdclake itself: no driver-side parsing. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

export async function readSnapshot(
  connectionString: string,
  snapshotName: string,
  tables: TableDef[],
  onRows: (table: TableDef, rows: Row[]) => Promise<void>,
): Promise<number> {
  const client = await connectPostgres(connectionString, { options: SESSION_OPTIONS, types: RAW_TYPES });
  let total = 0;
  try {
    await client.query(sqlFile('postgres/snapshot-begin.sql'));
    await client.query(renderSql('postgres/snapshot-use.sql', { snapshot: literal(snapshotName) }));
    for (const table of tables) {
      await client.query(
        renderSql('postgres/snapshot-declare.sql', {
          columns: { identifiers: table.columns.map((c) => c.name) },
          schema: identifier(table.schema),
          table: identifier(table.name),
        }),
      );
      for (;;) {
        const result = await client.query({ text: sqlFile('postgres/snapshot-fetch.sql'), rowMode: 'array' });
        if (result.rows.length === 0) break;
        const rows = (result.rows as (string | null)[][]).map((values) => rowFromText(table, values));
        total += rows.length;
        await onRows(table, rows);
      }
      await client.query(sqlFile('postgres/snapshot-close.sql'));
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return total;
}
