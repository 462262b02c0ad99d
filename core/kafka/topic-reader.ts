// Reads topics from a chosen point, every partition, without committing anything: for `cdclake tail`, and
// to read a small state topic (schemas, producer state) to its end. A throwaway group is joined only to be
// handed the partitions; its offsets are never written.
//
//   start of each partition: its first offset (beginning), its end when the read starts (end), or the first
//   record at or after a time (Kafka's offset index by timestamp)
//   without follow: each partition is read to its end as of the start, then the read is over
//   with follow: records keep coming until the signal aborts

import { randomBytes } from 'node:crypto';
import { CdcError, ErrorCode } from '../errors.ts';
import type { KafkaClient } from './client.ts';

export type StartAt = { kind: 'beginning' } | { kind: 'end' } | { kind: 'time'; ms: number };

export interface TopicRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** The record's Kafka timestamp, milliseconds. */
  timestampMs: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface TopicReadOptions {
  topics: string[];
  from: StartAt;
  follow: boolean;
  /** Ends the read (follow), and one not yet at its end. */
  signal: AbortSignal;
  /** Each record in offset order per partition; the next waits for its promise (backpressure). */
  onRecord: (record: TopicRecord) => Promise<void> | void;
  /** A topic that does not exist: refused by name (the default), or read as empty. */
  ifMissing?: 'fail' | 'empty';
  /** The throwaway group's name starts with this. */
  groupPrefix?: string;
}

interface Range {
  start: bigint;
  end: bigint;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Where each partition of the topics starts and, as of now, ends. */
async function ranges(
  kafka: KafkaClient,
  topics: string[],
  from: StartAt,
  ifMissing: 'fail' | 'empty',
): Promise<Map<string, Range>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0 && ifMissing === 'fail')
      throw new CdcError(ErrorCode.USAGE, `no such topic: ${missing.join(', ')}`, {
        facts: { topics: missing },
      });
    const out = new Map<string, Range>();
    // A topic that does not exist yet (no producer has run) holds nothing: asking for its offsets would have
    // the client retry for about 40 s before it gives up.
    for (const topic of topics.filter((t) => existing.has(t))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const atTime =
        from.kind === 'time'
          ? new Map(
              (await admin.fetchTopicOffsetsByTimestamp(topic, from.ms)).map((o) => [o.partition, o.offset]),
            )
          : undefined;
      for (const o of offsets) {
        const low = BigInt(o.low);
        const high = BigInt(o.high);
        let start = from.kind === 'end' ? high : low;
        if (atTime !== undefined) {
          // No record at or after the time: Kafka answers -1 (or the end); reading starts at the end.
          const found = BigInt(atTime.get(o.partition) ?? '-1');
          start = found < 0n ? high : found < low ? low : found;
        }
        out.set(key(topic, o.partition), { start, end: high });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Resolves when the read is over: every partition at its end (without follow), or the signal aborted. */
export async function readTopics(kafka: KafkaClient, options: TopicReadOptions): Promise<void> {
  const { follow, signal, onRecord } = options;
  const parts = await ranges(kafka, options.topics, options.from, options.ifMissing ?? 'fail');
  const topics = [...new Set([...parts.keys()].map((k) => k.split('\u0000')[0] as string))];
  const open = new Set([...parts].filter(([, r]) => follow || r.start < r.end).map(([k]) => k));
  if (open.size === 0 || signal.aborted) return;
  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix ?? 'cdclake-tail'}-${randomBytes(6).toString('hex')}`,
    // One member that never commits: no need to wait for others to join.
    rebalanceTimeout: 10_000,
  });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const finish = (): void => resolve();
      signal.addEventListener('abort', finish, { once: true });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
      consumer
        .subscribe({ topics, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              if (signal.aborted) return;
              const k = key(topic, partition);
              const range = parts.get(k);
              const offset = BigInt(message.offset);
              // Records before the start (the seek not applied yet) and, without follow, past the end.
              if (range === undefined || offset < range.start) return;
              if (!follow && offset >= range.end) return;
              try {
                await onRecord({
                  topic,
                  partition,
                  offset,
                  timestampMs: Number(message.timestamp),
                  key: message.key,
                  value: message.value,
                  headers: message.headers ?? {},
                });
              } catch (error: unknown) {
                reject(error);
                return;
              }
              if (!follow && offset + 1n >= range.end) {
                open.delete(k);
                if (open.size === 0) finish();
              }
            },
          }),
        )
        .then(() => {
          // Only a shortcut: records before a partition's start are skipped above anyway. The read may be
          // over already (a small topic), its consumer gone: nothing is left to seek then.
          if (options.from.kind === 'beginning' || signal.aborted || open.size === 0) return;
          for (const [k, range] of parts) {
            const [topic, partition] = k.split('\u0000') as [string, string];
            try {
              consumer.seek({ topic, partition: Number(partition), offset: String(range.start) });
            } catch {
              return;
            }
          }
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Every record of a topic from its start to its end as of the call; a topic that does not exist is empty. */
export function readToEnd(
  kafka: KafkaClient,
  topic: string,
  onRecord: (record: TopicRecord) => void,
): Promise<void> {
  return readTopics(kafka, {
    topics: [topic],
    from: { kind: 'beginning' },
    follow: false,
    signal: new AbortController().signal,
    onRecord,
    ifMissing: 'empty',
    groupPrefix: 'cdclake-reader',
  });
}
