// A micro-batch of one topic partition: the decoded changes in offset order, the union of their columns
// (a schema change inside the batch never drops a column), and its size, rows and age for flushing.

import type { ColumnDef } from '../core/events/types.ts';
import type { DecodedChange } from './decoded-change.ts';

export interface BatchEntry {
  change: DecodedChange;
  offset: bigint;
}

export class Batch {
  readonly topic: string;
  readonly partition: number;
  readonly entries: BatchEntry[] = [];
  readonly columns: ColumnDef[] = [];
  private readonly byName = new Map<string, ColumnDef>();
  /** Decoders hand out one columns array per writer schema: each is checked once, not per change. */
  private readonly seen = new Set<ColumnDef[]>();
  readonly createdAt = Date.now();
  bytes = 0;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  get rows(): number {
    return this.entries.length;
  }

  get firstOffset(): bigint {
    return (this.entries[0] as BatchEntry).offset;
  }

  get lastOffset(): bigint {
    return (this.entries.at(-1) as BatchEntry).offset;
  }

  /** False when a column of the change has another type than in this batch: the batch must be flushed first. */
  fits(change: DecodedChange): boolean {
    if (this.seen.has(change.columns)) return true;
    for (const column of change.columns) {
      const known = this.byName.get(column.name);
      if (known !== undefined && JSON.stringify(known.type) !== JSON.stringify(column.type)) return false;
    }
    return true;
  }

  add(change: DecodedChange, offset: bigint, bytes: number): void {
    if (!this.seen.has(change.columns)) this.addColumns(change.columns);
    this.entries.push({ change, offset });
    this.bytes += bytes;
  }

  private addColumns(columns: ColumnDef[]): void {
    this.seen.add(columns);
    for (const column of columns) {
      if (!this.byName.has(column.name)) {
        const nullable = { ...column, nullable: true };
        this.byName.set(column.name, nullable);
        this.columns.push(nullable);
      }
    }
  }
}
