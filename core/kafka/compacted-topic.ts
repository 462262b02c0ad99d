// Small key/value state on compacted topics: writer schemas keyed by fingerprint on `<prefix>._schemas`,
// the producer's snapshot state keyed by slot on `<prefix>._producer_state`. Read from start to end.

import type { Kafka } from 'kafkajs';
import { createProducer } from './client.ts';
import { readToEnd } from './topic-reader.ts';

export async function writeEntries(
  kafka: Kafka,
  topic: string,
  entries: { key: string; value: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  const producer = createProducer(kafka, {
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
  const found = new Map<string, string>();
  await readToEnd(kafka, topic, (message) => {
    const key = message.key?.toString();
    if (key === undefined) return;
    if (message.value === null) found.delete(key);
    else found.set(key, message.value.toString());
  });
  return found;
}
