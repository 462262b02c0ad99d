// `cdclake query "SQL" [--format table|json|csv]`: SQL against the lake, where bronze.*, silver.* and gold.*
// name its tables (and time travel reads older snapshots: `... FROM gold.monthly_revenue AT (VERSION => 3)`).

import type { Config } from '../../core/config.ts';
import { openLake } from '../../merge/lake.ts';
import { DuckDBDecimalValue } from '@duckdb/node-api';
import { unscaledToDecimal } from '../../core/events/decimal.ts';
import { formatRows, parseFormat } from '../format.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

/** DuckDB's values as text; decimals with every digit of their scale (12.50, not 12.5). */
function cellText(value: unknown): unknown {
  if (value instanceof DuckDBDecimalValue) return unscaledToDecimal(value.value, value.scale);
  return value !== null && typeof value === 'object' ? String(value) : value;
}

export async function query(
  config: Config,
  sql: string | undefined,
  flags: { format?: string },
): Promise<number> {
  if (sql === undefined || sql.trim() === '')
    throw new CdcError(
      ErrorCode.USAGE,
      'query: give the SQL to run, e.g. cdclake query "SELECT * FROM gold.monthly_revenue"',
    );
  const format = parseFormat(flags.format);
  const lake = await openLake(config);
  try {
    const reader = await lake.connection.runAndReadAll(sql);
    // JSON gets JavaScript values; the table and CSV get text, decimals with every digit of their scale.
    const rows =
      format === 'json'
        ? (reader.getRowObjectsJS() as Record<string, unknown>[])
        : reader
            .getRowObjects()
            .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, cellText(v)])));
    process.stdout.write(formatRows(reader.columnNames(), rows, format) + '\n');
    return 0;
  } finally {
    lake.close();
  }
}
