// Publishes encoded change events to Kafka: idempotent producer, acks=all, keyed by primary key
// (murmur2, as Kafka's own clients), batched, optionally compressed. Memory is bounded: `publish` waits
// while a batch is in flight and the next one is full (backpressure), never an unbounded queue.
//
// The client is @platformatic/kafka: measured beside kafkajs on this machine (bench/kafka-clients.bench.ts)
// it sends the same idempotent acks=all batches 1.4-1.8x faster.

import { ProduceAcks, Producer, type MessageToProduce } from '@platformatic/kafka';
import type { Config } from '../core/config.ts';
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
  compression: 'none' | 'gzip' | 'snappy' | 'lz4';
  /** How long a part-filled batch waits for more records before it is sent anyway. */
  lingerMs: number;
}

export const defaultPublisherOptions: PublisherOptions = {
  batchRecords: 5_000,
  compression: 'none',
  lingerMs: 5,
};

export class Publisher {
  private readonly producer: Producer;
  private readonly options: PublisherOptions;
  private pending: MessageToProduce[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private acknowledged = 0;
  private published = 0;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(config: Config, clientId: string, options: Partial<PublisherOptions> = {}) {
    this.options = { ...defaultPublisherOptions, ...options };
    this.producer = new Producer({
      clientId,
      bootstrapBrokers: config.KAFKA_BROKERS.split(','),
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      // Kafka down: keep retrying with a delay; nothing is confirmed upstream meanwhile.
      retries: 1_000_000,
      retryDelay: 1000,
      ...(this.options.compression === 'none' ? {} : { compression: this.options.compression }),
    });
  }

  async connect(): Promise<void> {
    await this.producer.metadata({ topics: [] });
  }

  /** Records handed to `publish` so far. */
  get publishedCount(): number {
    return this.published;
  }

  /** Records acknowledged by Kafka so far, in publishing order: the first N published are durable. */
  get acknowledgedCount(): number {
    return this.acknowledged;
  }

  /** Queues records; resolves once they fit in the window (not when acknowledged: see `flush`). */
  async publish(records: OutgoingRecord[]): Promise<void> {
    this.throwIfFailed();
    for (const record of records) {
      this.pending.push(
        record.value === null
          ? { topic: record.topic, key: record.key }
          : { topic: record.topic, key: record.key, value: record.value },
      );
    }
    this.published += records.length;
    while (this.pending.length >= this.options.batchRecords) {
      await this.send(this.pending.splice(0, this.options.batchRecords));
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
    while (this.pending.length > 0) await this.send(this.pending.splice(0, this.options.batchRecords));
    await this.inFlight;
    this.throwIfFailed();
  }

  async disconnect(): Promise<void> {
    clearTimeout(this.lingerTimer);
    await this.inFlight?.catch(() => undefined);
    await this.producer.close();
  }

  /** One request in flight at a time: order per partition holds even across retries. */
  private async send(batch: MessageToProduce[]): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    this.throwIfFailed();
    const request = this.producer.send({ messages: batch }).then(
      () => {
        this.acknowledged += batch.length;
      },
      (error: unknown) => {
        this.failure ??= error;
      },
    );
    this.inFlight = request.finally(() => {
      if (this.inFlight === tracked) this.inFlight = undefined;
    });
    const tracked = this.inFlight;
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    const error = this.failure;
    const message = error instanceof Error ? error.message : String(error);
    const nested = (error as { errors?: unknown[] }).errors?.map((e) =>
      e instanceof Error ? e.message : String(e),
    );
    throw new CdcError(
      ErrorCode.KAFKA_PUBLISH,
      `publishing to Kafka failed: ${message}${nested ? ` (${nested.join('; ')})` : ''}`,
      { retriable: (error as { canRetry?: boolean }).canRetry === true, cause: error },
    );
  }
}
