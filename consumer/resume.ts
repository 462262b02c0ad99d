// Where a partition resumes: S3, not Kafka's committed offset, is the truth. The committed offset is
// only a hint to list less: objects are written before offsets are committed, so every object after the
// commit starts at or after it.

import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CdcError, ErrorCode } from '../core/errors.ts';
import {
  gapKey,
  gapsPrefix,
  parseGapKey,
  parseRawObjectKey,
  partitionPrefix,
  startAfterFor,
} from './object-key.ts';

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
  let startAfter = startAfterFor(root, topic, partition, committedHint ?? 0n);
  let next: bigint | undefined;
  let listed = 0;
  for (;;) {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, StartAfter: startAfter, MaxKeys: 1000 }),
    );
    for (const object of page.Contents ?? []) {
      const name = object.Key === undefined ? undefined : parseRawObjectKey(object.Key);
      if (name === undefined) continue;
      listed++;
      if (next === undefined || name.last + 1n > next) next = name.last + 1n;
    }
    const last = page.Contents?.at(-1)?.Key;
    if (page.IsTruncated !== true || last === undefined) break;
    startAfter = last;
  }
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

export interface Gap {
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
}

/** The gaps recorded for a partition, or for every partition when `topic` is undefined. */
export async function listGaps(
  s3: S3Client,
  bucket: string,
  root: string,
  topic?: string,
  partition?: number,
): Promise<Gap[]> {
  const gaps: Gap[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: gapsPrefix(root, topic, partition),
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      const gap = object.Key === undefined ? undefined : parseGapKey(object.Key);
      if (gap !== undefined && (partition === undefined || gap.partition === partition)) gaps.push(gap);
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return gaps;
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
