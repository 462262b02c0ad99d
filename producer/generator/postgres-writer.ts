// Writes the synthetic workload into PostgreSQL, one source transaction per generated txId, so the real
// replication path carries it. Rows travel as JSON and PostgreSQL types them (json_populate_record).
// The transactions finished in a batch go in one round trip (a procedure commits each on its own): one
// round trip per transaction held the generator near 5.5k events/s here.

import type pg from 'pg';
import type { Row, TableDef } from '../../core/events/types.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
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
  private client: pg.Client | undefined;
  private readonly connectionString: string;
  private transaction: string[] = [];
  /** Finished transactions not sent yet, each a JSON array of changes. */
  private finished: string[] = [];
  private txId = -1;

  constructor(connectionString: string) {
    this.connectionString = connectionString;
  }

  async connect(): Promise<void> {
    const client = await connectPostgres(this.connectionString);
    this.client = client;
    await client.query(sqlFile('generator/session.sql'));
    await client.query(sqlFile('generator/create-tables.sql'));
    await client.query(sqlFile('generator/apply-changes.sql'));
  }

  /**
   * Applies changes in order, one source transaction per txId: the transactions finished by this batch are
   * committed when it returns; the last one may go on in the next batch.
   */
  async write(changes: readonly GeneratedChange[]): Promise<void> {
    for (const change of changes) {
      if (change.txId !== this.txId) {
        this.finish();
        this.txId = change.txId;
      }
      const row = rowJson(change.table, (change.after ?? change.before) as Row);
      this.transaction.push(
        `{"table":${JSON.stringify(change.table.name)},"op":"${change.op}","row":${row}}`,
      );
    }
    await this.send();
  }

  async close(): Promise<void> {
    this.finish();
    await this.send();
    await this.client?.end();
  }

  private finish(): void {
    if (this.transaction.length === 0) return;
    this.finished.push(`[${this.transaction.join(',')}]`);
    this.transaction = [];
  }

  private async send(): Promise<void> {
    if (this.finished.length === 0) return;
    const transactions = `[${this.finished.join(',')}]`;
    this.finished = [];
    if (this.client === undefined) throw new Error('PostgresWriter.write before connect');
    await this.client.query({
      name: 'cdclake-apply',
      text: sqlFile('generator/apply.sql'),
      values: [transactions],
    });
  }
}
