// The types bronze's columns landed with, for input whose types are not the source's own (Debezium JSON
// without schemas, typed by its values and LAKE_COLUMN_TYPES).

import type { Config } from '../../core/config.ts';
import { bronzeTableName } from '../../core/lake-names.ts';
import { quotedString } from '../../core/sql.ts';
import { openLake } from '../../merge/lake.ts';

/** The types of bronze.<table>'s source columns as DuckDB names them, in column order, `_` columns left out. */
export async function bronzeTypes(config: Config, table: string): Promise<Record<string, string>> {
  const lake = await openLake(config);
  try {
    const rows = (
      await lake.connection.runAndReadAll(
        `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'lake' AND schema_name = 'bronze' AND table_name = ${quotedString(bronzeTableName('public', table, config.LAKE_PLAIN_SCHEMA))} AND NOT starts_with(column_name, '_') ORDER BY column_index`,
      )
    ).getRowObjectsJS() as { column_name: string; data_type: string }[];
    return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
  } finally {
    lake.close();
  }
}
