// The publication and replication slot the producer reads from: created when missing, widened when a
// configured table is not in the publication yet. A new slot comes with an exported snapshot.

import type pg from 'pg';
import type { TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { identifier, renderSql, sqlFile } from '../../core/sql-files.ts';
import { lsnToBigInt } from './pgoutput.ts';
import { SESSION_OPTIONS } from './replication-stream.ts';

export async function ensurePublication(
  client: pg.Client,
  publication: string,
  tables: TableDef[],
): Promise<void> {
  const result = await client.query<{
    exists: boolean;
    schema_name: string | null;
    table_name: string | null;
  }>(sqlFile('postgres/publication-tables.sql'), [publication]);
  const exists = result.rows[0]?.exists === true;
  const present = new Set(result.rows.map((r) => `${r.schema_name}.${r.table_name}`));
  const missing = tables.filter((t) => !present.has(`${t.schema}.${t.name}`));
  if (!exists) {
    await client.query(
      renderSql('postgres/create-publication.sql', {
        publication: identifier(publication),
        tables: { tables },
      }),
    );
  } else if (missing.length > 0) {
    await client.query(
      renderSql('postgres/publication-add-tables.sql', {
        publication: identifier(publication),
        tables: { tables: missing },
      }),
    );
  }
}

export interface SlotState {
  confirmedFlush: bigint;
  /** pg_replication_slots.wal_status: reserved, extended, unreserved, or lost (WAL it needs was removed). */
  walStatus: string | null;
}

export async function readSlot(
  client: pg.Client,
  slot: string,
  database: string,
): Promise<SlotState | undefined> {
  const result = await client.query<{
    plugin: string;
    database: string;
    confirmed_flush_lsn: string | null;
    wal_status: string | null;
  }>(sqlFile('postgres/slot-state.sql'), [slot]);
  const row = result.rows[0];
  if (row === undefined) return undefined;
  if (row.plugin !== 'pgoutput' || row.database !== database) {
    throw new CdcError(
      ErrorCode.SOURCE_SLOT,
      `replication slot ${slot} belongs to plugin ${row.plugin} on database ${row.database}, not pgoutput on ${database}; ` +
        'choose another PG_SLOT',
      { facts: { slot } },
    );
  }
  return { confirmedFlush: lsnToBigInt(row.confirmed_flush_lsn ?? '0/0'), walStatus: row.wal_status };
}

/**
 * Creates the slot on a replication connection, which must stay open while its exported snapshot is
 * in use: call `release()` once the snapshot has been read.
 */
export async function createSlotWithSnapshot(
  connectionString: string,
  slot: string,
  temporary = false,
  exported = true,
): Promise<{ consistentPoint: bigint; snapshotName: string; release(): Promise<void> }> {
  const client = await connectPostgres(connectionString, {
    replication: 'database',
    options: SESSION_OPTIONS,
  });
  try {
    const result = await client.query<{ consistent_point: string; snapshot_name: string | null }>(
      renderSql(
        !exported
          ? 'postgres/create-slot-no-snapshot.sql'
          : temporary
            ? 'postgres/create-temporary-slot.sql'
            : 'postgres/create-slot.sql',
        {
          slot: identifier(slot),
        },
      ),
    );
    const row = result.rows[0];
    if (row === undefined)
      throw new CdcError(ErrorCode.SOURCE_SLOT, 'CREATE_REPLICATION_SLOT returned nothing');
    return {
      consistentPoint: lsnToBigInt(row.consistent_point),
      snapshotName: row.snapshot_name ?? '',
      release: async () => {
        await client.end();
      },
    };
  } catch (error: unknown) {
    await client.end().catch(() => undefined);
    throw new CdcError(ErrorCode.SOURCE_SLOT, `could not create replication slot ${slot}: ${String(error)}`, {
      facts: { slot },
      cause: error,
    });
  }
}
