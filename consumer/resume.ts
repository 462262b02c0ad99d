// Where a partition resumes: S3, not Kafka's committed offset, is the truth. The committed offset is
// only a hint to list less: objects are written before offsets are committed, so every object after the
// commit starts at or after it.

import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseRawObjectKey, partitionPrefix, startAfterFor } from './object-key.ts';

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
  return { next, listed };
}
