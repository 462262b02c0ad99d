// Consume -> raw: cdclake's consumer writing the generator's change events as raw Parquet on S3, beside
// kcat (librdkafka) reading the same topics to /dev/null on the same broker, and beside the same consumer
// writing its batches with parquetjs-lite (bench/peers/), in the same run.
//   npx tsx bench/consumer.bench.ts [--scale X] [--cpu-prof DIR]     (scale 1 = 1M orders, about 1.3M events)

import { execFileSync } from 'node:child_process';
import { resolveConfig } from '../core/config.ts';
import { openDuckDB } from '../core/duckdb.ts';
import { createKafka } from '../core/kafka/client.ts';
import { literal, renderSql } from '../core/sql-files.ts';
import { createLogger } from '../core/logger.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import {
  argNumber,
  atLeast,
  atMost,
  bar,
  ensureCommand,
  progress,
  table,
  runCdclakeMeasured,
  runScriptMeasured,
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
    `kcat -b ${config.KAFKA_BROKERS.join(',')} -G ${prefix}-kcat -o beginning -e -q ${topics.join(' ')} > /dev/null`,
  ],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const kcatSeconds = (performance.now() - kcatStart) / 1000;
const kcatRate = onKafka / kcatSeconds;

/** How far a consumer group has committed through the topics, polled in the background for the progress bar. */
function committedShare(groupId: string): { committed: () => number; stop: () => Promise<void> } {
  const watcher = createKafka(config).admin();
  let committed = 0;
  let busy = false;
  const connected = watcher.connect();
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    connected
      .then(() => watcher.fetchOffsets({ groupId, topics }))
      .then((offsets) => {
        committed = 0;
        for (const t of offsets) for (const p of t.partitions) committed += Math.max(0, Number(p.offset));
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 500);
  return {
    committed: () => committed,
    stop: async () => {
      clearInterval(timer);
      await connected.then(() => watcher.disconnect()).catch(() => undefined);
    },
  };
}

progress('cdclake consume --until-idle writing raw Parquet to S3...');
// The consumer runs as its own process, as users run it: its RSS is its own, and startup, the group join
// and the end of --until-idle count, as kcat's startup, join and end of partition count for kcat.
const profile = argString('cpu-prof');
const consumeStart = performance.now();
const ours = committedShare(`${prefix}-raw`);
const { seconds, peakRssMb, output } = await runCdclakeMeasured(
  ['consume', '--until-idle'],
  {
    ...process.env,
    CDC_TOPIC_PREFIX: prefix,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
  () =>
    progress(
      `cdclake consume ${bar(ours.committed(), onKafka)} ${((performance.now() - consumeStart) / 1000).toFixed(1)} s`,
    ),
  profile,
);
await ours.stop();
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

// The same consumer tuned for throughput over memory: V8's own heap growth and 4 MB fetches (README,
// configuration). Its own group and raw prefix, so it reads everything again.
progress("cdclake consume again, with V8's own heap growth and 4 MB fetches...");
const tunedStart = performance.now();
const tunedGroup = committedShare(`${prefix}-tuned`);
const tuned = await runCdclakeMeasured(
  ['consume', '--until-idle'],
  {
    ...process.env,
    CDC_TOPIC_PREFIX: prefix,
    CONSUMER_GROUP: `${prefix}-tuned`,
    RAW_PREFIX: `bench-tuned/${prefix}/`,
    CDCLAKE_HEAP_GROWING_PERCENT: '0',
    CONSUMER_FETCH_BYTES: String(4 * 1024 * 1024),
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
  () =>
    progress(
      `cdclake consume, tuned ${bar(tunedGroup.committed(), onKafka)} ${((performance.now() - tunedStart) / 1000).toFixed(1)} s`,
    ),
);
await tunedGroup.stop();
progress('\n');
if (Number(/"events":(\d+)/.exec(tuned.output)?.[1] ?? NaN) !== events)
  throw new Error(`the tuned consumer did not read ${events} events:\n${tuned.output}`);
const tunedRate = onKafka / tuned.seconds;

progress('the same consumer writing with parquetjs-lite...');
// Its own group and raw prefix: S3 is the consumer's truth of progress, so it must not resume after the
// objects the run above wrote.
const peerStart = performance.now();
const theirs = committedShare(`${prefix}-parquetjs`);
const peer = await runScriptMeasured(
  'bench/peers/consume-parquetjs.ts',
  {
    ...process.env,
    CDC_TOPIC_PREFIX: prefix,
    CONSUMER_GROUP: `${prefix}-parquetjs`,
    RAW_PREFIX: `bench-parquetjs/${prefix}/`,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
  () =>
    progress(
      `parquetjs-lite consumer ${bar(theirs.committed(), onKafka)} ${((performance.now() - peerStart) / 1000).toFixed(1)} s`,
    ),
);
await theirs.stop();
progress('\n');
const peerEvents = Number(/"events":(\d+)/.exec(peer.output)?.[1] ?? NaN);
if (peerEvents !== events)
  throw new Error(`the parquetjs-lite consumer read ${peerEvents} events, not ${events}:\n${peer.output}`);
const peerRate = onKafka / peer.seconds;

// Both writers' objects, read back by DuckDB: every event once, so neither figure counts lost or doubled work.
const duck = await openDuckDB(config);
for (const [writer, rawPrefix] of [
  ['DuckDB', config.RAW_PREFIX],
  ['parquetjs-lite', `bench-parquetjs/${prefix}/`],
] as const) {
  const counted = await duck.connection.runAndReadAll(
    renderSql('bench/count-raw-rows.sql', {
      glob: literal(`s3://${config.S3_BUCKET}/${rawPrefix}${prefix}.*/**/*.parquet`),
    }),
  );
  const [rows, offsets] = (counted.getRows()[0] ?? []).map(Number);
  if (rows !== events || offsets !== events)
    throw new Error(
      `the ${writer} writer's raw objects hold ${rows} rows at ${offsets} offsets, not ${events}`,
    );
}
duck.close();

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
    vs_target: atLeast(rate, 150_000),
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
    vs_target: atLeast(steadyRate, 150_000),
  },
  {
    name: 'consume -> raw, writer DuckDB beside parquetjs-lite',
    value: rate,
    unit: 'records/s',
    peer: 'same consumer, parquetjs-lite writer',
    peer_value: peerRate,
    ratio: rate / peerRate,
    target: 'ratio >= 10',
    meets: rate / peerRate >= 10,
    vs_target: atLeast(rate / peerRate, 10),
  },
  {
    name: "consume -> raw, tuned for throughput (V8's own heap growth, 4 MB fetches)",
    value: tunedRate,
    unit: 'records/s',
    peer: 'kcat to /dev/null',
    peer_value: kcatRate,
    ratio: tunedRate / kcatRate,
    target: '>= 150k events/s, ratio >= 0.5',
    meets: tunedRate >= 150_000 && tunedRate / kcatRate >= 0.5,
    vs_target: atLeast(tunedRate, 150_000),
  },
  {
    name: 'consumer peak RSS, tuned for throughput',
    value: tuned.peakRssMb,
    unit: 'MB',
    peer: 'the default consumer',
    peer_value: peakRssMb,
    ratio: tuned.peakRssMb / peakRssMb,
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: 'consumer peak RSS',
    value: peakRssMb,
    unit: 'MB',
    peer: 'same consumer, parquetjs-lite writer',
    peer_value: peer.peakRssMb,
    ratio: peakRssMb / peer.peakRssMb,
    target: '<= 300 MB',
    meets: peakRssMb <= 300,
    vs_target: atMost(peakRssMb, 300),
  },
];
process.stdout.write(
  `\n${table(stages)}\n\n${events} events in ${seconds.toFixed(1)} s (${steadySeconds.toFixed(1)} s from assignment to all written), ${files} files; kcat ${onKafka} records in ${kcatSeconds.toFixed(1)} s; parquetjs-lite writer ${peer.seconds.toFixed(1)} s, peak RSS ${peer.peakRssMb} MB; tuned ${tuned.seconds.toFixed(1)} s, peak RSS ${tuned.peakRssMb} MB\n`,
);
process.stdout.write(`results: ${writeResults('consumer', scale, stages)}\n`);
process.exit(0);
