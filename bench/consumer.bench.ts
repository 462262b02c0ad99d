// Consume -> raw: cdclake's consumer writing the generator's change events as raw Parquet on S3, beside
// kcat (librdkafka) reading the same topics to /dev/null on the same broker, in the same run.
//   npx tsx bench/consumer.bench.ts [--scale X]     (scale 1 = 1M orders, about 1.3M events)

import { execFileSync } from 'node:child_process';
import { resolveConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka/client.ts';
import { createLogger } from '../core/logger.ts';
import { RawConsumer } from '../consumer/raw-consumer.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import {
  argNumber,
  ensureCommand,
  progress,
  table,
  withPeakRss,
  writeResults,
  type Stage,
} from './support.ts';

const scale = argNumber('scale', 1);
const prefix = `bench${Date.now().toString(36)}`;
const config = resolveConfig({
  ...process.env,
  CDC_TOPIC_PREFIX: prefix,
  METRICS_PORT: '0',
  LOG_LEVEL: 'warn',
});
const log = createLogger('bench', 'warn');
ensureCommand('kcat', 'kcat');

progress(`generating ${Math.round(1_000_000 * scale)} orders into Kafka...`);
const generated = await runGeneratorWorkload(
  config,
  { target: 'kafka', orders: String(Math.round(1_000_000 * scale)) },
  log,
);
const records = generated.events;
progress(`${records} events on Kafka; kcat reading them...\n`);

const topics = ['products', 'customers', 'orders'].map((t) => `${prefix}.public.${t}`);
// Records on the topics: the change events and the tombstones after deletes; both readers read them all.
const admin = createKafka(config).admin();
await admin.connect();
let onKafka = 0;
for (const topic of topics) for (const o of await admin.fetchTopicOffsets(topic)) onKafka += Number(o.high);
await admin.disconnect();
const kcatStart = performance.now();
execFileSync(
  'sh',
  [
    '-c',
    `kcat -b ${config.KAFKA_BROKERS} -G ${prefix}-kcat -o beginning -e -q ${topics.join(' ')} > /dev/null`,
  ],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const kcatSeconds = (performance.now() - kcatStart) / 1000;
const kcatRate = onKafka / kcatSeconds;

progress('cdclake consumer writing raw Parquet to S3...');
const consumer = new RawConsumer(config, { untilIdle: true }, log);
const timer = setInterval(
  () =>
    progress(
      `cdclake consumer: ${consumer.metrics.counter('cdclake_consumer_events_in_total', '').total()} events`,
    ),
  500,
);
const { result, peakRssMb, seconds } = await withPeakRss(() => consumer.run());
clearInterval(timer);
progress('\n');
const rate = onKafka / seconds;

const stages: Stage[] = [
  {
    name: 'consume -> raw Parquet on S3',
    value: rate,
    unit: 'records/s',
    peer: 'kcat to /dev/null',
    peer_value: kcatRate,
    ratio: rate / kcatRate,
    target: '>= 150k events/s, ratio >= 0.5',
    meets: rate >= 150_000 && rate / kcatRate >= 0.5,
  },
  {
    name: 'consumer peak RSS',
    value: peakRssMb,
    unit: 'MB',
    peer: '-',
    peer_value: 300,
    ratio: peakRssMb / 300,
    target: '<= 300 MB',
    meets: peakRssMb <= 300,
  },
];
process.stdout.write(
  `\n${table(stages)}\n\n${result.events} events in ${seconds.toFixed(1)} s, ${result.files} files; kcat ${onKafka} records in ${kcatSeconds.toFixed(1)} s\n`,
);
process.stdout.write(`results: ${writeResults('consumer', scale, stages)}\n`);
process.exit(0);
