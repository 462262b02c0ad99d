// What every decoder of the consumer hands the batcher: one change of one source table, its position,
// its row image and the types of the row's columns, whatever the wire format was (cdclake Avro, Debezium JSON).

import type { ColumnDef, Op, Row } from '../core/events/types.ts';

export interface DecodedChange {
  /** The source table (Debezium's `source.table`): `dbserver1.inventory.customers` becomes `customers`. */
  table: string;
  /** The source schema (`source.schema`), or the database for sources without schemas. */
  schema: string;
  op: Op;
  /** Grows along the source's commit order for one key; compared as a number. */
  pos: bigint;
  tsMs: bigint;
  /** The after image; for a delete the before image (at least the key columns). */
  row: Row;
  /** The type of every column the row can carry, in order (the writer schema's columns). */
  columns: ColumnDef[];
  /** Key column names, when the format says them (the record key's fields). */
  key: string[];
  /** Columns whose value the source did not send (unchanged TOAST): the merge keeps the stored value. */
  unchanged: string[];
  /**
   * True when the record carried no schema (Debezium's JSON converter with schemas.enable=false): its columns
   * are typed by their values, so the merge may type them as bronze or LAKE_COLUMN_TYPES says.
   */
  typedByValues?: true;
  /** Both row images and the source's own time, when the caller asked for them (`cdclake tail`). */
  images?: ChangeImages;
}

export interface ChangeImages {
  before: Row | null;
  after: Row | null;
  /** When the change happened in the source (`source.ts_ms`), if the event says. */
  sourceMs: bigint | null;
}
