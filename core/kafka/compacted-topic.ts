// Small key/value state on compacted topics: writer schemas keyed by fingerprint on `<prefix>._schemas`,
// the producer's snapshot state keyed by slot on `<prefix>._producer_state`. Read from start to end.

import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export async function writeEntries(
  kafka: Kafka,
  topic: string,
  entries: { key: string; value: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: entries.map((e) => ({ key: e.key, value: e.value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Every key's latest value, reading the topic from its start to its end as of the call. */
export async function readEntries(kafka: Kafka, topic: string): Promise<Map<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const found = new Map<string, string>();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (remaining.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `cdclake-reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const key = message.key?.toString();
            if (key !== undefined) {
              if (message.value === null) found.delete(key);
              else found.set(key, message.value.toString());
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
  return found;
}
