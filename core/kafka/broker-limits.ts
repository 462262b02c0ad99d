// What the Kafka cluster accepts, read from the cluster itself: a producer's batches stay under the broker's
// message.max.bytes (about 1 MB by default), whatever the row width and the number of partitions.

import kafkajs from 'kafkajs';
import type { Config } from '../config.ts';
import { createKafka } from './client.ts';

/** Kafka's own default of message.max.bytes, when the cluster does not say. */
export const DEFAULT_MESSAGE_MAX_BYTES = 1_048_588;

/** The smallest message.max.bytes of the cluster's brokers (a record batch may be no larger). */
export async function readMessageMaxBytes(config: Config): Promise<number> {
  const admin = createKafka(config).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: brokers.map((b) => ({
        // kafkajs is CommonJS, and Node's ESM loader does not see this export by name.
        type: kafkajs.ConfigResourceTypes.BROKER,
        name: String(b.nodeId),
        configNames: ['message.max.bytes'],
      })),
    });
    const values = described.resources
      .flatMap((r) => r.configEntries)
      .filter((e) => e.configName === 'message.max.bytes')
      .map((e) => Number(e.configValue))
      .filter((v) => Number.isFinite(v) && v > 0);
    return values.length === 0 ? DEFAULT_MESSAGE_MAX_BYTES : Math.min(...values);
  } finally {
    await admin.disconnect();
  }
}
