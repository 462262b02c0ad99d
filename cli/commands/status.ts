// `cdclake status [--format table|json]`

import type { Config } from '../../core/config.ts';
import { redact } from '../../core/redact.ts';
import { renderSql } from '../../core/sql-files.ts';
import { createS3Client } from '../../core/s3.ts';
import { openLake } from '../../merge/lake.ts';
import { lakeStatus } from '../../merge/status.ts';
import { snapshotsInProgress } from '../../producer/postgres/snapshot-status.ts';
import { formatRows, parseFormat } from '../format.ts';

export async function status(config: Config, flags: { format?: string }): Promise<number> {
  const format = parseFormat(flags.format);
  const lake = await openLake(config);
  const s3 = createS3Client(config);
  try {
    const rows: Record<string, unknown>[] = (await lakeStatus(lake.connection, s3, config)).map((r) => ({
      ...r,
      snapshot: null,
    }));
    // Incremental snapshots the producers run (from the state topic): beside their tables' rows.
    try {
      for (const snapshot of await snapshotsInProgress(config)) {
        const row = rows.find((r) => String(r['topics']).split(' ').includes(snapshot.topic));
        if (row !== undefined) row['snapshot'] = snapshot.text;
        else
          rows.push({
            table: `(${snapshot.table}, snapshotting)`,
            topics: snapshot.topic,
            snapshot: snapshot.text,
          });
      }
    } catch (error: unknown) {
      process.stderr.write(
        redact(`snapshots in progress unknown: ${error instanceof Error ? error.message : String(error)}\n`),
      );
    }
    // Models whose last build failed: a row each, with the error.
    const failures = (
      await lake.connection.runAndReadAll(renderSql('status/model-failures.sql', {}))
    ).getRowObjectsJS() as { model: string; error: string; failed_at: Date }[];
    for (const f of failures)
      rows.push({
        table: `${f.model} (model)`,
        last_merge: null,
        error: `build failed at ${f.failed_at.toISOString()}: ${f.error.split('\n')[0] ?? ''}`,
      });
    const columns = [
      'table',
      'live_rows',
      'deleted_rows',
      'data_files',
      'last_merge',
      'behind',
      'skipped_offsets',
      'newest_change',
      'freshness_s',
      'snapshot',
      'topics',
      'error',
    ];
    process.stdout.write(formatRows(columns, rows, format) + '\n');
    return 0;
  } finally {
    s3.destroy();
    lake.close();
  }
}
