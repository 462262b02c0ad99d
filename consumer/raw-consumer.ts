// `cdclake consume`: Kafka to raw Parquet on S3 in micro-batches, effectively once.
// A consumer group over the topics matching a pattern; each partition's batch is flushed on rows, bytes,
// age (by a timer, so a quiet partition's last events do not wait) or memory pressure, written as one
// Parquet object under Contract 2's key, and only then is the offset committed. S3 is the truth of
// progress: on assignment each partition resumes after its last object.
//
// This file starts and stops the consumer and takes partitions in and out; its parts are
//   group-membership.ts  the Kafka group: subscription, new topics, a wedged member replaced;
//   record-router.ts     where a record goes: fast path, full decoder, or dead letter;
//   flush-policy.ts      when a batch is written: rows, bytes, age, memory, idle;
//   partition-writer.ts  writing a taken batch: dead letters, Parquet, upload, commit;
//   partition-state.ts   one partition's phase, open batch and offsets.

import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FetchedBatch, KafkaClient } from '../core/kafka/client.ts';
import type { Config } from '../core/config.ts';
import { openDuckDB, type DuckSession } from '../core/duckdb.ts';
import { createKafka } from '../core/kafka/client.ts';
import { deadLettersTopic, ensureTopics, schemasTopic } from '../core/kafka/topics.ts';
import type { Logger } from '../core/logger.ts';
import { Metrics } from '../core/metrics.ts';
import { createS3Client } from '../core/s3.ts';
import { AvroChangeDecoder } from './avro-change.ts';
import { DeadLetters } from './dead-letters.ts';
import { allWritten, FlushPolicy, flushLimits, pendingWork } from './flush-policy.ts';
import { aloneInGroup, GroupMembership, SESSION_TIMEOUT_MS } from './group-membership.ts';
import { PartitionPhase, PartitionState } from './partition-state.ts';
import { PartitionWriter } from './partition-writer.ts';
import { LateObjectWatch } from './late-objects.ts';
import { resumePartition } from './resume.ts';
import type { ChangeShape, OpenRawBatch, RawBatch } from './raw-batch.ts';
import { isTombstone, RecordRouter } from './record-router.ts';
import { StagingBatch } from './staging-batch.ts';

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
  private readonly kafka: KafkaClient;
  private readonly s3: S3Client;
  private readonly group: GroupMembership;
  private readonly decoder: AvroChangeDecoder;
  private readonly router: RecordRouter;
  private readonly policy: FlushPolicy;
  private readonly writer: PartitionWriter;
  private readonly deadLetters: DeadLetters;
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
  private lastTopicCheck = 0;
  private refreshing: Promise<void> | undefined;
  private idleSince: number | undefined;
  private lastGroupCheck = 0;
  private readonly eventsIn = this.metrics.counter('cdclake_consumer_events_in_total');
  /** Health: records or batches waiting and no batch written for HEALTH_STALL_MS (a hung upload). */
  private readonly progressed = this.metrics.watch('consumer', () => pendingWork(this.partitions.values()));
  private readonly batchAge = this.metrics.gauge('cdclake_consumer_batch_age_seconds');
  private readonly memoryFlushes = this.metrics.counter('cdclake_consumer_memory_flushes_total');
  private readonly skipped = this.metrics.counter('cdclake_consumer_skipped_offsets_total');
  private readonly lag = this.metrics.gauge('cdclake_consumer_lag');

  constructor(config: Config, options: RawConsumerOptions, log: Logger) {
    this.config = config;
    this.options = options;
    this.log = log;
    this.kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-consumer`);
    this.s3 = createS3Client(config);
    this.group = new GroupMembership(
      this.kafka,
      config,
      {
        assigned: (assignment) => this.onAssign(assignment),
        revoked: () => this.onRevoke(),
        crashed: (error) => {
          if (this.stopping === undefined) this.failed(error);
        },
        batch: (payload) => this.onBatch(payload),
      },
      log,
    );
    this.decoder = new AvroChangeDecoder(this.kafka, schemasTopic(config), log);
    this.router = new RecordRouter(this.decoder);
    this.policy = new FlushPolicy(flushLimits(config));
    this.deadLetters = new DeadLetters(this.kafka, deadLettersTopic(config));
    this.writer = new PartitionWriter({
      config,
      s3: this.s3,
      deadLetters: this.deadLetters,
      tmpDir: this.tmpDir,
      metrics: this.metrics,
      log,
      groupId: this.group.groupId,
      generation: () => this.generation,
      commit: (topic, partition, offset) => this.group.commit(topic, partition, offset),
      onWritten: options.onWritten,
      progressed: () => this.progressed(),
    });
  }

  async run(): Promise<ConsumerSummary> {
    this.duck = await openDuckDB(this.config);
    const topics = await this.group.matchingTopics(this.pattern);
    await ensureTopics(this.kafka, [{ topic: deadLettersTopic(this.config), partitions: 1 }]);
    await this.decoder.refresh();
    if (topics.length === 0) {
      this.log.warn({ pattern: this.pattern.source }, 'no topic matches: nothing to consume yet');
      if (this.options.untilIdle) return this.summary();
    }
    if (this.stopping !== undefined) return this.summary();
    this.log.info({ topics, group: this.group.groupId }, 'consuming');
    await this.group.connect();
    if (topics.length > 0) await this.group.subscribeWhenKnown(topics, () => this.stopping !== undefined);
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

  /**
   * Topics created after the start (a new source table) are found every CONSUMER_TOPIC_REFRESH_MS: fetching
   * stops, every open batch is written and committed, and the consumer joins the group again with them.
   */
  private async refreshTopics(): Promise<void> {
    try {
      await this.group.refresh(
        this.pattern,
        () => this.stopping !== undefined,
        async () => {
          await this.writeEverything();
          this.onRevoke();
          this.joined = false;
        },
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
      await this.group.stop();
      await this.writeEverything();
      for (const state of this.partitions.values()) state.discard();
      await this.group.disconnect();
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
      files: this.writer.files,
      deadLetters: this.writer.deadLetters,
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
        // A failed resume stops the consumer (failed, below); a partition no batch ever came for must not
        // also end the process with an unhandled rejection of its `ready`.
        state.ready.catch(() => undefined);
        this.partitions.set(tp(topic, partition), state);
        this.resume(state, generation).then(ready, (error: unknown) => {
          fail(error);
          this.failed(error);
        });
      }
    }
  }

  private async resume(state: PartitionState, generation: number): Promise<void> {
    const next = await resumePartition(
      {
        kafka: this.kafka,
        s3: this.s3,
        config: this.config,
        groupId: this.group.groupId,
        log: this.log,
        current: () => generation === this.generation,
        retried: () => this.writer.retried(),
        skipped: (count) => this.skipped.inc(count, { topic: state.topic, partition: state.partition }),
      },
      state,
    );
    if (next === undefined || generation !== this.generation) return;
    state.next = next;
    state.batchStart = next;
    state.consumed = next;
    state.late = new LateObjectWatch(next);
    state.phase = PartitionPhase.ready;
    this.group.seek(state.topic, state.partition, next);
  }

  private async onBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: FetchedBatch): Promise<void> {
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
    batch: FetchedBatch['batch'],
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
    batch: FetchedBatch['batch'],
    isRunning: () => boolean,
    isStale: () => boolean,
    resolveOffset: (offset: string) => void,
    counted: () => void,
  ): Promise<void> {
    // Resolving moves kafkajs's fetch position only (offsets are committed after S3, by hand). It parses
    // the offset into a Long each time, so it is done once, for the last record handled, however the loop ends.
    let handled: string | undefined;
    try {
      await this.addEachMessage(state, batch, isRunning, isStale, counted, (offset) => (handled = offset));
    } finally {
      if (handled !== undefined) resolveOffset(handled);
    }
  }

  private async addEachMessage(
    state: PartitionState,
    batch: FetchedBatch['batch'],
    isRunning: () => boolean,
    isStale: () => boolean,
    counted: () => void,
    handled: (offset: string) => void,
  ): Promise<void> {
    let checked = 0;
    for (const message of batch.messages) {
      // kafkajs's checks are not free: every 32 records (a gone partition is checked on every one).
      if ((checked++ & 31) === 0 && (!isRunning() || isStale())) return;
      if ((state.phase as PartitionPhase) === PartitionPhase.gone) return;
      const offset = BigInt(message.offset);
      handled(message.offset);
      if (offset < state.consumed) continue; // already written, or delivered again after a seek
      const { key, value } = message;
      if (isTombstone(value)) {
        state.consumed = offset + 1n;
        continue;
      }
      counted();
      const size = value.length + (key?.length ?? 0);
      // cdclake's own events take the fast path when they can: the row image goes straight to the appender.
      const direct = this.router.direct(key, value);
      if (direct !== undefined) {
        const open = this.openBatchFor(state, direct.shape) ?? (await this.batchFor(state, direct.shape));
        if (open === undefined) return;
        if (open.appendDirect(direct.shape, direct.plan, direct.event, value, offset, size)) {
          state.consumed = offset + 1n;
          if (this.policy.full(open)) await this.flush(state);
          continue;
        }
      }
      const routed = this.router.decode(key, value);
      const decoded = routed instanceof Promise ? await routed : routed;
      if (decoded.kind === 'dead') {
        const { code, reason } = decoded;
        state.deadLetters.push({
          topic: batch.topic,
          partition: batch.partition,
          offset,
          key,
          value,
          code,
          reason,
        });
      } else if (decoded.kind === 'change') {
        const open = this.openBatchFor(state, decoded.change) ?? (await this.batchFor(state, decoded.change));
        if (open === undefined) return;
        open.append(decoded.change, offset, size);
        state.consumed = offset + 1n;
        if (this.policy.full(open)) await this.flush(state);
        continue;
      }
      state.consumed = offset + 1n;
    }
    if (this.policy.aged(state, Date.now())) await this.flush(state);
    else await this.relieveMemory(state);
  }

  /**
   * Memory pressure, checked after every fetched batch and by the timer (FlushPolicy.memoryVictim): the
   * largest batch is written, by its own handler when that is the caller, else in the background.
   */
  private async relieveMemory(handling?: PartitionState): Promise<void> {
    const victim = this.policy.memoryVictim(this.partitions.values(), handling);
    if (victim === undefined) return;
    this.memoryFlushes.inc(1);
    if (victim === handling) await this.flush(victim);
    else this.flushInBackground(victim);
  }

  /**
   * The partition's open batch, ready for a change of this shape: a batch it does not fit is written first
   * (the change joins the next one, so the taken batch covers only the offsets before it), new columns are
   * added. Undefined when the partition went away meanwhile.
   */
  /** The partition's open batch when the change fits it as it is: most records, and no await for them. */
  private openBatchFor(state: PartitionState, shape: ChangeShape): RawBatch | undefined {
    const open = state.batch;
    return open !== undefined && open.fits(shape) && !open.needsWiden(shape) ? open : undefined;
  }

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

  /** Age and memory checks, and `--until-idle`'s end. Writes are started here, not awaited. */
  private async tick(): Promise<void> {
    if (this.refreshing !== undefined) return;
    const now = Date.now();
    const { due, oldestMs } = this.policy.due(this.partitions.values(), now, this.options.untilIdle);
    for (const state of due) this.flushInBackground(state);
    // Only once the partition wrote something of its own: before, no late object can be known for a copy.
    for (const state of this.partitions.values()) {
      const late = state.late;
      if (
        state.phase === PartitionPhase.ready &&
        late !== undefined &&
        state.next > late.from &&
        late.due(now)
      )
        this.sweepInBackground(state);
    }
    this.batchAge.set(oldestMs / 1000);
    await this.relieveMemory();
    if (this.options.untilIdle && this.joined) await this.stopIfIdle(now);
    if (!this.options.untilIdle && now - this.lastTopicCheck >= this.config.CONSUMER_TOPIC_REFRESH_MS)
      this.refreshing = this.refreshTopics().catch((error: unknown) => this.failed(error));
  }

  /**
   * `--until-idle`: done when every assigned partition is written to its end and the assignment is the
   * whole story: alone in a stable group with every partition (aloneInGroup), or other members that have
   * stayed for longer than a session timeout (alive, so owning their partitions), not members killed a
   * moment ago whose partitions come to us once the broker notices.
   */
  private async stopIfIdle(now: number): Promise<void> {
    if (!allWritten(this.partitions.values())) {
      this.idleSince = undefined;
      return;
    }
    if (this.idleSince === undefined) {
      this.idleSince = now;
      this.log.info({ events: this.eventsIn.total() }, 'every assigned partition is written to its end');
    }
    if (now - this.lastGroupCheck < 1000) return;
    this.lastGroupCheck = now;
    const alone = aloneInGroup(await this.group.describe(), this.partitions.size, this.group.topicPartitions);
    if (alone || now - this.idleSince > SESSION_TIMEOUT_MS + 5000) void this.stop();
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

  /** Looks for the partition's late objects (late-objects.ts) after its writes under way. */
  private sweepInBackground(state: PartitionState): void {
    const writing = (state.writing ?? Promise.resolve()).then(() => this.writer.sweepLateObjects(state));
    state.writing = writing;
    void writing.finally(() => {
      if (state.writing === writing) state.writing = undefined;
    });
  }

  private flushInBackground(state: PartitionState): void {
    const taken = state.take();
    const previous = state.writing ?? Promise.resolve();
    const run = previous.then(() => this.writer.write(state, taken, this.uploads.signal));
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
}
