// docker-compose.yml, for real: the stack comes up on this machine's Docker engine from the locally built
// images (PULL_POLICY=never), its healthchecks pass, the generator writes into the compose PostgreSQL, and
// `cdclake up` in its container carries every change to the lake: bronze equals the source over every
// column and gold equals the same analytics run on PostgreSQL, with the app container restarted midway
// and two more merge workers (the scale-out profile) sharing the tables with it.
// `down -v` leaves no container, network or volume behind. Run by `npm run test:compose`.

import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { resolveConfig, type Config } from '../../core/config.ts';
import { freePort } from '../../core/free-port.ts';
import { dockerEngine } from '../../scripts/services/docker.ts';
import { LOCAL_IMAGE_ENV } from '../../scripts/services/docker-images.ts';
import { Home } from '../../scripts/services/home.ts';
import { compareBronzeWithPostgres, compareGoldWithPostgres } from '../support/lake-oracle.ts';
import { runCdclake } from '../support/processes.ts';
import { waitUntil as waitFor } from '../support/wait.ts';

const waitUntil = (what: string, check: () => Promise<boolean>, ms = 300_000): Promise<void> =>
  waitFor(what, check, ms, 2000);

const base = resolveConfig();
const engine = dockerEngine(new Home(base.CDCLAKE_HOME));
const project = `cdclake_compose_${Date.now().toString(36)}`;
const timings: Record<string, number> = {};
let composeEnv: NodeJS.ProcessEnv = {};

function docker(args: string[], env: NodeJS.ProcessEnv = engine.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0] as string, args.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`)),
    );
  });
}

const compose = (...args: string[]): Promise<string> =>
  docker(['docker-compose', '-p', project, '-f', 'docker-compose.yml', ...args], composeEnv);

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round((Date.now() - started) / 100) / 10;
  }
}

async function health(service: string): Promise<string> {
  const id = (await compose('ps', '-q', service)).trim();
  if (id === '') return 'absent';
  return (
    await docker([
      'docker',
      'inspect',
      '-f',
      '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}',
      id,
    ])
  ).trim();
}

async function waitHealthy(services: string[], ms = 300_000): Promise<void> {
  const deadline = Date.now() + ms;
  let states: string[] = [];
  while (Date.now() < deadline) {
    states = await Promise.all(services.map((s) => health(s)));
    if (states.every((s) => s === 'healthy')) return;
    await sleep(1000);
  }
  throw new Error(`not healthy: ${services.map((s, i) => `${s}=${states[i]}`).join(', ')}`);
}

afterAll(async () => {
  await compose('down', '-v', '--remove-orphans').catch(() => undefined);
  process.stdout.write(`compose timings (s): ${JSON.stringify(timings)}\n`);
});

test('docker compose up: the whole stack from local images, restarted midway, lake equal to the source', async () => {
  const ports = {
    KAFKA_HOST_PORT: await freePort(),
    MINIO_HOST_PORT: await freePort(),
    MINIO_CONSOLE_HOST_PORT: await freePort(),
    POSTGRES_HOST_PORT: await freePort(),
    CDCLAKE_METRICS_HOST_PORT: await freePort(),
  };
  composeEnv = {
    ...engine.env,
    ...LOCAL_IMAGE_ENV,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    MERGE_EVERY: '2s',
    LAKE_MODELS_EVERY: '5s',
    PRODUCER_TABLE_REFRESH_MS: '1000',
    CONSUMER_TOPIC_REFRESH_MS: '1000',
    // Two more merge workers beside up's own loop: three processes share the tables through their leases.
    COMPOSE_PROFILES: 'scale-out',
  };
  // What a user's machine sees of the stack: its host ports, the app's role and MinIO user.
  const config: Config = resolveConfig({
    ...process.env,
    CDCLAKE_HOME: base.CDCLAKE_HOME,
    DUCKDB_EXTENSION_DIR: base.DUCKDB_EXTENSION_DIR,
    KAFKA_BROKERS: `127.0.0.1:${ports.KAFKA_HOST_PORT}`,
    S3_ENDPOINT: `http://127.0.0.1:${ports.MINIO_HOST_PORT}`,
    S3_ACCESS_KEY_ID: 'cdclake-app',
    S3_SECRET_ACCESS_KEY: 'cdclake-app-secret',
    PG_URL: `postgres://cdclake:cdclake@127.0.0.1:${ports.POSTGRES_HOST_PORT}/cdclake`,
    LAKE_CATALOG: `postgres:host=127.0.0.1 port=${ports.POSTGRES_HOST_PORT} dbname=lake user=cdclake password=cdclake`,
    LAKE_DATA_PATH: 's3://cdclake/lake/',
    METRICS_PORT: '0',
  });

  await timed('up -d', () => compose('up', '-d', '--no-build', '--scale', 'merge=2'));
  await timed('healthy', () => waitHealthy(['kafka', 'minio', 'postgres', 'cdclake']));
  const metrics = `http://127.0.0.1:${ports.CDCLAKE_METRICS_HOST_PORT}`;
  expect(await (await fetch(`${metrics}/health`)).json()).toEqual({ status: 'ok' });
  // The live dashboard is served from the image too (its page is read from the files the image holds).
  expect(await (await fetch(`${metrics}/`)).text()).toContain('<title>cdclake</title>');

  const started = Date.now();
  const generating = runCdclake(config, [
    'produce',
    '--source',
    'generator',
    '--target',
    'postgres',
    '--orders',
    '20000',
    '--rate',
    '4000',
    '--seed',
    '7',
  ]);
  // Midway: the app container restarts (SIGTERM, then a new start), while the generator keeps writing.
  await waitUntil('the first orders in bronze', async () => {
    const [orders] = await compareBronzeWithPostgres(config, ['orders']);
    return (orders?.bronzeRows ?? 0) > 1000;
  });
  await timed('restart cdclake', () => compose('restart', 'cdclake'));
  await generating;
  timings['generator'] = Math.round((Date.now() - started) / 100) / 10;

  await timed('caught up', () =>
    waitUntil('bronze to equal the source', async () => {
      const tables = await compareBronzeWithPostgres(config, ['products', 'customers', 'orders']);
      return tables.every(
        (t) => t.onlyInBronze === 0 && t.onlyInPostgres === 0 && t.bronzeRows === t.postgresRows,
      );
    }),
  );
  for (const t of await compareBronzeWithPostgres(config, ['products', 'customers', 'orders']))
    expect(t).toEqual({ ...t, onlyInBronze: 0, onlyInPostgres: 0, bronzeRows: t.postgresRows, sample: [] });
  // Gold is rebuilt every LAKE_MODELS_EVERY once bronze changed; the next build sees all of bronze.
  await timed('gold caught up', () =>
    waitUntil('gold to equal the analytics on PostgreSQL', async () =>
      (await compareGoldWithPostgres(config)).every(
        (g) => g.goldRows === g.postgresRows && g.differing.length === 0,
      ),
    ),
  );
  for (const g of await compareGoldWithPostgres(config)) {
    expect(g.goldRows).toBeGreaterThan(0);
    expect(g).toEqual({ ...g, goldRows: g.postgresRows, differing: [] });
  }
  const logs = await compose('logs', '--no-color', 'cdclake');
  expect(logs).toContain('stopping: producer, then consumer, then merge');
  expect((await compose('ps', '-q', 'merge')).trim().split('\n')).toHaveLength(2);

  await timed('down -v', () => compose('down', '-v', '--remove-orphans'));
  const label = `label=com.docker.compose.project=${project}`;
  const left = {
    containers: (await docker(['docker', 'ps', '-aq', '--filter', label])).trim(),
    networks: (await docker(['docker', 'network', 'ls', '-q', '--filter', label])).trim(),
    volumes: (await docker(['docker', 'volume', 'ls', '-q', '--filter', label])).trim(),
  };
  expect(left).toEqual({ containers: '', networks: '', volumes: '' });
}, 1_200_000);
