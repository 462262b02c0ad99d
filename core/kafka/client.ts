// The Kafka client of cdclake, built from configuration. Kafka access stays behind this folder so a
// different client library can be measured beside kafkajs without touching the parts.

import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { kafkajsSecurity } from './security.ts';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(config: Config, clientId = config.KAFKA_CLIENT_ID): Kafka {
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
        log[LEVELS[level] ?? 'info'](rest, message);
      },
  });
}
