// The change-event contract (Contract 1 of DESIGN.md) as TypeScript types: tables, columns, row values
// and the Debezium-shaped envelope. Codecs and schemas are derived from these types.

/** Source column types cdclake carries; anything else is refused by name (CDC_UNSUPPORTED_TYPE). */
export type ColumnType =
  | { kind: 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'bool' | 'text' | 'uuid' | 'json' | 'bytea' }
  | { kind: 'date' | 'timestamp' | 'timestamptz' }
  | { kind: 'numeric'; precision: number; scale: number };

export interface ColumnDef {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

export interface TableDef {
  /** Source schema, e.g. `public`. */
  schema: string;
  name: string;
  columns: ColumnDef[];
  /** Primary-key (or configured key) column names, in key order. */
  key: string[];
}

/**
 * A column value in JavaScript, by type:
 * int2/int4 number; int8 bigint; float4/float8 number; bool boolean; text/uuid/json string;
 * numeric string in plain decimal notation ("-12.50"), never a float; bytea Buffer;
 * date number of days since 1970-01-01; timestamp/timestamptz bigint microseconds since the epoch (UTC).
 */
export type ColumnValue = null | boolean | number | bigint | string | Buffer;
export type Row = Record<string, ColumnValue>;

/** c insert, u update, d delete, r snapshot read, t truncate (keyless: one event per table, no row image). */
export const Op = { create: 'c', update: 'u', delete: 'd', read: 'r', truncate: 't' } as const;
export type Op = (typeof Op)[keyof typeof Op];

export interface SourceInfo {
  connector: 'postgresql' | 'generator';
  db: string;
  schema: string;
  table: string;
  /** Commit LSN (PostgreSQL) as a 64-bit integer; null for the generator. */
  lsn: bigint | null;
  txId: bigint | null;
  ts_ms: bigint;
  snapshot: boolean;
}

export interface ChangeEvent {
  before: Row | null;
  after: Row | null;
  op: Op;
  ts_ms: bigint;
  source: SourceInfo;
  /**
   * Position, growing along the source's commit order, compared as a number:
   * PostgreSQL: commit LSN * 2^32 + index of the event inside its transaction; the generator: a sequence.
   */
  pos: bigint;
  /** Columns whose value the source did not send (an unchanged TOASTed value): keep the stored value. */
  unchanged: string[];
}

export function positionOf(lsn: bigint, indexInTransaction: number): bigint {
  return (lsn << 32n) + BigInt(indexInTransaction);
}
