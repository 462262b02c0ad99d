// The Kafka client of cdclake, built from configuration. Kafka access stays behind this folder: the parts
// name the types below, never a client library, so another library can be measured beside kafkajs (and the
// producer's @platformatic/kafka, event-producer.ts) without touching them.

import { Kafka, logLevel, Partitioners, type LogEntry, type Producer, type ProducerConfig } from 'kafkajs';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { kafkajsSecurity } from './security.ts';

/** Admin, group consumers and producers (kafkajs). */
export type KafkaClient = Kafka;
export type {
  Consumer as GroupConsumer,
  EachBatchPayload as FetchedBatch,
  GroupDescription,
  Producer as KafkaProducer,
} from 'kafkajs';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(config: Config, clientId = config.KAFKA_CLIENT_ID): KafkaClient {
  const log = createLogger('kafka', config.LOG_LEVEL);
  return new Kafka({
    clientId,
    brokers: config.KAFKA_BROKERS,
    ...kafkajsSecurity(config),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        // kafkajs warns at every idempotent producer's start that its retries are limited. They are, on
        // purpose: a send that keeps failing surfaces as an error rather than retrying forever, and what these
        // producers write (schemas, snapshot state) are keyed entries written again whole. Not a problem to
        // show among the process's warnings (the dashboard lists them).
        const quiet = message.startsWith('Limiting retries for the idempotent producer');
        log[quiet ? 'debug' : (LEVELS[level] ?? 'info')](rest, message);
      },
  });
}

/**
 * A kafkajs producer that partitions by key as Kafka's Java client does (murmur2), said explicitly so kafkajs
 * does not print its notice about the change of its default partitioner in every process's log.
 */
export function createProducer(kafka: KafkaClient, options: ProducerConfig): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
}
