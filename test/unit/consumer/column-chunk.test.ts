// Columnar appends must store exactly what DuckDB's row appender stores: every staging type, nulls in every
// column, strings on both sides of the 12-byte inline limit, bytes that are not UTF-8, numbers and bigints at
// the edges of their ranges, and more rows than one chunk holds.

import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, expect, test } from 'vitest';
import { ColumnChunkAppender } from '../../../consumer/column-chunk.ts';

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

const COLUMNS = 'i INTEGER, b BIGINT, h HUGEINT, d DOUBLE, f BOOLEAN, s VARCHAR, x BLOB';

type Value = number | bigint | boolean | string | Uint8Array | null;
type Row = [Value, Value, Value, Value, Value, Value, Value];

const strings = [
  '',
  'a',
  'exactly12byt',
  'thirteen byte',
  'é',
  'ééééééé',
  '0123456789abcdef-long string',
  '😀😀😀',
];
const big = [
  0n,
  -1n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  2n ** 100n,
  -(2n ** 100n) - 7n,
  2n ** 127n - 1n,
  -(2n ** 127n),
];
const numbers = [0, -1, 1, 2 ** 47, -(2 ** 47), 2 ** 53 - 1, -(2 ** 53 - 1), 4294967296, -4294967297];

function rows(count: number): Row[] {
  return Array.from({ length: count }, (_, n): Row => {
    const nullAt = n % 9;
    const value = (column: number, v: Value): Value => (nullAt === column ? null : v);
    const num = numbers[n % numbers.length] as number;
    return [
      value(0, (n * 7919) % 2 ** 31),
      value(1, n % 2 === 0 ? num : (big[n % 4] as bigint)),
      value(2, n % 3 === 0 ? num : (big[n % big.length] as bigint)),
      value(3, n / 7 - 100),
      value(4, n % 5 === 0),
      value(5, `${strings[n % strings.length] as string}${n % 11 === 0 ? '' : n}`),
      value(6, Buffer.from(Array.from({ length: n % 30 }, (_, i) => (i * 37 + n) & 0xff))),
    ];
  });
}

async function table(name: string): Promise<DuckDBAppender> {
  await connection.run(`CREATE OR REPLACE TABLE ${name} (${COLUMNS})`);
  return connection.createAppender(name);
}

function appendRow(appender: DuckDBAppender | ColumnChunkAppender, row: Row): void {
  const [i, b, h, d, f, s, x] = row;
  if (i === null) appender.appendNull();
  else appender.appendInteger(i as number);
  if (b === null) appender.appendNull();
  else if (!(appender instanceof ColumnChunkAppender)) appender.appendBigInt(BigInt(b as number | bigint));
  else appender.appendBigInt(b as number | bigint);
  if (h === null) appender.appendNull();
  else if (!(appender instanceof ColumnChunkAppender)) appender.appendHugeInt(BigInt(h as number | bigint));
  else appender.appendHugeInt(h as number | bigint);
  if (d === null) appender.appendNull();
  else appender.appendDouble(d as number);
  if (f === null) appender.appendNull();
  else appender.appendBoolean(f as boolean);
  if (s === null) appender.appendNull();
  else appender.appendVarchar(s as string);
  if (x === null) appender.appendNull();
  else appender.appendBlob(x as Uint8Array);
  appender.endRow();
}

async function contents(connection: DuckDBConnection, name: string): Promise<unknown[]> {
  return (await connection.runAndReadAll(`SELECT * FROM ${name} ORDER BY rowid`)).getRowsJson();
}

test('columnar appends store what the row appender stores, across chunks', async () => {
  const data = rows(5000);
  const expected = await table('by_row');
  for (const row of data) appendRow(expected, row);
  expected.closeSync();

  const chunked = new ColumnChunkAppender(await table('by_chunk'));
  for (const row of data) appendRow(chunked, row);
  chunked.close();

  const want = await contents(connection, 'by_row');
  expect(want).toHaveLength(5000);
  expect(await contents(connection, 'by_chunk')).toEqual(want);
});

test('text from message bytes: UTF-8 as it is, other bytes decoded as Node decodes them', async () => {
  const texts = [
    Buffer.from('short'),
    Buffer.from('a longer text than twelve bytes'),
    Buffer.from('ünïcödé'),
    Buffer.from([0x61, 0xff, 0x62]),
    Buffer.from([0xc3, 0x28, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c]),
  ];
  await connection.run('CREATE OR REPLACE TABLE texts (s VARCHAR)');
  const chunked = new ColumnChunkAppender(await connection.createAppender('texts'));
  for (const text of texts) {
    // Inside a larger message, as the consumer reads them.
    const message = Buffer.concat([Buffer.from('xx'), text, Buffer.from('yy')]);
    chunked.appendVarcharBytes(message, 2, 2 + text.length);
    chunked.endRow();
  }
  chunked.close();
  expect((await contents(connection, 'texts')).map((r) => (r as string[])[0])).toEqual(
    texts.map((t) => t.toString('utf8')),
  );
});

test('a row with too few values is refused, naming the counts', async () => {
  const chunked = new ColumnChunkAppender(await table('short_row'));
  chunked.appendInteger(1);
  expect(() => chunked.endRow()).toThrow(/1 values for 7 columns/);
  chunked.discard();
});

test('a row abandoned midway leaves nothing behind: not its nulls, not its long strings', async () => {
  await connection.run('CREATE OR REPLACE TABLE abandoned (i INTEGER, s VARCHAR)');
  const chunked = new ColumnChunkAppender(await connection.createAppender('abandoned'));
  chunked.appendNull();
  chunked.appendVarchar('a string longer than twelve bytes');
  chunked.abandonRow();
  chunked.appendInteger(1);
  chunked.appendVarchar('short');
  chunked.endRow();
  chunked.close();
  expect(await contents(connection, 'abandoned')).toEqual([[1, 'short']]);
});

test('a chunk without nulls after one with nulls has none', async () => {
  await connection.run('CREATE OR REPLACE TABLE after_nulls (i INTEGER, s VARCHAR)');
  const chunked = new ColumnChunkAppender(await connection.createAppender('after_nulls'));
  for (let n = 0; n < 6000; n++) {
    if (n < 2048 && n % 3 === 0) {
      chunked.appendNull();
      chunked.appendNull();
    } else {
      chunked.appendInteger(n);
      chunked.appendVarchar(`row ${n}`);
    }
    chunked.endRow();
  }
  chunked.close();
  const counts = await connection.runAndReadAll(
    "SELECT count(*) FILTER (i IS NULL), count(*) FILTER (s IS NULL), count(*) FILTER (s = 'row ' || i) FROM after_nulls",
  );
  expect(counts.getRowsJS()).toEqual([[683n, 683n, 6000n - 683n]]);
});
