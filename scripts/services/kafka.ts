// Kafka on a machine without Docker: Kafka's own jars from Maven Central, one KRaft broker+controller.
// Readiness is a metadata request answered by the broker.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Home } from './home.ts';
import { runningPid, startDetached, stopPid, waitFor } from './processes.ts';
import { copyJars } from './maven.ts';
import { requireCommand, run } from './tools.ts';
import { KAFKA_VERSION, LOG4J_VERSION } from './versions.ts';

export function kafkaLibDir(home: Home): string {
  return path.join(home.root, 'kafka', KAFKA_VERSION, 'lib');
}

export async function installKafka(home: Home): Promise<boolean> {
  const lib = kafkaLibDir(home);
  const marker = path.join(lib, '.complete');
  if (fs.existsSync(marker)) return false;
  requireCommand('java', 'to run Kafka', 'install a JDK 17+ (apt-get install openjdk-17-jre-headless)');
  requireCommand('mvn', "to fetch Kafka's jars from Maven Central", 'install Maven (apt-get install maven)');
  await copyJars(home, {
    name: 'kafka-native',
    work: home.dir('kafka', KAFKA_VERSION),
    lib,
    artifacts: [
      { group: 'org.apache.kafka', artifact: 'kafka_2.13', version: KAFKA_VERSION },
      { group: 'org.apache.kafka', artifact: 'kafka-tools', version: KAFKA_VERSION },
      { group: 'org.apache.logging.log4j', artifact: 'log4j-slf4j-impl', version: LOG4J_VERSION },
    ],
    what: `fetching Kafka ${KAFKA_VERSION} jars`,
  });
  fs.writeFileSync(marker, new Date().toISOString());
  return true;
}

function paths(home: Home) {
  return {
    config: home.file('kafka', 'server.properties'),
    log4j: home.file('kafka', 'log4j2.properties'),
    data: path.join(home.root, 'kafka', 'data'),
    logFile: home.file('logs', 'kafka.log'),
    pidFile: home.file('services', 'kafka.pid'),
  };
}

/** What a broker adds to the plain one: listeners of other security protocols and their settings. */
export interface KafkaOverlay {
  /** Listeners beside PLAINTEXT (which brokers talk among themselves on) and CONTROLLER. */
  listeners?: { name: string; port: number; protocol: 'SSL' | 'SASL_SSL' | 'SASL_PLAINTEXT' }[];
  /** Lines appended to server.properties (the listeners' TLS and SASL settings). */
  properties?: string[];
  /** Arguments of the storage format, e.g. `--add-scram` for SCRAM users, which KRaft creates at format. */
  formatArgs?: string[];
}

export async function startKafka(
  home: Home,
  port: number,
  controllerPort: number,
  overlay: KafkaOverlay = {},
): Promise<void> {
  const p = paths(home);
  if (runningPid(p.pidFile) !== undefined) return;
  const listeners = [
    { name: 'PLAINTEXT', port, protocol: 'PLAINTEXT' },
    { name: 'CONTROLLER', port: controllerPort, protocol: 'PLAINTEXT' },
    ...(overlay.listeners ?? []),
  ];
  const addresses = listeners.map((l) => `${l.name}://127.0.0.1:${l.port}`).join(',');
  fs.writeFileSync(
    p.config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
      `listeners=${addresses}`,
      `advertised.listeners=${addresses}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `listener.security.protocol.map=${listeners.map((l) => `${l.name}:${l.protocol}`).join(',')}`,
      `log.dirs=${p.data}`,
      'num.partitions=6',
      'offsets.topic.replication.factor=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      ...(overlay.properties ?? []),
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    p.log4j,
    [
      'rootLogger.level=INFO',
      'rootLogger.appenderRef.stdout.ref=STDOUT',
      'appender.stdout.type=Console',
      'appender.stdout.name=STDOUT',
      'appender.stdout.layout.type=PatternLayout',
      'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
      'logger.kafka.name=kafka',
      'logger.kafka.level=WARN',
      'logger.apache.name=org.apache.kafka',
      'logger.apache.level=WARN',
      '',
    ].join('\n'),
  );
  const classpath = `${kafkaLibDir(home)}/*`;
  const java = [`-Dlog4j2.configurationFile=${p.log4j}`, '-cp', classpath];
  if (!fs.existsSync(path.join(p.data, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    // `--cluster-id=<id>`: an id starting with '-' (one in 64) would otherwise be read as an option.
    await run(
      'java',
      [
        ...java,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        `--cluster-id=${clusterId}`,
        '-c',
        p.config,
        ...(overlay.formatArgs ?? []),
      ],
      { what: 'formatting Kafka storage' },
    );
  }
  const heap = process.env['KAFKA_HEAP_OPTS'] ?? '-Xms512m -Xmx1g';
  startDetached(
    'java',
    [...heap.split(/\s+/), '-XX:+UseG1GC', '-Djava.awt.headless=true', ...java, 'kafka.Kafka', p.config],
    { logFile: p.logFile, pidFile: p.pidFile },
  );
}

export async function kafkaReady(port: number, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'cdclake-services',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
  });
  await waitFor(
    `Kafka on 127.0.0.1:${port}`,
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no broker in metadata');
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    timeoutMs,
  );
}

export async function stopKafka(home: Home): Promise<void> {
  const pid = runningPid(paths(home).pidFile);
  if (pid !== undefined) await stopPid(pid, 30_000);
}

export function kafkaPid(home: Home): number | undefined {
  return runningPid(paths(home).pidFile);
}
