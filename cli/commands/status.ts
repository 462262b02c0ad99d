// `cdclake status [--format table|json]`

import type { Config } from '../../core/config.ts';
import { createS3Client } from '../../core/s3.ts';
import { openLake } from '../../merge/lake.ts';
import { lakeStatus } from '../../merge/status.ts';
import { formatRows, parseFormat } from '../format.ts';

export async function status(config: Config, flags: { format?: string }): Promise<number> {
  const format = parseFormat(flags.format);
  const lake = await openLake(config);
  const s3 = createS3Client(config);
  try {
    const rows = await lakeStatus(lake.connection, s3, config);
    const columns = [
      'table',
      'live_rows',
      'deleted_rows',
      'data_files',
      'last_merge',
      'behind',
      'newest_change',
      'freshness_s',
      'topics',
    ];
    process.stdout.write(formatRows(columns, rows as unknown as Record<string, unknown>[], format) + '\n');
    return 0;
  } finally {
    s3.destroy();
    lake.close();
  }
}
