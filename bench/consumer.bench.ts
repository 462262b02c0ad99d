// Consume -> raw: cdclake's consumer writing the generator's change events as raw Parquet on S3, beside
// kcat (librdkafka) reading the same topics to /dev/null on the same broker, in the same run.
//   npx tsx bench/consumer.bench.ts [--scale X] [--cpu-prof DIR]     (scale 1 = 1M orders, about 1.3M events)

import { execFileSync } from 'node:child_process';
import { resolveConfig } from '../core/config.ts';
import { createKafka } from '../core/kafka/client.ts';
import { createLogger } from '../core/logger.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import {
  argNumber,
  ensureCommand,
  progress,
  table,
  runCdclakeMeasured,
  argString,
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

progress('cdclake consume --until-idle writing raw Parquet to S3...');
// The consumer runs as its own process, as users run it: its RSS is its own, and startup, the group join
// and the end of --until-idle count, as kcat's startup, join and end of partition count for kcat.
const profile = argString('cpu-prof');
const consumeStart = performance.now();
const { seconds, peakRssMb, output } = await runCdclakeMeasured(
  ['consume', '--until-idle'],
  {
    ...process.env,
    CDC_TOPIC_PREFIX: prefix,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
  () => progress(`cdclake consume: ${((performance.now() - consumeStart) / 1000).toFixed(1)} s`),
  profile,
);
progress('\n');
const summary = /"events":(\d+),"files":(\d+)/.exec(output);
const events = Number(summary?.[1] ?? NaN);
const files = Number(summary?.[2] ?? NaN);
if (!(events > 0)) throw new Error(`the consumer printed no summary:\n${output}`);
const rate = onKafka / seconds;
// Steady state, from the logs: the first partition resumed to every partition written to its end.
const times = (message: string): number[] =>
  output
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`))
    .map((line) => (JSON.parse(line) as { time: number }).time);
const steadySeconds =
  (Math.max(...times('every assigned partition is written to its end')) -
    Math.min(...times('partition resumes'))) /
  1000;
const steadyRate = onKafka / steadySeconds;

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
    name: 'consume -> raw, steady state (assigned to all written)',
    value: steadyRate,
    unit: 'records/s',
    peer: 'kcat to /dev/null',
    peer_value: kcatRate,
    ratio: steadyRate / kcatRate,
    target: '>= 150k events/s, ratio >= 0.5',
    meets: steadyRate >= 150_000 && steadyRate / kcatRate >= 0.5,
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
  `\n${table(stages)}\n\n${events} events in ${seconds.toFixed(1)} s (${steadySeconds.toFixed(1)} s from assignment to all written), ${files} files; kcat ${onKafka} records in ${kcatSeconds.toFixed(1)} s\n`,
);
process.stdout.write(`results: ${writeResults('consumer', scale, stages)}\n`);
process.exit(0);
