// MinIO on a machine without Docker: MinIO ships source only, so `go install` a pinned commit.
// Readiness is an S3 call answered by the server; the project's bucket is created once it answers.

import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { Home } from './home.ts';
import { runningPid, startDetached, stopPid, waitFor } from './processes.ts';
import { requireCommand, run } from './tools.ts';
import { MC_MODULE, MINIO_MODULE } from './versions.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

function binary(home: Home): string {
  return path.join(home.root, 'minio', 'bin', 'minio');
}

export async function installMinio(home: Home): Promise<boolean> {
  return goInstall(home, 'minio', '.module', MINIO_MODULE, 'MinIO');
}

/** MinIO's client `mc`, built the same way, for the locally built MinIO image. */
export async function installMc(home: Home): Promise<string> {
  await goInstall(home, 'mc', '.mc-module', MC_MODULE, "MinIO's client mc");
  return path.join(home.root, 'minio', 'bin', 'mc');
}

/**
 * `go install` of a pinned module into CDCLAKE_HOME/minio/bin, with the module and build caches there too;
 * skipped when the binary is there and its marker names the same module. True when it built.
 */
async function goInstall(
  home: Home,
  command: string,
  markerName: string,
  module: string,
  what: string,
): Promise<boolean> {
  const built = path.join(home.root, 'minio', 'bin', command);
  const marker = path.join(home.root, 'minio', 'bin', markerName);
  if (fs.existsSync(built) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === module)
    return false;
  requireCommand('go', `to build ${what} (it ships source only)`, 'install Go 1.24+ (https://go.dev/dl)');
  const env = {
    ...process.env,
    GOBIN: home.dir('minio', 'bin'),
    GOMODCACHE: home.dir('go', 'mod'),
    GOCACHE: home.dir('go', 'build'),
    GOFLAGS: '-modcacherw -buildvcs=false',
    CGO_ENABLED: '0',
  };
  await run('go', ['install', module], { env, what: `building ${what} (${module})` });
  fs.writeFileSync(marker, module + '\n');
  return true;
}

/** The MinIO server binary installMinio builds. */
export function minioBinary(home: Home): string {
  return binary(home);
}

function paths(home: Home) {
  return {
    data: home.dir('minio', 'data'),
    logFile: home.file('logs', 'minio.log'),
    pidFile: home.file('services', 'minio.pid'),
  };
}

export function startMinio(home: Home, port: number, consolePort: number, credentials: S3Credentials): void {
  const p = paths(home);
  if (runningPid(p.pidFile) !== undefined) return;
  startDetached(
    binary(home),
    [
      'server',
      p.data,
      '--quiet',
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
    ],
    {
      env: {
        ...process.env,
        MINIO_ROOT_USER: credentials.accessKeyId,
        MINIO_ROOT_PASSWORD: credentials.secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
      },
      logFile: p.logFile,
      pidFile: p.pidFile,
    },
  );
}

export function s3Client(endpoint: string, credentials: S3Credentials): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
}

export async function minioReady(
  port: number,
  credentials: S3Credentials,
  bucket: string,
  timeoutMs: number,
): Promise<void> {
  const client = s3Client(`http://127.0.0.1:${port}`, credentials);
  try {
    await waitFor(`MinIO on 127.0.0.1:${port}`, () => client.send(new ListBucketsCommand({})), timeoutMs);
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  } finally {
    client.destroy();
  }
}

export async function stopMinio(home: Home): Promise<void> {
  const pid = runningPid(paths(home).pidFile);
  if (pid !== undefined) await stopPid(pid);
}

export function minioPid(home: Home): number | undefined {
  return runningPid(paths(home).pidFile);
}
