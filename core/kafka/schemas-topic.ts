// Writer schemas on the compacted `<prefix>._schemas` topic, keyed by fingerprint (16 hex digits), so a
// consumer can resolve any event's writer schema from Kafka alone.

import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface PublishedSchema {
  fingerprint: string;
  schema: string;
}

/** Publishes schemas not published before (compaction keeps one copy per fingerprint anyway). */
export async function publishSchemas(kafka: Kafka, topic: string, schemas: PublishedSchema[]): Promise<void> {
  if (schemas.length === 0) return;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: schemas.map((s) => ({ key: s.fingerprint, value: s.schema })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Reads the schemas topic from its start to its current end. */
export async function readSchemas(kafka: Kafka, topic: string): Promise<PublishedSchema[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const found = new Map<string, string>();
  if (remaining.size === 0) return [];
  const consumer = kafka.consumer({ groupId: `cdclake-schemas-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.key !== null && message.value !== null) {
              found.set(message.key.toString(), message.value.toString());
            }
            if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) {
              remaining.delete(partition);
              if (remaining.size === 0) resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return [...found].map(([fingerprint, schema]) => ({ fingerprint, schema }));
}
