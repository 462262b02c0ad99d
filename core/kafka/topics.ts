// Topic names of Contract 1 and creating topics with the configured partitions.
// The schemas and dead-letter topics are the project's own; the schemas topic is compacted.

import type { Kafka } from 'kafkajs';
import type { Config } from '../config.ts';

export function tableTopic(config: Config, schema: string, table: string): string {
  return `${config.CDC_TOPIC_PREFIX}.${schema}.${table}`;
}

export function schemasTopic(config: Config): string {
  return `${config.CDC_TOPIC_PREFIX}._schemas`;
}

export function producerStateTopic(config: Config): string {
  return `${config.CDC_TOPIC_PREFIX}._producer_state`;
}

export function deadLettersTopic(config: Config): string {
  return `${config.CDC_TOPIC_PREFIX}._dead_letters`;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(
  kafka: Kafka,
  topics: { topic: string; partitions: number; compacted?: boolean }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: -1,
        configEntries: t.compacted === true ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
