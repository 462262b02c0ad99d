// Writes the synthetic workload into PostgreSQL, one source transaction per generated txId, so the real
// replication path carries it. Rows travel as JSON and PostgreSQL types them (json_populate_record).

import pg from 'pg';
import type { Row, TableDef } from '../../core/events/types.ts';
import { identifier, renderSql, sqlFile } from '../../core/sql-files.ts';
import type { GeneratedChange } from './change-sink.ts';
import { starSchemaTables } from './tables.ts';

interface Statements {
  insert: string;
  update: string;
  delete: string;
}

function statementsFor(table: TableDef): Statements {
  const names = {
    schema: identifier(table.schema),
    table: identifier(table.name),
    columns: { identifiers: table.columns.filter((c) => !table.key.includes(c.name)).map((c) => c.name) },
    key: { identifiers: table.key },
  };
  return {
    insert: renderSql('generator/insert-row.sql', names),
    update: renderSql('generator/update-row.sql', names),
    delete: renderSql('generator/delete-row.sql', names),
  };
}

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
  private readonly statements = new Map<string, Statements>();
  private open = false;
  private txId = -1;

  constructor(connectionString: string) {
    this.client = new pg.Client({ connectionString });
  }

  async connect(): Promise<void> {
    await this.client.connect();
    await this.client.query(sqlFile('generator/create-tables.sql'));
    for (const table of starSchemaTables) this.statements.set(table.name, statementsFor(table));
  }

  /** Applies changes in order; a change of a new txId commits the previous transaction first. */
  async write(changes: readonly GeneratedChange[]): Promise<void> {
    for (const change of changes) {
      if (change.txId !== this.txId) {
        if (this.open) await this.client.query('COMMIT');
        await this.client.query('BEGIN');
        this.open = true;
        this.txId = change.txId;
      }
      const statements = this.statements.get(change.table.name) as Statements;
      const row = (change.after ?? change.before) as Row;
      const text =
        change.op === 'c' ? statements.insert : change.op === 'u' ? statements.update : statements.delete;
      await this.client.query({
        name: `${change.table.name}-${change.op}`,
        text,
        values: [rowJson(change.table, row)],
      });
    }
  }

  async close(): Promise<void> {
    if (this.open) await this.client.query('COMMIT');
    this.open = false;
    await this.client.end();
  }
}
