// The consumer's place in its Kafka group: one kafkajs member, the topics it subscribes to, and the way
// new topics join (the group rebalances over all of them):
//
//   connected ──subscribe──► fetching ──refresh: new topics match, or fetching stopped──► paused
//                               ▲                                                           │
//                               │          fetching stops, every open batch is written      │
//                               └──────────── subscribe again (with the new topics) ◄───────┘
//                                                  ▲
//                     stop did not finish in time: │ a new member joins in the wedged one's place
//
// Only the current member's events count (a replaced one may still report): assignments, the start of a
// rebalance and a crash go to the consumer through GroupEvents. Offsets are committed by hand after S3.

import type { FetchedBatch, GroupConsumer, GroupDescription, KafkaClient } from '../core/kafka/client.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';

const STOP_TIMEOUT_MS = 10_000;
export const SESSION_TIMEOUT_MS = 30_000;

export interface GroupEvents {
  /** The member was given these partitions (after a rebalance, or the first join). */
  assigned(assignment: Record<string, number[]>): void;
  /** A rebalance began: what was assigned is no longer this member's. */
  revoked(): void;
  /** kafkajs gave up (a crash it will not restart from). */
  crashed(error: unknown): void;
  /** A fetched batch of records of one partition. */
  batch(payload: FetchedBatch): Promise<void>;
}

/** Waits for `promise` (settled either way) or `ms`; false when the time ran out first. */
export function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(settled, settled);
  });
}

/** The topics `pattern` matches, sorted, leaving out internal ones (a name part that starts with `_`). */
export function matchingTopicNames(names: readonly string[], pattern: RegExp): string[] {
  return names.filter((t) => pattern.test(t) && !t.split('.').some((p) => p.startsWith('_'))).sort();
}

/**
 * Whether this member's assignment is the whole story: the only member of a stable group, holding every
 * partition. A group whose dead members were just dropped is rebalancing, and its live member may hold
 * nothing yet.
 */
export function aloneInGroup(
  group: Pick<GroupDescription, 'state' | 'members'> | undefined,
  held: number,
  topicPartitions: number,
): boolean {
  return (
    group !== undefined && group.state === 'Stable' && group.members.length <= 1 && held >= topicPartitions
  );
}

export class GroupMembership {
  readonly groupId: string;
  private readonly kafka: KafkaClient;
  private readonly config: Config;
  private readonly events: GroupEvents;
  private readonly log: Logger;
  private consumer: GroupConsumer;
  private readonly subscribedTopics = new Set<string>();
  /** False while fetching is stopped for a refresh that has not joined the group again yet. */
  private fetching = true;
  private partitionCount = 0;

  constructor(kafka: KafkaClient, config: Config, events: GroupEvents, log: Logger) {
    this.kafka = kafka;
    this.config = config;
    this.events = events;
    this.log = log;
    this.groupId = config.CONSUMER_GROUP ?? `${config.CDC_TOPIC_PREFIX}-raw`;
    this.consumer = this.newMember();
  }

  get topics(): ReadonlySet<string> {
    return this.subscribedTopics;
  }

  /** Partitions of every subscribed topic: a member alone in the group holds all of them once it is stable. */
  get topicPartitions(): number {
    return this.partitionCount;
  }

  /** The group member; its events count only while it is the current one (see refresh). */
  private newMember(): GroupConsumer {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      // A flush can hold a batch handler for seconds on a busy machine; heartbeats come between batches.
      sessionTimeout: SESSION_TIMEOUT_MS,
      rebalanceTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: 3_000,
      // Small fetches, measured: 1 MB per partition and per request read as fast as 16 and 64 MB, and the
      // consumer's peak RSS falls from about 930 MB (64 MB) to 440 MB (4 MB) and 300 MB (1 MB), since
      // kafkajs decodes a whole fetch at once.
      maxBytesPerPartition: Math.min(1024 * 1024, this.config.CONSUMER_FETCH_BYTES),
      maxBytes: this.config.CONSUMER_FETCH_BYTES,
      maxWaitTimeInMs: 250,
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (consumer === this.consumer) this.events.revoked();
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (consumer === this.consumer) this.events.assigned(event.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (consumer === this.consumer && event.payload.restart !== true)
        this.events.crashed(event.payload.error);
    });
    return consumer;
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  /** The topics the pattern matches now (matchingTopicNames). */
  async matchingTopics(pattern: RegExp): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return matchingTopicNames(await admin.listTopics(), pattern);
    } finally {
      await admin.disconnect();
    }
  }

  /** Adds topics to the subscription and (re)starts fetching: the group rebalances over all of them. */
  private async subscribe(topics: string[]): Promise<void> {
    const all = [...new Set([...this.subscribedTopics, ...topics])];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: all });
      this.partitionCount = metadata.topics.reduce((n, t) => n + t.partitions.length, 0);
    } finally {
      await admin.disconnect();
    }
    await this.consumer.subscribe({ topics, fromBeginning: true });
    for (const topic of topics) this.subscribedTopics.add(topic);
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2,
      eachBatch: (payload) => this.events.batch(payload),
    });
    this.fetching = true;
  }

  /**
   * The first subscription: a topic created a moment ago (a producer starting beside this consumer, as in
   * `cdclake up`) may not be known to every broker yet, which Kafka says with a retriable error.
   */
  async subscribeWhenKnown(topics: string[], stopping: () => boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.subscribe(topics);
        return;
      } catch (error: unknown) {
        const retriable = (error as { retriable?: boolean }).retriable === true;
        if (!retriable || attempt >= 60 || stopping()) throw error;
        this.log.info({ err: error, attempt }, 'topics not known to every broker yet: subscribing again');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * New topics matching the pattern join the subscription: fetching stops, `paused` writes every open batch,
   * and the member joins the group again with them. A member whose fetching did not stop is replaced. A
   * failure is logged and left to the next refresh (a topic created a moment ago may not be known to every
   * broker yet).
   */
  async refresh(pattern: RegExp, stopping: () => boolean, paused: () => Promise<void>): Promise<void> {
    try {
      let added = (await this.matchingTopics(pattern)).filter((t) => !this.subscribedTopics.has(t));
      if (stopping() || (added.length === 0 && this.fetching)) return;
      if (added.length > 0)
        this.log.info({ added }, 'new topics match: writing open batches, then joining the group with them');
      this.fetching = false;
      const stopped = await withTimeout(this.consumer.stop(), STOP_TIMEOUT_MS);
      await paused();
      if (!stopped) {
        // Seen after a broker restart: kafkajs's stop waiting on a fetch that never ends. That member would
        // refuse every new subscription; a new one joins in its place (the group hands its partitions over).
        this.log.warn({ waitedMs: STOP_TIMEOUT_MS }, 'the Kafka consumer did not stop: replacing it');
        const wedged = this.consumer;
        this.consumer = this.newMember();
        void withTimeout(wedged.disconnect(), STOP_TIMEOUT_MS);
        await this.consumer.connect();
        added = [...new Set([...this.subscribedTopics, ...added])];
      }
      if (!stopping()) await this.subscribe(added);
    } catch (error: unknown) {
      this.log.warn(
        { err: error },
        'joining the group with new topics failed; trying again at the next refresh',
      );
    }
  }

  seek(topic: string, partition: number, offset: bigint): void {
    this.consumer.seek({ topic, partition, offset: offset.toString() });
  }

  commit(topic: string, partition: number, offset: bigint): Promise<void> {
    return this.consumer.commitOffsets([{ topic, partition, offset: offset.toString() }]);
  }

  /** The group as the coordinator sees it; undefined when it cannot say now. */
  describe(): Promise<GroupDescription | undefined> {
    return this.consumer.describeGroup().catch(() => undefined);
  }

  /** Stops fetching; bounded, since a group in the middle of a rebalance may not let go for its whole timeout. */
  stop(): Promise<boolean> {
    return withTimeout(this.consumer.stop(), STOP_TIMEOUT_MS);
  }

  disconnect(): Promise<boolean> {
    return withTimeout(this.consumer.disconnect(), STOP_TIMEOUT_MS);
  }
}
