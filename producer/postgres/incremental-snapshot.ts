// Incremental snapshots (DBLog watermarks, as Debezium's incremental snapshots): tables are read in chunks
// by primary key while the stream runs, each chunk between a low and a high watermark written into the WAL
// (snapshot-window.ts decides which of its rows are sent). Streaming never pauses, no snapshot holds WAL or a
// long transaction, and progress (the last key of the last finished chunk) is kept on the producer's state
// topic, so a restart resumes at the last finished chunk.
//
//   queue ──► worker: read the table's definition ──► low watermark ──► SELECT chunk ──► high watermark
//                ▲                                                                          │
//                └── next chunk (progress saved) ◄── stream meets the high watermark, sends ┘
//
// It serves the first load of every table, tables added later, backfills after DDL that writes no rows,
// requests (`cdclake snapshot`), and the recovery from a lost slot, which ends each table with a reconcile:
// an op t event positioned where the snapshot began, so that bronze rows the snapshot did not see (deleted
// while the slot was lost) are marked deleted.

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import type { Row, TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { identifier, renderSql, sqlFile } from '../../core/sql-files.ts';
import { quotedIdentifier } from '../../core/sql.ts';
import { readTableDef, type KeyOverrides } from './catalog.ts';
import { SESSION_OPTIONS } from './replication-stream.ts';
import { rowFromText } from './rows.ts';
import { SnapshotWindow, keyText, type ChunkRow } from './snapshot-window.ts';

export const WATERMARK_PREFIX = 'cdclake.watermark';
export const REQUEST_PREFIX = 'cdclake.snapshot';

/** Text of every value, converted by cdclake itself: no driver-side parsing. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value };

export type SnapshotReason = 'initial' | 'added' | 'ddl' | 'request' | 'resnapshot';

export interface TableSnapshot {
  /** `schema.table` as the source spells it. */
  table: string;
  schema: string;
  name: string;
  /** The key (as text, in key order) of the last row of the last finished chunk; null before the first. */
  after: (string | null)[] | null;
  rows: number;
  reason: SnapshotReason;
  /** With a reconcile: the LSN (as text) before which every change is covered by this snapshot. */
  reconcileSince: string | null;
  /** Bumped when the table's snapshot starts over (DDL while it ran): a chunk of an older run saves nothing. */
  run: number;
  /** The definition (definitionKey) the chunks sent so far were read under; another one starts it over. */
  definition?: string;
}

export interface SnapshotState {
  queue: TableSnapshot[];
  /** Per table, its definition as last snapshotted (columns, types, key): a change means DDL, a backfill. */
  defs: Record<string, string>;
  /** Ids of the snapshot requests already queued (`cdclake snapshot`), newest last. */
  requests: string[];
}

/** PostgreSQL's undefined_column, undefined_table, datatype_mismatch; a value that no longer fits its type. */
const DEFINITION_RACES = new Set(['42703', '42P01', '42804']);

function isDefinitionRace(error: unknown): boolean {
  if (error instanceof CdcError) return error.code === ErrorCode.INVALID_VALUE;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DEFINITION_RACES.has(code);
}

export function emptySnapshotState(): SnapshotState {
  return { queue: [], defs: {}, requests: [] };
}

/**
 * What decides whether a table needs a backfill: its columns' names and types, and its key, as a short hash
 * (the state of a source with thousands of tables stays one small record).
 */
export function definitionKey(table: TableDef): string {
  const text = JSON.stringify({ columns: table.columns.map((c) => [c.name, c.type]), key: table.key });
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** A chunk whose high watermark the stream met: the rows to send, in key order. */
export interface ClosedChunk {
  table: TableDef;
  rows: Row[];
  /** Call once the rows are handed to the publisher. */
  sent(): void;
  /** Call when they could not be (the snapshot worker stops with the error). */
  failed(error: unknown): void;
}

/** A chunk whose high watermark is written: how many rows it read, its last key, and when it is sent. */
interface Chunk {
  sent: Promise<void>;
  rows: number;
  last: (string | null)[] | undefined;
}

interface OpenChunk {
  window: SnapshotWindow;
  table: TableDef;
  sent: () => void;
  failed: (error: unknown) => void;
}

/** What the snapshot needs of the producer around it. */
export interface SnapshotHost {
  /** Makes the table's codec and publishes its writer schemas, before any chunk of it is sent. */
  prepare(table: TableDef): Promise<void>;
  /** Saves the state (after every record published so far: the producer's publisher keeps the order). */
  save(state: SnapshotState): Promise<void>;
  /** Sends the reconcile of a table whose re-snapshot finished. */
  reconcile(table: TableDef, sinceLsn: bigint): Promise<void>;
}

export interface SnapshotRequest {
  slot: string;
  id: string;
  tables: string[];
  reconcile?: boolean;
}

export class IncrementalSnapshot {
  private readonly config: Config;
  private readonly log: Logger;
  private readonly host: SnapshotHost;
  private readonly keys: KeyOverrides;
  private readonly slot: string;
  private state: SnapshotState;
  private readonly windows = new Map<string, OpenChunk>();
  private readonly busy = new Set<string>();
  private windowCount = 0;
  private readonly instance = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  private wake: (() => void) | undefined;
  private stopping = false;
  private workers: Promise<void>[] = [];
  private failure: unknown;
  private readonly chunks;
  private readonly rowsSent;
  private readonly evicted;
  private readonly pending;

  constructor(
    config: Config,
    log: Logger,
    metrics: Metrics,
    host: SnapshotHost,
    keys: KeyOverrides,
    state: SnapshotState,
  ) {
    this.config = config;
    this.log = log;
    this.host = host;
    this.keys = keys;
    this.slot = config.PG_SLOT;
    this.state = state;
    this.chunks = metrics.counter('cdclake_snapshot_chunks_total');
    this.rowsSent = metrics.counter('cdclake_snapshot_rows_total');
    this.evicted = metrics.counter('cdclake_snapshot_evicted_total');
    this.pending = metrics.gauge('cdclake_snapshot_tables_pending');
    this.pending.set(state.queue.length);
  }

  get snapshotState(): SnapshotState {
    return this.state;
  }

  /** No table waits and no chunk is between its watermarks. */
  get idle(): boolean {
    return this.state.queue.length === 0 && this.windows.size === 0;
  }

  /** Tables queued or running, with their progress (for status and logs). */
  get progress(): readonly TableSnapshot[] {
    return this.state.queue;
  }

  /** Starts `parallelism` workers; they take tables from the queue as they come. */
  start(): void {
    for (let i = 0; i < this.config.PG_SNAPSHOT_PARALLELISM; i++) this.workers.push(this.work());
  }

  /** A failure of a worker (a chunk that could not be read or sent), thrown to the producer. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    for (const open of this.windows.values()) open.failed(new CdcError(ErrorCode.INTERNAL, 'stopping'));
    this.windows.clear();
    await Promise.allSettled(this.workers);
  }

  /**
   * Queues a table (again: a table whose snapshot runs starts over, for DDL changed what was read). With
   * `reconcileSince`, bronze rows older than that LSN that the snapshot does not send are deleted at its end.
   */
  enqueue(schema: string, name: string, reason: SnapshotReason, reconcileSince?: bigint): void {
    const table = `${schema}.${name}`;
    const since = reconcileSince === undefined ? null : reconcileSince.toString();
    const existing = this.state.queue.find((t) => t.table === table);
    if (existing !== undefined) {
      existing.after = null;
      existing.rows = 0;
      delete existing.definition;
      existing.run += 1;
      existing.reason = reason;
      if (since !== null)
        existing.reconcileSince =
          existing.reconcileSince === null || BigInt(since) < BigInt(existing.reconcileSince)
            ? since
            : existing.reconcileSince;
    } else {
      this.state.queue.push({
        table,
        schema,
        name,
        after: null,
        rows: 0,
        reason,
        reconcileSince: since,
        run: 0,
      });
    }
    this.pending.set(this.state.queue.length);
    this.log.info({ table, reason, reconcile: since !== null }, 'incremental snapshot queued');
    this.wake?.();
  }

  /** Forgets a table that was dropped in the source. */
  forget(table: string): void {
    this.state.queue = this.state.queue.filter((t) => t.table !== table);
    delete this.state.defs[table];
    this.pending.set(this.state.queue.length);
  }

  recordDefinition(table: TableDef): void {
    this.state.defs[`${table.schema}.${table.name}`] = definitionKey(table);
  }

  knownDefinition(table: string): string | undefined {
    return this.state.defs[table];
  }

  /** A snapshot request read from the stream (`cdclake snapshot`); one already queued is not queued again. */
  request(content: Buffer): SnapshotRequest | undefined {
    let request: SnapshotRequest;
    try {
      request = JSON.parse(content.toString('utf8')) as SnapshotRequest;
    } catch {
      return undefined;
    }
    if (request.slot !== this.slot || typeof request.id !== 'string' || !Array.isArray(request.tables))
      return undefined;
    if (this.state.requests.includes(request.id)) return undefined;
    this.state.requests = [...this.state.requests, request.id].slice(-100);
    return request;
  }

  // ---- called by the stream handler, in WAL order ----

  /** A watermark message: opens a window, or closes one and returns its chunk to send. */
  onWatermark(content: Buffer): ClosedChunk | undefined {
    let mark: { slot?: string; window?: string; mark?: string };
    try {
      mark = JSON.parse(content.toString('utf8')) as typeof mark;
    } catch {
      return undefined;
    }
    // Another producer's, or one of an earlier run of this one replayed after a restart: not ours to close.
    const open =
      mark.slot === this.slot && mark.window !== undefined ? this.windows.get(mark.window) : undefined;
    if (open === undefined) return undefined;
    if (mark.mark === 'low') {
      open.window.onLowWatermark();
      return undefined;
    }
    this.windows.delete(open.window.id);
    const rows = open.window.onHighWatermark();
    this.evicted.inc(open.window.evictedKeys, { table: open.window.table });
    return { table: open.table, rows: rows.map((r) => r.row), sent: open.sent, failed: open.failed };
  }

  /** A streamed change (both keys of a key change): evicts the key from open windows of its table. */
  onChange(table: TableDef, row: Row): void {
    if (this.windows.size === 0) return;
    const qualified = `${table.schema}.${table.name}`;
    const key = keyText(table.key, row);
    for (const open of this.windows.values()) open.window.onChange(qualified, key);
  }

  onTruncate(table: TableDef): void {
    const qualified = `${table.schema}.${table.name}`;
    for (const open of this.windows.values()) open.window.onTruncate(qualified);
  }

  // ---- the workers ----

  private next(): TableSnapshot | undefined {
    return this.state.queue.find((t) => !this.busy.has(t.table));
  }

  private async work(): Promise<void> {
    let client: pg.Client | undefined;
    try {
      while (!this.stopping) {
        const table = this.next();
        if (table === undefined) {
          await new Promise<void>((resolve) => {
            const previous = this.wake;
            this.wake = () => {
              previous?.();
              resolve();
            };
          });
          this.wake = undefined;
          continue;
        }
        this.busy.add(table.table);
        try {
          client ??= await this.connect();
          await this.snapshotTable(client, table);
        } finally {
          this.busy.delete(table.table);
        }
      }
    } catch (error: unknown) {
      if (!this.stopping) {
        this.failure ??= error;
        this.log.error({ err: error }, 'incremental snapshot failed');
      }
    } finally {
      await client?.end().catch(() => undefined);
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = await connectPostgres(this.config.PG_URL, { options: SESSION_OPTIONS });
    // A lost connection surfaces on the next query.
    client.on('error', () => undefined);
    return client;
  }

  /**
   * A table, chunk after chunk. One chunk is in flight while the next is read: chunk n+1's watermarks and
   * read go ahead while the stream is still on its way to chunk n's high watermark (their keys do not
   * overlap, so each window stays exact). Progress is saved in order, once a chunk is sent.
   */
  private async snapshotTable(client: pg.Client, progress: TableSnapshot): Promise<void> {
    const started = performance.now();
    const chunkRows = this.config.PG_SNAPSHOT_CHUNK_ROWS;
    let cursor = progress.after;
    let cursorRun = progress.run;
    let races = 0;
    let inFlight: (Chunk & { run: number; table: TableDef }) | undefined;
    /** Waits for the chunk in flight, saves its progress; true when it ended the table. */
    const settle = async (): Promise<boolean> => {
      const chunk = inFlight;
      if (chunk === undefined) return false;
      inFlight = undefined;
      await chunk.sent;
      this.chunks.inc(1, { table: progress.table });
      this.rowsSent.inc(chunk.rows, { table: progress.table });
      const current = progress.run === chunk.run;
      if (current) {
        progress.after = chunk.last ?? progress.after;
        progress.rows += chunk.rows;
      }
      const done = current && chunk.rows < chunkRows;
      if (done) {
        this.recordDefinition(chunk.table);
        if (progress.reconcileSince !== null)
          await this.host.reconcile(chunk.table, BigInt(progress.reconcileSince));
        this.finish(progress);
        this.log.info(
          {
            table: progress.table,
            rows: progress.rows,
            seconds: Math.round((performance.now() - started) / 100) / 10,
            reason: progress.reason,
          },
          'incremental snapshot of a table done',
        );
      }
      await this.host.save(this.state);
      return done;
    };
    while (!this.stopping) {
      let table: TableDef;
      try {
        table = await readTableDef(client, progress.schema, progress.name, this.keys);
      } catch (error: unknown) {
        if (error instanceof CdcError && error.code === ErrorCode.SOURCE_TABLE_MISSING) {
          await settle();
          this.log.warn({ table: progress.table }, 'table dropped in the source: its snapshot ends');
          this.finish(progress);
          await this.host.save(this.state);
          return;
        }
        throw error;
      }
      // DDL between two chunks (in this run or before a restart): the chunks sent had other columns, so the
      // table starts over under the new ones. A queued restart (enqueue again) shows as a new run.
      const definition = definitionKey(table);
      if (progress.run !== cursorRun) {
        // Queued again meanwhile (enqueue): the chunk in flight belongs to the old run.
        await settle();
        cursor = progress.after;
        cursorRun = progress.run;
      }
      if (cursor !== null && progress.definition !== definition) {
        this.log.info(
          { table: progress.table },
          'table definition changed during its snapshot: starting it over',
        );
        await settle();
        progress.after = null;
        progress.rows = 0;
        progress.run += 1;
        cursor = null;
        cursorRun = progress.run;
      }
      if (cursor === null) progress.definition = definition;
      const run = progress.run;
      await this.host.prepare(table);
      let next: Chunk;
      try {
        next = await this.startChunk(client, table, cursor);
        races = 0;
      } catch (error: unknown) {
        // DDL between reading the definition and the chunk (a column renamed, dropped or retyped, the table
        // dropped): read the definition again. What is still failing after that is a real error.
        if (!this.stopping && isDefinitionRace(error) && races++ < 5) {
          this.log.info(
            { table: progress.table, err: error },
            'the table changed under a chunk: reading it again',
          );
          await sleep(100 * races);
          continue;
        }
        throw error;
      }
      if (this.stopping) return;
      cursor = next.last ?? cursor;
      if (await settle()) return;
      inFlight = { ...next, run, table };
      if (next.rows < chunkRows && (await settle())) return;
    }
  }

  private finish(progress: TableSnapshot): void {
    this.state.queue = this.state.queue.filter((t) => t !== progress);
    this.pending.set(this.state.queue.length);
  }

  /**
   * One chunk: low watermark, the read, high watermark. Resolves once the high watermark is written; its
   * `sent` resolves once the stream met it and handed the rows to the publisher.
   */
  private async startChunk(
    client: pg.Client,
    table: TableDef,
    after: (string | null)[] | null,
  ): Promise<Chunk> {
    const id = `${this.instance}-${++this.windowCount}`;
    const window = new SnapshotWindow(id, `${table.schema}.${table.name}`);
    const sent = new Promise<void>((resolve, reject) => {
      this.windows.set(id, { window, table, sent: resolve, failed: reject });
    });
    sent.catch(() => undefined);
    const mark = (kind: 'low' | 'high') =>
      client.query(sqlFile('postgres/emit-message.sql'), [
        WATERMARK_PREFIX,
        JSON.stringify({ slot: this.slot, window: id, mark: kind }),
      ]);
    try {
      await mark('low');
      const keyColumns = table.key.map(quotedIdentifier);
      const result = await client.query({
        text: renderSql('postgres/snapshot-chunk.sql', {
          columns: { identifiers: table.columns.map((c) => c.name) },
          schema: identifier(table.schema),
          table: identifier(table.name),
          after: {
            raw:
              after === null
                ? ''
                : `WHERE (${keyColumns.join(', ')}) > (${after.map((_, i) => `$${i + 1}`).join(', ')})`,
          },
          key: { raw: keyColumns.join(', ') },
          limit: { raw: String(this.config.PG_SNAPSHOT_CHUNK_ROWS) },
        }),
        values: after ?? [],
        rowMode: 'array',
        types: RAW_TYPES,
      } as pg.QueryConfig);
      const texts = result.rows as (string | null)[][];
      const keyIndexes = table.key.map((k) => table.columns.findIndex((c) => c.name === k));
      const rows: ChunkRow[] = texts.map((values) => {
        const row = rowFromText(table, values);
        return { key: keyText(table.key, row), row };
      });
      window.setRows(rows);
      await mark('high');
      const lastValues = texts.at(-1);
      return {
        sent,
        rows: rows.length,
        last: lastValues === undefined ? undefined : keyIndexes.map((i) => lastValues[i] ?? null),
      };
    } catch (error: unknown) {
      this.windows.delete(id);
      throw error;
    }
  }
}
