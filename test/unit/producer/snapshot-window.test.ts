// The watermark window of an incremental snapshot chunk (DBLog): which chunk rows are sent at the high
// watermark.

import { describe, expect, test } from 'vitest';
import type { TableDef } from '../../../core/events/types.ts';
import { definitionKey } from '../../../producer/postgres/incremental-snapshot.ts';
import { SnapshotWindow, WindowState, keyText } from '../../../producer/postgres/snapshot-window.ts';

const chunk = (ids: number[]) =>
  ids.map((id) => ({ key: keyText(['id'], { id }), row: { id, v: `v${id}` } }));
const sent = (rows: { row: Record<string, unknown> }[]) => rows.map((r) => r.row['id']);

describe('a chunk between its watermarks', () => {
  test('a change of a chunk key between the watermarks evicts its row', () => {
    const w = new SnapshotWindow('1', 'public.t');
    w.onLowWatermark();
    w.setRows(chunk([1, 2, 3]));
    w.onChange('public.t', keyText(['id'], { id: 2 }));
    expect(sent(w.onHighWatermark())).toEqual([1, 3]);
    expect(w.evictedKeys).toBe(1);
  });

  test('a change before the low watermark or after the high watermark does not', () => {
    const w = new SnapshotWindow('1', 'public.t');
    w.setRows(chunk([1, 2, 3]));
    w.onChange('public.t', keyText(['id'], { id: 1 })); // before the low watermark: the chunk read saw it
    w.onLowWatermark();
    expect(sent(w.onHighWatermark())).toEqual([1, 2, 3]);
    w.onChange('public.t', keyText(['id'], { id: 3 })); // after the high watermark: it comes later anyway
    expect(w.state).toBe(WindowState.closed);
  });

  test('changes of another table, or of keys outside the chunk, change nothing', () => {
    const w = new SnapshotWindow('1', 'public.t');
    w.onLowWatermark();
    w.onChange('public.other', keyText(['id'], { id: 1 }));
    w.onChange('sales.t', keyText(['id'], { id: 2 }));
    w.onChange('public.t', keyText(['id'], { id: 99 }));
    w.setRows(chunk([1, 2]));
    expect(sent(w.onHighWatermark())).toEqual([1, 2]);
  });

  test('the chunk may be read after the low watermark reached the stream; a change meanwhile still evicts', () => {
    const w = new SnapshotWindow('1', 'public.t');
    w.onLowWatermark();
    w.onChange('public.t', keyText(['id'], { id: 1 }));
    w.setRows(chunk([1, 2]));
    expect(sent(w.onHighWatermark())).toEqual([2]);
  });

  test('a TRUNCATE of the table inside the window drops the whole chunk', () => {
    const w = new SnapshotWindow('1', 'public.t');
    w.onLowWatermark();
    w.setRows(chunk([1, 2]));
    w.onTruncate('public.t');
    expect(w.onHighWatermark()).toEqual([]);
  });

  test('a high watermark out of order is an error, not a silent send', () => {
    const early = new SnapshotWindow('1', 'public.t');
    early.setRows(chunk([1]));
    expect(() => early.onHighWatermark()).toThrow(/before its low watermark/);
    const unread = new SnapshotWindow('2', 'public.t');
    unread.onLowWatermark();
    expect(() => unread.onHighWatermark()).toThrow(/before its chunk/);
  });

  test('composite, binary and big keys render the same from the chunk and from the stream', () => {
    const fromChunk = keyText(['a', 'b', 'c'], { a: 9007199254740993n, b: Buffer.from([1, 255]), c: 'x' });
    const fromStream = keyText(['a', 'b', 'c'], {
      c: 'x',
      b: Buffer.from('01ff', 'hex'),
      a: 9007199254740993n,
    });
    expect(fromChunk).toBe(fromStream);
    expect(keyText(['a', 'b'], { a: 'x', b: 'y' })).not.toBe(keyText(['a', 'b'], { a: 'x"', b: 'y' }));
  });
});

describe('a table definition as the snapshot state keeps it', () => {
  const table: TableDef = {
    schema: 'public',
    name: 't',
    columns: [
      { name: 'id', type: { kind: 'int4' }, nullable: false },
      { name: 'v', type: { kind: 'text' }, nullable: true },
    ],
    key: ['id'],
  };

  test('columns, types and key change it; nullability does not', () => {
    const key = definitionKey(table);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect(definitionKey({ ...table, columns: table.columns.map((c) => ({ ...c, nullable: true })) })).toBe(
      key,
    );
    const renamed = { ...table, columns: [table.columns[0]!, { ...table.columns[1]!, name: 'w' }] };
    expect(definitionKey(renamed)).not.toBe(key);
    const retyped = {
      ...table,
      columns: [{ ...table.columns[0]!, type: { kind: 'int8' as const } }, table.columns[1]!],
    };
    expect(definitionKey(retyped)).not.toBe(key);
    expect(definitionKey({ ...table, columns: table.columns.slice(0, 1) })).not.toBe(key);
    expect(definitionKey({ ...table, key: ['id', 'v'] })).not.toBe(key);
  });
});
