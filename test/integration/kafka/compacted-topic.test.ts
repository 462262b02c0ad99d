// The small state topics (schemas, producer state) read from start to end on the real Kafka: one that no
// producer has created yet reads as empty, at once, and is not created by the read.

import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { readEntries, writeEntries } from '../../../core/kafka/compacted-topic.ts';
import { ensureTopics } from '../../../core/kafka/topics.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';

// Without the existence check, kafkajs retried the missing topic's offsets for about 40 s: this test's
// timeout is the guard against a hang, not a speed figure.
test('a topic that does not exist reads as empty and is not created', { timeout: 15_000 }, async () => {
  const kafka = createKafka(testConfig());
  const topic = `${uniqueId('missing')}._schemas`;
  expect(await readEntries(kafka, topic)).toEqual(new Map());
  const admin = kafka.admin();
  await admin.connect();
  try {
    expect(await admin.listTopics()).not.toContain(topic);
  } finally {
    await admin.disconnect();
  }
});

test('a written topic reads back its latest entry per key', async () => {
  const kafka = createKafka(testConfig());
  const topic = `${uniqueId('state')}._state`;
  await ensureTopics(kafka, [{ topic, partitions: 1, compacted: true }]);
  await writeEntries(kafka, topic, [
    { key: 'a', value: '1' },
    { key: 'b', value: '2' },
  ]);
  await writeEntries(kafka, topic, [{ key: 'a', value: '3' }]);
  expect(await readEntries(kafka, topic)).toEqual(
    new Map([
      ['a', '3'],
      ['b', '2'],
    ]),
  );
});
