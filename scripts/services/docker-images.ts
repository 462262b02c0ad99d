// The images of the compose stack built here, with no registry: everything starts from the Debian base
// image (debootstrap, docker.ts) and gets its software the way the native launcher does: Kafka's jars from
// Maven Central, MinIO and mc with `go install` at pinned commits, PostgreSQL and the JRE from Debian,
// Node.js from the npm registry. Each image's build context is staged under CDCLAKE_HOME/docker/context.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DockerEngine } from './docker.ts';
import type { Home } from './home.ts';
import { installKafka, kafkaLibDir } from './kafka.ts';
import { installMc, installMinio, minioBinary } from './minio.ts';
import { ensureNodeRuntime } from './node-runtimes.ts';
import { run } from './tools.ts';
import { KAFKA_VERSION } from './versions.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOCAL = path.join(ROOT, 'docker', 'local');

/** The tags docker-compose.yml's *_IMAGE variables name for the locally built variant. */
export const LOCAL_IMAGES = {
  kafka: `cdclake/kafka:${KAFKA_VERSION}-local`,
  minio: 'cdclake/minio:local',
  postgres: 'cdclake/postgres:15-local',
  app: 'cdclake:local',
} as const;

/** The environment that makes docker-compose.yml use the locally built images and never pull. */
export const LOCAL_IMAGE_ENV: Record<string, string> = {
  KAFKA_IMAGE: LOCAL_IMAGES.kafka,
  MINIO_IMAGE: LOCAL_IMAGES.minio,
  MC_IMAGE: LOCAL_IMAGES.minio,
  POSTGRES_IMAGE: LOCAL_IMAGES.postgres,
  CDCLAKE_IMAGE: LOCAL_IMAGES.app,
  PULL_POLICY: 'never',
};

/** The application's files an image needs (the root Dockerfile's .dockerignore, as a list). */
const APP_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'bin',
  'cli',
  'core',
  'consumer',
  'producer',
  'merge',
  'sql',
];

function stage(home: Home, name: string, files: [from: string, to: string][]): string {
  const context = path.join(home.dir('docker', 'context'), name);
  fs.rmSync(context, { recursive: true, force: true });
  fs.mkdirSync(context, { recursive: true });
  for (const [from, to] of files) fs.cpSync(from, path.join(context, to), { recursive: true });
  return context;
}

async function build(engine: DockerEngine, tag: string, context: string): Promise<void> {
  // The classic builder: BuildKit's frontends are images of their own, which no registry serves here.
  await run('docker', ['build', '--pull=false', '-t', tag, context], {
    env: { ...engine.env, DOCKER_BUILDKIT: '0' },
    what: `docker build ${tag}`,
  });
}

export async function buildLocalImages(
  home: Home,
  engine: DockerEngine,
  extensionDir: string,
  say: (line: string) => void,
): Promise<void> {
  const timed = async (what: string, work: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    await work();
    say(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  await timed(`image ${LOCAL_IMAGES.postgres}`, () =>
    build(
      engine,
      LOCAL_IMAGES.postgres,
      stage(home, 'postgres', [
        [path.join(LOCAL, 'postgres.Dockerfile'), 'Dockerfile'],
        [path.join(LOCAL, 'postgres-entrypoint.sh'), 'postgres-entrypoint.sh'],
      ]),
    ),
  );
  await timed(`image ${LOCAL_IMAGES.kafka}`, async () => {
    await installKafka(home);
    await build(
      engine,
      LOCAL_IMAGES.kafka,
      stage(home, 'kafka', [
        [path.join(LOCAL, 'kafka.Dockerfile'), 'Dockerfile'],
        [kafkaLibDir(home), 'lib'],
        ...['kafka-run.sh', 'kafka-broker-api-versions.sh', 'kafka-log4j2.properties'].map(
          (f): [string, string] => [path.join(LOCAL, f), f],
        ),
      ]),
    );
  });
  await timed(`image ${LOCAL_IMAGES.minio}`, async () => {
    await installMinio(home);
    const mc = await installMc(home);
    await build(
      engine,
      LOCAL_IMAGES.minio,
      stage(home, 'minio', [
        [path.join(LOCAL, 'minio.Dockerfile'), 'Dockerfile'],
        [minioBinary(home), 'minio'],
        [mc, 'mc'],
      ]),
    );
  });
  await timed(`image ${LOCAL_IMAGES.app}`, () => buildAppImage(home, engine, extensionDir));
}

/**
 * The application image: its production dependencies are installed on the host (same platform) and kept
 * between builds while package-lock.json is unchanged.
 */
async function buildAppImage(home: Home, engine: DockerEngine, extensionDir: string): Promise<void> {
  const node = await ensureNodeRuntime(home, '22');
  const lock = fs.readFileSync(path.join(ROOT, 'package-lock.json'));
  const lockHash = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const deps = path.join(home.dir('docker', 'app-deps'), lockHash);
  if (!fs.existsSync(path.join(deps, 'node_modules'))) {
    fs.rmSync(deps, { recursive: true, force: true });
    fs.mkdirSync(deps, { recursive: true });
    for (const f of ['package.json', 'package-lock.json'])
      fs.copyFileSync(path.join(ROOT, f), path.join(deps, f));
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
      cwd: deps,
      what: 'npm ci --omit=dev for the application image',
    });
  }
  const context = stage(home, 'app', [
    [path.join(LOCAL, 'app.Dockerfile'), 'Dockerfile'],
    [node, 'node'],
    ...APP_FILES.map((f): [string, string] => [path.join(ROOT, f), path.join('app', f)]),
    [path.join(deps, 'node_modules'), path.join('app', 'node_modules')],
    [extensionDir, path.join('app', '.cdclake', 'duckdb', 'extensions')],
  ]);
  await build(engine, LOCAL_IMAGES.app, context);
}
