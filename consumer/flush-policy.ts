// When a partition's open batch is written: at CONSUMER_BATCH_ROWS rows or CONSUMER_BATCH_BYTES bytes (at
// once, by the handler that filled it), at CONSUMER_BATCH_AGE_MS of age (after a fetch, and by the timer, so
// a quiet partition's last changes do not wait), when the open batches together pass CONSUMER_MEMORY_BYTES
// (the largest one goes), and with --until-idle when a partition is read to its end. Only decisions here:
// the consumer writes what this names (partition-writer.ts).

import type { Config } from '../core/config.ts';
import { PartitionPhase, type PartitionState } from './partition-state.ts';

export interface FlushLimits {
  rows: number;
  bytes: number;
  ageMs: number;
  memoryBytes: number;
}

export function flushLimits(config: Config): FlushLimits {
  return {
    rows: config.CONSUMER_BATCH_ROWS,
    bytes: config.CONSUMER_BATCH_BYTES,
    ageMs: config.CONSUMER_BATCH_AGE_MS,
    memoryBytes: config.CONSUMER_MEMORY_BYTES,
  };
}

export class FlushPolicy {
  private readonly limits: FlushLimits;

  constructor(limits: FlushLimits) {
    this.limits = limits;
  }

  /** A batch this large is written at once. */
  full(batch: { rows: number; bytes: number }): boolean {
    return batch.rows >= this.limits.rows || batch.bytes >= this.limits.bytes;
  }

  /** After a fetch: the partition's batch is old enough to be written. */
  aged(state: PartitionState, now: number): boolean {
    return state.pending && now - state.batchCreatedAt >= this.limits.ageMs;
  }

  /**
   * The timer's view: the batches to write now (old enough, or read to the end with `untilIdle`), leaving out
   * partitions a handler is filling or a write is under way for, and the age of the oldest open batch.
   */
  due(
    states: Iterable<PartitionState>,
    now: number,
    untilIdle: boolean,
  ): { due: PartitionState[]; oldestMs: number } {
    const due: PartitionState[] = [];
    let oldestMs = 0;
    for (const state of states) {
      if (state.phase !== PartitionPhase.ready || !state.pending || state.busy) continue;
      const age = now - state.batchCreatedAt;
      oldestMs = Math.max(oldestMs, age);
      const atEnd = untilIdle && state.consumed >= state.highWatermark;
      if ((age >= this.limits.ageMs || atEnd) && state.writing === undefined) due.push(state);
    }
    return { due, oldestMs };
  }

  /**
   * Memory pressure: when the open batches together hold more than CONSUMER_MEMORY_BYTES, the largest batch
   * that may be written now. `handling` is the partition whose handler asks (it may write its own batch;
   * other partitions a handler is filling, or a write is under way for, are left alone).
   */
  memoryVictim(states: Iterable<PartitionState>, handling?: PartitionState): PartitionState | undefined {
    let memory = 0;
    let largest: PartitionState | undefined;
    for (const state of states) {
      if (state.phase !== PartitionPhase.ready) continue;
      memory += state.openBytes;
      const free = state === handling || (!state.busy && state.writing === undefined);
      if (free && state.pending && state.openBytes > (largest?.openBytes ?? -1)) largest = state;
    }
    return memory > this.limits.memoryBytes ? largest : undefined;
  }
}

/** Every assigned partition ready, read to its end, and written: nothing open, nothing in flight. */
export function allWritten(states: Iterable<PartitionState>): boolean {
  for (const state of states) {
    if (
      state.phase !== PartitionPhase.ready ||
      state.pending ||
      state.writing !== undefined ||
      state.consumed < state.highWatermark
    )
      return false;
  }
  return true;
}

/** What the partitions have waiting to be written or read, for health; undefined when nothing. */
export function pendingWork(states: Iterable<PartitionState>): string | undefined {
  let batches = 0;
  let behind = 0n;
  for (const state of states) {
    if (state.phase !== PartitionPhase.ready) continue;
    if (state.pending || state.writing !== undefined) batches++;
    if (state.highWatermark > state.consumed) behind += state.highWatermark - state.consumed;
  }
  if (batches === 0 && behind === 0n) return undefined;
  return `${batches} batch(es) not yet written to S3 and ${behind} records not yet read`;
}
