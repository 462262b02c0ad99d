// Where a record goes: tombstones, cdclake's own events on the fast path (and through the full decoder when
// their batch cannot take them directly), Debezium JSON decoded, and what no decoder takes dead-lettered
// with a code and a reason.

import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { AvroChangeDecoder } from '../../../consumer/avro-change.ts';
import { isTombstone, RecordRouter } from '../../../consumer/record-router.ts';
import { keySchemaOf } from '../../../core/events/avro-schema.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import type { SchemaStore } from '../../../core/events/schema-store.ts';
import type { TableDef } from '../../../core/events/types.ts';
import { makeEvent } from '../events/make-event.ts';

const table: TableDef = {
  schema: 'public',
  name: 'items',
  key: ['id'],
  columns: [
    { name: 'id', type: { kind: 'int8' }, nullable: false },
    { name: 'name', type: { kind: 'text' }, nullable: true },
  ],
};

function router(known: boolean): { router: RecordRouter; codec: TableCodec } {
  const codec = new TableCodec(table);
  const decoder = new AvroChangeDecoder(undefined as never, 'unused');
  if (known) {
    const store = (decoder as unknown as { store: SchemaStore }).store;
    store.add(codec.writerSchemaJson);
    store.add(JSON.stringify(keySchemaOf(table)));
  }
  return { router: new RecordRouter(decoder), codec };
}

function debezium(name: string): { key: Buffer; value: Buffer } {
  const record = JSON.parse(
    readFileSync(new URL(`../../fixtures/debezium/${name}`, import.meta.url), 'utf8'),
  ) as { key: unknown; value: unknown };
  return { key: Buffer.from(JSON.stringify(record.key)), value: Buffer.from(JSON.stringify(record.value)) };
}

test('a null or empty value is a tombstone', () => {
  expect(isTombstone(null)).toBe(true);
  expect(isTombstone(Buffer.alloc(0))).toBe(true);
  expect(isTombstone(Buffer.from('{}'))).toBe(false);
});

test("cdclake's own event is decoded the first time its key schema is seen, then takes the fast path", async () => {
  const { router: r, codec } = router(true);
  const event = makeEvent(table, { after: { id: 7n, name: 'seven' } });
  const key = codec.encodeKey({ id: 7n });
  const value = codec.encodeEvent(event);
  expect(r.direct(key, value)).toBeUndefined();
  const decoded = await r.decode(key, value);
  expect(decoded).toMatchObject({
    kind: 'change',
    change: { table: 'items', row: { id: 7n, name: 'seven' } },
  });
  const direct = r.direct(key, value);
  expect(direct?.shape).toEqual({
    table: 'items',
    schema: 'public',
    key: ['id'],
    columns: table.columns,
  });
  expect(direct?.event).toMatchObject({ op: event.op, table: 'items', schema: 'public' });
});

test('Debezium JSON is decoded, never taken by the fast path', async () => {
  const { router: r } = router(false);
  const { key, value } = debezium('pg-create.json');
  expect(r.direct(key, value)).toBeUndefined();
  expect(await r.decode(key, value)).toMatchObject({ kind: 'change', change: { op: 'c' } });
});

test('what no decoder takes is a dead letter with a code and a reason', async () => {
  const { router: r } = router(false);
  const garbage = Buffer.from([0x00, 0x01, 0x02]);
  expect(r.direct(null, garbage)).toBeUndefined();
  expect(await r.decode(null, garbage)).toEqual({
    kind: 'dead',
    code: 'CDC_DECODE',
    reason: 'neither cdclake Avro (single-object encoding) nor Debezium JSON',
  });
  const { key, value } = debezium('poison-flattened.json');
  const flattened = await r.decode(key, value);
  expect(flattened.kind).toBe('dead');
  expect(flattened).toMatchObject({
    code: expect.stringMatching(/^CDC_/) as unknown,
    reason: expect.any(String) as unknown,
  });
});
