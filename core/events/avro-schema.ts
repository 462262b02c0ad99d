// Avro schemas of a source table, derived from its TableDef: the record key and the Debezium-shaped envelope.
// Also maps PostgreSQL type names onto cdclake's ColumnType, refusing by name what cannot be carried exactly.

import { CdcError, ErrorCode } from '../errors.ts';
import type { ColumnDef, ColumnType, TableDef } from './types.ts';

/** An Avro schema as parsed JSON: a type name, a union (an array) or a type object. */
export type AvroSchema = string | AvroSchema[] | AvroSchemaObject;
export interface AvroSchemaObject {
  type: AvroSchema;
  [attribute: string]: unknown;
}
export interface AvroField {
  name: string;
  type: AvroSchema;
  default?: unknown;
  [attribute: string]: unknown;
}
export interface AvroRecordSchema extends AvroSchemaObject {
  type: 'record';
  name: string;
  namespace?: string;
  fields: AvroField[];
}

/** Avro's name rule; schema, table and column names become Avro names, so they must obey it. */
const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The widest decimal cdclake carries: DuckDB's and Parquet's DECIMAL stop at 38 digits, and a
 * wider source column would fail in the lake long after the producer accepted it.
 */
export const MAX_DECIMAL_PRECISION = 38;

/** Debezium-style namespace of a table's records, e.g. `cdc.public.orders`; independent of the topic prefix. */
export function tableNamespace(table: TableDef): string {
  return `cdc.${table.schema}.${table.name}`;
}

/** The Avro type of one column's values, without nullability. */
export function columnAvroSchema(type: ColumnType): AvroSchema {
  switch (type.kind) {
    case 'int2':
    case 'int4':
      return 'int';
    case 'int8':
      return 'long';
    case 'float4':
      return 'float';
    case 'float8':
      return 'double';
    case 'bool':
      return 'boolean';
    case 'text':
      return 'string';
    case 'uuid':
      return { type: 'string', logicalType: 'uuid' };
    case 'json':
      // A custom attribute, not Kafka Connect's `connect.name`: the consumer types the column as JSON.
      return { type: 'string', 'cdclake.type': 'json' };
    case 'bytea':
      return 'bytes';
    case 'numeric':
      return { type: 'bytes', logicalType: 'decimal', precision: type.precision, scale: type.scale };
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'timestamp':
      return { type: 'long', logicalType: 'local-timestamp-micros' };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros' };
  }
}

function columnField(column: ColumnDef): AvroField {
  const type = columnAvroSchema(column.type);
  return column.nullable
    ? { name: column.name, type: ['null', type], default: null }
    : { name: column.name, type };
}

/** The record key: the key columns, in key order, so every change of a row lands in one partition. */
export function keySchemaOf(table: TableDef): AvroRecordSchema {
  validateTable(table);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  return {
    type: 'record',
    name: 'Key',
    namespace: tableNamespace(table),
    fields: table.key.map((name) => columnField(byName.get(name) as ColumnDef)),
  };
}

const NULLABLE_LONG = ['null', 'long'];

/** The envelope's `source` record. */
const SOURCE_FIELDS = [
  { name: 'connector', type: 'string' },
  { name: 'db', type: 'string' },
  { name: 'schema', type: 'string' },
  { name: 'table', type: 'string' },
  { name: 'lsn', type: NULLABLE_LONG, default: null },
  { name: 'txId', type: NULLABLE_LONG, default: null },
  { name: 'ts_ms', type: 'long' },
  { name: 'snapshot', type: 'boolean' },
];

/** The envelope's fields after its two row images (`before`, `after`). */
const ENVELOPE_TAIL = [
  { name: 'op', type: 'string' },
  { name: 'ts_ms', type: 'long' },
  { name: 'source', type: { type: 'record', name: 'Source', fields: SOURCE_FIELDS } },
  // A decimal, not a long: LSN * 2^32 + index needs 96 bits, and decimals compare as numbers.
  { name: 'pos', type: { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 0 } },
  { name: 'unchanged', type: { type: 'array', items: 'string' }, default: [] },
];

/**
 * The field order of Contract 1's envelope and of its source record: the writers write in it and the fast
 * reader (consumer/direct-events.ts) checks a writer schema against it.
 */
export const ENVELOPE_FIELD_NAMES: readonly string[] = [
  'before',
  'after',
  ...ENVELOPE_TAIL.map((f) => f.name),
];
export const SOURCE_FIELD_NAMES: readonly string[] = SOURCE_FIELDS.map((f) => f.name);

/** The record value: Debezium's envelope with cdclake's `pos` and `unchanged` (Contract 1). */
export function envelopeSchemaOf(table: TableDef): AvroRecordSchema {
  validateTable(table);
  return {
    type: 'record',
    name: 'Envelope',
    namespace: tableNamespace(table),
    fields: [
      {
        name: 'before',
        type: ['null', { type: 'record', name: 'Value', fields: table.columns.map(columnField) }],
        default: null,
      },
      { name: 'after', type: ['null', 'Value'], default: null },
      ...structuredClone(ENVELOPE_TAIL),
    ],
  } as AvroRecordSchema;
}

/** Refuses a TableDef that cannot become Avro schemas, naming the table and the part at fault. */
export function validateTable(table: TableDef): void {
  const where = `table ${table.schema}.${table.name}`;
  for (const [what, name] of [
    ['schema', table.schema],
    ['table', table.name],
  ] as const) {
    if (!AVRO_NAME.test(name)) {
      throw new CdcError(
        ErrorCode.INVALID_NAME,
        `${where}: ${what} name ${JSON.stringify(name)} is not a valid Avro name ([A-Za-z_][A-Za-z0-9_]*)`,
        { facts: { table: `${table.schema}.${table.name}` } },
      );
    }
  }
  const names = new Set<string>();
  for (const column of table.columns) {
    if (!AVRO_NAME.test(column.name)) {
      throw new CdcError(
        ErrorCode.INVALID_NAME,
        `${where} column ${JSON.stringify(column.name)}: not a valid Avro name ` +
          '(letters, digits and _, not starting with a digit); rename the column or leave the table out',
        { facts: { table: `${table.schema}.${table.name}`, column: column.name } },
      );
    }
    if (names.has(column.name)) {
      throw invalidTable(table, `column ${column.name} appears twice`);
    }
    names.add(column.name);
    if (column.type.kind === 'numeric')
      checkDecimal(`${table.schema}.${table.name}`, column.name, column.type);
  }
  if (table.key.length === 0) throw invalidTable(table, 'no key columns (a primary key or a configured key)');
  for (const name of table.key) {
    if (!names.has(name)) throw invalidTable(table, `key column ${name} is not a column of the table`);
  }
  if (new Set(table.key).size !== table.key.length) throw invalidTable(table, 'a key column appears twice');
}

function invalidTable(table: TableDef, problem: string): CdcError {
  return new CdcError(ErrorCode.INVALID_TABLE, `table ${table.schema}.${table.name}: ${problem}`, {
    facts: { table: `${table.schema}.${table.name}` },
  });
}

function checkDecimal(table: string, column: string, type: { precision: number; scale: number }): void {
  const { precision, scale } = type;
  if (
    !Number.isInteger(precision) ||
    !Number.isInteger(scale) ||
    precision < 1 ||
    precision > MAX_DECIMAL_PRECISION ||
    scale < 0 ||
    scale > precision
  ) {
    throw new CdcError(
      ErrorCode.UNSUPPORTED_TYPE,
      `table ${table} column ${column}: numeric(${precision},${scale}) is not supported: ` +
        `cdclake carries decimal(p,s) with 1 <= p <= ${MAX_DECIMAL_PRECISION} and 0 <= s <= p`,
      { facts: { table, column, type: `numeric(${precision},${scale})` } },
    );
  }
}

/** PostgreSQL type names (pg_type.typname and their SQL spellings) of the kinds that need no typmod. */
const SIMPLE_TYPES: Record<string, Exclude<ColumnType, { kind: 'numeric' }>['kind']> = {
  int2: 'int2',
  smallint: 'int2',
  int4: 'int4',
  integer: 'int4',
  int: 'int4',
  int8: 'int8',
  bigint: 'int8',
  float4: 'float4',
  real: 'float4',
  float8: 'float8',
  'double precision': 'float8',
  bool: 'bool',
  boolean: 'bool',
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  bpchar: 'text',
  character: 'text',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'json',
  bytea: 'bytea',
  date: 'date',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
};

/** PostgreSQL's VARHDRSZ, added to every numeric typmod. */
const VARHDRSZ = 4;

/**
 * Maps a PostgreSQL column type (its pg_type name and atttypmod, -1 when none) to cdclake's ColumnType.
 *
 * numeric(p,s) keeps p and s. Unbounded `numeric` (typmod -1) is refused: any default precision and
 * scale would round or reject values at run time, long after the table was accepted; declare the
 * column numeric(p,s). A negative scale (PostgreSQL 15+) becomes scale 0 with p - s digits, and a scale
 * above the precision widens the precision, both exact. Precision above 38 is refused (the lake's limit).
 */
export function columnTypeFromPostgres(
  table: string,
  column: string,
  pgTypeName: string,
  typmod: number,
): ColumnType {
  const name = pgTypeName
    .trim()
    .toLowerCase()
    .replace(/^pg_catalog\./, '');
  const simple = SIMPLE_TYPES[name];
  if (simple !== undefined) return { kind: simple };
  if (name !== 'numeric' && name !== 'decimal') {
    throw new CdcError(
      ErrorCode.UNSUPPORTED_TYPE,
      `table ${table} column ${column}: PostgreSQL type ${pgTypeName} is not supported ` +
        `(supported: ${[...new Set(Object.keys(SIMPLE_TYPES))].join(', ')}, numeric(p,s)); ` +
        'cast it in a view or leave the table out',
      { facts: { table, column, type: pgTypeName } },
    );
  }
  if (typmod < VARHDRSZ) {
    throw new CdcError(
      ErrorCode.UNSUPPORTED_TYPE,
      `table ${table} column ${column}: PostgreSQL type numeric without precision and scale is not supported: ` +
        'cdclake carries decimals exactly and needs their bounds; declare the column numeric(p,s) with ' +
        `p <= ${MAX_DECIMAL_PRECISION} (ALTER TABLE ... ALTER COLUMN ${column} TYPE numeric(p,s))`,
      { facts: { table, column, type: pgTypeName } },
    );
  }
  const packed = typmod - VARHDRSZ;
  const declaredPrecision = (packed >> 16) & 0xffff;
  // The scale is an 11-bit two's-complement field since PostgreSQL 15 allowed negative scales.
  const declaredScale = ((packed & 0x7ff) ^ 1024) - 1024;
  const type =
    declaredScale < 0
      ? { kind: 'numeric' as const, precision: declaredPrecision - declaredScale, scale: 0 }
      : {
          kind: 'numeric' as const,
          precision: Math.max(declaredPrecision, declaredScale),
          scale: declaredScale,
        };
  if (type.precision > MAX_DECIMAL_PRECISION) {
    throw new CdcError(
      ErrorCode.UNSUPPORTED_TYPE,
      `table ${table} column ${column}: PostgreSQL type numeric(${declaredPrecision},${declaredScale}) is not ` +
        `supported: the lake's decimals hold at most ${MAX_DECIMAL_PRECISION} digits`,
      { facts: { table, column, type: `numeric(${declaredPrecision},${declaredScale})` } },
    );
  }
  checkDecimal(table, column, type);
  return type;
}
