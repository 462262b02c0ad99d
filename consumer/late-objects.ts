// Objects an earlier owner of a partition wrote after this consumer resumed it. An upload abandoned at a
// rebalance, or cut by a kill -9, can still land later: a server that had the whole request answers it when it
// can, and a hung one (stopped, or stuck on a disk) can do that seconds or minutes later. By then the
// partition's next owner has listed S3, resumed after the last object it saw and read those offsets from
// Kafka again, so the late object is a second copy of offsets the owner writes too.
//
// The owner removes such copies. Every few seconds after it resumes, and for LATE_OBJECT_WINDOW_MS after its
// own first object landed (S3 answers again then, so what was stuck in it lands then too), it lists the
// partition after its resume point. An object it did not write, starting at or after that point and ending
// before the first offset it has not written yet, holds only offsets its own objects hold. Before removing
// it, the owner commits its offset to the group: a commit the coordinator accepts shows that no later
// generation of the group exists yet, so no later owner wrote anything this listing saw. Only objects of its
// own consumer group are removed (each object names its group in its metadata): another group writing the same
// prefix is a mistake to report, and its objects are not this group's to judge.

import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listRawObjectsAfter } from '../core/raw-layer/listing.ts';
import { startAfterFor } from '../core/raw-layer/keys.ts';

/** The user metadata naming the consumer group that wrote a raw object (x-amz-meta-cdclake-group). */
export const GROUP_METADATA = 'cdclake-group';
/** How long after its first object landed a partition's owner keeps looking for late objects. */
export const LATE_OBJECT_WINDOW_MS = 5 * 60_000;
/** How often it looks meanwhile. */
export const LATE_OBJECT_SWEEP_EVERY_MS = 5_000;

/** What one owner knows of a partition it resumed: where, what it wrote since, and when it last looked. */
export class LateObjectWatch {
  /** The partition's resume point: the first offset this owner read again. */
  readonly from: bigint;
  private readonly own = new Set<string>();
  private firstLandedAt: number | undefined;
  private lastSweep = 0;
  private foreignReported = false;

  constructor(from: bigint) {
    this.from = from;
  }

  /** An object this owner wrote landed. */
  wrote(key: string, now = Date.now()): void {
    if (!this.watching(now)) return;
    this.firstLandedAt ??= now;
    this.own.add(key);
  }

  /** True while late objects may still land (the window has not passed). */
  watching(now = Date.now()): boolean {
    return this.firstLandedAt === undefined || now - this.firstLandedAt < LATE_OBJECT_WINDOW_MS;
  }

  /** True when a sweep is due: watching, and the last one is a while ago. Marks it started. */
  due(now = Date.now()): boolean {
    if (!this.watching(now) || now - this.lastSweep < LATE_OBJECT_SWEEP_EVERY_MS) return false;
    this.lastSweep = now;
    return true;
  }

  /** True the first time only: another writer's objects are reported once per assignment. */
  reportForeign(): boolean {
    const first = !this.foreignReported;
    this.foreignReported = true;
    return first;
  }

  /** Of a listing after `from`, the objects this owner did not write whose offsets its own objects hold. */
  late(listed: readonly { key: string; first: bigint; last: bigint }[], next: bigint): string[] {
    return listed
      .filter((o) => !this.own.has(o.key) && o.first >= this.from && o.last < next)
      .map((o) => o.key);
  }
}

/**
 * The late objects of a partition now (see the top of this file), none before the owner wrote anything:
 * `group`'s, and apart those another writer put there.
 */
export async function listLateObjects(
  s3: S3Client,
  where: { bucket: string; root: string; topic: string; partition: number; group: string },
  watch: LateObjectWatch,
  next: bigint,
): Promise<{ late: string[]; foreign: { key: string; group: string | undefined }[] }> {
  const { bucket, root, topic, partition, group } = where;
  if (next <= watch.from) return { late: [], foreign: [] };
  const listed = await listRawObjectsAfter(
    s3,
    bucket,
    root,
    topic,
    partition,
    startAfterFor(root, topic, partition, watch.from),
  );
  const late: string[] = [];
  const foreign: { key: string; group: string | undefined }[] = [];
  for (const key of watch.late(listed, next)) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const writer = head.Metadata?.[GROUP_METADATA];
    if (writer === group) late.push(key);
    else foreign.push({ key, group: writer });
  }
  return { late, foreign };
}

export async function removeObjects(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
