// The publisher against a broker with Kafka's default limits (message.max.bytes about 1 MB, as users'
// clusters have): 5000 records of 1.3 KB over 6 partitions, or of 250 B on one partition, were one request
// each and refused with MESSAGE_TOO_LARGE. Requests are now bounded by bytes read from the cluster.

import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { DEFAULT_MESSAGE_MAX_BYTES, readMessageMaxBytes } from '../../../core/kafka/broker-limits.ts';
import { ensureTopics } from '../../../core/kafka/topics.ts';
import { Publisher } from '../../../producer/publisher.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';

test('the test broker runs with Kafka default message.max.bytes, and the publisher reads it', async () => {
  const config = testConfig();
  expect(await readMessageMaxBytes(config)).toBe(DEFAULT_MESSAGE_MAX_BYTES);
  const publisher = new Publisher(config, uniqueId('limits'));
  await publisher.connect();
  try {
    expect(publisher.requestBytes).toBe(Math.floor(DEFAULT_MESSAGE_MAX_BYTES * 0.9));
  } finally {
    await publisher.disconnect();
  }
});

for (const { partitions, bytes } of [
  { partitions: 6, bytes: 1300 },
  { partitions: 1, bytes: 250 },
  { partitions: 3, bytes: 200_000 },
]) {
  test(`5000 records of ${bytes} bytes over ${partitions} partition(s) are all acknowledged by a default broker`, async () => {
    const config = testConfig();
    const topic = uniqueId('wide');
    await ensureTopics(createKafka(config), [{ topic, partitions }]);
    const publisher = new Publisher(config, uniqueId('wide'));
    await publisher.connect();
    const count = bytes > 100_000 ? 60 : 5000;
    try {
      const value = Buffer.alloc(bytes, 0x61);
      await publisher.publish(
        Array.from({ length: count }, (_, i) => ({ topic, key: Buffer.from(`key-${i}`), value })),
      );
      await publisher.flush();
      expect(publisher.acknowledgedCount).toBe(count);
    } finally {
      await publisher.disconnect();
    }
    const admin = createKafka(config).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(count);
    } finally {
      await admin.disconnect();
    }
  });
}

test("a topic whose own max.message.bytes is below the broker's bounds the requests", async () => {
  const prefix = uniqueId('narrow');
  const config = testConfig({ CDC_TOPIC_PREFIX: prefix });
  const topic = `${prefix}.public.wide`;
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 2,
          replicationFactor: -1,
          configEntries: [{ name: 'max.message.bytes', value: '200000' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  expect(await readMessageMaxBytes(config)).toBe(200_000);
  const publisher = new Publisher(config, uniqueId('narrow'));
  await publisher.connect();
  try {
    expect(publisher.requestBytes).toBe(180_000);
    const value = Buffer.alloc(1300, 0x61);
    await publisher.publish(
      Array.from({ length: 3000 }, (_, i) => ({ topic, key: Buffer.from(`key-${i}`), value })),
    );
    await publisher.flush();
    expect(publisher.acknowledgedCount).toBe(3000);
  } finally {
    await publisher.disconnect();
  }
});
