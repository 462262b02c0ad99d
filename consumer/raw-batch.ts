// What the consumer asks of a micro-batch of one topic partition, whatever writes it: the consumer decides
// when a change fits, when to widen and when to write; the batch keeps the rows and writes one Parquet file.
// cdclake's writer is StagingBatch (DuckDB's appender, then COPY); the benchmark's peer writes with
// parquetjs-lite through the same interface.

import type { ColumnDef } from '../core/events/types.ts';
import type { DecodedChange } from './decoded-change.ts';
import type { DirectEvent, DirectPlan } from './direct-events.ts';

/** What decides whether a change fits a batch: its table, key and columns. */
export type ChangeShape = Pick<DecodedChange, 'table' | 'schema' | 'key' | 'columns'>;

/** Whether a change may join a batch holding `known` columns: no column of the change has another type there. */
export function typesAgree(known: ReadonlyMap<string, ColumnDef>, columns: readonly ColumnDef[]): boolean {
  for (const column of columns) {
    const seen = known.get(column.name);
    if (seen !== undefined && JSON.stringify(seen.type) !== JSON.stringify(column.type)) return false;
  }
  return true;
}

/** The one source table and key of a batch, taken from its first change (`keyText`: the key joined by NUL). */
export interface BatchIdentity {
  schema: string;
  table: string;
  key: string[];
  keyText: string;
}

export function batchIdentity(change: ChangeShape): BatchIdentity {
  return { schema: change.schema, table: change.table, key: change.key, keyText: change.key.join('\u0000') };
}

/**
 * Whether a change comes from the batch's table with the batch's key (any change fits an empty batch). A
 * truncate names no key (`[]`): it fits any batch of its table, and a batch it opened takes the next key.
 */
export function sameTable(identity: BatchIdentity | undefined, change: ChangeShape): boolean {
  if (identity === undefined) return true;
  if (change.table !== identity.table || change.schema !== identity.schema) return false;
  if (change.key.length === 0 || identity.key.length === 0) return true;
  return change.key === identity.key || change.key.join('\u0000') === identity.keyText;
}

/** The batch's identity once `change` joined it: the first change's, until a keyed change follows keyless ones. */
export function joinedIdentity(identity: BatchIdentity | undefined, change: ChangeShape): BatchIdentity {
  if (identity === undefined || (identity.key.length === 0 && change.key.length > 0))
    return batchIdentity(change);
  return identity;
}

export interface RawBatch {
  readonly columns: ColumnDef[];
  readonly rows: number;
  readonly bytes: number;
  /** False when the change's table, key or a column's type differs: the batch must be written first. */
  fits(change: ChangeShape): boolean;
  /** True when the change's writer schema has not been seen in this batch yet: call `widen` before appending. */
  needsWiden(change: ChangeShape): boolean;
  /** Adds the change's new columns; rows already appended read NULL there. */
  widen(change: ChangeShape): Promise<void>;
  /** The fast path for a change read by a DirectPlan; false when the batch cannot take it so (append it decoded). */
  appendDirect(
    shape: ChangeShape,
    plan: DirectPlan,
    event: DirectEvent,
    message: Buffer,
    offset: bigint,
    bytes: number,
  ): boolean;
  append(change: DecodedChange, offset: bigint, bytes: number): void;
  /** Writes the batch as one Parquet file (Contract 2's columns and metadata) at `path`, then lets go of it. */
  write(path: string): Promise<void>;
  /** Lets go of the batch without writing it. */
  discard(): void;
}

/** Opens an empty batch for a topic partition. */
export type OpenRawBatch = (topic: string, partition: number) => Promise<RawBatch>;
