// `npm run services -- install|up|down|status|logs|env`: the real Kafka, MinIO and PostgreSQL on a machine
// without Docker. Idempotent: a second `up` finds them running and returns once they answer.

import fs from 'node:fs';
import { resolveConfig } from '../../core/config.ts';
import { dockerDown, dockerEngine, dockerRunning, dockerUp } from './docker.ts';
import { buildLocalImages } from './docker-images.ts';
import { installDuckdbExtensions } from './duckdb-extensions.ts';
import { Home, type ServiceState } from './home.ts';
import { installTestTools } from './test-tools.ts';
import { installKafka, kafkaPid, kafkaReady, startKafka, stopKafka } from './kafka.ts';
import { installMinio, minioPid, minioReady, startMinio, stopMinio } from './minio.ts';
import {
  installPostgres,
  postgresLog,
  postgresPid,
  postgresReady,
  postgresUrl,
  startPostgres,
  stopPostgres,
} from './postgres.ts';
import { choosePort } from './processes.ts';
import { KAFKA_VERSION, MINIO_MODULE, DUCKDB_VERSION } from './versions.ts';

const config = resolveConfig();
const home = new Home(config.CDCLAKE_HOME);
const credentials = { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY };
const READY_TIMEOUT_MS = 120_000;

function say(message: string): void {
  process.stderr.write(`[services] ${message}\n`);
}

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  say(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function preferredPort(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable}=${JSON.stringify(raw)}: expected a TCP port number 1-65535`);
  }
  return port;
}

/** Ports are chosen once and kept in the state file, so restarts keep the addresses clients know. */
async function ports(): Promise<Required<ServiceState>> {
  const state = home.readState();
  const taken = new Set<number>();
  const kafkaPort = state.kafka?.port ?? (await choosePort(preferredPort('CDCLAKE_KAFKA_PORT', 9092), taken));
  const full: Required<ServiceState> = {
    kafka: state.kafka ?? { port: kafkaPort, controllerPort: await choosePort(kafkaPort + 1, taken) },
    minio: state.minio ?? {
      port: await choosePort(preferredPort('CDCLAKE_MINIO_PORT', 9000), taken),
      consolePort: await choosePort(9001, taken),
    },
    postgres: state.postgres ?? { port: await choosePort(preferredPort('CDCLAKE_PG_PORT', 5432), taken) },
  };
  home.writeState(full);
  return full;
}

/** Everything the services need, installed and cached under CDCLAKE_HOME; nothing started. */
async function install(): Promise<void> {
  say(`home ${home.root}`);
  await Promise.all([
    step(`DuckDB ${DUCKDB_VERSION} extensions`, () =>
      installDuckdbExtensions(home, config.DUCKDB_EXTENSION_DIR),
    ),
    step('PostgreSQL server package', installPostgres),
    step(`Kafka ${KAFKA_VERSION} jars`, () => installKafka(home)),
    step(`MinIO build (${MINIO_MODULE})`, () => installMinio(home)),
  ]);
}

async function up(): Promise<void> {
  const started = Date.now();
  await install();
  const p = await ports();
  await Promise.all([
    step(`PostgreSQL up on ${p.postgres.port}`, async () => {
      await startPostgres(home, p.postgres.port);
      await postgresReady(p.postgres.port, READY_TIMEOUT_MS);
    }),
    step(`MinIO up on ${p.minio.port}`, async () => {
      startMinio(home, p.minio.port, p.minio.consolePort, credentials);
      await minioReady(p.minio.port, credentials, config.S3_BUCKET, READY_TIMEOUT_MS);
    }),
    step(`Kafka up on ${p.kafka.port}`, async () => {
      await startKafka(home, p.kafka.port, p.kafka.controllerPort);
      await kafkaReady(p.kafka.port, READY_TIMEOUT_MS);
    }),
  ]);
  say(
    `all services up in ${((Date.now() - started) / 1000).toFixed(1)} s; load them with: eval "$(npm run -s services -- env)"`,
  );
}

async function down(): Promise<void> {
  await Promise.all([
    step('Kafka stopped', () => stopKafka(home)),
    step('MinIO stopped', () => stopMinio(home)),
    step('PostgreSQL stopped', () => stopPostgres(home)),
  ]);
}

function status(): number {
  const state = home.readState();
  const rows: [string, number | undefined, number | undefined][] = [
    ['kafka', kafkaPid(home), state.kafka?.port],
    ['minio', minioPid(home), state.minio?.port],
    ['postgres', postgresPid(home), state.postgres?.port],
  ];
  for (const [name, pid, port] of rows) {
    const shown = pid === undefined ? 'stopped' : `running  pid ${pid}  port ${port}`;
    process.stdout.write(`${name.padEnd(9)} ${shown}\n`);
  }
  return rows.every(([, pid]) => pid !== undefined) ? 0 : 3;
}

function env(): void {
  const state = home.readState();
  if (state.kafka === undefined || state.minio === undefined || state.postgres === undefined) {
    throw new Error('services were never started here: run `npm run services -- up` first');
  }
  const vars: Record<string, string> = {
    CDCLAKE_HOME: home.root,
    KAFKA_BROKERS: `127.0.0.1:${state.kafka.port}`,
    S3_ENDPOINT: `http://127.0.0.1:${state.minio.port}`,
    S3_REGION: config.S3_REGION,
    S3_BUCKET: config.S3_BUCKET,
    S3_ACCESS_KEY_ID: config.S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: config.S3_SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: 'true',
    PG_URL: postgresUrl(state.postgres.port),
    DUCKDB_EXTENSION_DIR: config.DUCKDB_EXTENSION_DIR,
  };
  const quote = (v: string): string => `'${v.replaceAll("'", `'\\''`)}'`;
  process.stdout.write(
    `export ${Object.entries(vars)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ')}\n`,
  );
}

function logs(which: string | undefined): void {
  const files: Record<string, string> = {
    kafka: home.file('logs', 'kafka.log'),
    minio: home.file('logs', 'minio.log'),
    postgres: postgresLog(home),
  };
  for (const [name, file] of Object.entries(files)) {
    if (which !== undefined && which !== name) continue;
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const tail = text.split('\n').slice(-40).join('\n');
    process.stdout.write(`==> ${name}: ${file}\n${tail}\n`);
  }
}

const [command, argument] = process.argv.slice(2);
try {
  switch (command) {
    case 'install':
      await install();
      say('installed; start the services with: npm run services -- up');
      break;
    case 'up':
      await up();
      break;
    case 'test-tools':
      await installTestTools(home, step);
      break;
    case 'down':
      await down();
      break;
    case 'status':
      process.exitCode = status();
      break;
    case 'env':
      env();
      break;
    case 'logs':
      logs(argument);
      break;
    case 'docker':
      // A Docker engine of the project's own (data and socket under CDCLAKE_HOME/docker), for compose and
      // testcontainers where no engine answers.
      if (argument === 'up') {
        const engine = await step('Docker engine', () => dockerUp(home, say));
        say(`Docker engine up; use it with: export DOCKER_HOST=${engine.host}`);
      } else if (argument === 'images') {
        // The compose stack's images built here from the Debian base image (no registry needed).
        const engine = await step('Docker engine', () => dockerUp(home, say));
        await step('DuckDB extensions', () => installDuckdbExtensions(home, config.DUCKDB_EXTENSION_DIR));
        await buildLocalImages(home, engine, config.DUCKDB_EXTENSION_DIR, say);
      } else if (argument === 'down') {
        await step('Docker engine stopped', () => dockerDown(home));
      } else if (argument === 'env') {
        if (dockerRunning(home)) process.stdout.write(`export DOCKER_HOST='${dockerEngine(home).host}'\n`);
      } else {
        process.stderr.write('usage: npm run services -- docker up | images | down | env\n');
        process.exitCode = 2;
      }
      break;
    case 'extensions':
      // Only the DuckDB extensions, for services that run elsewhere (compose, or endpoints in the environment).
      await step(`DuckDB ${DUCKDB_VERSION} extensions`, () =>
        installDuckdbExtensions(home, config.DUCKDB_EXTENSION_DIR),
      );
      break;
    default:
      process.stderr.write(
        'usage: npm run services -- install | up | down | status | logs [kafka|minio|postgres] | env | extensions | test-tools | docker up|images|down|env\n',
      );
      process.exitCode = 2;
  }
} catch (error: unknown) {
  process.stderr.write(
    `[services] ${command} failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
}
