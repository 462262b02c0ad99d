// The consumer's fast path must write exactly what the full decoder writes: every column kind, nulls,
// deletes (before image), and the cases it leaves to the full decoder.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, expect, test } from 'vitest';
import { AvroChangeDecoder } from '../../../consumer/avro-change.ts';
import type { DecodedChange } from '../../../consumer/decoded-change.ts';
import { DirectPlan, type DirectRecord } from '../../../consumer/direct-events.ts';
import { StagingBatch } from '../../../consumer/staging-batch.ts';
import { keySchemaOf } from '../../../core/events/avro-schema.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import { SchemaStore } from '../../../core/events/schema-store.ts';
import type { Row, TableDef } from '../../../core/events/types.ts';
import { makeEvent } from '../events/make-event.ts';

const table: TableDef = {
  schema: 'public',
  name: 'every_type',
  key: ['id'],
  columns: [
    { name: 'id', type: { kind: 'int8' }, nullable: false },
    { name: 'small', type: { kind: 'int2' }, nullable: true },
    { name: 'whole', type: { kind: 'int4' }, nullable: false },
    { name: 'real', type: { kind: 'float4' }, nullable: true },
    { name: 'double', type: { kind: 'float8' }, nullable: true },
    { name: 'flag', type: { kind: 'bool' }, nullable: true },
    { name: 'label', type: { kind: 'text' }, nullable: true },
    { name: 'doc', type: { kind: 'json' }, nullable: true },
    { name: 'ref', type: { kind: 'uuid' }, nullable: true },
    { name: 'blob', type: { kind: 'bytea' }, nullable: true },
    { name: 'day', type: { kind: 'date' }, nullable: true },
    { name: 'at', type: { kind: 'timestamp' }, nullable: true },
    { name: 'at_tz', type: { kind: 'timestamptz' }, nullable: true },
    { name: 'price', type: { kind: 'numeric', precision: 38, scale: 4 }, nullable: true },
  ],
};

const full: Row = {
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
  at_tz: 253402300799999999n,
  price: '-99999999999999999999999999999999.9999',
};
const nulls: Row = Object.fromEntries(table.columns.map((c) => [c.name, c.nullable ? null : 0]));
nulls.id = 2n;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-direct-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Appends a message to `slow` through the full decoder and to `fast` through the fast path. */
async function appendBoth(
  decoder: AvroChangeDecoder,
  slow: StagingBatch,
  fast: StagingBatch,
  key: Buffer,
  value: Buffer,
  offset: bigint,
): Promise<DirectRecord> {
  const change = (await decoder.decode(key, value)) as DecodedChange;
  if (slow.needsWiden(change)) await slow.widen(change);
  slow.append(change, offset, value.length);
  const direct = decoder.direct(key, value);
  expect(direct).toBeDefined();
  const { event, plan, shape } = direct as DirectRecord;
  if (fast.needsWiden(shape)) await fast.widen(shape);
  expect(fast.appendDirect(shape, plan, event, value, offset, value.length)).toBe(true);
  return direct as DirectRecord;
}

test('the fast path writes what the full decoder writes, for every column kind, nulls and deletes', async () => {
  const codec = new TableCodec(table);
  const decoder = new AvroChangeDecoder(undefined as never, 'unused');
  const store = (decoder as unknown as { store: SchemaStore }).store;
  store.add(codec.writerSchemaJson);
  store.add(JSON.stringify(keySchemaOf(table)));
  const messages = [
    makeEvent(table, { after: full }),
    makeEvent(table, { after: nulls, op: 'r' }),
    makeEvent(table, { op: 'u', before: null, after: { ...full, label: 'changed' }, pos: (1n << 90n) + 5n }),
    makeEvent(table, { op: 'd', before: full, after: null }),
  ].map((event) => ({
    key: codec.encodeKey({ id: (event.after ?? event.before)?.id as bigint }),
    value: codec.encodeEvent(event),
  }));

  const instance = await DuckDBInstance.create(':memory:');
  const slow = await StagingBatch.open(instance, 't', 0);
  const fast = await StagingBatch.open(instance, 't', 0);
  let offset = 0n;
  for (const { key, value } of messages) {
    const { event, plan, shape } = await appendBoth(decoder, slow, fast, key, value, offset++);
    expect(shape).toEqual({ table: event.table, schema: event.schema, key: ['id'], columns: plan.columns });
  }
  await slow.write(path.join(dir, 'slow.parquet'));
  await fast.write(path.join(dir, 'fast.parquet'));
  const connection = await instance.connect();
  const read = async (file: string): Promise<unknown[]> =>
    (
      await connection.runAndReadAll(
        `SELECT * EXCLUDE (_ingested_at) FROM read_parquet('${path.join(dir, file)}') ORDER BY _offset`,
      )
    ).getRowObjectsJS();
  const expected = await read('slow.parquet');
  expect(expected).toHaveLength(4);
  expect(await read('fast.parquet')).toEqual(expected);
  connection.closeSync();
  instance.closeSync();
});

test('messages the fast path leaves to the full decoder', () => {
  const codec = new TableCodec(table);
  const store = new SchemaStore();
  store.add(codec.writerSchemaJson);
  const plan = DirectPlan.compile(
    codec.writerSchemaJson,
    table.columns.map((c) => ({ ...c })),
  ) as DirectPlan;
  expect(plan).toBeDefined();
  const withUnchanged = codec.encodeEvent(
    makeEvent(table, { op: 'u', after: { ...full, doc: undefined } as unknown as Row, unchanged: ['doc'] }),
  );
  expect(plan.read(withUnchanged)).toBeUndefined();
  const good = codec.encodeEvent(makeEvent(table, { after: full }));
  expect(plan.read(good)).toMatchObject({ op: 'c', table: 'every_type', schema: 'public' });
  expect(plan.read(good.subarray(0, good.length - 1))).toBeUndefined();
  expect(plan.read(Buffer.concat([good, Buffer.from([0])]))).toBeUndefined();
  // Another column order than the writer's: not this plan's schema.
  expect(DirectPlan.compile(codec.writerSchemaJson, [...table.columns].reverse())).toBeUndefined();
});

test('decimals of every scale come back exactly, on both paths', async () => {
  const decimals: TableDef = {
    schema: 'public',
    name: 'decimals',
    key: ['id'],
    columns: [
      { name: 'id', type: { kind: 'int8' }, nullable: false },
      { name: 'whole', type: { kind: 'numeric', precision: 38, scale: 0 }, nullable: true },
      { name: 'money', type: { kind: 'numeric', precision: 12, scale: 2 }, nullable: true },
      { name: 'tiny', type: { kind: 'numeric', precision: 38, scale: 38 }, nullable: true },
      { name: 'mixed', type: { kind: 'numeric', precision: 20, scale: 10 }, nullable: true },
    ],
  };
  const rows: Row[] = [
    {
      id: 1n,
      whole: '99999999999999999999999999999999999999',
      money: '9999999999.99',
      tiny: '0.99999999999999999999999999999999999999',
      mixed: '9999999999.9999999999',
    },
    {
      id: 2n,
      whole: '-99999999999999999999999999999999999999',
      money: '-9999999999.99',
      tiny: '-0.00000000000000000000000000000000000001',
      mixed: '-0.0000000001',
    },
    {
      id: 3n,
      whole: '0',
      money: '0.00',
      tiny: '0.00000000000000000000000000000000000000',
      mixed: '0.0000000000',
    },
    {
      id: 4n,
      whole: '-1',
      money: '-0.01',
      tiny: '0.12345678901234567890123456789012345678',
      mixed: '1407374883.5532800000',
    },
    { id: 5n, whole: null, money: '1407374883.55', tiny: null, mixed: null },
  ];
  const codec = new TableCodec(decimals);
  const decoder = new AvroChangeDecoder(undefined as never, 'unused');
  const store = (decoder as unknown as { store: SchemaStore }).store;
  store.add(codec.writerSchemaJson);
  store.add(JSON.stringify(keySchemaOf(decimals)));
  const instance = await DuckDBInstance.create(':memory:');
  const slow = await StagingBatch.open(instance, 't', 0);
  const fast = await StagingBatch.open(instance, 't', 0);
  let offset = 0n;
  for (const row of rows) {
    const key = codec.encodeKey({ id: row.id as bigint });
    const value = codec.encodeEvent(makeEvent(decimals, { after: row }));
    await appendBoth(decoder, slow, fast, key, value, offset++);
  }
  await slow.write(path.join(dir, 'decimals-slow.parquet'));
  await fast.write(path.join(dir, 'decimals-fast.parquet'));
  const connection = await instance.connect();
  for (const file of ['decimals-slow.parquet', 'decimals-fast.parquet']) {
    const result = await connection.runAndReadAll(
      `SELECT id, whole::VARCHAR, money::VARCHAR, tiny::VARCHAR, mixed::VARCHAR, typeof(money), typeof(tiny) FROM read_parquet('${path.join(dir, file)}') ORDER BY _offset`,
    );
    expect(result.getRowsJS()).toEqual(
      // DuckDB writes a DECIMAL(38,38) without the 0 before its point.
      rows.map((r) => [
        r.id,
        r.whole,
        r.money,
        (r.tiny as string | null)?.replace(/^(-?)0\./, '$1.') ?? null,
        r.mixed,
        'DECIMAL(12,2)',
        'DECIMAL(38,38)',
      ]),
    );
  }
  connection.closeSync();
  instance.closeSync();
});
