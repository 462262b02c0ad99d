import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import { SchemaStore } from '../../../core/events/schema-store.ts';
import { SINGLE_OBJECT_HEADER_LENGTH } from '../../../core/events/single-object.ts';
import { Op, type ChangeEvent, type Row } from '../../../core/events/types.ts';
import { allTypesTable } from '../../fixtures/avro/tables.ts';
import { makeEvent } from './make-event.ts';

/** Bodies fastavro wrote for the same events (make-vectors.py keeps its INTEROP_EVENTS in step with these). */
const messages = JSON.parse(
  readFileSync(new URL('../../fixtures/avro/interop.json', import.meta.url), 'utf8'),
) as {
  name: string;
  bodyHex: string;
}[];

const nullRow: Row = {
  id: 5n,
  ...Object.fromEntries(
    allTypesTable.columns.filter((column) => column.nullable).map((column) => [column.name, null] as const),
  ),
  c_required_text: 'x',
  c_required_money: '0.0000',
};

const events: Record<string, ChangeEvent> = {
  'every type': makeEvent(allTypesTable, {
    after: {
      id: -(2n ** 63n),
      c_int2: -32768,
      c_int4: 2147483647,
      c_int8: 2n ** 63n - 1n,
      c_float4: 1.5,
      c_float8: -0.1,
      c_bool: true,
      c_text: 'Zoë – 東京 𝄞',
      c_uuid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      c_json: '{"k":"é 😀"}',
      c_bytea: Buffer.from([0, 0, 1, 0, 255]),
      c_money: '-12345678.90',
      c_count: '99999999999999999999999999999999999999',
      c_ratio: '-1234567890123456789012345678.0123456789',
      c_date: -719162,
      c_timestamp: -62135596800000000n,
      c_timestamptz: 1_700_000_000_123_456n,
      c_required_text: '',
      c_required_money: '0.0000',
    },
  }),
  'nulls and an unchanged column': makeEvent(allTypesTable, {
    op: Op.update,
    before: { ...nullRow, c_text: 'old' },
    // c_json is unchanged: absent here, null in fastavro's record (the placeholder of a nullable column).
    after: Object.fromEntries(Object.entries(nullRow).filter(([name]) => name !== 'c_json')),
    ts_ms: 0n,
    pos: -1n,
    unchanged: ['c_json'],
    source: {
      connector: 'postgresql',
      db: 'shop',
      schema: 'public',
      table: 'all_types',
      lsn: null,
      txId: null,
      ts_ms: 1_700_000_000_100n,
      snapshot: true,
    },
  }),
};

const codec = new TableCodec(allTypesTable);
const store = new SchemaStore();
store.add(codec.writerSchemaJson);

describe('interoperability with another Avro implementation (fastavro)', () => {
  test('the fixture holds a message for every event built here', () => {
    expect(messages.map((message) => message.name).sort()).toEqual(Object.keys(events).sort());
  });

  test.each(messages.map((message) => [message.name, message] as const))(
    'event "%s": cdclake writes the very bytes fastavro writes, and reads fastavro\'s bytes back',
    (name, message) => {
      const event = events[name] as ChangeEvent;
      const encoded = codec.encodeEvent(event);
      expect(encoded.subarray(SINGLE_OBJECT_HEADER_LENGTH).toString('hex')).toBe(message.bodyHex);
      const theirs = Buffer.concat([
        encoded.subarray(0, SINGLE_OBJECT_HEADER_LENGTH),
        Buffer.from(message.bodyHex, 'hex'),
      ]);
      expect(store.decodeEvent(theirs)).toEqual(event);
    },
  );
});
