// One assigned topic partition in the consumer:
//
//   assigned ──(resume point found in S3, seeked)──► ready ──(batch full, old, or memory)──► flushing ──► ready
//       └──────────────── revoked at any point (rebalance): the batch is dropped, nothing committed ──► gone
//
// `next` is the first offset not yet in S3; offsets below it that Kafka delivers again are skipped.

import { Batch } from './batch.ts';
import type { DeadLetter } from './dead-letters.ts';

export const PartitionPhase = {
  assigned: 'assigned',
  ready: 'ready',
  flushing: 'flushing',
  gone: 'gone',
} as const;
export type PartitionPhase = (typeof PartitionPhase)[keyof typeof PartitionPhase];

export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  phase: PartitionPhase = PartitionPhase.assigned;
  /** The first offset not yet durable in S3 (or dead letters). */
  next = 0n;
  /** One past the last offset delivered by Kafka, written or not. */
  consumed = 0n;
  highWatermark = 0n;
  batch: Batch;
  deadLetters: DeadLetter[] = [];
  ready: Promise<void>;
  /** Serialises flushes of this partition. */
  flushing: Promise<void> = Promise.resolve();

  constructor(topic: string, partition: number, ready: Promise<void>) {
    this.topic = topic;
    this.partition = partition;
    this.batch = new Batch(topic, partition);
    this.ready = ready;
  }

  get pending(): boolean {
    return this.batch.rows > 0 || this.deadLetters.length > 0;
  }

  /** The offset the batch starts at: the first offset delivered since the last flush. */
  takeBatch(): { batch: Batch; deadLetters: DeadLetter[] } {
    const taken = { batch: this.batch, deadLetters: this.deadLetters };
    this.batch = new Batch(this.topic, this.partition);
    this.deadLetters = [];
    return taken;
  }
}
