// Topics created by several clients at once, as `cdclake up` does at start (the producer its table topics,
// the consumer the dead letters, both the state topics): every caller resolves once the topic exists with its
// partitions, none fails on the brokers' metadata not having caught up with the creation yet.

import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { ensureTopics } from '../../../core/kafka/topics.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';

test('ensureTopics from many clients at once: all resolve, each topic created once with its partitions', async () => {
  const config = testConfig();
  for (let round = 0; round < 4; round++) {
    const topics = Array.from({ length: 3 }, (_, i) => ({
      topic: `${uniqueId('created')}_${i}`,
      partitions: 3,
    }));
    const clients = Array.from({ length: 6 }, () => createKafka(config));
    await Promise.all(clients.map((kafka) => ensureTopics(kafka, topics)));
    const admin = clients[0]!.admin();
    await admin.connect();
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      expect(found.map((t) => t.partitions.length)).toEqual([3, 3, 3]);
      await admin.deleteTopics({ topics: topics.map((t) => t.topic) });
    } finally {
      await admin.disconnect();
    }
  }
}, 120_000);
