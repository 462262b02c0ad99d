// Producer -> Kafka (DESIGN.md, performance targets): the star-schema generator encoded and published
// through the real Publisher, beside Kafka's own ProducerPerformance on the same broker, the same number
// of records and the same average record size. Writes bench/results/producer.json.
// Run: npx tsx bench/producer.bench.ts [--scale X] [--orders N] [--compression none|lz4|snappy|gzip]

import { generatedEvent } from '../producer/generator/kafka-target.ts';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig, type Config } from '../core/config.ts';
import { TableCodec } from '../core/events/envelope-codec.ts';
import type { Row } from '../core/events/types.ts';
import { createKafka } from '../core/kafka/client.ts';
import { ensureTopics } from '../core/kafka/topics.ts';
import { openKafkaTarget } from '../producer/generator/kafka-target.ts';
import { starSchemaTables } from '../producer/generator/tables.ts';
import { generateWorkload } from '../producer/generator/workload.ts';
import { resolveWorkloadOptions } from '../producer/generator/workload-options.ts';
import { defaultPublisherOptions, type PublisherOptions } from '../producer/publisher.ts';
import { KAFKA_VERSION } from '../scripts/services/versions.ts';
import { atLeast, bar, deleteTopics, progress, table, writeResults, type Stage } from './support.ts';

const TARGET_EVENTS_PER_SECOND = 200_000;
const TARGET_RATIO = 0.5;

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    orders: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    compression: { type: 'string', default: defaultPublisherOptions.compression },
    'batch-records': { type: 'string', default: String(defaultPublisherOptions.batchRecords) },
    'skip-peer': { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
  },
});
const orders = Math.round(Number(values.orders) * Number(values.scale));
const seed = Number(values.seed);
const publisherOptions: Partial<PublisherOptions> = {
  compression: values.compression as PublisherOptions['compression'],
  batchRecords: Number(values['batch-records']),
};
if (!Number.isSafeInteger(orders) || orders < 1) throw new Error('--orders times --scale: expected >= 1');

/** Progress lines on stderr, kept apart from the table on stdout. */
const note = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const runId = `bench${Date.now().toString(36)}`;
// kafkajs (the schemas topic, topic admin) warns about its partitioner and idempotent retries: not ours.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
const baseConfig = resolveConfig({ LOG_LEVEL: 'error', ...process.env });

interface Measured {
  events: number;
  records: number;
  seconds: number;
  /** CPU time of this process (all its threads) over the run. */
  cpuSeconds: number;
  /** Share of the time the event loop was busy (not waiting for Kafka). */
  busy: number;
}

/** The generator -> Kafka path of `cdclake produce --source generator --target kafka`, without its oracle. */
async function measureProducer(config: Config): Promise<Measured> {
  const target = await openKafkaTarget(config, publisherOptions);
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  let events = 0;
  let records = 0;
  let lastReport = started;
  const totals = resolveWorkloadOptions({ seed, orders });
  const expectedEvents = totals.products + totals.customers + totals.orders + totals.changes;
  try {
    for (const batch of generateWorkload({ seed, orders })) {
      await target.write(batch);
      events += batch.length;
      for (const change of batch) records += change.op === 'd' ? 2 : 1;
      const now = performance.now();
      if (now - lastReport >= 1000) {
        lastReport = now;
        progress(
          `generator -> Kafka ${bar(events, expectedEvents)} ${fmt(events)} events, ${fmt(events / ((now - started) / 1000))} events/s`,
        );
      }
    }
  } finally {
    await target.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(loop).utilization;
  return { events, records, seconds, cpuSeconds: (used.user + used.system) / 1e6, busy };
}

/** Key and value bytes per Kafka record of the same workload (a tombstone has a key only). */
function averageRecordBytes(): number {
  const codecs = new Map(starSchemaTables.map((table) => [table.name, new TableCodec(table)]));
  const ts = BigInt(Date.now());
  let bytes = 0;
  let records = 0;
  for (const batch of generateWorkload({ seed, orders })) {
    for (const change of batch) {
      const codec = codecs.get(change.table.name) as TableCodec;
      const key = codec.encodeKey((change.after ?? change.before) as Row).length;
      const value = codec.encodeEvent(generatedEvent(change, ts, ts)).length;
      bytes += key + value;
      records++;
      if (change.op === 'd') {
        bytes += key;
        records++;
      }
    }
  }
  return bytes / records;
}

/** Kafka's own producer benchmark (the JVM client), idempotent and acks=all like the Publisher. */
async function measurePeer(config: Config, records: number, recordSize: number): Promise<number> {
  const topic = `${runId}_peer`;
  await ensureTopics(createKafka(config), [{ topic, partitions: config.KAFKA_PARTITIONS }]);
  const classpath = `${path.join(config.CDCLAKE_HOME, 'kafka', KAFKA_VERSION, 'lib')}/*`;
  const args = [
    '-cp',
    classpath,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${config.KAFKA_BROKERS.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      // Its progress lines (every 5 s) as they complete; a chunk may end inside a line.
      const before = stdout.lastIndexOf('\n') + 1;
      stdout += chunk.toString();
      const complete = stdout.slice(before, stdout.lastIndexOf('\n') + 1);
      for (const line of complete.split('\n')) if (line.trim() !== '') note(`peer: ${line}`);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`ProducerPerformance exited ${code}: ${stderr}`)),
    );
  });
  // The summary: "N records sent, R records/sec (M MB/sec), ... avg latency, ...".
  const summary = [...output.matchAll(/(\d+) records sent, ([\d.]+) records\/sec/g)].at(-1);
  if (summary === undefined) throw new Error(`no summary line in ProducerPerformance output:\n${output}`);
  return Number(summary[2]);
}

const config = { ...baseConfig, CDC_TOPIC_PREFIX: runId };
note(
  `producer bench: ${fmt(orders)} orders (scale ${values.scale}), topics ${runId}.*, compression ` +
    `${publisherOptions.compression}, ${publisherOptions.batchRecords} records per request`,
);
try {
  const ours = await measureProducer(config);
  const eventsPerSecond = ours.events / ours.seconds;
  const recordsPerSecond = ours.records / ours.seconds;
  progress('');
  note(
    `generator -> Kafka: ${fmt(ours.events)} events (${fmt(ours.records)} records) in ` +
      `${ours.seconds.toFixed(2)} s, ${fmt(eventsPerSecond)} events/s (cpu ${ours.cpuSeconds.toFixed(2)} s, ` +
      `${((ours.cpuSeconds / ours.events) * 1e6).toFixed(2)} µs per event; event loop busy ` +
      `${Math.round(ours.busy * 100)}%)`,
  );
  if (!values['skip-peer']) {
    const recordSize = Math.round(averageRecordBytes());
    note(`peer: ProducerPerformance, ${fmt(ours.records)} records of ${recordSize} bytes`);
    const peer = await measurePeer(config, ours.records, recordSize);
    const ratio = recordsPerSecond / peer;
    const stages: Stage[] = [
      {
        name: 'producer -> Kafka (generator, Avro, idempotent, acks=all)',
        value: eventsPerSecond,
        unit: 'events/s',
        peer: `kafka ProducerPerformance (records/s, ${recordSize}-byte records)`,
        peer_value: peer,
        ratio,
        target: `>= ${fmt(TARGET_EVENTS_PER_SECOND)} events/s, ratio >= ${TARGET_RATIO}`,
        meets: eventsPerSecond >= TARGET_EVENTS_PER_SECOND && ratio >= TARGET_RATIO,
        vs_target: atLeast(eventsPerSecond, TARGET_EVENTS_PER_SECOND),
      },
    ];
    process.stdout.write(
      `\n${table(stages)}\n\n${fmt(ours.events)} events as ${fmt(ours.records)} Kafka records ` +
        `(tombstones after deletes), ${recordSize} bytes per record (key + value); the ratio compares ` +
        `records/s: ours ${fmt(recordsPerSecond)}, the peer's ${fmt(peer)}\n`,
    );
    process.stdout.write(`results: ${writeResults('producer', Number(values.scale), stages)}\n`);
  }
} finally {
  if (!values['keep-topics']) await deleteTopics(config, runId);
}
