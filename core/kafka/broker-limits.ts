// What the Kafka cluster accepts, read from the cluster itself: a producer's batches stay under the broker's
// message.max.bytes (about 1 MB by default) and their topics' max.message.bytes, whatever the row width and
// the number of partitions.

import kafkajs from 'kafkajs';
import type { Config } from '../config.ts';
import { createKafka } from './client.ts';

/** Kafka's own default of message.max.bytes, when the cluster does not say. */
export const DEFAULT_MESSAGE_MAX_BYTES = 1_048_588;

/**
 * The largest record batch the cluster takes for cdclake's topics: the smallest of the brokers'
 * message.max.bytes and of the topics' own max.message.bytes (every existing `<prefix>.` topic, or `topics`).
 */
export async function readMessageMaxBytes(config: Config, topics?: string[]): Promise<number> {
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const names =
      topics ?? (await admin.listTopics()).filter((t) => t.startsWith(`${config.CDC_TOPIC_PREFIX}.`));
    // kafkajs is CommonJS, and Node's ESM loader does not see this export by name.
    const { BROKER, TOPIC } = kafkajs.ConfigResourceTypes;
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        ...brokers.map((b) => ({ type: BROKER, name: String(b.nodeId), configNames: ['message.max.bytes'] })),
        ...names.map((name) => ({ type: TOPIC, name, configNames: ['max.message.bytes'] })),
      ],
    });
    const values = described.resources
      .flatMap((r) => r.configEntries)
      .filter((e) => e.configName === 'message.max.bytes' || e.configName === 'max.message.bytes')
      .map((e) => Number(e.configValue))
      .filter((v) => Number.isFinite(v) && v > 0);
    return values.length === 0 ? DEFAULT_MESSAGE_MAX_BYTES : Math.min(...values);
  } finally {
    await admin.disconnect();
  }
}
