// Where a partition resumes: S3, not Kafka's committed offset, is the truth. The committed offset is
// only a hint to list less: objects are written before offsets are committed, so every object after the
// commit starts at or after it.

import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KafkaClient } from '../core/kafka/client.ts';
import type { Config } from '../core/config.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { kafkaAccessError } from '../core/kafka/access-errors.ts';
import { listGaps, listRawObjectsAfter, type Gap } from '../core/raw-layer/listing.ts';
import type { Logger } from '../core/logger.ts';
import { s3Failure } from '../core/s3-failure.ts';
import type { PartitionState } from './partition-state.ts';
import { patiently } from '../core/patiently.ts';
import { gapKey, partitionPrefix, startAfterFor } from '../core/raw-layer/keys.ts';

export interface ResumePoint {
  /** The next offset to write; undefined when the partition has no object yet. */
  next: bigint | undefined;
  /** Objects found after the hint. */
  listed: number;
}

export async function findResumePoint(
  s3: S3Client,
  bucket: string,
  root: string,
  topic: string,
  partition: number,
  committedHint: bigint | undefined,
): Promise<ResumePoint> {
  const prefix = partitionPrefix(root, topic, partition);
  const after = await listRawObjectsAfter(
    s3,
    bucket,
    root,
    topic,
    partition,
    startAfterFor(root, topic, partition, committedHint ?? 0n),
  );
  let next: bigint | undefined;
  for (const object of after) if (next === undefined || object.last + 1n > next) next = object.last + 1n;
  const listed = after.length;
  // Nothing after the hint: the committed offset itself is where the last object ended.
  if (next === undefined && committedHint !== undefined && committedHint > 0n) {
    const before = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        StartAfter: startAfterFor(root, topic, partition, 0n),
        MaxKeys: 1,
      }),
    );
    if ((before.KeyCount ?? 0) > 0) next = committedHint;
  }
  // Offsets skipped before (CONSUMER_ACCEPT_GAP) count as written.
  for (const gap of await listGaps(s3, bucket, root, topic, partition)) {
    if (next === undefined || gap.last + 1n > next) next = gap.last + 1n;
  }
  return { next, listed };
}

/**
 * The partition's next offset to write is older than Kafka's log start: retention deleted offsets
 * `next`..`logStart - 1` before they reached raw. Without `accept`, an error naming them; with it, the gap
 * is recorded in S3 (so status shows it and a restart does not stop on it again) and reading goes on.
 */
export async function handleRetentionGap(
  s3: S3Client,
  bucket: string,
  root: string,
  gap: Gap,
  accept: boolean,
): Promise<void> {
  const { topic, partition, first, last } = gap;
  const count = last - first + 1n;
  if (!accept)
    throw new CdcError(
      ErrorCode.KAFKA_RETENTION_GAP,
      `topic ${topic} partition ${partition}: offsets ${first}..${last} (${count} records) were deleted by ` +
        `Kafka's retention before they were written to raw. Their changes are lost to the lake. ` +
        `To go on without them set CONSUMER_ACCEPT_GAP=true, then re-snapshot the table ` +
        `(cdclake snapshot --tables <table>) to bring the lake back in step.`,
      { facts: { topic, partition, first: first.toString(), last: last.toString() } },
    );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: gapKey(root, topic, partition, first, last),
      ContentType: 'application/json',
      Body: JSON.stringify({
        topic,
        partition,
        first: first.toString(),
        last: last.toString(),
        records: count.toString(),
        skippedAt: new Date().toISOString(),
        reason: "deleted by Kafka's retention before it was written to raw",
      }),
    }),
  );
}

export interface ResumeContext {
  kafka: KafkaClient;
  s3: S3Client;
  config: Config;
  groupId: string;
  log: Logger;
  /** False once the assignment this resume belongs to is over (a rebalance began). */
  current: () => boolean;
  /** A listing about to be tried again. */
  retried: () => void;
  /** Offsets skipped over a retention gap (CONSUMER_ACCEPT_GAP). */
  skipped: (count: number) => void;
}

/**
 * An assigned partition's next offset: after its last object in S3 (the committed offset only a hint), or
 * Kafka's log start when retention deleted what came before (handleRetentionGap). Undefined when the
 * assignment ended meanwhile. The partition's high watermark is set on `state` on the way.
 */
export async function resumePartition(
  ctx: ResumeContext,
  state: PartitionState,
): Promise<bigint | undefined> {
  const { s3, config, log } = ctx;
  const { hint, low, high } = await kafkaPatiently(ctx, state, () => kafkaOffsets(ctx, state));
  state.highWatermark = high;
  // An upload the previous owner abandoned may still land after this listing: the new owner removes that
  // second copy later (late-objects.ts).
  const point = await listPatiently(ctx, state, (listingStarted) =>
    findResumePoint(s3, config.S3_BUCKET, config.RAW_PREFIX, state.topic, state.partition, hint).catch(
      (error: unknown) => {
        const key = partitionPrefix(config.RAW_PREFIX, state.topic, state.partition);
        throw s3Failure(error, 'listing of', { bucket: config.S3_BUCKET, key }, config, listingStarted);
      },
    ),
  );
  let next = point.next ?? low;
  if (next < low) {
    const gap = { topic: state.topic, partition: state.partition, first: next, last: low - 1n };
    await handleRetentionGap(s3, config.S3_BUCKET, config.RAW_PREFIX, gap, config.CONSUMER_ACCEPT_GAP);
    ctx.skipped(Number(low - next));
    log.warn(
      { ...gap, first: gap.first.toString(), last: gap.last.toString() },
      "offsets deleted by Kafka's retention before they reached raw are skipped (CONSUMER_ACCEPT_GAP)",
    );
    next = low;
  }
  if (!ctx.current()) return undefined;
  log.info(
    { topic: state.topic, partition: state.partition, next: next.toString(), objects: point.listed },
    'partition resumes',
  );
  return next;
}

/** The group's committed offset of the partition (a hint) and the partition's log start and end. */
async function kafkaOffsets(
  ctx: ResumeContext,
  state: PartitionState,
): Promise<{ hint: bigint | undefined; low: bigint; high: bigint }> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: ctx.groupId, topics: [state.topic] });
    const offset = committed?.partitions.find((p) => p.partition === state.partition)?.offset;
    const offsets = await admin.fetchTopicOffsets(state.topic);
    const bounds = offsets.find((o) => o.partition === state.partition);
    return {
      hint: offset === undefined || offset === '-1' ? undefined : BigInt(offset),
      low: BigInt(bounds?.low ?? '0'),
      high: BigInt(bounds?.high ?? '0'),
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Kafka's side of a resume, tried again while the brokers are away (a broker restarting as the group
 * rejoins), as listings are, for up to CONSUMER_UPLOAD_RETRY_MS. A refusal (SASL credentials, TLS trust)
 * and a rebalance under way end it at once.
 */
function kafkaPatiently<T>(ctx: ResumeContext, state: PartitionState, read: () => Promise<T>): Promise<T> {
  return patiently(read, {
    forMs: ctx.config.CONSUMER_UPLOAD_RETRY_MS,
    retriable: (error) => kafkaAccessError(error, ctx.config) ?? true,
    wanted: ctx.current,
    onRetry: (error, attempt, waitMs) =>
      ctx.log.warn(
        { err: error, topic: state.topic, partition: state.partition, attempt, retryInMs: waitMs },
        "reading the partition's offsets from Kafka failed; trying again",
      ),
  });
}

/**
 * A listing at partition assignment, tried again while S3 is unavailable (a store restarting, a network
 * gone for a while) as uploads are, for up to CONSUMER_UPLOAD_RETRY_MS. A refusal (credentials, a missing
 * bucket: not `retriable`) and a rebalance under way end it at once.
 */
function listPatiently<T>(
  ctx: ResumeContext,
  state: PartitionState,
  list: (startedAt: number) => Promise<T>,
): Promise<T> {
  return patiently(() => list(performance.now()), {
    forMs: ctx.config.CONSUMER_UPLOAD_RETRY_MS,
    retriable: (error) => error instanceof CdcError && error.retriable,
    wanted: ctx.current,
    onRetry: (error, attempt, waitMs) => {
      ctx.retried();
      ctx.log.warn(
        { err: error, topic: state.topic, partition: state.partition, attempt, retryInMs: waitMs },
        'listing the raw layer failed; trying again',
      );
    },
  });
}
