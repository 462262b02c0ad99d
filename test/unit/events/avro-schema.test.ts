import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  columnTypeFromPostgres,
  envelopeSchemaOf,
  keySchemaOf,
  type AvroRecordSchema,
} from '../../../core/events/avro-schema.ts';
import { CdcError } from '../../../core/errors.ts';
import type { TableDef } from '../../../core/events/types.ts';
import { allTypesTable, compositeKeyTable, ordersV1 } from '../../fixtures/avro/tables.ts';

function valueFields(table: TableDef): Record<string, unknown> {
  const before = envelopeSchemaOf(table).fields[0]?.type as [string, AvroRecordSchema];
  return Object.fromEntries(before[1].fields.map((field) => [field.name, field.type]));
}

function thrown(run: () => unknown): CdcError {
  try {
    run();
  } catch (error) {
    if (error instanceof CdcError) return error;
    throw error;
  }
  throw new Error('expected a CdcError');
}

/** PostgreSQL's atttypmod of numeric(p,s). */
function numericTypmod(precision: number, scale: number): number {
  return ((precision << 16) | (scale & 0x7ff)) + 4;
}

describe('Avro schemas of a table', () => {
  test('every supported column type maps to the Avro type of Contract 1', () => {
    expect(valueFields(allTypesTable)).toEqual({
      id: 'long',
      c_int2: ['null', 'int'],
      c_int4: ['null', 'int'],
      c_int8: ['null', 'long'],
      c_float4: ['null', 'float'],
      c_float8: ['null', 'double'],
      c_bool: ['null', 'boolean'],
      c_text: ['null', 'string'],
      c_uuid: ['null', { type: 'string', logicalType: 'uuid' }],
      c_json: ['null', { type: 'string', 'cdclake.type': 'json' }],
      c_bytea: ['null', 'bytes'],
      c_money: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }],
      c_count: ['null', { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 0 }],
      c_ratio: ['null', { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 10 }],
      c_date: ['null', { type: 'int', logicalType: 'date' }],
      c_timestamp: ['null', { type: 'long', logicalType: 'local-timestamp-micros' }],
      c_timestamptz: ['null', { type: 'long', logicalType: 'timestamp-micros' }],
      c_required_text: 'string',
      c_required_money: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 4 },
    });
  });

  test('a nullable column defaults to null, so a reader can add one and read older messages', () => {
    const before = envelopeSchemaOf(allTypesTable).fields[0]?.type as [string, AvroRecordSchema];
    const nullable = before[1].fields.filter((field) => Array.isArray(field.type));
    expect(nullable.length).toBe(16);
    for (const field of nullable) expect(field).toHaveProperty('default', null);
    expect(before[1].fields.find((field) => field.name === 'id')).not.toHaveProperty('default');
  });

  test('the envelope has the Debezium shape, named in the table namespace', () => {
    const envelope = envelopeSchemaOf(ordersV1);
    expect(envelope.name).toBe('Envelope');
    expect(envelope.namespace).toBe('cdc.public.orders');
    expect(envelope.fields.map((field) => field.name)).toEqual([
      'before',
      'after',
      'op',
      'ts_ms',
      'source',
      'pos',
      'unchanged',
    ]);
    expect(envelope.fields[1]).toEqual({ name: 'after', type: ['null', 'Value'], default: null });
    expect(envelope.fields[5]?.type).toEqual({
      type: 'bytes',
      logicalType: 'decimal',
      precision: 38,
      scale: 0,
    });
    expect(envelope.fields[6]).toEqual({
      name: 'unchanged',
      type: { type: 'array', items: 'string' },
      default: [],
    });
    const source = envelope.fields[4]?.type as AvroRecordSchema;
    expect(source.fields.map((field) => [field.name, field.type])).toEqual([
      ['connector', 'string'],
      ['db', 'string'],
      ['schema', 'string'],
      ['table', 'string'],
      ['lsn', ['null', 'long']],
      ['txId', ['null', 'long']],
      ['ts_ms', 'long'],
      ['snapshot', 'boolean'],
    ]);
  });

  test('the key schema holds the key columns in key order', () => {
    expect(keySchemaOf(compositeKeyTable)).toEqual({
      type: 'record',
      name: 'Key',
      namespace: 'cdc.sales.order_lines',
      fields: [
        { name: 'tenant', type: 'string' },
        { name: 'order_id', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'line_no', type: 'int' },
      ],
    });
  });

  test('the derived schemas are the ones the committed fingerprint vectors were computed from', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../fixtures/avro/schemas.json', import.meta.url), 'utf8'),
    );
    const byName = new Map((committed as { name: string; schema: unknown }[]).map((e) => [e.name, e.schema]));
    expect(byName.get('allTypesTable.envelope')).toEqual(envelopeSchemaOf(allTypesTable));
    expect(byName.get('allTypesTable.key')).toEqual(keySchemaOf(allTypesTable));
    expect(byName.get('compositeKeyTable.key')).toEqual(keySchemaOf(compositeKeyTable));
  });

  test.each(['order-id', '1st_column', 'prix€', ''])(
    'column name %j is refused naming table and column',
    (name) => {
      const table: TableDef = {
        ...ordersV1,
        columns: [...ordersV1.columns, { name, type: { kind: 'text' }, nullable: true }],
      };
      const error = thrown(() => envelopeSchemaOf(table));
      expect(error.code).toBe('CDC_INVALID_NAME');
      expect(error.message).toContain('public.orders');
      expect(error.message).toContain(JSON.stringify(name));
      expect(error.facts).toEqual({ table: 'public.orders', column: name });
    },
  );

  test('a table name that is not an Avro name is refused', () => {
    expect(thrown(() => keySchemaOf({ ...ordersV1, name: 'order-items' })).code).toBe('CDC_INVALID_NAME');
  });

  test('a table without a key, with an unknown key column or a repeated column is refused', () => {
    expect(thrown(() => keySchemaOf({ ...ordersV1, key: [] })).message).toMatch(
      /public\.orders: no key columns/,
    );
    expect(thrown(() => keySchemaOf({ ...ordersV1, key: ['nope'] })).message).toContain('key column nope');
    const repeated = { ...ordersV1, columns: [...ordersV1.columns, ordersV1.columns[0]!] };
    expect(thrown(() => envelopeSchemaOf(repeated)).code).toBe('CDC_INVALID_TABLE');
  });

  test('a numeric column outside decimal(1..38, 0..p) is refused', () => {
    const wide: TableDef = {
      ...ordersV1,
      columns: [{ name: 'order_id', type: { kind: 'numeric', precision: 39, scale: 0 }, nullable: false }],
    };
    const error = thrown(() => envelopeSchemaOf(wide));
    expect(error.code).toBe('CDC_UNSUPPORTED_TYPE');
    expect(error.facts).toEqual({ table: 'public.orders', column: 'order_id', type: 'numeric(39,0)' });
  });
});

describe('PostgreSQL column types', () => {
  test.each([
    ['int2', 'int2'],
    ['smallint', 'int2'],
    ['int4', 'int4'],
    ['integer', 'int4'],
    ['int8', 'int8'],
    ['bigint', 'int8'],
    ['float4', 'float4'],
    ['real', 'float4'],
    ['float8', 'float8'],
    ['double precision', 'float8'],
    ['bool', 'bool'],
    ['boolean', 'bool'],
    ['text', 'text'],
    ['varchar', 'text'],
    ['character varying', 'text'],
    ['bpchar', 'text'],
    ['uuid', 'uuid'],
    ['json', 'json'],
    ['jsonb', 'json'],
    ['bytea', 'bytea'],
    ['date', 'date'],
    ['timestamp', 'timestamp'],
    ['timestamp without time zone', 'timestamp'],
    ['timestamptz', 'timestamptz'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamptz'],
    ['pg_catalog.int8', 'int8'],
  ])('%s maps to %s', (pgType, kind) => {
    expect(columnTypeFromPostgres('public.t', 'c', pgType, -1)).toEqual({ kind });
  });

  test('numeric(p,s) keeps precision and scale from the typmod', () => {
    expect(columnTypeFromPostgres('public.t', 'c', 'numeric', numericTypmod(10, 2))).toEqual({
      kind: 'numeric',
      precision: 10,
      scale: 2,
    });
    expect(columnTypeFromPostgres('public.t', 'c', 'decimal', numericTypmod(38, 0))).toEqual({
      kind: 'numeric',
      precision: 38,
      scale: 0,
    });
  });

  test('numeric with a negative scale or a scale above the precision maps to an exact decimal', () => {
    expect(columnTypeFromPostgres('public.t', 'c', 'numeric', numericTypmod(5, -2))).toEqual({
      kind: 'numeric',
      precision: 7,
      scale: 0,
    });
    expect(columnTypeFromPostgres('public.t', 'c', 'numeric', numericTypmod(3, 5))).toEqual({
      kind: 'numeric',
      precision: 5,
      scale: 5,
    });
  });

  test('unbounded numeric is refused with the advice to declare numeric(p,s)', () => {
    const error = thrown(() => columnTypeFromPostgres('public.orders', 'amount', 'numeric', -1));
    expect(error.code).toBe('CDC_UNSUPPORTED_TYPE');
    expect(error.message).toContain('table public.orders column amount');
    expect(error.message).toContain('TYPE numeric(p,s)');
  });

  test('numeric wider than 38 digits is refused', () => {
    const error = thrown(() =>
      columnTypeFromPostgres('public.orders', 'amount', 'numeric', numericTypmod(50, 10)),
    );
    expect(error.code).toBe('CDC_UNSUPPORTED_TYPE');
    expect(error.message).toContain('numeric(50,10)');
  });

  test.each(['interval', 'time', '_int4', 'money', 'hstore'])(
    'unsupported type %s is refused naming table, column and type',
    (pgType) => {
      const error = thrown(() => columnTypeFromPostgres('public.orders', 'odd_column', pgType, -1));
      expect(error.code).toBe('CDC_UNSUPPORTED_TYPE');
      expect(error.retriable).toBe(false);
      expect(error.message).toContain('table public.orders column odd_column');
      expect(error.message).toContain(`type ${pgType} is not supported`);
      expect(error.facts).toEqual({ table: 'public.orders', column: 'odd_column', type: pgType });
    },
  );
});
