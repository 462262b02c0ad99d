// Writes the synthetic workload into PostgreSQL, one source transaction per generated txId, so the real
// replication path carries it. Rows travel as JSON and PostgreSQL types them (json_populate_record).
// The transactions finished in a batch go in one round trip (a procedure commits each on its own): one
// round trip per transaction held the generator near 5.5k events/s here.
// A connection that goes away (PostgreSQL restarting) is opened again and the failed batch sent again whole:
// apply-changes.sql makes a replay in order end where one commit would have.

import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import type { Row, TableDef } from '../../core/events/types.ts';
import type { Logger } from '../../core/logger.ts';
import { connectPostgres, isConnectionLoss, postgresTarget } from '../../core/postgres-client.ts';
import { sqlFile } from '../../core/sql-files.ts';
import type { GeneratedChange } from './change-sink.ts';

/** The first wait before connecting again, doubled after each failed attempt up to the longest. */
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 30_000;

export interface PostgresWriterOptions {
  /** How long a batch is sent again while PostgreSQL cannot be reached (GENERATOR_RECONNECT_MS; 0: never). */
  reconnectMs?: number;
  log?: Logger;
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
  private client: pg.Client | undefined;
  private readonly connectionString: string;
  private readonly reconnectMs: number;
  private readonly log: Logger | undefined;
  private transaction: string[] = [];
  /** Finished transactions not sent yet, each a JSON array of changes. */
  private finished: string[] = [];
  private txId = -1;
  /** A batch was lost (an error, or PostgreSQL away too long): close() sends nothing after it. */
  private failed = false;

  constructor(connectionString: string, options: PostgresWriterOptions = {}) {
    this.connectionString = connectionString;
    this.reconnectMs = options.reconnectMs ?? 600_000;
    this.log = options.log;
  }

  async connect(): Promise<void> {
    this.client = await this.open();
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
    if (!this.failed) {
      this.finish();
      await this.send();
    }
    await this.client?.end();
  }

  /** A new session: its settings, the tables, and the session-local apply procedure (pg_temp dies with it). */
  private async open(): Promise<pg.Client> {
    const client = await connectPostgres(this.connectionString);
    // An idle connection that drops emits 'error', which would end the process unheard; the next query on
    // it fails as a connection loss, and send() opens a new one.
    client.on('error', (error: unknown) =>
      this.log?.debug({ err: error }, 'the idle connection to PostgreSQL went away'),
    );
    try {
      await client.query(sqlFile('generator/session.sql'));
      await client.query(sqlFile('generator/create-tables.sql'));
      await client.query(sqlFile('generator/apply-changes.sql'));
    } catch (error: unknown) {
      client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private finish(): void {
    if (this.transaction.length === 0) return;
    this.finished.push(`[${this.transaction.join(',')}]`);
    this.transaction = [];
  }

  /**
   * Sends the finished transactions in one CALL. When the connection goes away, a new one is opened after
   * 0.5 s, then twice as long each time up to 30 s, for up to `reconnectMs`, and the whole batch is sent
   * again: the transactions it committed before the loss are replayed, which leaves them as they were.
   */
  private async send(): Promise<void> {
    if (this.finished.length === 0) return;
    const transactions = `[${this.finished.join(',')}]`;
    this.finished = [];
    if (this.client === undefined)
      throw new CdcError(ErrorCode.INTERNAL, 'PostgresWriter.write before connect');
    let lostAt: number | undefined;
    let delay = FIRST_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        this.client ??= await this.open();
        await this.client.query({
          name: 'cdclake-apply',
          text: sqlFile('generator/apply.sql'),
          values: [transactions],
        });
        if (lostAt !== undefined)
          this.log?.info(
            { downMs: Date.now() - lostAt, attempts: attempt },
            'PostgreSQL is back: the generator sent its batch again and goes on',
          );
        return;
      } catch (error: unknown) {
        if (!isConnectionLoss(error)) {
          this.failed = true;
          throw error;
        }
        this.client?.end().catch(() => undefined);
        this.client = undefined;
        const now = Date.now();
        lostAt ??= now;
        const downMs = now - lostAt;
        if (downMs >= this.reconnectMs) {
          this.failed = true;
          throw this.unreachable(error, downMs);
        }
        if (attempt === 1)
          this.log?.warn(
            { err: error, retryForMs: this.reconnectMs - downMs },
            'the connection to PostgreSQL went away: reconnecting, then sending the batch again',
          );
        await sleep(Math.min(delay, this.reconnectMs - downMs));
        delay = Math.min(delay * 2, LONGEST_RETRY_MS);
      }
    }
  }

  private unreachable(error: unknown, downMs: number): CdcError {
    // As node-postgres reads the URL (a socket directory in ?host= included); the password stays out.
    const { host, port } = new pg.Client(postgresTarget(this.connectionString).config);
    return new CdcError(
      ErrorCode.POSTGRES_UNAVAILABLE,
      `PostgreSQL at ${host}:${port} could not be reached for ${Math.round(downMs / 1000)} s ` +
        `(GENERATOR_RECONNECT_MS=${this.reconnectMs}): ${error instanceof Error ? error.message : String(error)}. ` +
        'The generator stopped with its last batch unwritten',
      { retriable: true, facts: { host, port, downMs }, cause: error },
    );
  }
}
