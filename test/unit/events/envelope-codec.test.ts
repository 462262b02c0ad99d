import { describe, expect, test } from 'vitest';
import { CdcError } from '../../../core/errors.ts';
import { TableCodec } from '../../../core/events/envelope-codec.ts';
import { SchemaStore } from '../../../core/events/schema-store.ts';
import { readFingerprint } from '../../../core/events/single-object.ts';
import { Op, positionOf, type ChangeEvent, type Row } from '../../../core/events/types.ts';
import { allTypesTable, compositeKeyTable } from '../../fixtures/avro/tables.ts';
import { makeEvent } from './make-event.ts';

const codec = new TableCodec(allTypesTable);
const store = new SchemaStore();
store.add(codec.writerSchemaJson);
store.add(codec.key.json);

const nullRow: Row = Object.fromEntries(allTypesTable.columns.map((column) => [column.name, null]));

function row(values: Row): Row {
  return { ...nullRow, id: 1n, c_required_text: 'x', c_required_money: '0.0000', ...values };
}

function roundTrip(event: ChangeEvent): ChangeEvent {
  return store.decodeEvent(codec.encodeEvent(event));
}

function roundTripRow(values: Row): Row | null {
  return roundTrip(makeEvent(allTypesTable, { after: row(values) })).after;
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

describe('change events of a table, encoded and decoded', () => {
  test('every supported type round-trips exactly', () => {
    const after = row({
      id: 9_007_199_254_740_993n,
      c_int2: -32768,
      c_int4: 2147483647,
      c_int8: -(2n ** 63n),
      c_float4: 1.5,
      c_float8: -0.1,
      c_bool: true,
      c_text: 'plain text',
      c_uuid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      c_json: '{"name":"Zoë","city":"東京","mood":"😀"}',
      c_bytea: Buffer.from([0, 0, 1, 0, 255, 0]),
      c_money: '-12345678.90',
      c_count: '99999999999999999999999999999999999999',
      c_ratio: '-1234567890123456789012345678.0123456789',
      c_date: -719162,
      c_timestamp: -62135596800000000n,
      c_timestamptz: 1_700_000_000_123_456n,
      c_required_text: '',
      c_required_money: '12345678.1234',
    });
    const event = makeEvent(allTypesTable, { after });
    expect(roundTrip(event)).toEqual(event);
  });

  test('every nullable column carries null', () => {
    expect(roundTripRow({})).toEqual(row({}));
  });

  test.each([
    ['c_money', '-12345678.90', '-12345678.90'],
    ['c_money', '99999999.99', '99999999.99'],
    ['c_money', '0', '0.00'],
    ['c_money', '-0.01', '-0.01'],
    ['c_money', '1.5', '1.50'],
    ['c_money', '2.500', '2.50'],
    ['c_count', '0', '0'],
    ['c_count', '-99999999999999999999999999999999999999', '-99999999999999999999999999999999999999'],
    ['c_ratio', '0.0000000001', '0.0000000001'],
    ['c_ratio', '9999999999999999999999999999.9999999999', '9999999999999999999999999999.9999999999'],
  ])('decimal column %s written as %s reads %s, at its scale, exactly', (column, written, read) => {
    expect(roundTripRow({ [column]: written })?.[column]).toBe(read);
  });

  test.each([
    ['c_int8', -(2n ** 63n)],
    ['c_int8', 2n ** 63n - 1n],
    ['c_int8', 0n],
    ['id', 2n ** 53n + 1n],
  ])('int8 column %s keeps %s exactly as bigint', (column, value) => {
    expect(roundTripRow({ [column]: value })?.[column]).toBe(value);
  });

  test.each([
    ['c_timestamp', -1n],
    ['c_timestamp', -86_399_999_999n],
    ['c_timestamp', 1_700_000_000_000_001n],
    ['c_timestamptz', -1_000_000_000_000_001n],
    ['c_timestamptz', 253_402_300_799_999_999n],
  ])('timestamp column %s keeps %s microseconds, before and after 1970', (column, value) => {
    expect(roundTripRow({ [column]: value })?.[column]).toBe(value);
  });

  test.each([-719162, -1, 0, 2932896])('date %i (days since 1970) round-trips', (days) => {
    expect(roundTripRow({ c_date: days })?.c_date).toBe(days);
  });

  test('bytea keeps zero bytes and text keeps unicode', () => {
    const bytes = Buffer.from([0, 0, 0]);
    const decoded = roundTripRow({ c_bytea: bytes, c_text: 'Zoë – 東京 𝄞', c_json: '{"k":"\\u00e9 é 😀"}' });
    expect(decoded?.c_bytea).toEqual(bytes);
    expect(decoded?.c_text).toBe('Zoë – 東京 𝄞');
    expect(decoded?.c_json).toBe('{"k":"\\u00e9 é 😀"}');
  });

  test('an over-precise decimal is refused naming table, column and value', () => {
    const error = thrown(() =>
      codec.encodeEvent(makeEvent(allTypesTable, { after: row({ c_money: '1.234' }) })),
    );
    expect(error.code).toBe('CDC_INVALID_VALUE');
    expect(error.message).toContain('table public.all_types column c_money');
    expect(error.message).toContain('"1.234"');
    expect(error.facts).toMatchObject({ table: 'public.all_types', column: 'c_money', value: '1.234' });
  });

  test('a decimal with more integer digits than the precision allows is refused', () => {
    const error = thrown(() =>
      codec.encodeEvent(makeEvent(allTypesTable, { after: row({ c_money: '123456789.00' }) })),
    );
    expect(error.message).toMatch(/column c_money: value "123456789.00" has 9 integer digits/);
  });

  test.each([
    ['c_int4', 2147483648, 'an integer number in the int32 range'],
    ['c_int2', 1.5, 'an integer number'],
    ['c_int8', 12, 'a bigint'],
    ['c_timestamptz', 1700000000000, 'a bigint of microseconds'],
    ['c_uuid', 'not-a-uuid', 'a UUID string'],
    ['c_money', 12.5, 'a string in plain decimal notation'],
    ['c_bytea', 'AAEC', 'a Buffer'],
  ])('a wrong JS value in %s is refused naming table and column', (column, value, expected) => {
    const error = thrown(() =>
      codec.encodeEvent(makeEvent(allTypesTable, { after: row({ [column]: value }) })),
    );
    expect(error.code).toBe('CDC_INVALID_VALUE');
    expect(error.message).toContain(`table public.all_types column ${column}`);
    expect(error.message).toContain(expected);
  });

  test('null in a NOT NULL column is refused', () => {
    const error = thrown(() =>
      codec.encodeEvent(makeEvent(allTypesTable, { after: row({ c_required_text: null }) })),
    );
    expect(error.message).toContain('column c_required_text: value null in a NOT NULL column');
  });

  test('a column the table definition lacks is refused, so a stale definition cannot drop data', () => {
    const error = thrown(() =>
      codec.encodeEvent(makeEvent(allTypesTable, { after: row({ added_later: 1 }) })),
    );
    expect(error.message).toContain('a column added_later that the table definition does not have');
  });

  test('a column missing from an after image is refused unless listed as unchanged', () => {
    const { c_text: _omitted, ...partial } = row({});
    expect(() => codec.encodeEvent(makeEvent(allTypesTable, { after: partial }))).toThrow(
      /column c_text: no value/,
    );
  });

  test('unchanged (TOASTed) columns travel as unchanged and come back absent, never as null', () => {
    const { c_json: _json, c_required_text: _text, ...after } = row({ c_text: 'changed' });
    const event = makeEvent(allTypesTable, {
      op: Op.update,
      after,
      unchanged: ['c_json', 'c_required_text'],
    });
    const decoded = roundTrip(event);
    expect(decoded.unchanged).toEqual(['c_json', 'c_required_text']);
    expect(decoded.after).not.toHaveProperty('c_json');
    expect(decoded.after).not.toHaveProperty('c_required_text');
    expect(decoded.after).toEqual(after);
  });

  test('unchanged naming a column the table lacks is refused', () => {
    const event = makeEvent(allTypesTable, { op: Op.update, after: row({}), unchanged: ['nope'] });
    expect(() => codec.encodeEvent(event)).toThrow(/unchanged lists nope/);
  });

  test('a delete carries a before image that may hold only the key, and its key', () => {
    const event = makeEvent(allTypesTable, { op: Op.delete, before: { id: 7n } });
    const decoded = roundTrip(event);
    expect(decoded.op).toBe('d');
    expect(decoded.after).toBeNull();
    expect(decoded.before).toMatchObject({
      id: 7n,
      c_text: null,
      c_required_text: '',
      c_required_money: '0.0000',
    });
    expect(store.decodeKey(codec.encodeKey({ id: 7n }))).toEqual({ id: 7n });
  });

  test('a malformed envelope field is refused as CDC_INVALID_VALUE naming the table', () => {
    const event = makeEvent(allTypesTable, { after: row({}) });
    const broken = { ...event, source: { ...event.source, db: undefined as unknown as string } };
    const error = thrown(() => codec.encodeEvent(broken));
    expect(error.code).toBe('CDC_INVALID_VALUE');
    expect(error.message).toContain('table public.all_types: change event not encodable');
  });

  test('an event without the image its op needs is refused', () => {
    expect(() => codec.encodeEvent(makeEvent(allTypesTable, { op: Op.delete }))).toThrow(
      /op d needs a before image/,
    );
    expect(() => codec.encodeEvent(makeEvent(allTypesTable, { op: Op.create }))).toThrow(
      /op c needs an after image/,
    );
  });

  test('positions beyond 64 bits and the source facts round-trip exactly', () => {
    const lsn = 2n ** 64n - 1n;
    const event = makeEvent(allTypesTable, {
      after: row({}),
      pos: positionOf(lsn, 2 ** 32 - 1),
      source: {
        connector: 'generator',
        db: 'gen',
        schema: 'public',
        table: 'all_types',
        lsn: null,
        txId: null,
        ts_ms: 0n,
        snapshot: true,
      },
    });
    const decoded = roundTrip(event);
    expect(decoded.pos).toBe((lsn << 32n) + 2n ** 32n - 1n);
    expect(decoded).toEqual(event);
  });

  test('the key message holds the key columns only, in key order, from a whole row', () => {
    const lines = new TableCodec(compositeKeyTable);
    const keys = new SchemaStore();
    keys.add(lines.key.json);
    const whole: Row = {
      tenant: 'acme',
      order_id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      line_no: 3,
      quantity: 2,
      unit_price: '9.99',
    };
    const message = lines.encodeKey(whole);
    expect(readFingerprint(message)).toBe(lines.key.fingerprint);
    expect(keys.decodeKey(message)).toEqual({ tenant: 'acme', order_id: whole.order_id, line_no: 3 });
  });

  test('equal rows give equal key bytes, so Kafka partitions every change of a row alike', () => {
    expect(codec.encodeKey(row({ id: 5n, c_text: 'a' }))).toEqual(
      codec.encodeKey(row({ id: 5n, c_text: 'b' })),
    );
  });
});
