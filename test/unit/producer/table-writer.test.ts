import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../core/config.ts';
import { CdcError } from '../../../core/errors.ts';
import { SchemaStore } from '../../../core/events/schema-store.ts';
import { Op, type Row } from '../../../core/events/types.ts';
import type { OutgoingRecord } from '../../../producer/publisher.ts';
import { TableWriter, type ChangeOrigin } from '../../../producer/table-writer.ts';
import { ordersV1 } from '../../fixtures/avro/tables.ts';

const config = resolveConfig({ CDC_TOPIC_PREFIX: 'tw' });
const origin: ChangeOrigin = {
  connector: 'postgresql',
  db: 'shop',
  lsn: 100n,
  txId: 7n,
  ts_ms: 1_700_000_000_000n,
  snapshot: false,
};
const order = (id: bigint, total = '10.00'): Row => ({
  order_id: id,
  customer_id: 3,
  total_amount: total,
  ordered_at: 1_700_000_000_000_000n,
});

function writerWithStore(): { writer: TableWriter; store: SchemaStore; added: string[] } {
  const added: string[] = [];
  const store = new SchemaStore();
  const writer = new TableWriter(config, ordersV1, {
    add: (schemas) => {
      for (const schema of schemas) {
        added.push(schema.json);
        store.add(schema.json);
      }
    },
  });
  return { writer, store, added };
}

describe('TableWriter', () => {
  test("its writer schemas are handed to the schema publication when it is made, and it names the table's topic", () => {
    const { writer, added } = writerWithStore();
    expect(added).toEqual([writer.codec.key.json, writer.codec.value.json]);
    expect(writer.topic).toBe('tw.public.orders');
  });

  test('a change is keyed by its row key; a delete is followed by a tombstone of the same key', () => {
    const { writer, store } = writerWithStore();
    const records: OutgoingRecord[] = [];
    writer.change(records, writer.event(Op.create, null, order(1n), origin, 10n), 1 << 20);
    writer.change(records, writer.event(Op.delete, order(2n), null, origin, 11n), 1 << 20);
    expect(records.map((r) => [r.topic, r.value === null ? 'tombstone' : 'event'])).toEqual([
      ['tw.public.orders', 'event'],
      ['tw.public.orders', 'event'],
      ['tw.public.orders', 'tombstone'],
    ]);
    const [create, remove, tombstone] = records as [OutgoingRecord, OutgoingRecord, OutgoingRecord];
    expect(store.decodeKey(create.key as Buffer)).toEqual({ order_id: 1n });
    expect(store.decodeKey(remove.key as Buffer)).toEqual({ order_id: 2n });
    expect(tombstone.key).toEqual(remove.key);
    const event = store.decodeEvent(create.value as Buffer);
    expect(event.op).toBe(Op.create);
    expect(event.pos).toBe(10n);
    expect(event.source).toMatchObject({ ...origin, schema: 'public', table: 'orders' });
    expect(event.after).toEqual(order(1n));
  });

  test('a key change is seen by comparing the encoded keys', () => {
    const { writer } = writerWithStore();
    expect(writer.keyChanged(order(1n), order(1n, '99.00'))).toBe(false);
    expect(writer.keyChanged(order(1n), order(2n))).toBe(true);
  });

  test('a truncate is keyless, on partition 0', () => {
    const { writer, store } = writerWithStore();
    const record = writer.truncate(writer.event(Op.truncate, null, null, origin, 12n));
    expect(record).toMatchObject({ topic: 'tw.public.orders', key: null, partition: 0 });
    expect(store.decodeEvent(record.value as Buffer).op).toBe(Op.truncate);
  });

  test('an event larger than the topic takes is refused, naming the table, the key and the sizes', () => {
    const { writer } = writerWithStore();
    const records: OutgoingRecord[] = [];
    let error: unknown;
    try {
      writer.change(records, writer.event(Op.create, null, order(42n), origin, 10n), 40);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(CdcError);
    expect((error as CdcError).code).toBe('CDC_RECORD_TOO_LARGE');
    expect((error as CdcError).message).toMatch(
      /^table public\.orders key order_id=42: the change event is \d+ bytes, more than the 40 bytes/,
    );
    expect(records).toEqual([]);
  });
});
