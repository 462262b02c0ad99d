// Where integration tests find the real services: the environment when it names them, testcontainers
// when a Docker engine answers, otherwise the native services of scripts/services (started if needed).

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServiceEnv = Record<string, string>;
export interface Endpoints {
  source: 'environment' | 'testcontainers' | 'native';
  env: ServiceEnv;
  stop(): Promise<void>;
}

const REQUIRED = ['KAFKA_BROKERS', 'S3_ENDPOINT', 'PG_URL'] as const;

/**
 * Which services the tests use, in this order: the environment's when it names all three; testcontainers
 * when a Docker engine answers (DOCKER_HOST, or the default socket) and CDCLAKE_TESTS_NATIVE is not 1; the
 * native services otherwise. The engine is asked only when the environment does not decide.
 */
export async function chooseServices(
  env: NodeJS.ProcessEnv,
  engineAnswers: () => Promise<boolean>,
): Promise<Endpoints['source']> {
  if (REQUIRED.every((name) => (env[name] ?? '') !== '')) return 'environment';
  if (env['CDCLAKE_TESTS_NATIVE'] !== '1' && (await engineAnswers())) return 'testcontainers';
  return 'native';
}

export async function resolveEndpoints(): Promise<Endpoints> {
  switch (await chooseServices(process.env, dockerAnswers)) {
    case 'environment': {
      const env: ServiceEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
      return { source: 'environment', env, stop: async () => undefined };
    }
    case 'testcontainers': {
      const { startContainers } = await import('./containers.ts');
      return startContainers();
    }
    case 'native':
      return startNative();
  }
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startNative(): Promise<Endpoints> {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const launcher = path.join(ROOT, 'scripts', 'services', 'main.ts');
  const up = run(tsx, [launcher, 'up'], { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 });
  up.child.stderr?.pipe(process.stderr);
  await up;
  const { stdout } = await run(tsx, [launcher, 'env'], { cwd: ROOT });
  return { source: 'native', env: parseExports(stdout), stop: async () => undefined };
}

/** Reads `export A='x' B='y'` as printed by `npm run services -- env`. */
export function parseExports(text: string): ServiceEnv {
  const env: ServiceEnv = {};
  for (const match of text.matchAll(/([A-Z0-9_]+)='((?:[^']|'\\'')*)'/g)) {
    env[match[1] as string] = (match[2] as string).replaceAll(`'\\''`, "'");
  }
  return env;
}
