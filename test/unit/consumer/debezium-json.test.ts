import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { unscaledToBytes, unscaledToDecimal } from '../../../core/events/decimal.ts';
import type { ColumnDef } from '../../../core/events/types.ts';
import type { DecodedChange } from '../../../consumer/decoded-change.ts';
import { CdcError } from '../../../core/errors.ts';
import {
  decodeDebeziumJson,
  looksLikeDebeziumJson,
  parseExactJson,
} from '../../../consumer/debezium-json.ts';
import { JsonNumber, stringifyJson, type Json } from '../../../consumer/debezium-types.ts';

/**
 * One record of test/fixtures/debezium: the raw text of its `key` and `value` members goes to the decoder
 * as written (JSON.parse would round int64 values beyond 2^53); `valueText` holds bytes that are not JSON.
 */
function fixture(name: string): { key: Buffer | null; value: Buffer } {
  const text = readFileSync(new URL(`../../fixtures/debezium/${name}`, import.meta.url), 'utf8');
  const members = topLevelMembers(text);
  const key = members.get('key');
  const valueText = members.get('valueText');
  return {
    key: key === undefined || key === 'null' ? null : Buffer.from(key),
    value: Buffer.from(
      valueText === undefined ? (members.get('value') ?? '') : (JSON.parse(valueText) as string),
    ),
  };
}

function topLevelMembers(text: string): Map<string, string> {
  const members = new Map<string, string>();
  let depth = 0;
  let name: string | null = null;
  let valueStart: number | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && name === null) name = JSON.parse(text.slice(i, end + 1)) as string;
      i = end;
    } else if (c === ':' && depth === 1 && valueStart === null) {
      valueStart = i + 1;
    } else if ((c === ',' || c === '}') && depth === 1) {
      if (name !== null && valueStart !== null) members.set(name, text.slice(valueStart, i).trim());
      name = null;
      valueStart = null;
      if (c === '}') depth--;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return members;
}

function decodeFixture(name: string): DecodedChange | null {
  const { key, value } = fixture(name);
  return decodeDebeziumJson(key, value);
}

function decoded(name: string): DecodedChange {
  const change = decodeFixture(name);
  if (change === null) throw new Error(`${name} decoded to a tombstone`);
  return change;
}

function refusal(run: () => unknown): CdcError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof CdcError) return error;
    throw error;
  }
  throw new Error('expected a CdcError');
}

/** JSON text of a test document; bigint values (and JsonNumberLiteral) are written as number literals. */
function jsonText(document: unknown): string {
  return JSON.stringify(document, (_name, value: unknown) =>
    typeof value === 'bigint' ? `__bigint__${value}` : value,
  ).replace(/"__bigint__([-+.0-9eE]+)"/g, '$1');
}

/** A PostgreSQL record with the embedded schema, of a table `t` with the given field schemas. */
function pgRecord(
  fields: object[],
  after: Record<string, unknown> | null,
  options: { op?: string; before?: Record<string, unknown>; source?: Record<string, unknown> } = {},
): Buffer {
  return Buffer.from(
    jsonText({
      schema: {
        type: 'struct',
        name: 'dbserver1.public.t.Envelope',
        optional: false,
        fields: [
          { type: 'struct', optional: true, field: 'before', fields },
          { type: 'struct', optional: true, field: 'after', fields },
          { type: 'string', optional: false, field: 'op' },
        ],
      },
      payload: {
        before: options.before ?? null,
        after,
        op: options.op ?? 'c',
        ts_ms: 1767261600000n,
        source: {
          connector: 'postgresql',
          db: 'postgres',
          schema: 'public',
          table: 't',
          lsn: 100n,
          ...options.source,
        },
      },
    }),
  );
}

/** A JSON number literal a test writes as is (jsonText would quote a JsonNumber). */
class JsonNumberLiteral {
  readonly text: string;
  constructor(literal: string) {
    this.text = literal;
  }
  toJSON(): string {
    return `__bigint__${this.text}`;
  }
}

const ID_FIELD = { type: 'int32', optional: false, field: 'id' };
const ID_KEY = Buffer.from('{"id":1}');

/** The column `c` of a one-row table `t(id, c)` whose field schema is `field`. */
function oneColumn(field: object, value: unknown): { column: ColumnDef | undefined; value: unknown } {
  const change = decodeDebeziumJson(
    ID_KEY,
    pgRecord([ID_FIELD, { ...field, field: 'c' }], { id: 1, c: value }),
  );
  return { column: change?.columns.find((column) => column.name === 'c'), value: change?.row.c };
}

const text = (name: string, nullable = true): ColumnDef => ({ name, type: { kind: 'text' }, nullable });

/** The streamed-change bit of a Debezium PostgreSQL position (consumer/debezium-json.ts). */
const STREAMED = 1n << 64n;

describe('Debezium PostgreSQL events with the embedded schema', () => {
  test('a create event decodes to the after image, its typed columns and the key from the record key', () => {
    expect(decoded('pg-create.json')).toEqual({
      table: 'customers',
      schema: 'inventory',
      op: 'c',
      pos: (24023119n << 65n) | STREAMED | 24023128n, // sequence ["24023119","24023128"]
      tsMs: 1767261600142n,
      row: { id: 1005, first_name: 'Anne', last_name: 'Kretchmar', email: 'annek@noanswer.org' },
      columns: [
        { name: 'id', type: { kind: 'int4' }, nullable: false },
        text('first_name'),
        text('last_name'),
        text('email'),
      ],
      key: ['id'],
      unchanged: [],
    });
  });

  test('an update without before image (REPLICA IDENTITY DEFAULT) decodes to its after image', () => {
    const change = decoded('pg-update.json');
    expect(change.op).toBe('u');
    expect(change.row).toEqual({
      id: 1005,
      first_name: 'Anne Marie',
      last_name: 'Kretchmar',
      email: 'annek@noanswer.org',
    });
  });

  test('a delete decodes to its before image (the key, other columns null), then its tombstone to null', () => {
    const change = decoded('pg-delete.json');
    expect(change.op).toBe('d');
    expect(change.row).toEqual({ id: 1005, first_name: null, last_name: null, email: null });
    expect(change.key).toEqual(['id']);
    expect(decodeFixture('pg-tombstone.json')).toBeNull();
  });

  test('a JSON null value, with or without the schema envelope, is a tombstone', () => {
    expect(decodeDebeziumJson(ID_KEY, Buffer.from('null'))).toBeNull();
    expect(decodeDebeziumJson(ID_KEY, Buffer.from('{"schema":null,"payload":null}'))).toBeNull();
  });

  test('a delete without before image takes its row and columns from the record key', () => {
    const change = decoded('pg-delete-no-before.json');
    expect(change.row).toEqual({ id: 1004 });
    expect(change.columns).toEqual([{ name: 'id', type: { kind: 'int4' }, nullable: false }]);
    expect(change.key).toEqual(['id']);
  });

  test('a snapshot read (op r, snapshot "true") decodes like an insert, positioned at the snapshot LSN', () => {
    const read = decoded('pg-snapshot-read.json');
    expect(read.op).toBe('r');
    expect(read.row).toEqual({
      id: 1001,
      first_name: 'Sally',
      last_name: 'Thomas',
      email: 'sally.thomas@acme.com',
    });
    expect(read.pos).toBe(24020000n);
  });

  test('positions grow along the changes of one row: snapshot, create, update, delete', () => {
    const positions = ['pg-snapshot-read.json', 'pg-create.json', 'pg-update.json', 'pg-delete.json'].map(
      (name) => decoded(name).pos,
    );
    expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
  });

  test('a column added mid-stream appears in the columns of the records that carry it, not before', () => {
    expect(decoded('pg-create.json').columns.map((c) => c.name)).not.toContain('loyalty_points');
    const later = decoded('pg-column-added.json');
    expect(later.columns.at(-1)).toEqual({ name: 'loyalty_points', type: { kind: 'int4' }, nullable: true });
    expect(later.row.loyalty_points).toBe(120);
  });

  test('an unchanged TOASTed value (text, bytes, array) is listed in unchanged and left out of the row', () => {
    const change = decoded('pg-toast-unchanged.json');
    expect(change.unchanged).toEqual(['body', 'scan', 'tags']);
    expect(change.row).toEqual({ id: 7, title: 'Renamed' });
    expect(change.columns.map((c) => [c.name, c.type.kind])).toEqual([
      ['id', 'int4'],
      ['title', 'text'],
      ['body', 'text'],
      ['scan', 'bytea'],
      ['tags', 'json'],
    ]);
  });

  test('the key is read alike from a key with its schema and from a plain key object', () => {
    const withSchema = decoded('pg-create.json');
    const { value } = fixture('pg-create.json');
    const plain = decodeDebeziumJson(Buffer.from('{"id":1005}'), value);
    expect(plain?.key).toEqual(withSchema.key);
    expect(decodeDebeziumJson(null, value)?.key).toEqual([]);
  });
});

describe('Debezium types with the embedded schema', () => {
  const types = decoded('pg-types.json');
  const column = (name: string): [ColumnDef | undefined, unknown] => [
    types.columns.find((c) => c.name === name),
    types.row[name],
  ];

  test('an int64 key beyond 2^53 keeps every digit', () => {
    expect(column('id')).toEqual([
      { name: 'id', type: { kind: 'int8' }, nullable: false },
      9007199254740993n,
    ]);
  });

  test('a Debezium Decimal decodes to the exact decimal at its scale', () => {
    expect(column('amount')).toEqual([
      { name: 'amount', type: { kind: 'numeric', precision: 10, scale: 2 }, nullable: false },
      '1234.50',
    ]);
    expect(column('discount')[1]).toBe('-0.05');
    expect(column('exchange_total')).toEqual([
      { name: 'exchange_total', type: { kind: 'numeric', precision: 38, scale: 10 }, nullable: true },
      '12345678901234567890.1234567890',
    ]);
  });

  test('a Decimal without connect.decimal.precision is numeric(38, scale)', () => {
    expect(column('fee')).toEqual([
      { name: 'fee', type: { kind: 'numeric', precision: 38, scale: 4 }, nullable: true },
      '-123.4567',
    ]);
  });

  test('MicroTimestamp, Timestamp, NanoTimestamp and Connect Timestamp decode to microseconds since the epoch', () => {
    const at = 1767261600123456n; // 2026-01-01T10:00:00.123456Z
    expect(column('created_at')).toEqual([
      { name: 'created_at', type: { kind: 'timestamp' }, nullable: false },
      at,
    ]);
    expect(column('legacy_at')).toEqual([
      { name: 'legacy_at', type: { kind: 'timestamp' }, nullable: true },
      at - 456n,
    ]);
    expect(column('precise_at')[1]).toBe(at);
    expect(column('connect_at')).toEqual([
      { name: 'connect_at', type: { kind: 'timestamp' }, nullable: true },
      at - 456n,
    ]);
  });

  test('a ZonedTimestamp decodes to timestamptz microseconds in UTC', () => {
    expect(column('updated_at')).toEqual([
      { name: 'updated_at', type: { kind: 'timestamptz' }, nullable: true },
      1767261600123456n,
    ]);
  });

  test('Debezium Date and Connect Date decode to days since 1970-01-01', () => {
    expect(column('ship_date')).toEqual([
      { name: 'ship_date', type: { kind: 'date' }, nullable: true },
      20455,
    ]);
    expect(column('connect_date')).toEqual([
      { name: 'connect_date', type: { kind: 'date' }, nullable: true },
      -1,
    ]);
  });

  test('Uuid, Json and Enum decode to uuid, json and text', () => {
    expect(column('order_uuid')).toEqual([
      { name: 'order_uuid', type: { kind: 'uuid' }, nullable: true },
      '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    ]);
    expect(column('attributes')).toEqual([
      { name: 'attributes', type: { kind: 'json' }, nullable: true },
      '{"gift":true,"tags":["a","b"]}',
    ]);
    expect(column('status')).toEqual([{ name: 'status', type: { kind: 'text' }, nullable: true }, 'shipped']);
  });

  test('MicroTime lands as int8 microseconds since midnight', () => {
    expect(column('pickup_time')).toEqual([
      { name: 'pickup_time', type: { kind: 'int8' }, nullable: true },
      36930500000n,
    ]);
  });

  test('plain Connect types map to int2, float4, float8, bool, bytea and text; optional to nullable', () => {
    expect(column('quantity')).toEqual([{ name: 'quantity', type: { kind: 'int2' }, nullable: true }, 3]);
    expect(column('weight')).toEqual([{ name: 'weight', type: { kind: 'float4' }, nullable: true }, 1.5]);
    expect(column('ratio')).toEqual([{ name: 'ratio', type: { kind: 'float8' }, nullable: true }, 0.1]);
    expect(column('paid')).toEqual([{ name: 'paid', type: { kind: 'bool' }, nullable: true }, true]);
    expect(column('receipt')).toEqual([
      { name: 'receipt', type: { kind: 'bytea' }, nullable: true },
      Buffer.from([0, 1, 2, 253, 254, 255]),
    ]);
    expect(column('note')).toEqual([text('note'), null]);
  });

  test('a record as the converter writes it (compact, schema first) decodes like its pretty-printed copy, twice', () => {
    const { key, value } = fixture('pg-types.json');
    const compact = Buffer.from(stringifyJson(parseExactJson(value.toString())));
    expect(compact.toString().startsWith('{"schema":{')).toBe(true);
    expect(decodeDebeziumJson(key, compact)).toEqual(types);
    expect(decodeDebeziumJson(key, compact)).toEqual(types);
  });

  test('a schema text with escaped quotes and braces in its strings is read whole', () => {
    const doc = { type: 'string', optional: true, doc: 'a \\"quoted\\" } ] { brace \\', field: 'note' };
    const record = pgRecord([ID_FIELD, doc], { id: 1, note: '}"{' });
    expect(record.toString()).toContain('\\\\\\"quoted');
    expect(decodeDebeziumJson(ID_KEY, record)?.row).toEqual({ id: 1, note: '}"{' });
    expect(decodeDebeziumJson(ID_KEY, record)?.row).toEqual({ id: 1, note: '}"{' });
  });

  test('every column of the record is typed, in the schema order', () => {
    expect(types.columns.map((c) => c.name)).toEqual([...Object.keys(types.row)]);
  });
});

describe('exact values', () => {
  const DECIMAL = (scale: number, precision?: number): object => ({
    type: 'bytes',
    optional: true,
    name: 'org.apache.kafka.connect.data.Decimal',
    parameters: {
      scale: String(scale),
      ...(precision === undefined ? {} : { 'connect.decimal.precision': String(precision) }),
    },
  });

  test('random Decimals of every magnitude and sign decode exactly', () => {
    let seed = 0x2545f491n;
    const next = (): bigint =>
      (seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
    for (let i = 0; i < 500; i++) {
      const digits = 1 + Number(next() % 38n);
      const scale = Number(next() % BigInt(digits + 1));
      const magnitude = (next() * next() * next()) % 10n ** BigInt(digits);
      const unscaled = next() % 2n === 0n ? magnitude : -magnitude;
      const { column, value } = oneColumn(DECIMAL(scale, 38), unscaledToBytes(unscaled).toString('base64'));
      expect(column?.type).toEqual({ kind: 'numeric', precision: 38, scale });
      expect(value).toBe(unscaledToDecimal(unscaled, scale));
    }
  });

  test('a Decimal written as a JSON number (decimal.format=NUMERIC) decodes exactly or is refused', () => {
    expect(oneColumn(DECIMAL(2, 10), new JsonNumberLiteral('1234.5')).value).toBe('1234.50');
    expect(oneColumn(DECIMAL(2, 10), new JsonNumberLiteral('1E+3')).value).toBe('1000.00');
    expect(oneColumn(DECIMAL(2, 10), 7n).value).toBe('7.00');
    expect(refusal(() => oneColumn(DECIMAL(2, 10), new JsonNumberLiteral('12.345'))).code).toBe(
      'CDC_INVALID_VALUE',
    );
  });

  test('a Decimal value beyond its precision is refused, naming table and column', () => {
    const error = refusal(() => oneColumn(DECIMAL(2, 4), unscaledToBytes(10000n).toString('base64')));
    expect(error.code).toBe('CDC_INVALID_VALUE');
    expect(error.message).toContain('table t column c');
  });

  test('a Decimal wider than the lake holds (precision 39) is refused as an unsupported type', () => {
    expect(refusal(() => oneColumn(DECIMAL(2, 39), 'AA==')).code).toBe('CDC_UNSUPPORTED_TYPE');
  });

  test('a VariableScaleDecimal is refused with CDC_UNSUPPORTED_TYPE, naming table, column and the way out', () => {
    const error = refusal(() => decodeFixture('pg-variable-scale-decimal.json'));
    expect(error.code).toBe('CDC_UNSUPPORTED_TYPE');
    expect(error.message).toContain('table prices column price');
    expect(error.message).toContain('decimal.handling.mode=string');
  });

  test('NanoTimestamp floors to the microsecond, before the epoch too', () => {
    const nano = { type: 'int64', optional: true, name: 'io.debezium.time.NanoTimestamp' };
    expect(oneColumn(nano, 1999n).value).toBe(1n);
    expect(oneColumn(nano, -1n).value).toBe(-1n);
    expect(oneColumn(nano, -1000n).value).toBe(-1n);
    expect(oneColumn(nano, -1001n).value).toBe(-2n);
  });

  test.each([
    ['2026-01-01T10:00:00Z', 1767261600000000n],
    ['2026-01-01T10:00:00.1Z', 1767261600100000n],
    ['2026-01-01T10:00:00.123456789Z', 1767261600123456n],
    ['2026-01-01T05:30:00-04:30', 1767261600000000n],
    ['2026-01-01T10:00Z', 1767261600000000n],
    ['1969-12-31T23:59:59.999999Z', -1n],
    ['1900-03-01T00:00:00+00:00', -2203891200000000n],
    ['2000-02-29T00:00:00Z', 951782400000000n],
    // Past 285 years from 1970 a microsecond count leaves a double's exact integers.
    ['9999-12-31T23:59:59.999999Z', 253402300799999999n],
    ['2300-01-01T00:00:00.000001Z', 10413792000000001n],
    ['0001-01-01T00:00:00Z', -62135596800000000n],
  ])('the ZonedTimestamp %s is %s microseconds UTC', (zoned, micros) => {
    const field = { type: 'string', optional: true, name: 'io.debezium.time.ZonedTimestamp' };
    expect(oneColumn(field, zoned).value).toBe(micros);
  });

  test.each(['2026-02-29T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:00:00', 'infinity'])(
    'the ZonedTimestamp %s is refused with CDC_INVALID_VALUE',
    (zoned) => {
      const field = { type: 'string', optional: true, name: 'io.debezium.time.ZonedTimestamp' };
      expect(refusal(() => oneColumn(field, zoned)).code).toBe('CDC_INVALID_VALUE');
    },
  );

  test('Time (milliseconds) and NanoTime land as int8 microseconds since midnight, like MicroTime', () => {
    expect(oneColumn({ type: 'int32', name: 'io.debezium.time.Time' }, 1500n)).toEqual({
      column: { name: 'c', type: { kind: 'int8' }, nullable: false },
      value: 1500000n,
    });
    expect(oneColumn({ type: 'int64', name: 'io.debezium.time.NanoTime' }, 1500999n).value).toBe(1500n);
  });

  test('a value that does not fit its Connect type is refused with CDC_INVALID_VALUE', () => {
    expect(refusal(() => oneColumn({ type: 'int32' }, 2147483648n)).code).toBe('CDC_INVALID_VALUE');
    expect(refusal(() => oneColumn({ type: 'int64' }, 'x')).code).toBe('CDC_INVALID_VALUE');
    expect(refusal(() => oneColumn({ type: 'bytes' }, 'not base64!')).code).toBe('CDC_INVALID_VALUE');
    expect(refusal(() => oneColumn({ type: 'boolean' }, 1n)).code).toBe('CDC_INVALID_VALUE');
  });

  test('a logical type on the wrong physical type is refused with CDC_UNSUPPORTED_TYPE', () => {
    const field = { type: 'string', name: 'io.debezium.time.MicroTimestamp' };
    expect(refusal(() => oneColumn(field, '2026')).code).toBe('CDC_UNSUPPORTED_TYPE');
  });

  test('a Connect type or logical name cdclake does not know is refused, whatever its spelling', () => {
    for (const type of ['int128', 'constructor', 'toString', '__proto__']) {
      expect(refusal(() => oneColumn({ type }, 1n)).code).toBe('CDC_UNSUPPORTED_TYPE');
    }
    expect(oneColumn({ type: 'string', name: 'toString' }, 'x').value).toBe('x');
    expect(refusal(() => oneColumn({ type: 'float64' }, 'toString')).code).toBe('CDC_INVALID_VALUE');
  });

  test('a logical type cdclake does not know lands as its physical type', () => {
    expect(oneColumn({ type: 'string', optional: true, name: 'io.debezium.data.Xml' }, '<a/>')).toEqual({
      column: text('c'),
      value: '<a/>',
    });
    expect(oneColumn({ type: 'array', items: { type: 'int32' } }, [1n, 2n]).value).toBe('[1,2]');
  });

  test('floats written by Jackson as NaN and Infinity strings decode to numbers', () => {
    expect(oneColumn({ type: 'float64' }, 'NaN').value).toBeNaN();
    expect(oneColumn({ type: 'float64' }, '-Infinity').value).toBe(-Infinity);
  });
});

describe('Debezium events without the schema (schemas.enable=false)', () => {
  test('a create event decodes with types inferred from its values, every column nullable', () => {
    expect(decoded('noschema-create.json')).toEqual({
      table: 'customers',
      schema: 'inventory',
      op: 'c',
      pos: (24023119n << 65n) | STREAMED | 24023128n, // sequence ["24023119","24023128"]
      tsMs: 1767261600142n,
      // No schema: the merge may type its columns as LAKE_COLUMN_TYPES or bronze says.
      typedByValues: true,
      row: { id: 1005n, first_name: 'Anne', last_name: 'Kretchmar', email: 'annek@noanswer.org' },
      columns: [
        { name: 'id', type: { kind: 'int8' }, nullable: true },
        text('first_name'),
        text('last_name'),
        text('email'),
      ],
      key: ['id'],
      unchanged: [],
    });
  });

  test('a delete decodes to its before image; its nulls give their columns no type', () => {
    const change = decoded('noschema-delete.json');
    expect(change.op).toBe('d');
    expect(change.row).toEqual({ id: 1005n, first_name: null, last_name: null, email: null });
    // Only the key has a value: the other columns are left to the batch (NULL there), so a delete of a table
    // whose text columns came first does not disagree with them, nor make a bigint column text.
    expect(change.columns).toEqual([{ name: 'id', type: { kind: 'int8' }, nullable: true }]);
  });

  test('integers beyond 2^53 keep every digit; numbers, booleans, objects and arrays get their types', () => {
    const change = decoded('noschema-types.json');
    const kinds = Object.fromEntries(change.columns.map((c) => [c.name, c.type.kind]));
    expect(change.row.id).toBe(9007199254740993n);
    expect(kinds.id).toBe('int8');
    expect([kinds.ratio, change.row.ratio]).toEqual(['float8', 0.1]);
    expect([kinds.paid, change.row.paid]).toEqual(['bool', true]);
    expect([kinds.dimensions, change.row.dimensions]).toEqual(['json', '{"w":10,"h":2.5}']);
    expect([kinds.tags, change.row.tags]).toEqual(['json', '["a","b"]']);
    expect([kinds.note, change.row.note]).toEqual([undefined, null]);
  });

  test('without the schema a Decimal stays base64 text and timestamps stay plain integers', () => {
    const change = decoded('noschema-types.json');
    const kinds = Object.fromEntries(change.columns.map((c) => [c.name, c.type.kind]));
    expect([kinds.amount, change.row.amount]).toEqual(['text', 'AeI6']);
    expect([kinds.created_at, change.row.created_at]).toEqual(['int8', 1767261600123456n]);
    expect([kinds.updated_at, change.row.updated_at]).toEqual(['text', '2026-01-01T12:00:00.123456+02:00']);
  });

  test('an integer beyond int64 without a schema is refused, not rounded', () => {
    const value = Buffer.from(
      jsonText({
        op: 'c',
        ts_ms: 1n,
        after: { id: 9223372036854775808n },
        source: { connector: 'postgresql', schema: 'public', table: 't', lsn: 1n },
      }),
    );
    expect(refusal(() => decodeDebeziumJson(null, value)).code).toBe('CDC_INVALID_VALUE');
  });

  test('an unchanged TOASTed value is listed in unchanged without the schema too', () => {
    const value = Buffer.from(
      jsonText({
        op: 'u',
        ts_ms: 1n,
        after: { id: 7n, body: '__debezium_unavailable_value' },
        source: { connector: 'postgresql', schema: 'public', table: 'documents', lsn: 1n },
      }),
    );
    const change = decodeDebeziumJson(Buffer.from('{"id":7}'), value);
    expect(change?.unchanged).toEqual(['body']);
    expect(change?.row).toEqual({ id: 7n });
  });

  test('a column named __proto__ is an own column of the row, not its prototype', () => {
    const value = Buffer.from(
      '{"op":"c","ts_ms":1,"after":{"id":1,"__proto__":{"x":1}},' +
        '"source":{"connector":"postgresql","schema":"public","table":"t","lsn":1}}',
    );
    const row = decodeDebeziumJson(null, value)?.row ?? {};
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('{"x":1}');
  });
});

describe('positions of other connectors', () => {
  test('MySQL positions come from the binlog file index, position and row', () => {
    const change = decoded('mysql-create.json');
    expect(change.schema).toBe('inventory');
    expect(change.pos).toBe((3n << 40n) + (154n << 8n));
  });

  test('a later MySQL binlog file always comes after an earlier one', () => {
    const at = (file: string, pos: bigint, row: bigint): bigint => {
      const value = Buffer.from(
        jsonText({
          op: 'c',
          ts_ms: 1n,
          after: { id: 1n },
          source: { connector: 'mysql', db: 'shop', table: 't', file, pos, row },
        }),
      );
      return decodeDebeziumJson(null, value)?.pos ?? -1n;
    };
    expect(at('mysql-bin.000004', 4n, 0n)).toBeGreaterThan(at('mysql-bin.000003', 1073741824n, 9n));
    expect(at('mysql-bin.000003', 200n, 0n)).toBeGreaterThan(at('mysql-bin.000003', 154n, 30n));
  });

  test('other connectors fall back to source.ts_ms << 20', () => {
    const change = decoded('sqlserver-create.json');
    expect(change.schema).toBe('dbo');
    expect(change.pos).toBe(1767261600000n << 20n);
  });

  test('a PostgreSQL event whose source.lsn and source.sequence disagree is refused', () => {
    const record = pgRecord([ID_FIELD], { id: 1 }, { source: { lsn: 100n, sequence: '["90","101"]' } });
    expect(refusal(() => decodeDebeziumJson(ID_KEY, record)).code).toBe('CDC_DECODE');
  });

  test('a PostgreSQL event without source.lsn is positioned by source.sequence, or refused', () => {
    const bySequence = pgRecord([ID_FIELD], { id: 1 }, { source: { lsn: null, sequence: '[null,"101"]' } });
    expect(decodeDebeziumJson(ID_KEY, bySequence)?.pos).toBe(STREAMED | 101n);
    const neither = pgRecord([ID_FIELD], { id: 1 }, { source: { lsn: null } });
    expect(refusal(() => decodeDebeziumJson(ID_KEY, neither)).code).toBe('CDC_DECODE');
  });
});

describe('PostgreSQL positions follow commit order, not change LSNs', () => {
  const at = (op: string, sequence: string, lsn: bigint | null): bigint =>
    decodeDebeziumJson(ID_KEY, pgRecord([ID_FIELD], { id: 1 }, { op, source: { lsn, sequence } }))?.pos ??
    -1n;

  test("a transaction open across the slot's creation outranks the snapshot read of its row", () => {
    // Recorded from Debezium 3.6: r(id=1, v=0, lsn=0x2F371B38), then u(id=1, v=1, lsn=0x2F3718D8), the
    // update's transaction begun before the consistent point and committed after it.
    const read = at('r', '[null,"792140600"]', 0x2f371b38n);
    const update = at('u', '[null,"792139992"]', 0x2f3718d8n);
    expect(update).toBeGreaterThan(read);
    // The next transaction carries the first one's commit end as lastCommitLsn: later still.
    expect(at('u', '["792141000","792140800"]', 792140800n)).toBeGreaterThan(update);
  });

  test('transactions order by the last commit before them; within one, by change LSN', () => {
    const first = at('c', '["1000","5000"]', 5000n);
    const sameTransaction = at('u', '["1000","5100"]', 5100n);
    const nextTransaction = at('u', '["6000","4000"]', 4000n); // its change LSN below the first's
    expect(sameTransaction).toBeGreaterThan(first);
    expect(nextTransaction).toBeGreaterThan(sameTransaction);
  });

  test('a snapshot taken after streaming outranks what was streamed before it', () => {
    const streamed = at('u', '["1000","5000"]', 5000n);
    const snapshot = at('r', '["6000","7000"]', 7000n);
    expect(snapshot).toBeGreaterThan(streamed);
    expect(at('c', '["6000","6500"]', 6500n)).toBeGreaterThan(snapshot);
  });

  test('a truncate decodes keyless, without a row image, at its position', () => {
    const change = decodeFixture('pg-truncate.json') as DecodedChange;
    expect(change.op).toBe('t');
    expect(change.key).toEqual([]);
    expect(change.row).toEqual({});
    expect(change.pos).toBeGreaterThan(0n);
  });
});

describe('records that cannot become a change', () => {
  test('a record that is not JSON is refused with CDC_DECODE', () => {
    expect(refusal(() => decodeFixture('poison-not-json.json')).code).toBe('CDC_DECODE');
  });

  test('JSON without op is refused with CDC_DECODE', () => {
    const error = refusal(() => decodeFixture('poison-no-op.json'));
    expect(error.code).toBe('CDC_DECODE');
    expect(error.message).toContain('without op');
  });

  test('a record flattened by ExtractNewRecordState is refused with CDC_DECODE naming the transform', () => {
    const error = refusal(() => decodeFixture('poison-flattened.json'));
    expect(error.code).toBe('CDC_DECODE');
    expect(error.message).toContain('ExtractNewRecordState');
  });

  test('a table name that is not a plain identifier is refused with CDC_INVALID_NAME', () => {
    const error = refusal(() => decodeFixture('poison-table-name.json'));
    expect(error.code).toBe('CDC_INVALID_NAME');
    expect(error.message).toContain('customers; drop table x');
  });

  test('a column name with a quote is refused with CDC_INVALID_NAME, with or without the schema', () => {
    expect(refusal(() => decodeFixture('poison-column-quote.json')).code).toBe('CDC_INVALID_NAME');
    const withSchema = pgRecord([ID_FIELD, { type: 'string', optional: true, field: 'a"b' }], { id: 1 });
    expect(refusal(() => decodeDebeziumJson(ID_KEY, withSchema)).code).toBe('CDC_INVALID_NAME');
    expect(
      refusal(() => decodeDebeziumJson(Buffer.from('{"a b":1}'), pgRecord([ID_FIELD], { id: 1 }))).code,
    ).toBe('CDC_INVALID_NAME');
  });

  test('a schema name that is not a plain identifier is refused with CDC_INVALID_NAME', () => {
    const record = pgRecord([ID_FIELD], { id: 1 }, { source: { schema: 'public"' } });
    expect(refusal(() => decodeDebeziumJson(ID_KEY, record)).code).toBe('CDC_INVALID_NAME');
  });

  test('a delete with neither a record key nor a before image is refused with CDC_NO_KEY', () => {
    expect(refusal(() => decodeFixture('poison-delete-without-key.json')).code).toBe('CDC_NO_KEY');
  });

  test('a record key naming a column the after image lacks is refused with CDC_NO_KEY', () => {
    const record = pgRecord([ID_FIELD], { id: 1 });
    expect(refusal(() => decodeDebeziumJson(Buffer.from('{"sku":"x"}'), record)).code).toBe('CDC_NO_KEY');
  });

  test('message events are refused with CDC_UNSUPPORTED_OP', () => {
    const message = pgRecord([ID_FIELD], null, { op: 'm' });
    expect(refusal(() => decodeDebeziumJson(null, message)).code).toBe('CDC_UNSUPPORTED_OP');
  });

  test('an unknown op is refused with CDC_DECODE', () => {
    expect(refusal(() => decodeDebeziumJson(ID_KEY, pgRecord([ID_FIELD], { id: 1 }, { op: 'x' }))).code).toBe(
      'CDC_DECODE',
    );
  });

  test('bytes that are not UTF-8, text after the JSON and deep nesting are refused with CDC_DECODE', () => {
    const { key, value } = fixture('pg-create.json');
    const broken = Buffer.concat([value.subarray(0, 40), Buffer.from([0xff, 0xfe]), value.subarray(40)]);
    expect(refusal(() => decodeDebeziumJson(key, broken)).code).toBe('CDC_DECODE');
    expect(refusal(() => decodeDebeziumJson(key, Buffer.concat([value, Buffer.from('{}')]))).code).toBe(
      'CDC_DECODE',
    );
    const deep = Buffer.from(`{"op":${'['.repeat(100_000)}`);
    expect(refusal(() => decodeDebeziumJson(key, deep)).code).toBe('CDC_DECODE');
    expect(refusal(() => decodeDebeziumJson(Buffer.from('{"id":'), value)).code).toBe('CDC_DECODE');
  });
});

describe('the exact JSON reader', () => {
  /** The exact value as JSON.parse would give it, for documents whose numbers JSON.parse keeps exactly. */
  const plain = (value: Json): unknown => {
    if (typeof value === 'bigint') return Number(value);
    if (value instanceof JsonNumber) return Number(value.text);
    if (Array.isArray(value)) return value.map(plain);
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
    return value;
  };

  test.each([
    '{"a":[1,-2,3.5,-0.25e-3,1E2,true,false,null],"b":{"c":""}}',
    ' [ ] ',
    '"Zo\\u00eb \\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t \\ud83d\\ude00 東京"',
    '{"":{"":[[],{}]}}',
  ])('reads %s as JSON.parse does', (document) => {
    expect(plain(parseExactJson(document))).toEqual(JSON.parse(document));
  });

  test.each(['', '{', '{"a":1,}', '[1 2]', '01', '1.', '"\\x"', '"a\nb"', 'nul', '{"a" 1}', "{'a':1}"])(
    'refuses %j as JSON.parse does',
    (document) => {
      expect(() => JSON.parse(document)).toThrow();
      expect(() => parseExactJson(document)).toThrow();
    },
  );

  test('integer literals are bigint, others keep their text', () => {
    expect(parseExactJson('[18446744073709551615,-9223372036854775808,1.10,2e3]')).toEqual([
      18446744073709551615n,
      -9223372036854775808n,
      new JsonNumber('1.10'),
      new JsonNumber('2e3'),
    ]);
  });
});

describe('looksLikeDebeziumJson', () => {
  test('a JSON object, leading whitespace allowed, looks like Debezium JSON; Avro single-object does not', () => {
    expect(looksLikeDebeziumJson(Buffer.from('{"op":"c"}'))).toBe(true);
    expect(looksLikeDebeziumJson(Buffer.from(' \r\n\t{}'))).toBe(true);
    expect(looksLikeDebeziumJson(Buffer.from([0xc3, 0x01, 0x7b]))).toBe(false);
    expect(looksLikeDebeziumJson(Buffer.from('[1]'))).toBe(false);
    expect(looksLikeDebeziumJson(Buffer.alloc(0))).toBe(false);
  });
});

test('a record whose schema was read before is decoded the same, and one that only starts like it is not taken for it', () => {
  const { key, value } = fixture('pg-create.json');
  const first = decodeDebeziumJson(key, value);
  // The second time its schema is found by its bytes; the result is the same.
  expect(decodeDebeziumJson(key, value)).toEqual(first);
  // The same schema, then more than a payload: refused as it would be without the schema known.
  const text = value.toString();
  const extra = Buffer.from(`${text.slice(0, -1)},"extra":1}`);
  const refusal = (): unknown => decodeDebeziumJson(key, extra);
  expect(refusal).toThrow(CdcError);
  // A payload that is not UTF-8 behind a known schema: the slow path's error, naming the record value.
  const at = text.indexOf('"payload":') + '"payload":'.length;
  const broken = Buffer.concat([
    Buffer.from(text.slice(0, at + 1)),
    Buffer.from([0xff]),
    Buffer.from(text.slice(at + 1)),
  ]);
  expect(() => decodeDebeziumJson(key, broken)).toThrow(/the record value is not UTF-8 text/);
});
