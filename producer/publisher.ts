// Publishes encoded change events to Kafka: idempotent producer, acks=all, keyed by primary key,
// batched and compressed. Memory is bounded: `publish` waits while too much is unacknowledged.

import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { CdcError, ErrorCode } from '../core/errors.ts';

export interface OutgoingRecord {
  topic: string;
  key: Buffer;
  /** null is a tombstone: compacted topics forget the key. */
  value: Buffer | null;
}

export interface PublisherOptions {
  /** Records per Kafka request (all topics together). */
  batchRecords: number;
  /** Requests in flight at once; `publish` waits beyond that (backpressure). */
  maxInFlight: number;
  compression: 'none' | 'gzip';
  /** How long a part-filled batch waits for more records before it is sent anyway. */
  lingerMs: number;
}

export const defaultPublisherOptions: PublisherOptions = {
  batchRecords: 10_000,
  maxInFlight: 1,
  compression: 'none',
  lingerMs: 5,
};

const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;

export class Publisher {
  private readonly producer: Producer;
  private readonly options: PublisherOptions;
  private pending: OutgoingRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private acknowledged = 0;
  private published = 0;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(kafka: Kafka, options: Partial<PublisherOptions> = {}) {
    this.options = { ...defaultPublisherOptions, ...options };
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 30_000 },
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /** Records handed to `publish` so far. */
  get publishedCount(): number {
    return this.published;
  }

  /** Records acknowledged by Kafka so far, in publishing order: the first N published are durable. */
  get acknowledgedCount(): number {
    return this.acknowledged;
  }

  /** Queues records; resolves once they fit in the in-flight window (not when acknowledged: see flush). */
  async publish(records: OutgoingRecord[]): Promise<void> {
    this.throwIfFailed();
    for (const record of records) this.pending.push(record);
    this.published += records.length;
    while (this.pending.length >= this.options.batchRecords) {
      const batch = this.pending.splice(0, this.options.batchRecords);
      await this.send(batch);
    }
    if (this.pending.length > 0 && this.lingerTimer === undefined) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        if (this.pending.length === 0) return;
        const batch = this.pending;
        this.pending = [];
        this.send(batch).catch((error: unknown) => {
          this.failure ??= error;
        });
      }, this.options.lingerMs);
    }
  }

  /** Sends what is queued and waits until Kafka acknowledged every record published so far. */
  async flush(): Promise<void> {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await this.send(batch);
    }
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  async disconnect(): Promise<void> {
    clearTimeout(this.lingerTimer);
    await Promise.allSettled(this.inFlight);
    await this.producer.disconnect();
  }

  private async send(batch: OutgoingRecord[]): Promise<void> {
    while (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const byTopic = new Map<string, Message[]>();
    for (const record of batch) {
      let messages = byTopic.get(record.topic);
      if (messages === undefined) byTopic.set(record.topic, (messages = []));
      messages.push({ key: record.key, value: record.value });
    }
    const request = this.producer
      .sendBatch({
        acks: -1,
        compression: CODECS[this.options.compression],
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(
        () => {
          this.acknowledged += batch.length;
        },
        (error: unknown) => {
          this.failure ??= error;
        },
      )
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    const error = this.failure;
    const message = error instanceof Error ? error.message : String(error);
    throw new CdcError(ErrorCode.KAFKA_PUBLISH, `publishing to Kafka failed: ${message}`, {
      retriable: (error as { retriable?: boolean }).retriable === true,
      cause: error,
    });
  }
}
