// Writes the synthetic workload into PostgreSQL, one source transaction per generated txId, so the real
// replication path carries it. Rows travel as JSON and PostgreSQL types them (json_populate_record).

import pg from 'pg';
import type { Row, TableDef } from '../../core/events/types.ts';
import { sqlFile } from '../../core/sql-files.ts';
import type { GeneratedChange } from './change-sink.ts';

function microsToIso(micros: bigint): string {
  const ms = micros / 1000n;
  const rest = Number(((micros % 1000n) + 1000n) % 1000n);
  const iso = new Date(Number(ms)).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

function rowJson(table: TableDef, row: Row): string {
  const out: Record<string, unknown> = {};
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === undefined || value === null) out[column.name] = null;
    else if (column.type.kind === 'timestamptz' || column.type.kind === 'timestamp')
      out[column.name] = microsToIso(value as bigint);
    else if (typeof value === 'bigint') out[column.name] = value.toString();
    else out[column.name] = value;
  }
  return JSON.stringify(out);
}

export class PostgresWriter {
  private readonly client: pg.Client;
  private transaction: string[] = [];
  private txId = -1;

  constructor(connectionString: string) {
    this.client = new pg.Client({ connectionString });
  }

  async connect(): Promise<void> {
    await this.client.connect();
    await this.client.query(sqlFile('generator/session.sql'));
    await this.client.query(sqlFile('generator/create-tables.sql'));
    await this.client.query(sqlFile('generator/apply-changes.sql'));
  }

  /** Applies changes in order, one source transaction per txId, each in one round trip. */
  async write(changes: readonly GeneratedChange[]): Promise<void> {
    for (const change of changes) {
      if (change.txId !== this.txId) {
        await this.commit();
        this.txId = change.txId;
      }
      const row = rowJson(change.table, (change.after ?? change.before) as Row);
      this.transaction.push(
        `{"table":${JSON.stringify(change.table.name)},"op":"${change.op}","row":${row}}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.commit();
    await this.client.end();
  }

  private async commit(): Promise<void> {
    if (this.transaction.length === 0) return;
    const changes = `[${this.transaction.join(',')}]`;
    this.transaction = [];
    await this.client.query({
      name: 'cdclake-apply',
      text: sqlFile('generator/apply.sql'),
      values: [changes],
    });
  }
}
