// Publishes encoded change events to Kafka: idempotent producer, acks=all, keyed by primary key
// (murmur2, as Kafka's own clients), batched, optionally compressed. Memory is bounded: `publish` waits
// while a batch is in flight and the next one is full (backpressure), never an unbounded queue.
//
// The client is core/kafka/event-producer.ts's. Its own work per record is what bounds this publisher: the
// encoder and generator take about a third.

import type { Config } from '../core/config.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { kafkaAccessError } from '../core/kafka/access-errors.ts';
import { DEFAULT_MESSAGE_MAX_BYTES, readMessageMaxBytes } from '../core/kafka/broker-limits.ts';
import { createEventProducer, type EventMessage, type EventProducer } from '../core/kafka/event-producer.ts';

export interface OutgoingRecord {
  topic: string;
  /** null for a keyless event (a truncate), which then names its partition. */
  key: Buffer | null;
  partition?: number;
  /** null is a tombstone: compacted topics forget the key. */
  value: Buffer | null;
}

export interface PublisherOptions {
  /** Records per Kafka request (all topics together). */
  batchRecords: number;
  /**
   * Bytes per Kafka request (keys, values and record overhead, all topics together). Undefined: 90% of the
   * cluster's message.max.bytes, read at connect, so no partition's batch is refused as too large.
   */
  batchBytes?: number;
  /**
   * Measured end to end with the generator (bench/producer.bench.ts --compression): lz4 ~10% faster than
   * none (the client then hands one compressed buffer per batch on), snappy about even, gzip ~20% slower.
   * The default stays none: the consumer reads with kafkajs, which has only gzip built in.
   */
  compression: 'none' | 'gzip' | 'snappy' | 'lz4';
  /** How long a part-filled batch waits for more records before it is sent anyway. */
  lingerMs: number;
}

export const defaultPublisherOptions: PublisherOptions = {
  batchRecords: 5_000,
  compression: 'none',
  lingerMs: 5,
};

type Message = EventMessage;

export class Publisher {
  private readonly producer: EventProducer;
  private readonly options: PublisherOptions;
  private pending: Message[] = [];
  private pendingBytes = 0;
  private batchBytes: number;
  private clusterMaxBytes = DEFAULT_MESSAGE_MAX_BYTES;
  private readonly config: Config;
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private refusal: CdcError | undefined;
  private acknowledged = 0;
  private published = 0;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(config: Config, clientId: string, options: Partial<PublisherOptions> = {}) {
    this.options = { ...defaultPublisherOptions, ...options };
    this.config = config;
    this.batchBytes = this.options.batchBytes ?? Math.floor(DEFAULT_MESSAGE_MAX_BYTES * 0.9);
    this.producer = createEventProducer(config, clientId, {
      compression: this.options.compression,
      onRetry: (error) => {
        this.noteRefusal(error);
        // The client retries a refused password or an untrusted certificate too, which waiting does not heal.
        // Closing it while it waits ends the retries (it listens for its close then, once this delay is known).
        if (this.refusal !== undefined) queueMicrotask(() => this.producer.close(true, () => undefined));
      },
      // A broker refusing this client's certificate says so in a TLS alert after the handshake, which the
      // client reports as its connection's error only; the failed request just reads "Connection closed".
      onConnectionError: (error, broker) => this.noteRefusal(error, broker),
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.metadata({ topics: [] });
    } catch (error: unknown) {
      throw this.refusal ?? kafkaAccessError(error, this.config) ?? error;
    }
    this.clusterMaxBytes = await readMessageMaxBytes(this.config);
    if (this.options.batchBytes === undefined) this.batchBytes = Math.floor(this.clusterMaxBytes * 0.9);
  }

  /** The largest key plus value the cluster takes as a record: its limit less a batch's framing. */
  get largestRecordBytes(): number {
    return this.clusterMaxBytes - RECORD_BATCH_FRAMING;
  }

  /** The bytes a request may carry (batchBytes, or 90% of the cluster's message.max.bytes). */
  get requestBytes(): number {
    return this.batchBytes;
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
    // An OutgoingRecord is already what the client takes, tombstone included; the client copies it.
    for (const record of records) {
      this.pending.push(record);
      this.pendingBytes += recordBytes(record);
    }
    this.published += records.length;
    while (this.pending.length >= this.options.batchRecords || this.pendingBytes >= this.batchBytes) {
      await this.send(this.takeBatch());
    }
    if (this.pending.length > 0 && this.lingerTimer === undefined) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        if (this.pending.length === 0) return;
        const batch = this.takeBatch();
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
    while (this.pending.length > 0) await this.send(this.takeBatch());
    await this.inFlight;
    this.throwIfFailed();
  }

  async disconnect(): Promise<void> {
    clearTimeout(this.lingerTimer);
    await this.inFlight?.catch(() => undefined);
    await this.producer.close();
  }

  /** The next request's records: at most batchRecords, and at most batchBytes (at least one record). */
  private takeBatch(): Message[] {
    let bytes = 0;
    let count = 0;
    while (count < this.pending.length && count < this.options.batchRecords) {
      const size = recordBytes(this.pending[count] as Message);
      if (count > 0 && bytes + size > this.batchBytes) break;
      bytes += size;
      count++;
    }
    this.pendingBytes -= bytes;
    return this.pending.splice(0, count);
  }

  /** One request in flight at a time: order per partition holds even across retries. */
  private async send(batch: Message[]): Promise<void> {
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

  /** Kafka refused this client (credentials, certificates): the reason, kept for `throwIfFailed`. */
  private noteRefusal(error: Error, broker?: string): void {
    this.refusal ??= kafkaAccessError(error, this.config, broker);
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    const error = this.failure;
    const refused = this.refusal ?? kafkaAccessError(error, this.config);
    if (refused !== undefined) throw refused;
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

/** A record batch's header (61 bytes) and one record's own framing, with room to spare. */
const RECORD_BATCH_FRAMING = 128;

/** A record's share of a request: key, value and Kafka's per-record framing (varints, attributes, headers). */
function recordBytes(record: { key?: Buffer | null; value?: Buffer | null }): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + 32;
}
