// `npm run demo [-- --orders N]`: the whole pipeline on the real services, once through. A source database of
// its own is filled by the star-schema generator; then the producer (logical replication to Kafka), the
// consumer (Kafka to raw Parquet on S3) and the merge (raw to bronze, silver and gold) run, each as the
// `cdclake` command a user runs, and the gold tables are printed. Each run has its own topics, raw prefix
// and lake; its replication slot is dropped at the end so PostgreSQL keeps no WAL for it.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { resolveConfig } from '../core/config.ts';
import { quotedIdentifier } from '../core/sql.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '20000' } } });
const orders = Number(values.orders);
if (!Number.isInteger(orders) || orders < 1)
  throw new Error(`--orders ${values.orders}: expected a positive integer`);

const ROOT = path.resolve(import.meta.dirname, '..');
const base = resolveConfig();
const id = `demo_${Date.now().toString(36)}`;
const sourceUrl = new URL(base.PG_URL);
sourceUrl.pathname = `/${id}`;
const env: Record<string, string> = {
  PG_URL: sourceUrl.toString(),
  PG_SLOT: id,
  PG_PUBLICATION: id,
  CDC_TOPIC_PREFIX: id,
  RAW_PREFIX: `demo/${id}/raw/`,
  LAKE_CATALOG: `duckdb:${path.join(base.CDCLAKE_HOME, 'demo', id, 'catalog.ducklake')}`,
  LAKE_DATA_PATH: `s3://${base.S3_BUCKET}/demo/${id}/lake/`,
  METRICS_PORT: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function cdclake(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cdclake.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`cdclake ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}`)),
    );
  });
}

async function step(title: string, args: string[]): Promise<void> {
  const started = performance.now();
  process.stdout.write(`\n▶ ${title}\n  $ cdclake ${args.join(' ')}\n`);
  await cdclake(args);
  process.stdout.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const admin = new pg.Client({ connectionString: base.PG_URL });
await admin.connect();
await admin.query(`create database ${quotedIdentifier(id)}`);
try {
  await step(
    `the star-schema workload into PostgreSQL (database ${id}): ${orders} orders with updates and deletes`,
    ['produce', '--source', 'generator', '--target', 'postgres', '--orders', String(orders)],
  );
  await step('producer: PostgreSQL logical replication to Kafka, until caught up', [
    'produce',
    '--source',
    'postgres',
    '--until-idle',
  ]);
  await step('consumer: Kafka to raw Parquet on S3, until caught up', ['consume', '--until-idle']);
  await step('merge: raw to DuckLake bronze, then silver and gold', ['merge', '--once']);
  await step('status', ['status']);
  for (const model of [
    'monthly_revenue',
    'top_products_by_category',
    'rfm_segments',
    'revenue_by_segment_category_quarter',
  ])
    await step(`gold.${model}`, ['query', `SELECT * FROM gold.${model} LIMIT 12`]);
} finally {
  await admin
    .query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [id])
    .catch(() => undefined);
  await admin.end();
}
process.stdout.write(
  `\nThe lake of this run: catalog ${env.LAKE_CATALOG?.slice('duckdb:'.length)}, data under ${env.LAKE_DATA_PATH}\n` +
    `Query it:\n  LAKE_CATALOG=${env.LAKE_CATALOG} LAKE_DATA_PATH=${env.LAKE_DATA_PATH} node bin/cdclake.js query "SELECT * FROM gold.monthly_revenue"\n` +
    `The source database ${id} is kept; the services keep running: npm run services -- status | down\n`,
);
