// Writing a taken batch, in the order that makes it effectively once:
//
//   dead letters sent, acknowledged ──► batch written as one Parquet file ──► uploaded under Contract 2's key
//     ──► offset committed past both
//
// The object is what marks its offsets done (a restart resumes after it), so its dead letters are durable
// first; a crash between the two sends them again. A failed upload keeps the file and is sent again after a
// growing wait (retryDelayMs) for up to CONSUMER_UPLOAD_RETRY_MS; a rebalance abandons it at once (the
// partition's next owner reads the batch again), and so does a write for a generation that is over.

import fs from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { DeadLetters } from './dead-letters.ts';
import { rawObjectKey } from '../core/raw-layer/keys.ts';
import { PartitionPhase, type PartitionState, type TakenBatch } from './partition-state.ts';
import { uploadFile } from './upload.ts';
import { patiently } from '../core/patiently.ts';
import { GROUP_METADATA, listLateObjects, removeObjects } from './late-objects.ts';

export interface PartitionWriterOptions {
  config: Config;
  s3: S3Client;
  deadLetters: DeadLetters;
  /** Where batches are written before their upload. */
  tmpDir: string;
  metrics: Metrics;
  log: Logger;
  /** The consumer group, named in each object's metadata (late-objects.ts). */
  groupId: string;
  /** The group generation now: a write begun in an earlier one commits nothing. */
  generation: () => number;
  commit: (topic: string, partition: number, offset: bigint) => Promise<void>;
  /** Called after each object is durable in S3. */
  onWritten?: (topic: string) => void;
  /** Called when a taken batch is durable (health: a write that never ends is a stall). */
  progressed: () => void;
}

export class PartitionWriter {
  private readonly options: PartitionWriterOptions;
  private readonly filesWritten;
  private readonly bytesWritten;
  private readonly deadLettered;
  private readonly retries;
  private readonly lateRemoved;

  constructor(options: PartitionWriterOptions) {
    this.options = options;
    const { metrics } = options;
    this.filesWritten = metrics.counter('cdclake_consumer_files_written_total');
    this.bytesWritten = metrics.counter('cdclake_consumer_bytes_written_total');
    this.deadLettered = metrics.counter('cdclake_consumer_dead_letters_total');
    // Exported at 0 from the start: Prometheus' increase() sees the first dead letters only as a change
    // from a sample before them (CdclakeDeadLetters).
    this.deadLettered.inc(0);
    this.retries = metrics.counter('cdclake_consumer_upload_retries_total');
    this.lateRemoved = metrics.counter('cdclake_consumer_late_objects_removed_total');
  }

  get files(): number {
    return this.filesWritten.total();
  }

  get deadLetters(): number {
    return this.deadLettered.total();
  }

  /** A request to S3 about to be tried again (an upload, or a listing at assignment). */
  retried(): void {
    this.retries.inc(1);
  }

  /** Writes a taken batch of the partition (see the top of this file); `signal` aborts at a rebalance. */
  async write(state: PartitionState, taken: TakenBatch, signal: AbortSignal): Promise<void> {
    const { config, deadLetters, tmpDir } = this.options;
    const { batch, first, last } = taken;
    if (state.phase === PartitionPhase.gone) {
      batch?.discard();
      return;
    }
    const generation = this.options.generation();
    try {
      await deadLetters.send(taken.deadLetters);
    } catch (error: unknown) {
      batch?.discard();
      throw error;
    }
    this.deadLettered.inc(taken.deadLetters.length);
    if (taken.deadLetters.length > 0) {
      // Each one is a change the lake will not have: said in the log, by code, with the first one's reason.
      const codes: Record<string, number> = {};
      for (const letter of taken.deadLetters) codes[letter.code] = (codes[letter.code] ?? 0) + 1;
      const [first] = taken.deadLetters;
      this.options.log.warn(
        {
          topic: state.topic,
          partition: state.partition,
          deadLetters: taken.deadLetters.length,
          codes,
          first: { offset: first?.offset.toString(), code: first?.code, reason: first?.reason },
        },
        'records sent to dead letters',
      );
    }
    // A batch opened for a change that never joined it (its partition handler failed or was cut short) holds
    // no rows: no object is written for it, since an empty object names no table.
    if (batch !== undefined && batch.rows === 0) batch.discard();
    else if (batch !== undefined) {
      const key = rawObjectKey(config.RAW_PREFIX, state.topic, state.partition, first, last);
      const file = path.join(tmpDir, `${state.topic}+${state.partition}+${first}.parquet`);
      try {
        await batch.write(file);
        if (generation !== this.options.generation()) return;
        let bytes: number;
        try {
          bytes = await this.uploadPatiently(key, file, signal, generation);
        } catch (error: unknown) {
          // Abandoned for a rebalance: the partition's next owner reads the batch again; nothing to report.
          if (signal.aborted || generation !== this.options.generation()) return;
          throw error;
        }
        state.late?.wrote(key);
        this.filesWritten.inc(1, { topic: state.topic });
        this.bytesWritten.inc(bytes, { topic: state.topic });
        this.options.onWritten?.(state.topic);
      } finally {
        batch.discard();
        fs.rmSync(file, { force: true });
      }
    }
    this.options.progressed();
    if (generation !== this.options.generation()) return;
    state.next = last + 1n;
    try {
      await this.options.commit(state.topic, state.partition, last + 1n);
    } catch (error: unknown) {
      // The object is durable and S3 is the truth: a lost commit only makes the next resume list a little more.
      this.options.log.warn(
        { err: error, topic: state.topic, partition: state.partition },
        'offset commit failed; S3 holds the progress',
      );
    }
  }

  /**
   * Removes the partition's late objects (late-objects.ts), once the group accepted a commit after the
   * listing. Run in the partition's write queue, so no write of its own is in flight; a failure is logged and
   * the next sweep tries again, for a second copy loses nothing.
   */
  async sweepLateObjects(state: PartitionState): Promise<void> {
    const { config, s3, log } = this.options;
    const watch = state.late;
    const generation = this.options.generation();
    if (watch === undefined || state.phase !== PartitionPhase.ready) return;
    const where = { topic: state.topic, partition: state.partition };
    try {
      const next = state.next;
      const { late, foreign } = await listLateObjects(
        s3,
        { bucket: config.S3_BUCKET, root: config.RAW_PREFIX, ...where, group: this.options.groupId },
        watch,
        next,
      );
      if (foreign.length > 0 && watch.reportForeign())
        log.warn(
          { ...where, group: this.options.groupId, objects: foreign },
          'objects of another writer hold offsets this consumer group wrote too: two groups (or another ' +
            'tool) write this raw prefix, and each offset there is written twice. Left alone; give each ' +
            'its own RAW_PREFIX or bucket',
        );
      if (late.length === 0 || generation !== this.options.generation()) return;
      // The fence: accepted, this commit shows no later owner existed when the listing ran.
      await this.options.commit(state.topic, state.partition, next);
      if (generation !== this.options.generation() || state.phase !== PartitionPhase.ready) return;
      await removeObjects(s3, config.S3_BUCKET, late);
      this.lateRemoved.inc(late.length, { topic: state.topic });
      log.warn(
        { ...where, objects: late },
        "an earlier owner's abandoned uploads landed after the partition was resumed here: removed, for " +
          "this consumer's own objects hold their offsets",
      );
    } catch (error: unknown) {
      log.info({ ...where, err: error }, 'looking for late objects failed; trying again later');
    }
  }

  private uploadPatiently(
    key: string,
    file: string,
    signal: AbortSignal,
    generation: number,
  ): Promise<number> {
    const { config, s3, log } = this.options;
    const metadata = { [GROUP_METADATA]: this.options.groupId };
    return patiently(() => uploadFile(s3, config, key, file, signal, metadata), {
      forMs: config.CONSUMER_UPLOAD_RETRY_MS,
      retriable: () => true,
      wanted: () => generation === this.options.generation(),
      signal,
      onRetry: (error, attempt, waitMs) => {
        this.retried();
        log.warn(
          { err: error, key, attempt, retryInMs: waitMs },
          'upload failed; the batch is kept and sent again',
        );
      },
    });
  }
}
