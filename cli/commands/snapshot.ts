// `cdclake snapshot --tables a,b [--reconcile]`: asks the running producer (of PG_SLOT) for an incremental
// snapshot of some tables, while it streams. The request is a logical decoding message in the source's WAL,
// so the producer meets it in order, and a producer that is down meets it when it starts again.

import { randomUUID } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { sqlFile } from '../../core/sql-files.ts';
import { readTableDef } from '../../producer/postgres/catalog.ts';
import { REQUEST_PREFIX, type SnapshotRequest } from '../../producer/postgres/incremental-snapshot.ts';
import { SESSION_OPTIONS } from '../../producer/postgres/replication-stream.ts';

export async function snapshot(
  config: Config,
  flags: { tables?: string; reconcile?: boolean },
  print: (line: string) => void,
): Promise<number> {
  if (flags.tables === undefined || flags.tables.trim() === '')
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      'cdclake snapshot needs --tables schema.table[,schema.table...]',
    );
  const fallback = config.PG_SCHEMA[0] as string;
  const tables = flags.tables.split(',').map((t) => (t.includes('.') ? t : `${fallback}.${t}`));
  const client = await connectPostgres(config.PG_URL, { options: SESSION_OPTIONS });
  try {
    // Refused here, by name, rather than by the producer later.
    for (const table of tables) {
      const [schema, name] = table.split('.', 2) as [string, string];
      await readTableDef(client, schema, name, config.CDC_KEY_COLUMNS ?? {});
    }
    const request: SnapshotRequest = {
      slot: config.PG_SLOT,
      id: randomUUID(),
      tables,
      ...(flags.reconcile === true ? { reconcile: true } : {}),
    };
    const result = await client.query<{ lsn: string }>(sqlFile('postgres/emit-message.sql'), [
      REQUEST_PREFIX,
      JSON.stringify(request),
    ]);
    print(
      `incremental snapshot of ${tables.join(', ')} requested (at ${result.rows[0]?.lsn ?? '?'}) from the producer ` +
        `of slot ${config.PG_SLOT}${flags.reconcile === true ? ', then reconciled' : ''}; it runs beside the stream: ` +
        "progress in `cdclake status` and on the producer's /metrics (cdclake_snapshot_*)",
    );
    return 0;
  } finally {
    await client.end();
  }
}
