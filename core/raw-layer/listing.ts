// Listing the raw layer without listing all of it: the topics and their partitions are the "directories"
// of Contract 2's keys (listed with a delimiter), and a partition's objects are listed after a key (S3
// StartAfter): the merge lists after the last object merged, the consumer after its committed offset when
// it resumes a partition, tests from the start.

import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gapsPrefix, parseGapKey, parseRawObjectKey, partitionPrefix } from './keys.ts';

export interface RawObject {
  key: string;
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
}

async function commonPrefixes(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) found.push(p.Prefix);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return found;
}

/** Every topic partition with a folder in the raw layer. */
export async function listRawPartitions(
  s3: S3Client,
  bucket: string,
  root: string,
): Promise<{ topic: string; partition: number }[]> {
  const topics = await commonPrefixes(s3, bucket, root);
  const folders = await Promise.all(topics.map((topicPrefix) => commonPrefixes(s3, bucket, topicPrefix)));
  const partitions: { topic: string; partition: number }[] = [];
  topics.forEach((topicPrefix, i) => {
    const topic = topicPrefix.slice(root.length, -1);
    for (const partitionFolder of folders[i] ?? []) {
      const match = /partition=(\d+)\/$/.exec(partitionFolder);
      if (match !== null) partitions.push({ topic, partition: Number(match[1]) });
    }
  });
  return partitions;
}

/** The partition's objects whose keys sort after `startAfter` (all of them when undefined), in key order. */
export async function listRawObjectsAfter(
  s3: S3Client,
  bucket: string,
  root: string,
  topic: string,
  partition: number,
  startAfter: string | undefined,
): Promise<RawObject[]> {
  const prefix = partitionPrefix(root, topic, partition);
  const objects: RawObject[] = [];
  let after = startAfter ?? prefix;
  for (;;) {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, StartAfter: after, MaxKeys: 1000 }),
    );
    for (const object of page.Contents ?? []) {
      const name = object.Key === undefined ? undefined : parseRawObjectKey(object.Key);
      if (name !== undefined && name.topic === topic && name.partition === partition)
        objects.push({ key: object.Key as string, ...name });
    }
    const last = page.Contents?.at(-1)?.Key;
    if (page.IsTruncated !== true || last === undefined) return objects;
    after = last;
  }
}

/** Offsets Kafka's retention deleted before they reached raw, recorded under `_gaps/` (CONSUMER_ACCEPT_GAP). */
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
