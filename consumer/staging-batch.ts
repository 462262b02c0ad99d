// A micro-batch of one topic partition, kept in DuckDB rather than in JavaScript: each change goes straight
// through the appender (its fast paths only) into a temporary staging table of the batch's own connection,
// so a full batch costs native memory of its columns, not a heap of row objects for the garbage collector.
// Flushing closes the appender and writes the staging table as one Parquet file (COPY ... zstd) with the
// exact types of Contract 2.
//
// Every change of a batch comes from one source table with one key: the file's metadata names them
// (`cdclake.schema`, `cdclake.table`, `cdclake.key`), and a change of another table or key does not fit.
//
// The columns are the union of every writer schema seen in the batch: a new column is added to the staging
// table (earlier rows read NULL), so a schema change inside a batch never drops a column. A column whose type
// changes does not fit: the batch is flushed first.

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ColumnDef } from '../core/events/types.ts';
import { identifier, integer, literal, renderSql } from '../core/sql-files.ts';
import {
  joinedIdentity,
  sameTable,
  typesAgree,
  type BatchIdentity,
  type ChangeShape,
  type RawBatch,
} from './raw-batch.ts';
import type { DecodedChange } from './decoded-change.ts';
import type { DirectEvent, DirectPlan } from './direct-events.ts';
import { ColumnChunkAppender } from './column-chunk.ts';
import { appendStaged, projectionList, stagingColumn } from './staging-columns.ts';

const STAGING_TABLE = 'raw_batch';

export class StagingBatch implements RawBatch {
  readonly topic: string;
  readonly partition: number;
  readonly columns: ColumnDef[] = [];
  readonly createdAt = Date.now();
  rows = 0;
  bytes = 0;
  private readonly byName = new Map<string, ColumnDef>();
  /**
   * Columns arrays already checked: the Avro decoder hands out one per writer schema, so each is checked
   * once; Debezium's JSON gives one per record, which this set does not keep alive.
   */
  private readonly seen = new WeakSet<ColumnDef[]>();
  private readonly connection: DuckDBConnection;
  private identity: BatchIdentity | undefined;
  /** Whether a change of the batch was typed by its values (no schema): the raw object says so. */
  private typedByValues = false;
  private appender: ColumnChunkAppender | undefined;
  private closed = false;

  private constructor(topic: string, partition: number, connection: DuckDBConnection) {
    this.topic = topic;
    this.partition = partition;
    this.connection = connection;
  }

  static async open(instance: DuckDBInstance, topic: string, partition: number): Promise<StagingBatch> {
    const connection = await instance.connect();
    const batch = new StagingBatch(topic, partition, connection);
    try {
      await connection.run(
        renderSql('raw/create-staging-table.sql', {
          table: identifier(STAGING_TABLE),
        }),
      );
      batch.appender = new ColumnChunkAppender(
        await connection.createAppender(STAGING_TABLE, 'main', 'temp'),
      );
    } catch (error: unknown) {
      connection.closeSync();
      throw error;
    }
    return batch;
  }

  /** False when a column of the change has another type than in this batch: the batch must be flushed first. */
  fits(change: ChangeShape): boolean {
    if (!sameTable(this.identity, change)) return false;
    return this.seen.has(change.columns) || typesAgree(this.byName, change.columns);
  }

  /** True when the change's writer schema has not been seen in this batch yet: call `widen` before `append`. */
  needsWiden(change: ChangeShape): boolean {
    if (this.seen.has(change.columns)) return false;
    if (change.columns.some((c) => !this.byName.has(c.name))) return true;
    this.seen.add(change.columns);
    return false;
  }

  /** Adds the change's new columns to the staging table; rows already appended read NULL there. */
  async widen(change: ChangeShape): Promise<void> {
    const added = change.columns.filter((c) => !this.byName.has(c.name));
    this.seen.add(change.columns);
    if (added.length === 0) return;
    this.aligned = new WeakMap();
    // The appender writes every column of the table as it was when it was created: close it, alter, reopen.
    this.appender?.close();
    this.appender = undefined;
    for (const column of added) {
      const nullable = { ...column, nullable: true };
      await this.connection.run(
        renderSql('raw/add-staging-column.sql', {
          table: identifier(STAGING_TABLE),
          column: { raw: stagingColumn(nullable) },
        }),
      );
      this.byName.set(column.name, nullable);
      this.columns.push(nullable);
    }
    this.appender = new ColumnChunkAppender(
      await this.connection.createAppender(STAGING_TABLE, 'main', 'temp'),
    );
  }

  /**
   * The fast path: a change read by a DirectPlan, its image appended straight from the message. Only when
   * the batch's columns are the plan's, in the same order (a batch of one writer schema); false otherwise,
   * and the caller appends the fully decoded change.
   */
  appendDirect(
    shape: ChangeShape,
    plan: DirectPlan,
    event: DirectEvent,
    message: Buffer,
    offset: bigint,
    bytes: number,
  ): boolean {
    if (!this.alignedWith(plan.columns)) return false;
    this.identity = joinedIdentity(this.identity, shape);
    const appender = this.startRow(event.op, event.pos, event.tsMs, offset, null);
    try {
      plan.appendImage(appender, message, event.imageStart);
    } catch (error: unknown) {
      appender.abandonRow();
      throw error;
    }
    this.endRow(appender, bytes);
    return true;
  }

  /** The columns every row starts with (Contract 2's meta columns, before the source's). */
  private startRow(
    op: string,
    pos: bigint | number,
    tsMs: bigint | number,
    offset: bigint,
    unchanged: string | null,
  ): ColumnChunkAppender {
    const appender = this.appender as ColumnChunkAppender;
    appender.appendVarchar(op);
    appender.appendHugeInt(pos);
    appender.appendBigInt(tsMs);
    appender.appendBigInt(offset);
    if (unchanged === null) appender.appendNull();
    else appender.appendVarchar(unchanged);
    return appender;
  }

  private endRow(appender: ColumnChunkAppender, bytes: number): void {
    appender.endRow();
    this.rows++;
    this.bytes += bytes;
  }

  /** Per columns array, whether it matches the batch's columns; forgotten when the batch gains columns. */
  private aligned = new WeakMap<ColumnDef[], boolean>();

  private alignedWith(columns: ColumnDef[]): boolean {
    let known = this.aligned.get(columns);
    if (known === undefined) {
      known =
        columns.length === this.columns.length && columns.every((c, i) => c.name === this.columns[i]?.name);
      // Only once the batch can no longer gain columns from this schema: after widen saw it.
      if (this.seen.has(columns)) this.aligned.set(columns, known);
    }
    return known;
  }

  append(change: DecodedChange, offset: bigint, bytes: number): void {
    this.identity = joinedIdentity(this.identity, change);
    if (change.typedByValues === true) this.typedByValues = true;
    const unchanged = change.unchanged.length === 0 ? null : change.unchanged.join(',');
    const appender = this.startRow(change.op, change.pos, change.tsMs, offset, unchanged);
    const row = change.row;
    try {
      for (const column of this.columns) appendStaged(appender, column, row[column.name]);
    } catch (error: unknown) {
      // A value the staging table cannot take: the row is not half-written, and the batch stays usable.
      appender.abandonRow();
      throw error;
    }
    this.endRow(appender, bytes);
  }

  /** Writes the batch as one Parquet file at `path`, then lets go of its connection. */
  async write(path: string): Promise<void> {
    try {
      this.appender?.close();
      this.appender = undefined;
      await this.connection.run(
        renderSql('raw/copy-batch.sql', {
          table: identifier(STAGING_TABLE),
          path: literal(path),
          topic: literal(this.topic),
          partition: integer(this.partition),
          ingested_at: literal(String(Date.now() * 1000)),
          projection: { raw: projectionList(this.columns) },
          source_schema: literal(this.identity?.schema ?? ''),
          source_table: literal(this.identity?.table ?? ''),
          key_columns: literal(JSON.stringify(this.identity?.key ?? [])),
          types: literal(this.typedByValues ? 'values' : 'schema'),
        }),
      );
    } finally {
      this.discard();
    }
  }

  /** Lets go of the batch without writing it (a revoked partition): its temporary table goes with the connection. */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender?.discard();
    } catch {
      // rows that could not be appended are dropped with the batch
    }
    this.appender = undefined;
    this.connection.closeSync();
  }
}
