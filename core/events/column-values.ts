// Checks a row's JavaScript values against their columns and turns them into what Avro writes.
// Any mismatch is a CdcError naming the table, the column and the value, so a dead letter says what was wrong.

import { CdcError, ErrorCode } from '../errors.ts';
import { decimalToBytes, type ValueContext } from './decimal.ts';
import type { ColumnDef, ColumnType, ColumnValue, Row } from './types.ts';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Converts one non-null value of a column, or returns undefined when the value does not fit the type. */
type Convert = (value: ColumnValue, context: ValueContext) => unknown;

function integerIn(min: number, max: number): Convert {
  return (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? value : undefined;
}

const int64: Convert = (value) =>
  typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX ? value : undefined;

const CONVERT: Record<Exclude<ColumnType['kind'], 'numeric'>, Convert> = {
  int2: integerIn(-32768, 32767),
  int4: integerIn(-2147483648, 2147483647),
  int8: int64,
  float4: (value) => (typeof value === 'number' ? value : undefined),
  float8: (value) => (typeof value === 'number' ? value : undefined),
  bool: (value) => (typeof value === 'boolean' ? value : undefined),
  text: (value) => (typeof value === 'string' ? value : undefined),
  json: (value) => (typeof value === 'string' ? value : undefined),
  uuid: (value) => (typeof value === 'string' && UUID.test(value) ? value : undefined),
  bytea: (value) => (Buffer.isBuffer(value) ? value : undefined),
  date: integerIn(-2147483648, 2147483647),
  timestamp: int64,
  timestamptz: int64,
};

/** What each kind expects, for the error message. */
const EXPECTED: Record<ColumnType['kind'], string> = {
  int2: 'an integer number in [-32768, 32767]',
  int4: 'an integer number in the int32 range',
  int8: 'a bigint in the int64 range',
  float4: 'a number',
  float8: 'a number',
  bool: 'a boolean',
  text: 'a string',
  json: 'a string of JSON text',
  uuid: 'a UUID string',
  bytea: 'a Buffer',
  numeric: 'a string in plain decimal notation',
  date: 'an integer number of days since 1970-01-01',
  timestamp: 'a bigint of microseconds since the epoch',
  timestamptz: 'a bigint of microseconds since the epoch',
};

/**
 * What a NOT NULL column carries when its value is not known (an unchanged TOASTed value, a before
 * image holding only the key): the Avro field needs some value, and `unchanged` tells the reader.
 */
function placeholder(type: ColumnType): unknown {
  switch (type.kind) {
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return 0n;
    case 'bool':
      return false;
    case 'text':
    case 'json':
      return '';
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
    case 'bytea':
      return Buffer.alloc(0);
    case 'numeric':
      return Buffer.alloc(1);
    default:
      return 0;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  return `${String(value)} (${typeof value})`;
}

export interface ColumnWriter {
  name: string;
  /** The Avro value of a known value (null included); throws CDC_INVALID_VALUE. */
  write(value: ColumnValue): unknown;
  /** The Avro value standing for a value the source did not send. */
  missing: unknown;
}

export function columnWriter(table: string, column: ColumnDef): ColumnWriter {
  const context: ValueContext = { table, column: column.name };
  const { type } = column;
  const convert: Convert =
    type.kind === 'numeric'
      ? (value, ctx) =>
          typeof value === 'string' ? decimalToBytes(value, type.precision, type.scale, ctx) : undefined
      : CONVERT[type.kind];
  const fail = (value: unknown, problem: string): never => {
    throw new CdcError(
      ErrorCode.INVALID_VALUE,
      `table ${table} column ${column.name}: value ${describe(value)} ${problem}`,
      { facts: { table, column: column.name, value: describe(value), type: type.kind } },
    );
  };
  return {
    name: column.name,
    write(value) {
      if (value === null) return column.nullable ? null : fail(value, 'in a NOT NULL column');
      const converted = convert(value, context);
      return converted === undefined ? fail(value, `is not ${EXPECTED[type.kind]}`) : converted;
    },
    missing: column.nullable ? null : placeholder(type),
  };
}

/** Writes whole rows of one table: every column in schema order, unknown columns refused. */
export class RowWriter {
  private readonly table: string;
  private readonly columns: ColumnWriter[];
  private readonly names: Set<string>;
  private readonly otherColumnsAllowed: boolean;

  /** `otherColumnsAllowed`: a key writer takes whole rows and picks its columns. */
  constructor(table: string, columns: ColumnDef[], otherColumnsAllowed = false) {
    this.table = table;
    this.columns = columns.map((column) => columnWriter(table, column));
    this.names = new Set(columns.map((column) => column.name));
    this.otherColumnsAllowed = otherColumnsAllowed;
  }

  /**
   * The Avro record of `row`. A column absent from the row is allowed when `partial` (a before image)
   * or when it is listed in `unchanged`, and travels as null or a placeholder; otherwise it is an error.
   */
  write(row: Row, partial: boolean, unchanged: ReadonlySet<string>): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    for (const column of this.columns) {
      const value = row[column.name];
      if (unchanged.has(column.name)) {
        record[column.name] = column.missing;
      } else if (value === undefined) {
        if (!partial) {
          throw new CdcError(
            ErrorCode.INVALID_VALUE,
            `table ${this.table} column ${column.name}: no value (only a before image may leave columns out, ` +
              'and an after image those listed as unchanged)',
            { facts: { table: this.table, column: column.name } },
          );
        }
        record[column.name] = column.missing;
      } else {
        record[column.name] = column.write(value);
      }
    }
    if (this.otherColumnsAllowed) return record;
    for (const name in row) {
      if (!this.names.has(name)) {
        throw new CdcError(
          ErrorCode.INVALID_VALUE,
          `table ${this.table}: the row has a column ${name} that the table definition does not have ` +
            '(a column added at the source needs the table definition refreshed)',
          { facts: { table: this.table, column: name } },
        );
      }
    }
    return record;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }
}
