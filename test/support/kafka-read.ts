// Reading what a test's topics hold: every record up to the end as of the call, and the change events
// decoded with the writer schemas from the schemas topic.

import type { Config } from '../../core/config.ts';
import { SchemaStore } from '../../core/events/schema-store.ts';
import type { ChangeEvent, Row } from '../../core/events/types.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { readEntries } from '../../core/kafka/compacted-topic.ts';
import { readToEnd } from '../../core/kafka/topic-reader.ts';
import { schemasTopic } from '../../core/kafka/topics.ts';

export interface RawRecord {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export async function readTopic(config: Config, topic: string): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  await readToEnd(createKafka(config, 'test-reader'), topic, (record) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(record.headers)) headers[k] = String(v);
    records.push({
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      value: record.value,
      headers,
    });
  });
  return records;
}

export async function schemaStoreFor(config: Config): Promise<SchemaStore> {
  const store = new SchemaStore();
  const entries = await readEntries(createKafka(config, 'test-reader'), schemasTopic(config));
  for (const schema of entries.values()) store.add(schema);
  return store;
}

/** Every event of a table topic, in partition order; the last one per key is its final state. */
export async function readEvents(
  config: Config,
  topic: string,
): Promise<{
  events: (ChangeEvent & { partition: number; offset: bigint; key: Row })[];
  tombstones: number;
}> {
  const store = await schemaStoreFor(config);
  const records = await readTopic(config, topic);
  const events = [];
  let tombstones = 0;
  for (const record of records) {
    if (record.value === null) {
      tombstones++;
      continue;
    }
    const event = store.decodeEvent(record.value);
    events.push({
      ...event,
      partition: record.partition,
      offset: record.offset,
      key: store.decodeKey(record.key as Buffer),
    });
  }
  return { events, tombstones };
}

/** The final row per key: its event of the highest position (then offset), as the merge keeps it; null for a delete. */
export function lastRowPerKey(
  events: { op: string; after: Row | null; key: Row; partition: number; offset: bigint; pos: bigint }[],
  keyOf: (row: Row) => string,
): Map<string, Row | null> {
  const sorted = [...events].sort(
    (a, b) =>
      (a.pos < b.pos ? -1 : a.pos > b.pos ? 1 : 0) ||
      a.partition - b.partition ||
      Number(a.offset - b.offset),
  );
  const result = new Map<string, Row | null>();
  for (const event of sorted) result.set(keyOf(event.key), event.op === 'd' ? null : event.after);
  return result;
}
