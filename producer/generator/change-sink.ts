// Where the workload's changes are numbered and batched: `pos` is a global sequence from 1, `txId` groups
// the changes of one source transaction, and a batch is only handed out between transactions.

import type { Op, Row, TableDef } from '../../core/events/types.ts';

/** One row change of the synthetic workload, in commit order. Rows are never mutated after they are emitted. */
export interface GeneratedChange {
  table: TableDef;
  op: Exclude<Op, 'r'>;
  /** The row before an update or delete (the full row); null for an insert. */
  before: Row | null;
  /** The row after an insert or update; null for a delete. */
  after: Row | null;
  /** Grows by one per change, from 1n. */
  pos: bigint;
  /** The transaction: changes sharing a txId are adjacent and commit together. Grows from 1. */
  txId: number;
}

export class ChangeSink {
  private batch: GeneratedChange[] = [];
  private pos = 0n;
  private txId = 0;
  private readonly batchSize: number;

  constructor(batchSize: number) {
    this.batchSize = batchSize;
  }

  /** Starts a transaction; the changes emitted until the next begin() share its txId. */
  begin(): void {
    this.txId++;
  }

  insert(table: TableDef, after: Row): void {
    this.batch.push({ table, op: 'c', before: null, after, pos: ++this.pos, txId: this.txId });
  }

  update(table: TableDef, before: Row, after: Row): void {
    this.batch.push({ table, op: 'u', before, after, pos: ++this.pos, txId: this.txId });
  }

  delete(table: TableDef, before: Row): void {
    this.batch.push({ table, op: 'd', before, after: null, pos: ++this.pos, txId: this.txId });
  }

  /** True when the current batch should be handed out (call between transactions). */
  get full(): boolean {
    return this.batch.length >= this.batchSize;
  }

  get pending(): number {
    return this.batch.length;
  }

  take(): GeneratedChange[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }
}
