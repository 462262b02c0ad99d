// What the demo (and the freshness bench) ask PostgreSQL itself: its databases, the WAL position, how far its slot is confirmed,
// the source tables and their rows, and dropping the slot at the end.

import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { identifier, renderSql, sqlFile } from '../../core/sql-files.ts';
import { lsnToBigInt } from '../../producer/postgres/pgoutput.ts';

export async function createDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(renderSql('demo/create-database.sql', { database: identifier(name) }));
}

export async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(renderSql('demo/drop-database.sql', { database: identifier(name) }));
}

export async function currentWalLsn(admin: pg.Client): Promise<bigint> {
  const { rows } = await admin.query<{ lsn: string }>(sqlFile('postgres/current-wal-lsn.sql'));
  return lsnToBigInt(rows[0]?.lsn ?? '0/0');
}

/** The slot's confirmed position, or undefined while the slot does not exist. */
export async function slotConfirmed(admin: pg.Client, slot: string): Promise<bigint | undefined> {
  const { rows } = await admin.query<{ confirmed_flush_lsn: string | null }>(
    sqlFile('postgres/slot-state.sql'),
    [slot],
  );
  const lsn = rows[0]?.confirmed_flush_lsn;
  return lsn === undefined || lsn === null ? undefined : lsnToBigInt(lsn);
}

export async function sourceTables(source: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await source.query<{ table_name: string }>(sqlFile('postgres/list-tables.sql'), [schema]);
  return rows.map((r) => r.table_name);
}

export async function sourceRows(
  source: pg.Client,
  schema: string,
  tables: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const table of tables) {
    const { rows } = await source.query<{ rows: string }>(
      renderSql('demo/source-rows.sql', { schema: identifier(schema), table: identifier(table) }),
    );
    out.set(table, Number(rows[0]?.rows ?? 0));
  }
  return out;
}

/** Drops the slot; a producer killed a moment ago may still hold it, so this retries for a few seconds. */
export async function dropSlot(admin: pg.Client, slot: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(sqlFile('postgres/drop-slot.sql'), [slot]);
      return;
    } catch (error: unknown) {
      if (attempt >= 20) throw error;
      await sleep(250);
    }
  }
}
