// Merge raw -> bronze (DESIGN.md, performance targets): the generator's workload (1M orders with their
// updates and deletes at scale 1) consumed into raw Parquet on S3, then handed to the merge in 10 micro-batches
// (raw objects copied server-side into a second raw prefix, a tenth of each partition's objects at a time).
// Incremental: one lake, one merge pass per micro-batch (MERGE_STRATEGY=merge; beside it the same with
// DELETE + INSERT, taking turns going first, and both must give the same bronze). Peer, in the same run
// (DESIGN.md): bronze rebuilt from every raw object at the final lake size, in a fresh lake, beside the last
// incremental pass at that size. Bronze only; models are not part of either.
//   npx tsx bench/merge.bench.ts [--scale X] [--batches 10]

import os from 'node:os';
import path from 'node:path';
import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { resolveConfig, type Config } from '../core/config.ts';
import { createLogger } from '../core/logger.ts';
import { createS3Client } from '../core/s3.ts';
import { identifier, renderSql } from '../core/sql-files.ts';
import { MergeJob } from '../merge/merge-job.ts';
import { listRawObjectsAfter, listRawPartitions, type RawObject } from '../core/raw-layer/listing.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import { argNumber, bar, progress, runCdclakeMeasured, table, writeResults, type Stage } from './support.ts';

const scale = argNumber('scale', 1);
const batches = argNumber('batches', 10);
const id = `mbench${Date.now().toString(36)}`;
const base = resolveConfig({
  ...process.env,
  CDC_TOPIC_PREFIX: id,
  RAW_PREFIX: `${id}/raw-all/`,
  LOG_LEVEL: 'warn',
});
const log = createLogger('bench', 'warn');
const lakeConfig = (name: string, strategy = 'merge'): Config =>
  resolveConfig({
    ...process.env,
    MERGE_STRATEGY: strategy,
    CDC_TOPIC_PREFIX: id,
    RAW_PREFIX: `${id}/raw/`,
    LAKE_CATALOG: `duckdb:${path.join(os.tmpdir(), 'cdclake-bench', id, `${name}.ducklake`)}`,
    LAKE_DATA_PATH: `s3://${base.S3_BUCKET}/${id}/lake-${name}/`,
    LOG_LEVEL: 'warn',
  });

progress(`generating ${Math.round(1_000_000 * scale)} orders into Kafka...`);
await runGeneratorWorkload(base, { target: 'kafka', orders: String(Math.round(1_000_000 * scale)) }, log);
progress('consuming them into raw Parquet on S3...');
await runCdclakeMeasured(['consume', '--until-idle'], {
  CDC_TOPIC_PREFIX: id,
  RAW_PREFIX: base.RAW_PREFIX,
  METRICS_PORT: '0',
  LOG_LEVEL: 'warn',
  // About 20 objects per partition (18 partitions, about 1.3 events per order): each micro-batch of the
  // merge then takes two objects of every partition.
  CONSUMER_BATCH_ROWS: String(Math.max(1000, Math.round((1_300_000 * scale) / 18 / 20))),
  CONSUMER_BATCH_AGE_MS: '60000',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

// Each partition's objects split into `batches` consecutive slices: micro-batch i is slice i of every partition.
const s3 = createS3Client(base);
const slices: RawObject[][] = Array.from({ length: batches }, () => []);
for (const { topic, partition } of await listRawPartitions(s3, base.S3_BUCKET, base.RAW_PREFIX)) {
  const objects = await listRawObjectsAfter(s3, base.S3_BUCKET, base.RAW_PREFIX, topic, partition, undefined);
  objects.forEach((o, i) =>
    slices[Math.min(batches - 1, Math.floor((i * batches) / objects.length))]?.push(o),
  );
}
const totalObjects = slices.reduce((n, s) => n + s.length, 0);

const steps: Record<string, number> = {};
let incrementalSeconds = 0;
let lastPassSeconds = 0;
let lastPassRows = 0;
let rawRows = 0;
const incremental = new MergeJob(lakeConfig('incremental'), log, { models: false });
// The same micro-batches applied the other way: DELETE of the winning keys + INSERT instead of MERGE INTO.
const otherStrategy = new MergeJob(lakeConfig('delete-insert', 'delete-insert'), log, { models: false });
let otherSeconds = 0;
for (let i = 0; i < batches; i++) {
  progress(
    `merge ${bar(i, batches)} micro-batch ${i + 1}/${batches}: copying ${slices[i]?.length ?? 0} raw objects...`,
  );
  for (const o of slices[i] ?? []) {
    await s3.send(
      new CopyObjectCommand({
        Bucket: base.S3_BUCKET,
        CopySource: `${base.S3_BUCKET}/${o.key}`,
        Key: o.key.replace(base.RAW_PREFIX, `${id}/raw/`),
      }),
    );
  }
  // The two strategies take turns going first: the second reads objects the first has just warmed.
  const runIncremental = async (): Promise<void> => {
    progress(`merge ${bar(i, batches)} micro-batch ${i + 1}/${batches}: incremental merge...`);
    const started = performance.now();
    const pass = await incremental.pass();
    const seconds = (performance.now() - started) / 1000;
    incrementalSeconds += seconds;
    lastPassSeconds = seconds;
    lastPassRows = pass.merged.reduce((n, m) => n + m.rawRows, 0);
    rawRows += lastPassRows;
    for (const m of pass.merged)
      for (const [step, ms] of Object.entries(m.ms)) steps[step] = (steps[step] ?? 0) + ms;
    if (pass.failed.length > 0) throw pass.failed[0]?.error;
  };
  const runOther = async (): Promise<void> => {
    progress(`merge ${bar(i, batches)} micro-batch ${i + 1}/${batches}: incremental, the other strategy...`);
    const started = performance.now();
    const other = await otherStrategy.pass();
    otherSeconds += (performance.now() - started) / 1000;
    if (other.failed.length > 0) throw other.failed[0]?.error;
  };
  if (i % 2 === 0) {
    await runIncremental();
    await runOther();
  } else {
    await runOther();
    await runIncremental();
  }
}
// The peer: bronze rebuilt from every raw object at the lake's final size, in a fresh lake.
progress('merge: rebuilding bronze from all raw at the final lake size...');
const rebuild = new MergeJob(lakeConfig('rebuild'), log, { models: false });
const rebuildStarted = performance.now();
const full = await rebuild.pass();
const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
const rebuildRows = full.merged.reduce((n, m) => n + m.rawRows, 0);
rebuild.close();
// Both ways must give the same bronze: rows and a hash of every column but the merge time.
const fingerprint = async (job: MergeJob): Promise<string> => {
  const parts: string[] = [];
  for (const t of ['customers', 'orders', 'products'])
    parts.push(
      String((await job.query(renderSql('bench/bronze-fingerprint.sql', { table: identifier(t) })))[0]?.h),
    );
  return parts.join('/');
};
const sameBronze = (await fingerprint(incremental)) === (await fingerprint(otherStrategy));
incremental.close();
otherStrategy.close();
s3.destroy();
progress('\n');

const rate = rawRows / incrementalSeconds;
const ratio = rebuildSeconds / lastPassSeconds;
const otherRate = rawRows / otherSeconds;
const stages: Stage[] = [
  {
    name: `merge raw -> bronze: the last of ${batches} micro-batches (${lastPassRows.toLocaleString('en-US')} raw rows) into bronze holding the others`,
    value: lastPassSeconds,
    unit: 's',
    peer: `rebuild bronze from all raw at that lake size (${rebuildRows.toLocaleString('en-US')} raw rows)`,
    peer_value: rebuildSeconds,
    ratio,
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: `merge raw -> bronze, incremental over ${batches} micro-batches`,
    value: rate,
    unit: 'raw rows/s',
    peer: 'rebuild from all raw at the final lake size',
    peer_value: rebuildRows / rebuildSeconds,
    ratio: rate / (rebuildRows / rebuildSeconds),
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: `merge raw -> bronze with DELETE + INSERT (MERGE_STRATEGY=delete-insert), same micro-batches`,
    value: otherRate,
    unit: 'raw rows/s',
    peer: 'MERGE INTO (the default)',
    peer_value: rate,
    ratio: otherRate / rate,
    target: `the faster where bronze is the same; same bronze: ${sameBronze ? 'yes' : 'NO'}`,
    meets: sameBronze,
    vs_target: null,
  },
];
process.stdout.write(
  `\n${table(stages)}\n\n${rawRows} raw rows in ${totalObjects} objects: incremental ${incrementalSeconds.toFixed(1)} s in total, ` +
    `the last pass ${lastPassSeconds.toFixed(2)} s; one rebuild at the final size ${rebuildSeconds.toFixed(1)} s ` +
    `(ratio ${ratio.toFixed(2)}: the time a rebuild-each-time merge spends per micro-batch at that size)\n`,
);
process.stdout.write(
  `incremental time by step (ms, all tables): ${Object.entries(steps)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; the rest is listing S3 and reading checkpoints\n`,
);
process.stdout.write(`results: ${writeResults('merge', scale, stages)}\n`);
process.exit(0);
