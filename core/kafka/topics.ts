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

/** Attempts of a topic creation whose metadata the brokers have not spread yet (a retriable error). */
const CREATE_ATTEMPTS = 8;

/**
 * Creates the topics that do not exist yet; existing ones are left as they are. Another client creating the
 * same topic at once, or a broker answering for a topic it does not know of yet (UNKNOWN_TOPIC_OR_PARTITION
 * while kafkajs waits for the leaders: it retries only LEADER_NOT_AVAILABLE), is tried again, not a failure.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: { topic: string; partitions: number; compacted?: boolean }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
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
        return;
      } catch (error: unknown) {
        const retriable = (error as { retriable?: unknown }).retriable === true;
        if (!retriable || attempt >= CREATE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
