// A Kafka broker of a test's own, from the same jars as the native services, so a test can take it down
// and bring it back without touching the shared stack.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../core/config.ts';
import { Home } from '../../scripts/services/home.ts';
import { kafkaLibDir, kafkaPid, kafkaReady, startKafka, stopKafka } from '../../scripts/services/kafka.ts';
import { choosePort, stopPid } from '../../scripts/services/processes.ts';

export interface ExtraKafka {
  brokers: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** A temporary home for a broker of its own, using the shared installation's Kafka jars. */
export function newKafkaHome(): Home {
  const shared = new Home(resolveConfig().CDCLAKE_HOME);
  const home = new Home(fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-kafka-')));
  const lib = kafkaLibDir(home);
  fs.mkdirSync(path.dirname(lib), { recursive: true });
  fs.symlinkSync(kafkaLibDir(shared), lib);
  return home;
}

export async function startExtraKafka(): Promise<ExtraKafka> {
  const home = newKafkaHome();
  const taken = new Set<number>();
  const port = await choosePort(29092 + Math.floor(Math.random() * 1000), taken);
  const controllerPort = await choosePort(port + 1, taken);
  const start = async (): Promise<void> => {
    await startKafka(home, port, controllerPort);
    await kafkaReady(port, 90_000);
  };
  await start();
  return {
    brokers: `127.0.0.1:${port}`,
    start,
    kill: async () => {
      const pid = kafkaPid(home);
      if (pid !== undefined) await stopPid(pid, 0);
    },
    remove: async () => {
      await stopKafka(home);
      fs.rmSync(home.root, { recursive: true, force: true });
    },
  };
}
