// `cdclake query "SQL" [--format table|json|csv]`: SQL against the lake, where bronze.*, silver.* and gold.*
// name its tables (and time travel reads older snapshots: `... FROM gold.monthly_revenue AT (VERSION => 3)`).

import type { Config } from '../../core/config.ts';
import { openLake } from '../../merge/lake.ts';
import { formatRows, parseFormat } from '../format.ts';

export async function query(
  config: Config,
  sql: string | undefined,
  flags: { format?: string },
): Promise<number> {
  if (sql === undefined || sql.trim() === '')
    throw new Error('query: give the SQL to run, e.g. cdclake query "SELECT * FROM gold.monthly_revenue"');
  const format = parseFormat(flags.format);
  const lake = await openLake(config);
  try {
    const reader = await lake.connection.runAndReadAll(sql);
    process.stdout.write(
      formatRows(reader.columnNames(), reader.getRowObjectsJS() as Record<string, unknown>[], format) + '\n',
    );
    return 0;
  } finally {
    lake.close();
  }
}
