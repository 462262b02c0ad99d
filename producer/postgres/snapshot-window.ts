// One chunk of an incremental snapshot between its watermarks (DBLog, Netflix, arXiv 2010.12597; the
// algorithm of Debezium's incremental snapshots):
//
//   low watermark ──► chunk read (SELECT ... WHERE key > last ORDER BY key LIMIT n) ──► high watermark
//   (a logical decoding message in the WAL)                                            (another one)
//
// The stream reads the WAL in commit order. A change of a chunk key that the stream meets between the two
// watermarks was committed while the chunk was being read: the streamed change is the truth, so the chunk
// drops its row (the window "evicts" it). What is left is sent at the high watermark, positioned there: it
// is the table as of a point between the watermarks for keys no change touched in the window, and every
// change after the high watermark comes later. A TRUNCATE of the table inside the window drops the whole
// chunk. Streaming never pauses.

import type { Row } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

export interface ChunkRow {
  /** The row's key, as `keyText` renders it. */
  key: string;
  row: Row;
}

export const WindowState = {
  /** Registered, its low watermark not met in the stream yet. */
  waiting: 'waiting',
  /** Between the watermarks: changes of its table evict chunk keys. */
  open: 'open',
  closed: 'closed',
} as const;
export type WindowState = (typeof WindowState)[keyof typeof WindowState];

/** A key as text, the same for a row read by the chunk and the same row decoded from the stream. */
export function keyText(key: readonly string[], row: Row): string {
  return JSON.stringify(
    key.map((k) => {
      const value = row[k];
      if (value === null || value === undefined) return null;
      if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
      return String(value);
    }),
  );
}

export class SnapshotWindow {
  readonly id: string;
  /** `schema.table` as the source spells it. */
  readonly table: string;
  state: WindowState = WindowState.waiting;
  private rows: ChunkRow[] | undefined;
  private readonly evicted = new Set<string>();
  private truncated = false;

  constructor(id: string, table: string) {
    this.id = id;
    this.table = table;
  }

  /** The chunk as read; it may arrive after the low watermark was met (the read runs beside the stream). */
  setRows(rows: ChunkRow[]): void {
    this.rows = rows;
  }

  onLowWatermark(): void {
    if (this.state === WindowState.waiting) this.state = WindowState.open;
  }

  /** A streamed change of `table` with key `key` (both keys of a key change). */
  onChange(table: string, key: string): void {
    if (this.state === WindowState.open && table === this.table) this.evicted.add(key);
  }

  onTruncate(table: string): void {
    if (this.state === WindowState.open && table === this.table) this.truncated = true;
  }

  /**
   * The high watermark: the rows to send, those no change in the window touched. Throws when the chunk was
   * not read, which cannot happen in order (the high watermark is written after the read).
   */
  onHighWatermark(): ChunkRow[] {
    if (this.state !== WindowState.open)
      throw new CdcError(
        ErrorCode.INTERNAL,
        `snapshot window ${this.id}: high watermark before its low watermark`,
      );
    if (this.rows === undefined)
      throw new CdcError(ErrorCode.INTERNAL, `snapshot window ${this.id}: high watermark before its chunk`);
    this.state = WindowState.closed;
    if (this.truncated) return [];
    return this.rows.filter((r) => !this.evicted.has(r.key));
  }

  get evictedKeys(): number {
    return this.evicted.size;
  }
}
