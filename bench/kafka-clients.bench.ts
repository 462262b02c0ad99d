// kafkajs beside @platformatic/kafka: the same N records (the star-schema workload's Avro keys and values),
// idempotent, acks=all, in the same batches with one request in flight, to the same broker; then the same
// topic read back from its start by each client's consumer group, doing nothing with the records, with the
// fetch sizes cdclake's consumer asks for (1 MB per partition, CONSUMER_FETCH_BYTES per request).
// Run: npx tsx bench/kafka-clients.bench.ts [--records N] [--scale X] [--batch B] [--runs R]

import { generatedEvent } from '../producer/generator/kafka-target.ts';
import { parseArgs } from 'node:util';
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka';
import { Partitioners } from 'kafkajs';
import { resolveConfig, type Config } from '../core/config.ts';
import { TableCodec } from '../core/events/envelope-codec.ts';
import type { Row } from '../core/events/types.ts';
import { createKafka } from '../core/kafka/client.ts';
import { platformaticSecurity } from '../core/kafka/security.ts';
import { ensureTopics } from '../core/kafka/topics.ts';
import { starSchemaTables } from '../producer/generator/tables.ts';
import { generateWorkload } from '../producer/generator/workload.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '500000' },
    scale: { type: 'string', default: '1' },
    batch: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
  },
});
const count = Math.round(Number(values.records) * Number(values.scale));
const batchSize = Number(values.batch);
const runs = Number(values.runs);

const progress = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface BenchRecord {
  key: Buffer;
  value: Buffer;
}

/** The first `count` records of the generator workload, encoded as the producer encodes them. */
function workloadRecords(): BenchRecord[] {
  const codecs = new Map(starSchemaTables.map((table) => [table.name, new TableCodec(table)]));
  const ts = BigInt(Date.now());
  const records: BenchRecord[] = [];
  for (const batch of generateWorkload({ seed: 1, orders: count })) {
    for (const change of batch) {
      const codec = codecs.get(change.table.name) as TableCodec;
      const key = codec.encodeKey((change.after ?? change.before) as Row);
      const value = codec.encodeEvent(generatedEvent(change, ts, ts));
      records.push({ key, value });
      if (records.length === count) return records;
    }
  }
  return records;
}

interface Run {
  seconds: number;
  cpuSeconds: number;
}

async function timed(send: () => Promise<void>): Promise<Run> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await send();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function platformatic(config: Config, topic: string, records: BenchRecord[]): Promise<Run> {
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: config.KAFKA_BROKERS,
    ...platformaticSecurity(config),
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  try {
    await producer.metadata({ topics: [topic] });
    return await timed(async () => {
      for (let i = 0; i < records.length; i += batchSize) {
        const messages = records.slice(i, i + batchSize).map(({ key, value }) => ({ topic, key, value }));
        await producer.send({ messages });
      }
    });
  } finally {
    await producer.close();
  }
}

async function kafkajs(config: Config, topic: string, records: BenchRecord[]): Promise<Run> {
  const producer = createKafka(config, 'bench-kafkajs').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    return await timed(async () => {
      for (let i = 0; i < records.length; i += batchSize) {
        const messages = records.slice(i, i + batchSize);
        await producer.send({ topic, messages, acks: -1 });
      }
    });
  } finally {
    await producer.disconnect();
  }
}

async function platformaticRead(config: Config, topic: string, count: number): Promise<Run> {
  const consumer = new Consumer({
    clientId: 'bench-platformatic-read',
    groupId: `${topic}-platformatic-read`,
    bootstrapBrokers: config.KAFKA_BROKERS,
    ...platformaticSecurity(config),
    maxBytes: config.CONSUMER_FETCH_BYTES,
    maxBytesPerPartition: Math.min(1024 * 1024, config.CONSUMER_FETCH_BYTES),
    maxWaitTime: 250,
  });
  try {
    return await timed(async () => {
      const stream = await consumer.consume({
        topics: [topic],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: false,
      });
      let read = 0;
      for await (const message of stream) {
        if (message.value === undefined) continue;
        if (++read >= count) break;
      }
      await stream.close();
    });
  } finally {
    await consumer.close(true);
  }
}

async function kafkajsRead(config: Config, topic: string, count: number): Promise<Run> {
  const consumer = createKafka(config, 'bench-kafkajs-read').consumer({
    groupId: `${topic}-kafkajs-read`,
    maxBytesPerPartition: Math.min(1024 * 1024, config.CONSUMER_FETCH_BYTES),
    maxBytes: config.CONSUMER_FETCH_BYTES,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  try {
    return await timed(async () => {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let read = 0;
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            partitionsConsumedConcurrently: 2,
            eachBatch: async ({ batch }) => {
              read += batch.messages.length;
              if (read >= count) resolve();
            },
          })
          .catch(reject);
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

// kafkajs warns that an idempotent producer with limited retries may break exactly-once: both clients
// here retry alike, and nothing is read back.
const config = resolveConfig({ LOG_LEVEL: 'error', ...process.env });
const runId = `bench${Date.now().toString(36)}`;
progress(`encoding ${fmt(count)} workload records...`);
const records = workloadRecords();
const bytes = records.reduce((sum, r) => sum + r.key.length + r.value.length, 0);
progress(
  `${fmt(records.length)} records, ${(bytes / records.length).toFixed(1)} bytes each (key + value), ` +
    `batches of ${batchSize}, idempotent, acks=all, one request in flight`,
);

const clients = { '@platformatic/kafka': platformatic, kafkajs } as const;
const rates: Record<string, number[]> = { '@platformatic/kafka': [], kafkajs: [] };
const cpuPerRecord: Record<string, number[]> = { '@platformatic/kafka': [], kafkajs: [] };
const topics: string[] = [];
const admin = createKafka(config).admin();
try {
  for (let run = 1; run <= runs; run++) {
    // Alternating the clients spreads the machine's other load over both.
    for (const [name, send] of Object.entries(clients)) {
      const topic = `${runId}.${name.replace(/[^a-z]/g, '')}.${run}`;
      topics.push(topic);
      await ensureTopics(createKafka(config), [{ topic, partitions: config.KAFKA_PARTITIONS }]);
      const result = await send(config, topic, records);
      rates[name]?.push(records.length / result.seconds);
      cpuPerRecord[name]?.push((result.cpuSeconds / records.length) * 1e6);
      progress(
        `run ${run} ${name}: ${result.seconds.toFixed(2)} s, ${fmt(records.length / result.seconds)} records/s, ` +
          `cpu ${((result.cpuSeconds / records.length) * 1e6).toFixed(2)} µs per record`,
      );
    }
  }
  // Reading back: the last run's kafkajs topic, by each consumer in turn, `runs` times.
  const readers = { '@platformatic/kafka': platformaticRead, kafkajs: kafkajsRead } as const;
  const readRates: Record<string, number[]> = { '@platformatic/kafka': [], kafkajs: [] };
  const readCpu: Record<string, number[]> = { '@platformatic/kafka': [], kafkajs: [] };
  const readTopic = topics.at(-1) as string;
  for (let run = 1; run <= runs; run++) {
    for (const [name, read] of Object.entries(readers)) {
      const result = await read(config, readTopic, records.length);
      readRates[name]?.push(records.length / result.seconds);
      readCpu[name]?.push((result.cpuSeconds / records.length) * 1e6);
      progress(
        `read ${run} ${name}: ${result.seconds.toFixed(2)} s, ${fmt(records.length / result.seconds)} records/s, ` +
          `cpu ${((result.cpuSeconds / records.length) * 1e6).toFixed(2)} µs per record`,
      );
    }
  }
  const p = median(rates['@platformatic/kafka'] ?? []);
  const k = median(rates.kafkajs ?? []);
  console.log('| client | records/s (median) | cpu µs per record (median) |');
  console.log('| --- | ---: | ---: |');
  for (const name of Object.keys(clients)) {
    console.log(
      `| ${name} | ${fmt(median(rates[name] ?? []))} | ${median(cpuPerRecord[name] ?? []).toFixed(2)} |`,
    );
  }
  console.log(`@platformatic/kafka / kafkajs: ${(p / k).toFixed(2)}x`);
  console.log('');
  console.log('| consumer, reading from the start | records/s (median) | cpu µs per record (median) |');
  console.log('| --- | ---: | ---: |');
  for (const name of Object.keys(readers)) {
    console.log(
      `| ${name} | ${fmt(median(readRates[name] ?? []))} | ${median(readCpu[name] ?? []).toFixed(2)} |`,
    );
  }
  const pr = median(readRates['@platformatic/kafka'] ?? []);
  const kr = median(readRates.kafkajs ?? []);
  console.log(`reading: @platformatic/kafka / kafkajs: ${(pr / kr).toFixed(2)}x`);
} finally {
  if (topics.length > 0) {
    await admin.connect();
    await admin.deleteTopics({ topics });
    await admin.disconnect();
  }
}
