// The fast path of a table's rows: every column's value checked by its kind and written straight as Avro
// into an AvroWriter. Anything unusual returns false, and the caller takes the checked path (column-values.ts).

import type avsc from 'avsc';
import { columnAvroSchema } from './avro-schema.ts';
import { avroTypeWithRawDecimals } from './avsc-types.ts';
import type { AvroWriter } from './avro-writer.ts';
import { columnWriter } from './column-values.ts';
import type { ColumnDef, ColumnType, Row } from './types.ts';

/** How a column's values are checked and written. */
const Kind = {
  int: 0,
  long: 1,
  float: 2,
  double: 3,
  boolean: 4,
  string: 5,
  uuid: 6,
  bytes: 7,
  decimal: 8,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const KIND_OF: Record<ColumnType['kind'], Kind> = {
  int2: Kind.int,
  int4: Kind.int,
  date: Kind.int,
  int8: Kind.long,
  timestamp: Kind.long,
  timestamptz: Kind.long,
  float4: Kind.float,
  float8: Kind.double,
  bool: Kind.boolean,
  text: Kind.string,
  json: Kind.string,
  uuid: Kind.uuid,
  bytea: Kind.bytes,
  numeric: Kind.decimal,
};

/** The same pattern as column-values.ts: both paths must accept the same values. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CompiledColumn {
  name: string;
  kind: Kind;
  nullable: boolean;
  /** Range of an int column. */
  min: number;
  max: number;
  /** precision and scale of a decimal column. */
  precision: number;
  scale: number;
  /** The Avro bytes standing for a value the source did not send (null or a placeholder). */
  missing: Uint8Array;
}

function compile(table: string, column: ColumnDef): CompiledColumn {
  const { type } = column;
  const avroType = columnAvroSchema(type);
  const fieldType: avsc.Type = avroTypeWithRawDecimals(column.nullable ? ['null', avroType] : avroType);
  return {
    name: column.name,
    kind: KIND_OF[type.kind],
    nullable: column.nullable,
    min: type.kind === 'int2' ? -32768 : -2147483648,
    max: type.kind === 'int2' ? 32767 : 2147483647,
    precision: type.kind === 'numeric' ? type.precision : 0,
    scale: type.kind === 'numeric' ? type.scale : 0,
    missing: fieldType.toBuffer(columnWriter(table, column).missing),
  };
}

/**
 * Writes whole rows of one table, or the key columns of rows, with the same acceptance as RowWriter
 * (column-values.ts): a value RowWriter would refuse makes `write` return false, never write it.
 */
export class RowEncoder {
  private readonly columns: CompiledColumn[];
  private readonly names: string[];
  private readonly nameSet: Set<string>;
  private readonly otherColumnsAllowed: boolean;

  /** `otherColumnsAllowed`: a key encoder takes whole rows and picks its columns. */
  constructor(table: string, columns: ColumnDef[], otherColumnsAllowed = false) {
    this.columns = columns.map((column) => compile(table, column));
    this.names = columns.map((column) => column.name);
    this.nameSet = new Set(this.names);
    this.otherColumnsAllowed = otherColumnsAllowed;
  }

  /**
   * Writes `row`'s columns in schema order; `partial` lets absent columns travel as null or a placeholder
   * (a before image). False when RowWriter would refuse the row or a value needs its slower, exact path.
   */
  write(writer: AvroWriter, row: Row, partial: boolean): boolean {
    const columns = this.columns;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as CompiledColumn;
      const value = row[column.name];
      if (value === undefined) {
        if (!partial) return false;
        writer.raw(column.missing);
        continue;
      }
      if (value === null) {
        if (!column.nullable) return false;
        writer.byte(0);
        continue;
      }
      // The second branch of ['null', type]: index 1, zigzag 2.
      if (column.nullable) writer.byte(2);
      switch (column.kind) {
        case Kind.int:
          if (!Number.isInteger(value) || (value as number) < column.min || (value as number) > column.max)
            return false;
          writer.long(value as number);
          break;
        case Kind.long:
          if (typeof value !== 'bigint' || !writer.int64(value)) return false;
          break;
        case Kind.float:
          if (typeof value !== 'number') return false;
          writer.float(value);
          break;
        case Kind.double:
          if (typeof value !== 'number') return false;
          writer.double(value);
          break;
        case Kind.boolean:
          if (typeof value !== 'boolean') return false;
          writer.boolean(value);
          break;
        case Kind.string:
          if (typeof value !== 'string') return false;
          writer.string(value);
          break;
        case Kind.uuid:
          if (typeof value !== 'string' || !UUID.test(value)) return false;
          writer.string(value);
          break;
        case Kind.bytes:
          if (!Buffer.isBuffer(value)) return false;
          writer.bytes(value);
          break;
        case Kind.decimal:
          if (typeof value !== 'string' || !writer.decimalText(value, column.precision, column.scale))
            return false;
          break;
      }
    }
    return this.otherColumnsAllowed || this.onlyKnownColumns(row);
  }

  /** False when the row has a column the table lacks; rows usually list their columns in schema order. */
  private onlyKnownColumns(row: Row): boolean {
    const names = this.names;
    let i = 0;
    for (const name in row) {
      if (name !== names[i++] && !this.nameSet.has(name)) return false;
    }
    return true;
  }
}
