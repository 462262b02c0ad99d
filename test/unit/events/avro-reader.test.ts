import { describe, expect, test } from 'vitest';
import { compileReader } from '../../../core/events/avro-reader.ts';
import { avroType } from '../../../core/events/avsc-types.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import { SchemaStore } from '../../../core/events/schema-store.ts';
import { SINGLE_OBJECT_HEADER_LENGTH } from '../../../core/events/single-object.ts';
import type { Row, TableDef } from '../../../core/events/types.ts';
import { makeEvent } from './make-event.ts';

// Every column kind, nullable and not, so the compiled reader meets each Avro shape cdclake writes.
const everyType: TableDef = {
  schema: 'public',
  name: 'every_type',
  key: ['id'],
  columns: [
    { name: 'id', type: { kind: 'int8' }, nullable: false },
    { name: 'small', type: { kind: 'int2' }, nullable: true },
    { name: 'whole', type: { kind: 'int4' }, nullable: false },
    { name: 'real', type: { kind: 'float4' }, nullable: true },
    { name: 'double', type: { kind: 'float8' }, nullable: false },
    { name: 'flag', type: { kind: 'bool' }, nullable: true },
    { name: 'label', type: { kind: 'text' }, nullable: true },
    { name: 'doc', type: { kind: 'json' }, nullable: true },
    { name: 'ref', type: { kind: 'uuid' }, nullable: true },
    { name: 'blob', type: { kind: 'bytea' }, nullable: true },
    { name: 'day', type: { kind: 'date' }, nullable: true },
    { name: 'at', type: { kind: 'timestamp' }, nullable: true },
    { name: 'at_tz', type: { kind: 'timestamptz' }, nullable: false },
    { name: 'price', type: { kind: 'numeric', precision: 38, scale: 4 }, nullable: true },
  ],
};

const rows: Row[] = [
  {
    id: 1n,
    small: -32768,
    whole: 2147483647,
    real: 1.5,
    double: -1e300,
    flag: true,
    label: 'héllo ✓ 𝄞',
    doc: '{"a":[1,2]}',
    ref: '0b6e2a5c-3f1e-4c1a-9f1e-2f1e3c4d5e6f',
    blob: Buffer.from([0, 255, 7]),
    day: -719162,
    at: -62135596800000000n,
    at_tz: 9223372036854775807n,
    price: '-99999999999999999999999999999999.9999',
  },
  {
    id: -9223372036854775808n,
    small: null,
    whole: -1,
    real: null,
    double: 0,
    flag: null,
    label: null,
    doc: null,
    ref: null,
    blob: null,
    day: null,
    at: null,
    at_tz: 0n,
    price: null,
  },
  {
    id: 2n ** 52n + 1n,
    small: 0,
    whole: 0,
    real: 0,
    double: Number.MIN_VALUE,
    flag: false,
    label: '',
    doc: '',
    ref: null,
    blob: Buffer.alloc(0),
    day: 20000,
    at: 1_700_000_000_000_000n,
    at_tz: -1n,
    price: '0.0001',
  },
];

describe('the compiled Avro reader', () => {
  const codec = new TableCodec(everyType);
  const schema = JSON.parse(codec.writerSchemaJson) as unknown;
  const fast = compileReader(schema);
  const slow = avroType(schema as never);

  test.each(rows.map((row, i) => [i, row] as const))('reads what avsc reads (row %i)', (_i, row) => {
    for (const event of [
      makeEvent(everyType, { after: row }),
      makeEvent(everyType, {
        op: 'u',
        before: { id: row.id as bigint },
        after: row,
        unchanged: ['doc', 'blob'],
      }),
      makeEvent(everyType, { op: 'd', before: row, after: null, pos: (1n << 95n) + 7n }),
    ]) {
      const bytes = codec.encodeEvent(event);
      const cursor = { buf: bytes, pos: SINGLE_OBJECT_HEADER_LENGTH };
      expect(fast).toBeDefined();
      const value = fast?.(cursor);
      expect(cursor.pos).toBe(bytes.length);
      expect(value).toEqual(slow.decode(bytes, SINGLE_OBJECT_HEADER_LENGTH).value);
    }
  });

  test('a message cut short or with bytes left over is refused, as with avsc', () => {
    const store = new SchemaStore();
    store.add(codec.writerSchemaJson);
    const bytes = codec.encodeEvent(makeEvent(everyType, { after: rows[0] as Row }));
    expect(() => store.decodeEvent(bytes.subarray(0, bytes.length - 3))).toThrow(/ends before its body/);
    expect(() => store.decodeEvent(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/1 bytes are left/);
    expect(store.decodeEvent(bytes).after).toEqual(rows[0]);
  });

  test('leaves to avsc the unions it does not compile', () => {
    expect(compileReader(['int', 'string'])).toBeUndefined();
    expect(compileReader({ type: 'fixed', name: 'f', size: 2 })).toBeUndefined();
    expect(compileReader(['null', { type: 'map', values: 'long' }])).toBeDefined();
  });
});
