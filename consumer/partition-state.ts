// One assigned topic partition in the consumer:
//
//   assigned ──(resume point found in S3, seeked)──► ready ──(revoked: rebalance)──► gone
//
// While ready, changes fill the open batch; a full, old or memory-pressed batch is taken and written in the
// background (at most one write in flight per partition) while the next batch fills. Writes finish in
// offset order, and each moves `next`, the first offset not yet durable, and commits it.
// On revoke the open batch is discarded and an in-flight write is aborted: nothing more is committed.

import type { DeadLetter } from './dead-letters.ts';
import type { LateObjectWatch } from './late-objects.ts';
import type { RawBatch } from './raw-batch.ts';

export const PartitionPhase = {
  assigned: 'assigned',
  ready: 'ready',
  gone: 'gone',
} as const;
export type PartitionPhase = (typeof PartitionPhase)[keyof typeof PartitionPhase];

/** A batch taken for writing, with the offsets it covers (tombstones and skipped records included). */
export interface TakenBatch {
  batch: RawBatch | undefined;
  deadLetters: DeadLetter[];
  first: bigint;
  last: bigint;
}

export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  phase: PartitionPhase = PartitionPhase.assigned;
  /** The first offset not yet durable in S3 (or dead letters). */
  next = 0n;
  /** The first offset of the open batch's range: one past the last taken batch. */
  batchStart = 0n;
  /** One past the last offset delivered by Kafka, written or not. */
  consumed = 0n;
  highWatermark = 0n;
  /** The open batch, created with the first change after a take. */
  batch: RawBatch | undefined;
  batchCreatedAt = 0;
  deadLetters: DeadLetter[] = [];
  ready: Promise<void>;
  /** True while a fetched batch of Kafka records is being added: only that handler touches `batch` then. */
  busy = false;
  /**
   * The handler under way, which the next one waits for: kafkajs restarting its runner after a broker
   * outage can hand the same partition to a new handler while the old one still runs.
   */
  handling: Promise<void> | undefined;
  /** The write in flight, if any; writes of one partition run one after another. */
  writing: Promise<void> | undefined;
  /** Copies an earlier owner's abandoned uploads may still land, looked for after the resume. */
  late: LateObjectWatch | undefined;

  constructor(topic: string, partition: number, ready: Promise<void>) {
    this.topic = topic;
    this.partition = partition;
    this.ready = ready;
  }

  get pending(): boolean {
    return this.batch !== undefined || this.deadLetters.length > 0;
  }

  get openRows(): number {
    return this.batch?.rows ?? 0;
  }

  get openBytes(): number {
    return this.batch?.bytes ?? 0;
  }

  /** Takes the open batch and its dead letters, covering every offset delivered since the last take. */
  take(): TakenBatch {
    const taken = {
      batch: this.batch,
      deadLetters: this.deadLetters,
      first: this.batchStart,
      last: this.consumed - 1n,
    };
    this.batch = undefined;
    this.deadLetters = [];
    this.batchStart = this.consumed;
    return taken;
  }

  /** Drops what is not durable: the partition went to another member. */
  discard(): void {
    this.phase = PartitionPhase.gone;
    if (this.busy) return; // the handler lets go of the batch when it sees `gone`
    this.batch?.discard();
    this.batch = undefined;
    this.deadLetters = [];
  }
}
