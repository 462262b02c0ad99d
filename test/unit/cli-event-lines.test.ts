import { describe, expect, test } from 'vitest';
import { dateText, eventJson, eventText, timestampText, valueJson } from '../../cli/event-lines.ts';
import { parseStart, resolveTopics } from '../../cli/commands/tail.ts';
import { resolveConfig } from '../../core/config.ts';
import { CdcError } from '../../core/errors.ts';
import type { ColumnDef } from '../../core/events/types.ts';
import type { DecodedChange } from '../../consumer/decoded-change.ts';

const columns: ColumnDef[] = [
  { name: 'id', type: { kind: 'int8' }, nullable: false },
  { name: 'price', type: { kind: 'numeric', precision: 10, scale: 2 }, nullable: true },
  { name: 'at', type: { kind: 'timestamptz' }, nullable: true },
  { name: 'local', type: { kind: 'timestamp' }, nullable: true },
  { name: 'day', type: { kind: 'date' }, nullable: true },
  { name: 'blob', type: { kind: 'bytea' }, nullable: true },
  { name: 'ratio', type: { kind: 'float8' }, nullable: true },
  { name: 'name', type: { kind: 'text' }, nullable: true },
];

function change(overrides: Partial<DecodedChange>): DecodedChange {
  return {
    table: 'orders',
    schema: 'public',
    op: 'c',
    pos: 42n,
    tsMs: 1_700_000_000_000n,
    row: {},
    columns,
    key: ['id'],
    unchanged: [],
    ...overrides,
  };
}

describe('event lines of cdclake tail', () => {
  test('dates and timestamps agree with JavaScript dates over a wide range of days', () => {
    for (let days = -800_000; days <= 2_900_000; days += 997) {
      const iso = new Date(days * 86_400_000).toISOString();
      if (!/^\d{4}-/.test(iso)) continue;
      expect(dateText(days)).toBe(iso.slice(0, 10));
      const micros = BigInt(days) * 86_400_000_000n + 45_296_789_012n;
      expect(timestampText(micros, true)).toBe(iso.replace('T00:00:00.000Z', 'T12:34:56.789012Z'));
    }
    expect(timestampText(-1n, true)).toBe('1969-12-31T23:59:59.999999Z');
    expect(timestampText(1_500_000n, false)).toBe('1970-01-01T00:00:01.5');
    expect(timestampText(0n, true)).toBe('1970-01-01T00:00:00Z');
    expect(dateText(2_932_897)).toBe('+10000-01-01');
  });

  test('values by their column type: exact numbers, decimal text, ISO times, hex bytes', () => {
    expect(valueJson({ kind: 'int8' }, 9_223_372_036_854_775_807n)).toBe('9223372036854775807');
    expect(valueJson({ kind: 'numeric', precision: 38, scale: 10 }, '-12345678901234567890.0123456789')).toBe(
      '"-12345678901234567890.0123456789"',
    );
    expect(valueJson({ kind: 'timestamptz' }, 1_767_261_600_123_456n)).toBe('"2026-01-01T10:00:00.123456Z"');
    expect(valueJson({ kind: 'timestamp' }, 1_767_261_600_000_000n)).toBe('"2026-01-01T10:00:00"');
    expect(valueJson({ kind: 'date' }, 20_454)).toBe('"2026-01-01"');
    expect(valueJson({ kind: 'bytea' }, Buffer.from([0, 255, 16]))).toBe('"\\\\x00ff10"');
    expect(valueJson({ kind: 'float8' }, Number.NaN)).toBe('"NaN"');
    expect(valueJson({ kind: 'float8' }, -Infinity)).toBe('"-Infinity"');
    expect(valueJson({ kind: 'text' }, 'a "quoted"\nline')).toBe('"a \\"quoted\\"\\nline"');
    expect(valueJson({ kind: 'text' }, null)).toBe('null');
  });

  test('a JSON line carries where the event is, the table, op, position, key and both images', () => {
    const before = { id: 7n, price: '1.50', name: 'old' };
    const after = { id: 7n, price: '2.00', name: 'new' };
    const line = eventJson({
      topic: 'cdc.public.orders',
      partition: 3,
      offset: 12345678901234n,
      change: change({
        op: 'u',
        row: after,
        images: { before, after, sourceMs: 1_767_261_600_000n },
        unchanged: ['blob'],
      }),
    });
    expect(JSON.parse(line)).toEqual({
      topic: 'cdc.public.orders',
      partition: 3,
      offset: 12345678901234,
      table: 'public.orders',
      op: 'u',
      position: '42',
      source_time: '2026-01-01T10:00:00.000Z',
      key: { id: 7 },
      before: { id: 7, price: '1.50', name: 'old' },
      after: { id: 7, price: '2.00', name: 'new' },
      unchanged: ['blob'],
    });
  });

  test('without images a delete shows its row as before; a truncate has no key and no images', () => {
    const deleted = JSON.parse(
      eventJson({ topic: 't', partition: 0, offset: 1n, change: change({ op: 'd', row: { id: 9n } }) }),
    ) as Record<string, unknown>;
    expect(deleted).toMatchObject({
      op: 'd',
      key: { id: 9 },
      before: { id: 9 },
      after: null,
      source_time: null,
    });
    const truncated = JSON.parse(
      eventJson({ topic: 't', partition: 0, offset: 2n, change: change({ op: 't', key: [], row: {} }) }),
    ) as Record<string, unknown>;
    expect(truncated).toMatchObject({ op: 't', key: null, before: null, after: null });
  });

  test('a text line shows an update as the columns that changed, old to new', () => {
    const before = { id: 7n, price: '1.50', name: 'same' };
    const after = { id: 7n, price: '2.00', name: 'same' };
    const images = { before, after, sourceMs: 1_767_261_600_000n };
    expect(
      eventText({ topic: 't', partition: 0, offset: 0n, change: change({ op: 'u', row: after, images }) }, 0),
    ).toBe('2026-01-01T10:00:00.000Z  u  public.orders  id=7  price=1.50->2.00');
    expect(
      eventText(
        { topic: 't', partition: 0, offset: 0n, change: change({ op: 'c', row: after }) },
        1_767_261_600_000,
      ),
    ).toBe('2026-01-01T10:00:00.000Z  c  public.orders  id=7  price=2.00 name=same');
  });

  test('--from takes beginning, end or an ISO time, and names anything else', () => {
    expect(parseStart(undefined)).toEqual({ kind: 'beginning' });
    expect(parseStart('end')).toEqual({ kind: 'end' });
    expect(parseStart('2026-12-01T10:00:00Z')).toEqual({
      kind: 'time',
      ms: Date.parse('2026-12-01T10:00:00Z'),
    });
    expect(parseStart('2026-12-01')).toEqual({ kind: 'time', ms: Date.parse('2026-12-01') });
    expect(() => parseStart('yesterday')).toThrow(
      /--from "yesterday": expected beginning, end or an ISO-8601 time/,
    );
  });

  test('arguments name tables (schema.table or a bare name) or topics; none means every table topic', () => {
    const config = resolveConfig({ CDC_TOPIC_PREFIX: 'cdc' });
    const existing = [
      'cdc.public.orders',
      'cdc.sales.orders',
      'cdc.public.items',
      'cdc._schemas',
      'other.topic',
    ];
    expect(resolveTopics(config, [], existing)).toEqual([
      'cdc.public.items',
      'cdc.public.orders',
      'cdc.sales.orders',
    ]);
    expect(resolveTopics(config, ['public.orders'], existing)).toEqual(['cdc.public.orders']);
    expect(resolveTopics(config, ['orders'], existing)).toEqual(['cdc.public.orders', 'cdc.sales.orders']);
    expect(resolveTopics(config, ['other.topic', 'items'], existing)).toEqual([
      'other.topic',
      'cdc.public.items',
    ]);
    let error: unknown;
    try {
      resolveTopics(config, ['nope'], existing);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(CdcError);
    expect((error as CdcError).message).toMatch(
      /"nope" names no topic and no table under the prefix cdc \(tables: public\.items/,
    );
    expect(() => resolveTopics(config, [], ['cdc._schemas'])).toThrow(/no table topics under the prefix cdc/);
  });
});
