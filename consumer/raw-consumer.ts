// `cdclake consume`: Kafka to raw Parquet on S3 in micro-batches, effectively once.
// A consumer group over the topics matching a pattern; each partition's batch is flushed on rows, bytes,
// age (by a timer, so a quiet partition's last events do not wait) or memory pressure, written as one
// Parquet object under Contract 2's key, and only then is the offset committed. S3 is the truth of
// progress: on assignment each partition resumes after its last object.

import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Config } from '../core/config.ts';
import { openDuckDB, type DuckSession } from '../core/duckdb.ts';
import { createKafka } from '../core/kafka/client.ts';
import { deadLettersTopic, ensureTopics, schemasTopic } from '../core/kafka/topics.ts';
import type { Logger } from '../core/logger.ts';
import { Metrics } from '../core/metrics.ts';
import { createS3Client } from '../core/s3.ts';
import { s3Failure } from '../core/s3-failure.ts';
import { CdcError } from '../core/errors.ts';
import { AvroChangeDecoder } from './avro-change.ts';
import { DeadLetters } from './dead-letters.ts';
import { UndecodableRecord, type DecodedChange } from './decoded-change.ts';
import { decodeDebeziumJson, looksLikeDebeziumJson } from './debezium-json.ts';
import { partitionPrefix, rawObjectKey } from './object-key.ts';
import { PartitionPhase, PartitionState, type TakenBatch } from './partition-state.ts';
import { findResumePoint, handleRetentionGap } from './resume.ts';
import type { ChangeShape, OpenRawBatch, RawBatch } from './raw-batch.ts';
import { StagingBatch } from './staging-batch.ts';
import { uploadFile } from './upload.ts';

export interface RawConsumerOptions {
  topics?: RegExp;
  untilIdle: boolean;
  /** The writer of raw Parquet: cdclake's StagingBatch unless given (the benchmark's peer writer). */
  openBatch?: OpenRawBatch;
  /** Called after each raw object is durable in S3 (`cdclake up` starts a merge pass on it). */
  onWritten?: (topic: string) => void;
}

export interface ConsumerSummary {
  events: number;
  files: number;
  deadLetters: number;
}

const tp = (topic: string, partition: number): string => `${topic}:${partition}`;
const STOP_TIMEOUT_MS = 10_000;
const SESSION_TIMEOUT_MS = 30_000;

/** Waits for `promise` at most `ms`; a failure or a timeout is logged by the caller's absence of data only. */
/** Waits for `promise` (settled either way) or `ms`; false when the time ran out first. */
function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}

/** Waits `ms`, or until the signal aborts. */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Aborts the uploads under way at a rebalance: one listener per partition's upload, so no listener limit. */
function uploadsController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

export class RawConsumer {
  readonly metrics = new Metrics();
  private readonly config: Config;
  private readonly options: RawConsumerOptions;
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private readonly s3: S3Client;
  private consumer: Consumer;
  private readonly decoder: AvroChangeDecoder;
  private readonly deadLetters: DeadLetters;
  private readonly groupId: string;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-raw-'));
  private duck: DuckSession | undefined;
  private generation = 0;
  private uploads = uploadsController();
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private finished!: () => void;
  private failed!: (error: unknown) => void;
  private readonly done = new Promise<void>((resolve, reject) => {
    this.finished = resolve;
    this.failed = reject;
  });
  private joined = false;
  private readonly topics = new Set<string>();
  private lastTopicCheck = 0;
  private refreshing: Promise<void> | undefined;
  /** False while fetching is stopped for a refresh that has not joined the group again yet. */
  private subscribed = true;
  /** Partitions of every subscribed topic: a member alone in the group holds all of them once it is stable. */
  private topicPartitions = 0;
  private idleSince: number | undefined;
  private lastGroupCheck = 0;
  private readonly eventsIn = this.metrics.counter(
    'cdclake_consumer_events_in_total',
    'change events read from Kafka',
  );
  /** Health: records or batches waiting and no batch written for HEALTH_STALL_MS (a hung upload). */
  private readonly progressed = this.metrics.watch('consumer', () => this.pendingWork());
  private readonly filesWritten = this.metrics.counter(
    'cdclake_consumer_files_written_total',
    'raw Parquet objects written',
  );
  private readonly bytesWritten = this.metrics.counter(
    'cdclake_consumer_bytes_written_total',
    'bytes of raw Parquet written',
  );
  private readonly deadLettered = this.metrics.counter(
    'cdclake_consumer_dead_letters_total',
    'records sent to dead letters',
  );
  private readonly batchAge = this.metrics.gauge(
    'cdclake_consumer_batch_age_seconds',
    'age of the oldest open batch',
  );
  private readonly memoryFlushes = this.metrics.counter(
    'cdclake_consumer_memory_flushes_total',
    'batches written early because the open batches together passed CONSUMER_MEMORY_BYTES',
  );
  private readonly uploadRetries = this.metrics.counter(
    'cdclake_consumer_upload_retries_total',
    'raw object uploads that failed and were sent again (CONSUMER_UPLOAD_RETRY_MS)',
  );
  private readonly skipped = this.metrics.counter(
    'cdclake_consumer_skipped_offsets_total',
    "offsets Kafka's retention deleted before they reached raw, skipped with CONSUMER_ACCEPT_GAP=true",
  );
  private readonly lag = this.metrics.gauge(
    'cdclake_consumer_lag',
    'records behind the high watermark, per partition',
  );

  constructor(config: Config, options: RawConsumerOptions, log: Logger) {
    this.config = config;
    this.options = options;
    this.log = log;
    this.kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-consumer`);
    this.s3 = createS3Client(config);
    this.groupId = config.CONSUMER_GROUP ?? `${config.CDC_TOPIC_PREFIX}-raw`;
    this.consumer = this.newConsumer();
    this.decoder = new AvroChangeDecoder(this.kafka, schemasTopic(config));
    this.deadLetters = new DeadLetters(this.kafka, deadLettersTopic(config));
  }

  /** The group member; its events count only while it is the current one (see refreshTopics). */
  private newConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      // A flush can hold a batch handler for seconds on a busy machine; heartbeats come between batches.
      sessionTimeout: SESSION_TIMEOUT_MS,
      rebalanceTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 3_000,
      // Small fetches, measured: 1 MB per partition and 4 MB per request read as fast as 16 and 64 MB, and
      // the consumer's peak RSS falls from about 930 MB to 440 MB (kafkajs decodes a whole fetch at once).
      maxBytesPerPartition: Math.min(1024 * 1024, this.config.CONSUMER_FETCH_BYTES),
      maxBytes: this.config.CONSUMER_FETCH_BYTES,
      maxWaitTimeInMs: 250,
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (consumer === this.consumer) this.onRevoke();
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (consumer === this.consumer) this.onAssign(event.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (consumer === this.consumer && event.payload.restart !== true && this.stopping === undefined)
        this.failed(event.payload.error);
    });
    return consumer;
  }

  async run(): Promise<ConsumerSummary> {
    this.duck = await openDuckDB(this.config);
    const topics = await this.matchingTopics();
    await ensureTopics(this.kafka, [{ topic: deadLettersTopic(this.config), partitions: 1 }]);
    await this.decoder.refresh();
    if (topics.length === 0) {
      this.log.warn({ pattern: this.pattern.source }, 'no topic matches: nothing to consume yet');
      if (this.options.untilIdle) return this.summary();
    }
    if (this.stopping !== undefined) return this.summary();
    this.log.info({ topics, group: this.groupId }, 'consuming');
    await this.consumer.connect();
    if (topics.length > 0) await this.subscribeWhenKnown(topics);
    if (this.stopping !== undefined) {
      await this.stopping;
      return this.summary();
    }
    this.lastTopicCheck = Date.now();
    this.timer = setInterval(() => void this.tick().catch((error: unknown) => this.failed(error)), 100);
    try {
      await this.done;
    } finally {
      await this.stop();
    }
    return this.summary();
  }

  private get pattern(): RegExp {
    return (
      this.options.topics ?? new RegExp(`^${this.config.CDC_TOPIC_PREFIX.replaceAll('.', '\\.')}\\.[^_]`)
    );
  }

  /** The topics the pattern matches now, leaving out internal ones (a name part that starts with `_`). */
  private async matchingTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics())
        .filter((t) => this.pattern.test(t) && !t.split('.').some((p) => p.startsWith('_')))
        .sort();
    } finally {
      await admin.disconnect();
    }
  }

  /** Adds topics to the subscription and (re)starts fetching: the group rebalances over all of them. */
  private async subscribe(topics: string[]): Promise<void> {
    const all = [...new Set([...this.topics, ...topics])];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: all });
      this.topicPartitions = metadata.topics.reduce((n, t) => n + t.partitions.length, 0);
    } finally {
      await admin.disconnect();
    }
    await this.consumer.subscribe({ topics, fromBeginning: true });
    for (const topic of topics) this.topics.add(topic);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.subscribed = true;
  }

  /**
   * The first subscription: a topic created a moment ago (a producer starting beside this consumer, as in
   * `cdclake up`) may not be known to every broker yet, which Kafka says with a retriable error.
   */
  private async subscribeWhenKnown(topics: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.subscribe(topics);
        return;
      } catch (error: unknown) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= 60 || this.stopping !== undefined) throw error;
        this.log.info({ err: error, attempt }, 'topics not known to every broker yet: subscribing again');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Topics created after the start (a new source table) are found every CONSUMER_TOPIC_REFRESH_MS: fetching
   * stops, every open batch is written and committed, and the consumer joins the group again with them.
   */
  private async refreshTopics(): Promise<void> {
    try {
      let added = (await this.matchingTopics()).filter((t) => !this.topics.has(t));
      if (this.stopping !== undefined || (added.length === 0 && this.subscribed)) return;
      if (added.length > 0)
        this.log.info({ added }, 'new topics match: writing open batches, then joining the group with them');
      this.subscribed = false;
      const stopped = await withTimeout(this.consumer.stop(), STOP_TIMEOUT_MS);
      await this.writeEverything();
      this.onRevoke();
      this.joined = false;
      if (!stopped) {
        // Seen after a broker restart: kafkajs's stop waiting on a fetch that never ends. That member would
        // refuse every new subscription; a new one joins in its place (the group hands its partitions over).
        this.log.warn({ waitedMs: STOP_TIMEOUT_MS }, 'the Kafka consumer did not stop: replacing it');
        const wedged = this.consumer;
        this.consumer = this.newConsumer();
        void withTimeout(wedged.disconnect(), STOP_TIMEOUT_MS);
        await this.consumer.connect();
        added = [...new Set([...this.topics, ...added])];
      }
      if (this.stopping === undefined) await this.subscribe(added);
    } catch (error: unknown) {
      // A topic created a moment ago may not be known to every broker yet: the next refresh tries again.
      this.log.warn(
        { err: error },
        'joining the group with new topics failed; trying again at the next refresh',
      );
    } finally {
      this.lastTopicCheck = Date.now();
      this.refreshing = undefined;
    }
  }

  /** Writes every open batch and waits for every write: nothing is fetched meanwhile. */
  private async writeEverything(): Promise<void> {
    for (const state of this.partitions.values()) {
      if (state.phase !== PartitionPhase.gone)
        await this.flush(state).catch((error: unknown) =>
          this.log.error({ err: error }, 'final flush failed'),
        );
    }
    for (const state of this.partitions.values()) await state.writing;
  }

  /** Stops fetching, flushes every batch, commits, closes Kafka, S3 and DuckDB. Memoised. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.metrics.setReady(false);
      clearInterval(this.timer);
      await this.refreshing;
      // Bounded: a group in the middle of a rebalance may not let go for its whole rebalance timeout.
      await withTimeout(this.consumer.stop(), STOP_TIMEOUT_MS);
      await this.writeEverything();
      for (const state of this.partitions.values()) state.discard();
      await withTimeout(this.consumer.disconnect(), STOP_TIMEOUT_MS);
      await this.deadLetters.close().catch(() => undefined);
      this.duck?.close();
      this.s3.destroy();
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
      this.finished();
    })();
    return this.stopping;
  }

  private summary(): ConsumerSummary {
    return {
      events: this.eventsIn.total(),
      files: this.filesWritten.total(),
      deadLetters: this.deadLettered.total(),
    };
  }

  /** A rebalance began: stop writing at once; what was buffered will be read again by the new owner. */
  private onRevoke(): void {
    this.generation++;
    if (this.partitions.size > 0)
      this.log.info(
        { partitions: this.partitions.size },
        'the group is rebalancing: open batches dropped and uploads under way abandoned, for the next owners',
      );
    this.idleSince = undefined;
    this.uploads.abort();
    this.uploads = uploadsController();
    for (const state of this.partitions.values()) state.discard();
    this.partitions.clear();
  }

  private onAssign(assignment: Record<string, number[]>): void {
    this.onRevoke();
    const generation = this.generation;
    this.joined = true;
    this.metrics.setReady(true);
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        let ready!: () => void;
        let fail!: (error: unknown) => void;
        const state = new PartitionState(
          topic,
          partition,
          new Promise<void>((resolve, reject) => {
            ready = resolve;
            fail = reject;
          }),
        );
        this.partitions.set(tp(topic, partition), state);
        this.resume(state, generation).then(ready, (error: unknown) => {
          fail(error);
          this.failed(error);
        });
      }
    }
  }

  private async resume(state: PartitionState, generation: number): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: this.groupId, topics: [state.topic] });
      const offset = committed?.partitions.find((p) => p.partition === state.partition)?.offset;
      const hint = offset === undefined || offset === '-1' ? undefined : BigInt(offset);
      const offsets = await admin.fetchTopicOffsets(state.topic);
      const bounds = offsets.find((o) => o.partition === state.partition);
      const low = BigInt(bounds?.low ?? '0');
      state.highWatermark = BigInt(bounds?.high ?? '0');
      // Listed twice: an upload of the previous owner, aborted when the rebalance began, may still land.
      const list = (): ReturnType<typeof findResumePoint> =>
        this.listPatiently(state, generation, (listingStarted) =>
          findResumePoint(
            this.s3,
            this.config.S3_BUCKET,
            this.config.RAW_PREFIX,
            state.topic,
            state.partition,
            hint,
          ).catch((error: unknown) => {
            const key = partitionPrefix(this.config.RAW_PREFIX, state.topic, state.partition);
            throw s3Failure(
              error,
              'listing of',
              { bucket: this.config.S3_BUCKET, key },
              this.config,
              listingStarted,
            );
          }),
        );
      await list();
      await new Promise((r) => setTimeout(r, 200));
      const point = await list();
      let next = point.next ?? low;
      if (next < low) {
        const gap = { topic: state.topic, partition: state.partition, first: next, last: low - 1n };
        const { S3_BUCKET, RAW_PREFIX, CONSUMER_ACCEPT_GAP } = this.config;
        await handleRetentionGap(this.s3, S3_BUCKET, RAW_PREFIX, gap, CONSUMER_ACCEPT_GAP);
        this.skipped.inc(Number(low - next), { topic: state.topic, partition: state.partition });
        this.log.warn(
          { ...gap, first: gap.first.toString(), last: gap.last.toString() },
          "offsets deleted by Kafka's retention before they reached raw are skipped (CONSUMER_ACCEPT_GAP)",
        );
        next = low;
      }
      if (generation !== this.generation) return;
      state.next = next;
      state.batchStart = next;
      state.consumed = next;
      state.phase = PartitionPhase.ready;
      this.consumer.seek({ topic: state.topic, partition: state.partition, offset: next.toString() });
      this.log.info(
        { topic: state.topic, partition: state.partition, next: next.toString(), objects: point.listed },
        'partition resumes',
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async onBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    const state = this.partitions.get(tp(batch.topic, batch.partition));
    if (state === undefined) return;
    await state.ready;
    // One handler at a time per partition; records the previous one added are skipped by offset.
    const previous = state.handling;
    let release!: () => void;
    const handling = new Promise<void>((resolve) => (release = resolve));
    state.handling = handling;
    try {
      await previous;
      if (state.phase === PartitionPhase.gone) return;
      state.busy = true;
      try {
        await this.addRecords(state, batch, isRunning, isStale, resolveOffset);
      } finally {
        state.busy = false;
        if ((state.phase as PartitionPhase) === PartitionPhase.gone) state.discard();
      }
    } finally {
      release();
      if (state.handling === handling) state.handling = undefined;
    }
    this.lag.set(Number(state.highWatermark - state.consumed), {
      topic: state.topic,
      partition: state.partition,
    });
    await heartbeat();
  }

  private async addRecords(
    state: PartitionState,
    batch: EachBatchPayload['batch'],
    isRunning: () => boolean,
    isStale: () => boolean,
    resolveOffset: (offset: string) => void,
  ): Promise<void> {
    state.highWatermark = BigInt(batch.highWatermark);
    let events = 0;
    try {
      await this.addMessages(state, batch, isRunning, isStale, resolveOffset, () => events++);
    } finally {
      this.eventsIn.inc(events, { topic: batch.topic });
    }
  }

  private async addMessages(
    state: PartitionState,
    batch: EachBatchPayload['batch'],
    isRunning: () => boolean,
    isStale: () => boolean,
    resolveOffset: (offset: string) => void,
    counted: () => void,
  ): Promise<void> {
    let checked = 0;
    for (const message of batch.messages) {
      // kafkajs's checks are not free: every 32 records (a gone partition is checked on every one).
      if ((checked++ & 31) === 0 && (!isRunning() || isStale())) return;
      if ((state.phase as PartitionPhase) === PartitionPhase.gone) return;
      const offset = BigInt(message.offset);
      // Resolving moves kafkajs's fetch position only (offsets are committed after S3, by hand).
      resolveOffset(message.offset);
      if (offset < state.consumed) continue; // already written, or delivered again after a seek
      if (message.value === null || message.value.length === 0) {
        state.consumed = offset + 1n; // a tombstone
        continue;
      }
      counted();
      const size = message.value.length + (message.key?.length ?? 0);
      // cdclake's own events take the fast path when they can: the row image goes straight to the appender.
      const direct = AvroChangeDecoder.handles(message.value)
        ? this.decoder.direct(message.key, message.value)
        : undefined;
      if (direct !== undefined) {
        const { event, plan, keyColumns } = direct;
        const shape = { table: event.table, schema: event.schema, key: keyColumns, columns: plan.columns };
        const open = await this.batchFor(state, shape);
        if (open === undefined) return;
        if (open.appendDirect(shape, plan, event, message.value, offset, size)) {
          state.consumed = offset + 1n;
          if (open.rows >= this.config.CONSUMER_BATCH_ROWS || open.bytes >= this.config.CONSUMER_BATCH_BYTES)
            await this.flush(state);
          continue;
        }
      }
      let change: DecodedChange | null;
      try {
        const decoded = this.decode(message.key, message.value);
        change = decoded instanceof Promise ? await decoded : decoded;
      } catch (error: unknown) {
        const code = error instanceof UndecodableRecord ? error.code : 'CDC_DECODE';
        const reason = error instanceof Error ? error.message : String(error);
        state.deadLetters.push({
          topic: batch.topic,
          partition: batch.partition,
          offset,
          key: message.key,
          value: message.value,
          code,
          reason,
        });
        state.consumed = offset + 1n;
        continue;
      }
      if (change === null) {
        state.consumed = offset + 1n;
        continue;
      }
      const open = await this.batchFor(state, change);
      if (open === undefined) return;
      open.append(change, offset, size);
      state.consumed = offset + 1n;
      if (open.rows >= this.config.CONSUMER_BATCH_ROWS || open.bytes >= this.config.CONSUMER_BATCH_BYTES)
        await this.flush(state);
    }
    if (state.pending && Date.now() - state.batchCreatedAt >= this.config.CONSUMER_BATCH_AGE_MS)
      await this.flush(state);
    else await this.relieveMemory(state);
  }

  /**
   * Memory pressure, checked after every fetched batch and by the timer: when the open batches together hold
   * more than CONSUMER_MEMORY_BYTES of records, the largest is written. `handling` is the partition whose
   * handler is calling (it may flush its own batch; other busy partitions are left to their handlers).
   */
  private async relieveMemory(handling?: PartitionState): Promise<void> {
    let memory = 0;
    let largest: PartitionState | undefined;
    for (const state of this.partitions.values()) {
      if (state.phase !== PartitionPhase.ready) continue;
      memory += state.openBytes;
      const free = state === handling || (!state.busy && state.writing === undefined);
      if (free && state.pending && state.openBytes > (largest?.openBytes ?? -1)) largest = state;
    }
    if (memory <= this.config.CONSUMER_MEMORY_BYTES || largest === undefined) return;
    this.memoryFlushes.inc(1);
    if (largest === handling) await this.flush(largest);
    else this.flushInBackground(largest);
  }

  /**
   * The partition's open batch, ready for a change of this shape: a batch it does not fit is written first
   * (the change joins the next one, so the taken batch covers only the offsets before it), new columns are
   * added. Undefined when the partition went away meanwhile.
   */
  private async batchFor(state: PartitionState, shape: ChangeShape): Promise<RawBatch | undefined> {
    let open = state.batch;
    if (open !== undefined && !open.fits(shape)) {
      // Empty: opened for a change's fast path that then took the decoded path with another shape.
      if (open.rows === 0) {
        open.discard();
        state.batch = undefined;
      } else await this.flush(state);
      open = undefined;
    }
    if (open === undefined) {
      open = await (this.options.openBatch ?? this.openStagingBatch)(state.topic, state.partition);
      if ((state.phase as PartitionPhase) === PartitionPhase.gone) {
        open.discard();
        return undefined;
      }
      state.batch = open;
      state.batchCreatedAt = Date.now();
    }
    if (open.needsWiden(shape)) {
      await open.widen(shape);
      if ((state.phase as PartitionPhase) === PartitionPhase.gone) return undefined;
    }
    return open;
  }

  private readonly openStagingBatch: OpenRawBatch = (topic, partition) =>
    StagingBatch.open((this.duck as DuckSession).instance, topic, partition);

  private decode(key: Buffer | null, value: Buffer): DecodedChange | null | Promise<DecodedChange | null> {
    if (AvroChangeDecoder.handles(value)) return this.decoder.decode(key, value);
    if (looksLikeDebeziumJson(value)) return decodeDebeziumJson(key, value);
    throw new UndecodableRecord(
      'CDC_DECODE',
      'neither cdclake Avro (single-object encoding) nor Debezium JSON',
    );
  }

  /** Age and memory checks, and `--until-idle`'s end. Writes are started here, not awaited. */
  private async tick(): Promise<void> {
    if (this.refreshing !== undefined) return;
    const now = Date.now();
    let oldest = 0;
    for (const state of this.partitions.values()) {
      if (state.phase !== PartitionPhase.ready || !state.pending || state.busy) continue;
      const age = now - state.batchCreatedAt;
      oldest = Math.max(oldest, age);
      // With --until-idle, a partition read to its end has nothing more coming: its batch is written now.
      const atEnd = this.options.untilIdle && state.consumed >= state.highWatermark;
      if ((age >= this.config.CONSUMER_BATCH_AGE_MS || atEnd) && state.writing === undefined)
        this.flushInBackground(state);
    }
    this.batchAge.set(oldest / 1000);
    await this.relieveMemory();
    if (this.options.untilIdle && this.joined) await this.stopIfIdle(now);
    if (!this.options.untilIdle && now - this.lastTopicCheck >= this.config.CONSUMER_TOPIC_REFRESH_MS)
      this.refreshing = this.refreshTopics().catch((error: unknown) => this.failed(error));
  }

  /**
   * `--until-idle`: done when every assigned partition is written to its end and the assignment is the
   * whole story: alone in a stable group with every partition, or other members that have stayed for longer than a
   * session timeout (alive, so owning their partitions), not members killed a moment ago whose
   * partitions come to us once the broker notices.
   */
  private async stopIfIdle(now: number): Promise<void> {
    if (!this.idle()) {
      this.idleSince = undefined;
      return;
    }
    if (this.idleSince === undefined) {
      this.idleSince = now;
      this.log.info({ events: this.eventsIn.total() }, 'every assigned partition is written to its end');
    }
    if (now - this.lastGroupCheck < 1000) return;
    this.lastGroupCheck = now;
    // Alone means: the only member of a stable group, holding every partition. A group whose dead members
    // were just dropped is rebalancing, and its one live member may hold nothing yet.
    const group = await this.consumer.describeGroup().catch(() => undefined);
    const alone =
      group !== undefined &&
      group.state === 'Stable' &&
      group.members.length <= 1 &&
      this.partitions.size >= this.topicPartitions;
    if (alone || now - this.idleSince > SESSION_TIMEOUT_MS + 5000) void this.stop();
  }

  /** What the partitions have waiting to be written, for health; undefined when nothing. */
  private pendingWork(): string | undefined {
    let batches = 0;
    let behind = 0n;
    for (const state of this.partitions.values()) {
      if (state.phase !== PartitionPhase.ready) continue;
      if (state.pending || state.writing !== undefined) batches++;
      if (state.highWatermark > state.consumed) behind += state.highWatermark - state.consumed;
    }
    if (batches === 0 && behind === 0n) return undefined;
    return `${batches} batch(es) not yet written to S3 and ${behind} records not yet read`;
  }

  private idle(): boolean {
    for (const state of this.partitions.values()) {
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

  /**
   * Takes the partition's open batch and starts writing it once the previous write is done; resolves when
   * the write has started (so one batch fills while one is written), not when it is durable.
   */
  private async flush(state: PartitionState): Promise<void> {
    if (state.writing !== undefined) await state.writing;
    if (!state.pending || state.phase !== PartitionPhase.ready) return;
    this.flushInBackground(state);
  }

  private flushInBackground(state: PartitionState): void {
    const taken = state.take();
    const previous = state.writing ?? Promise.resolve();
    const run = previous.then(() => this.write(state, taken));
    const writing = run.catch((error: unknown) => {
      // Nothing of the batch is durable and nothing was committed: stop, and a restart reads it again.
      this.log.error({ err: error, topic: state.topic, partition: state.partition }, 'flush failed');
      this.failed(error);
    });
    state.writing = writing;
    void writing.finally(() => {
      if (state.writing === writing) state.writing = undefined;
    });
  }

  /**
   * A listing at partition assignment, tried again while S3 is unavailable (a store restarting, a network
   * gone for a while) as uploads are: after 0.5 s, doubling to 30 s, for up to CONSUMER_UPLOAD_RETRY_MS. A
   * refusal (credentials, a missing bucket) and a rebalance under way end it at once.
   */
  private async listPatiently<T>(
    state: PartitionState,
    generation: number,
    list: (startedAt: number) => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await list(performance.now());
      } catch (error: unknown) {
        const elapsed = Date.now() - started;
        const retriable = error instanceof CdcError && error.retriable;
        if (!retriable || generation !== this.generation || elapsed >= this.config.CONSUMER_UPLOAD_RETRY_MS)
          throw error;
        const waitMs = Math.min(500 * 2 ** Math.min(attempt - 1, 6), 30_000);
        this.uploadRetries.inc(1);
        this.log.warn(
          { err: error, topic: state.topic, partition: state.partition, attempt, retryInMs: waitMs },
          'listing the raw layer failed; trying again',
        );
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  /**
   * Uploads a written batch, and when S3 fails (a store restarting, a network gone for a while), keeps the
   * batch and sends it again after a growing wait (0.5 s, doubling, at most 30 s), for up to
   * CONSUMER_UPLOAD_RETRY_MS; only then does the consumer stop. Nothing was committed meanwhile, so a stop
   * loses nothing either. A rebalance (the signal aborted) ends it at once: the new owner reads the batch again.
   */
  private async uploadPatiently(
    key: string,
    file: string,
    signal: AbortSignal,
    generation: number,
  ): Promise<number> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await uploadFile(this.s3, this.config, key, file, signal);
      } catch (error: unknown) {
        const elapsed = Date.now() - started;
        if (
          signal.aborted ||
          generation !== this.generation ||
          elapsed >= this.config.CONSUMER_UPLOAD_RETRY_MS
        )
          throw error;
        const waitMs = Math.min(
          500 * 2 ** Math.min(attempt - 1, 6),
          30_000,
          this.config.CONSUMER_UPLOAD_RETRY_MS - elapsed,
        );
        this.uploadRetries.inc(1);
        this.log.warn(
          { err: error, key, attempt, retryInMs: waitMs },
          'upload failed; the batch is kept and sent again',
        );
        await abortableSleep(waitMs, signal);
      }
    }
  }

  /**
   * Sends a taken batch's dead letters and waits for Kafka's acknowledgement, then writes the batch as one
   * object, then commits past both. In that order: the object is what marks its offsets done (a restart
   * resumes after it), so its dead letters must be durable first. A crash between the two sends them again.
   */
  private async write(state: PartitionState, taken: TakenBatch): Promise<void> {
    const { batch, deadLetters, first, last } = taken;
    if (state.phase === PartitionPhase.gone) {
      batch?.discard();
      return;
    }
    const generation = this.generation;
    const signal = this.uploads.signal;
    try {
      await this.deadLetters.send(deadLetters);
    } catch (error: unknown) {
      batch?.discard();
      throw error;
    }
    this.deadLettered.inc(deadLetters.length);
    // A batch opened for a change that never joined it (its partition handler failed or was cut short) holds
    // no rows: no object is written for it, since an empty object names no table.
    if (batch !== undefined && batch.rows === 0) batch.discard();
    else if (batch !== undefined) {
      const key = rawObjectKey(this.config.RAW_PREFIX, state.topic, state.partition, first, last);
      const file = path.join(this.tmpDir, `${state.topic}+${state.partition}+${first}.parquet`);
      try {
        await batch.write(file);
        if (generation !== this.generation) return;
        let bytes: number;
        try {
          bytes = await this.uploadPatiently(key, file, signal, generation);
        } catch (error: unknown) {
          // Abandoned for a rebalance: the partition's next owner reads the batch again; nothing to report.
          if (signal.aborted || generation !== this.generation) return;
          throw error;
        }
        this.filesWritten.inc(1, { topic: state.topic });
        this.bytesWritten.inc(bytes, { topic: state.topic });
        this.options.onWritten?.(state.topic);
      } finally {
        batch.discard();
        fs.rmSync(file, { force: true });
      }
    }
    this.progressed();
    if (generation !== this.generation) return;
    state.next = last + 1n;
    try {
      await this.consumer.commitOffsets([
        { topic: state.topic, partition: state.partition, offset: (last + 1n).toString() },
      ]);
    } catch (error: unknown) {
      // The object is durable and S3 is the truth: a lost commit only makes the next resume list a little more.
      this.log.warn(
        { err: error, topic: state.topic, partition: state.partition },
        'offset commit failed; S3 holds the progress',
      );
    }
  }
}
