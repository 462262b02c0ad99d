// `cdclake lake compact`: small data files merged, old snapshots expired, unreferenced files deleted.
// `cdclake lake attach-sql [--with-secrets]`: the SQL another DuckDB client runs to read the lake.

import type { Config } from '../../core/config.ts';
import { attachSql } from '../../merge/attach-sql.ts';
import { openLake } from '../../merge/lake.ts';
import { compactLake } from '../../merge/maintenance.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { formatDuration } from '../../core/duration.ts';

export async function lake(
  config: Config,
  action: string | undefined,
  flags: { 'with-secrets'?: boolean } = {},
): Promise<number> {
  if (action === 'attach-sql') {
    process.stdout.write(await attachSql(config, { withSecrets: flags['with-secrets'] === true }));
    return 0;
  }
  if (action !== 'compact')
    throw new CdcError(
      ErrorCode.USAGE,
      `lake: unknown action ${JSON.stringify(action)}; expected: cdclake lake compact | attach-sql [--with-secrets]`,
    );
  const session = await openLake(config);
  try {
    const started = performance.now();
    await compactLake(session.connection, config);
    process.stdout.write(
      `lake compacted in ${((performance.now() - started) / 1000).toFixed(1)} s (snapshots older than ${formatDuration(config.LAKE_SNAPSHOT_RETENTION)} expired)\n`,
    );
    return 0;
  } finally {
    session.close();
  }
}
