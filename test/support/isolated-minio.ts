// A MinIO of one test's own, for what would disturb the others: stopping it with SIGSTOP so it accepts
// connections and answers nothing, as a hung store does. The same binary and start-up as the shared one.

import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../core/free-port.ts';
import { Home } from '../../scripts/services/home.ts';
import { minioPid, minioReady, startMinio, stopMinio } from '../../scripts/services/minio.ts';
import { uniqueId } from './fixtures.ts';

export interface IsolatedMinio {
  /** S3_* variables that point cdclake at this server and its bucket. */
  env: Record<string, string>;
  /** Stops the process (SIGSTOP): the kernel still accepts connections, nothing answers them. */
  pause(): void;
  resume(): void;
  /** Stops the server as a restart does (its data kept), and starts it again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startIsolatedMinio(cdclakeHome: string, bucket: string): Promise<IsolatedMinio> {
  const binary = path.join(cdclakeHome, 'minio', 'bin', 'minio');
  if (!fs.existsSync(binary)) throw new Error(`no MinIO binary at ${binary}: run \`npm run services -- up\``);
  const home = new Home(path.join(cdclakeHome, 'tests', uniqueId('minio')));
  fs.symlinkSync(binary, path.join(home.dir('minio', 'bin'), 'minio'));
  const credentials = { accessKeyId: uniqueId('root'), secretAccessKey: uniqueId('secret') };
  const port = await freePort();
  const consolePort = await freePort();
  startMinio(home, port, consolePort, credentials);
  const pid = (): number => {
    const running = minioPid(home);
    if (running === undefined) throw new Error(`the test's MinIO on port ${port} is not running`);
    return running;
  };
  try {
    await minioReady(port, credentials, bucket, 60_000);
  } catch (error: unknown) {
    await stopMinio(home);
    throw error;
  }
  let paused = false;
  const resume = (): void => {
    process.kill(pid(), 'SIGCONT');
    paused = false;
  };
  return {
    env: {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_BUCKET: bucket,
    },
    pause() {
      process.kill(pid(), 'SIGSTOP');
      paused = true;
    },
    resume,
    async down() {
      await stopMinio(home);
    },
    async up() {
      startMinio(home, port, consolePort, credentials);
      await minioReady(port, credentials, bucket, 60_000);
    },
    async stop() {
      // A stopped process cannot act on SIGTERM: let it run first.
      if (paused) resume();
      await stopMinio(home);
      fs.rmSync(home.root, { recursive: true, force: true });
    },
  };
}
