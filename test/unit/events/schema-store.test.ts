import { describe, expect, test } from 'vitest';
import { CdcError } from '../../../core/errors.ts';
import type { AvroSchema } from '../../../core/events/avro-schema.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import { fingerprintToHex, schemaFingerprint } from '../../../core/events/fingerprint.ts';
import { SchemaStore } from '../../../core/events/schema-store.ts';
import { encodeSingleObject } from '../../../core/events/single-object.ts';
import type { TableDef } from '../../../core/events/types.ts';
import { ordersV1, ordersV2 } from '../../fixtures/avro/tables.ts';
import { makeEvent } from './make-event.ts';

const v1 = new TableCodec(ordersV1);
const v2 = new TableCodec(ordersV2);
const order = { order_id: 1001n, customer_id: 7, total_amount: '149.90', ordered_at: 1_700_000_000_000_000n };

function thrown(run: () => unknown): CdcError {
  try {
    run();
  } catch (error) {
    if (error instanceof CdcError) return error;
    throw error;
  }
  throw new Error('expected a CdcError');
}

function withColumn(table: TableDef, name: string, type: TableDef['columns'][number]['type']): TableDef {
  return {
    ...table,
    columns: table.columns.map((column) => (column.name === name ? { ...column, type } : column)),
  };
}

describe('writer schemas by fingerprint, and schema evolution', () => {
  test('an event written with v1 and read with the v2 reader has null for the added nullable column', () => {
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const event = makeEvent(ordersV1, { after: order });
    const decoded = store.decodeEvent(v1.encodeEvent(event), v2.value.schema);
    expect(decoded.after).toEqual({ ...order, note: null });
    expect(decoded.pos).toBe(event.pos);
    // The reader may be given as JSON text too.
    expect(store.decodeEvent(v1.encodeEvent(event), v2.writerSchemaJson).after).toEqual({
      ...order,
      note: null,
    });
  });

  test('an event written with v2 and read with the v1 reader drops the column v1 does not know', () => {
    const store = new SchemaStore();
    store.add(v2.writerSchemaJson);
    const message = v2.encodeEvent(makeEvent(ordersV2, { after: { ...order, note: 'gift' } }));
    expect(store.decodeEvent(message, v1.value.schema).after).toEqual(order);
    expect(store.decodeEvent(message).after).toEqual({ ...order, note: 'gift' });
  });

  test('a column widened from int4 to int8 reads older messages as bigint', () => {
    const widened = new TableCodec(withColumn(ordersV1, 'customer_id', { kind: 'int8' }));
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const decoded = store.decodeEvent(
      v1.encodeEvent(makeEvent(ordersV1, { after: order })),
      widened.value.schema,
    );
    expect(decoded.after?.customer_id).toBe(7n);
  });

  test('a reader with a larger decimal scale reads older messages exactly at its scale', () => {
    const finer = new TableCodec(
      withColumn(ordersV1, 'total_amount', { kind: 'numeric', precision: 12, scale: 4 }),
    );
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const decoded = store.decodeEvent(
      v1.encodeEvent(makeEvent(ordersV1, { after: order })),
      finer.value.schema,
    );
    expect(decoded.after?.total_amount).toBe('149.9000');
  });

  test('a reader that cannot read the writer is CDC_SCHEMA_INCOMPATIBLE naming both fingerprints', () => {
    const narrowed = new TableCodec(
      withColumn(ordersV1, 'total_amount', { kind: 'numeric', precision: 10, scale: 1 }),
    );
    const retyped = new TableCodec(withColumn(ordersV1, 'customer_id', { kind: 'text' }));
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const message = v1.encodeEvent(makeEvent(ordersV1, { after: order }));
    for (const reader of [narrowed, retyped]) {
      const error = thrown(() => store.decodeEvent(message, reader.value.schema));
      expect(error.code).toBe('CDC_SCHEMA_INCOMPATIBLE');
      expect(error.retriable).toBe(false);
      expect(error.message).toContain(fingerprintToHex(v1.fingerprint));
    }
  });

  test('an unknown fingerprint is CDC_UNKNOWN_SCHEMA, retriable, naming the fingerprint in hex', () => {
    const store = new SchemaStore();
    const error = thrown(() => store.decodeEvent(v1.encodeEvent(makeEvent(ordersV1, { after: order }))));
    expect(error.code).toBe('CDC_UNKNOWN_SCHEMA');
    expect(error.retriable).toBe(true);
    expect(error.message).toContain(fingerprintToHex(v1.fingerprint));
    expect(error.facts).toEqual({ fingerprint: fingerprintToHex(v1.fingerprint) });
  });

  test('schemas are kept by fingerprint, given as bigint or hex; adding one twice changes nothing', () => {
    const store = new SchemaStore();
    expect(store.add(v1.writerSchemaJson)).toBe(v1.fingerprint);
    expect(store.add(JSON.parse(v1.writerSchemaJson) as AvroSchema)).toBe(v1.fingerprint);
    expect(store.size).toBe(1);
    expect(store.has(v1.fingerprint)).toBe(true);
    expect(store.get(fingerprintToHex(v1.fingerprint))).toBe(v1.writerSchemaJson);
    expect(store.has(v2.fingerprint)).toBe(false);
  });

  test('a schema with a known fingerprint but another decimal scale or timestamp kind is CDC_SCHEMA_CONFLICT', () => {
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const rescaled = new TableCodec(
      withColumn(ordersV1, 'total_amount', { kind: 'numeric', precision: 10, scale: 3 }),
    );
    const local = new TableCodec(withColumn(ordersV1, 'ordered_at', { kind: 'timestamp' }));
    for (const other of [rescaled, local]) {
      expect(other.fingerprint).toBe(v1.fingerprint);
      const error = thrown(() => store.add(other.writerSchemaJson));
      expect(error.code).toBe('CDC_SCHEMA_CONFLICT');
    }
    expect(store.get(v1.fingerprint)).toBe(v1.writerSchemaJson);
  });

  test('a wider decimal precision under the same fingerprint replaces the schema; old messages read the same', () => {
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const message = v1.encodeEvent(makeEvent(ordersV1, { after: order }));
    const wider = new TableCodec(
      withColumn(ordersV1, 'total_amount', { kind: 'numeric', precision: 14, scale: 2 }),
    );
    expect(store.add(wider.writerSchemaJson)).toBe(v1.fingerprint);
    expect(store.get(v1.fingerprint)).toBe(wider.writerSchemaJson);
    expect(store.decodeEvent(message).after).toEqual(order);
  });

  test('a truncated message or one with trailing bytes is CDC_DECODE', () => {
    const store = new SchemaStore();
    store.add(v1.writerSchemaJson);
    const message = v1.encodeEvent(makeEvent(ordersV1, { after: order }));
    expect(thrown(() => store.decodeEvent(message.subarray(0, message.length - 3))).code).toBe('CDC_DECODE');
    const longer = Buffer.concat([message, Buffer.from([0])]);
    expect(thrown(() => store.decodeEvent(longer)).message).toContain('1 bytes are left after the body');
  });

  test('a schema that is not JSON or not Avro is refused with CDC_DECODE', () => {
    const store = new SchemaStore();
    expect(thrown(() => store.add('{"type":')).code).toBe('CDC_DECODE');
    expect(thrown(() => store.add('{"type":"record","name":"R"}')).code).toBe('CDC_DECODE');
  });

  test('any schema encoded with encodeSingleObject decodes to the same values (longs bigint, decimals text)', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'value', type: { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 3 } },
        { name: 'tags', type: { type: 'map', values: 'long' } },
      ],
    };
    const store = new SchemaStore();
    expect(store.add(schema)).toBe(schemaFingerprint(schema));
    const value = { at: -5n, value: '-123.456', tags: { big: 2n ** 62n } };
    expect(store.decode(encodeSingleObject(schema, value))).toEqual(value);
  });
});
