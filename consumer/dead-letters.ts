// Records that cannot become a change go to `<prefix>._dead_letters` as they came (key and value), with
// headers naming the source topic, partition, offset and the reason. Nothing is dropped silently.

import { createProducer, type KafkaClient, type KafkaProducer } from '../core/kafka/client.ts';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  code: string;
  reason: string;
}

export class DeadLetters {
  private readonly producer: KafkaProducer;
  private readonly topic: string;
  private connected = false;
  count = 0;

  constructor(kafka: KafkaClient, topic: string) {
    this.producer = createProducer(kafka, {
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.topic = topic;
  }

  /** Sends and waits for Kafka's acknowledgement: the partition's offset may then be committed past them. */
  async send(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          'cdclake.source.topic': l.topic,
          'cdclake.source.partition': String(l.partition),
          'cdclake.source.offset': l.offset.toString(),
          'cdclake.error.code': l.code,
          'cdclake.error.reason': l.reason.slice(0, 2000),
        },
      })),
    });
    this.count += letters.length;
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
  }
}
