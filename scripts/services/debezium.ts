// Debezium's PostgreSQL connector on Kafka Connect standalone, from jars fetched from Maven Central: the real
// connector whose topics cdclake's consumer reads. Ready is the connector and its task RUNNING on Connect's REST API.

import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { freePort } from '../../core/free-port.ts';
import type { Home } from './home.ts';
import { isAlive, startDetached, stopPid } from './processes.ts';
import { copyJars } from './maven.ts';
import { requireCommand } from './tools.ts';
import { DEBEZIUM_VERSION, KAFKA_VERSION, LOG4J_VERSION } from './versions.ts';

const CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

export function debeziumLibDir(home: Home): string {
  return path.join(home.root, 'debezium', DEBEZIUM_VERSION, 'lib');
}

export async function installDebezium(home: Home): Promise<boolean> {
  const lib = debeziumLibDir(home);
  const marker = path.join(lib, '.complete');
  if (fs.existsSync(marker)) return false;
  requireCommand(
    'java',
    'to run Kafka Connect',
    'install a JDK 17+ (apt-get install openjdk-17-jre-headless)',
  );
  requireCommand(
    'mvn',
    "to fetch Debezium's jars from Maven Central",
    'install Maven (apt-get install maven)',
  );
  await copyJars(home, {
    name: 'debezium-native',
    work: home.dir('debezium', DEBEZIUM_VERSION),
    lib,
    artifacts: [
      { group: 'org.apache.kafka', artifact: 'connect-runtime', version: KAFKA_VERSION },
      { group: 'org.apache.kafka', artifact: 'connect-json', version: KAFKA_VERSION },
      { group: 'io.debezium', artifact: 'debezium-connector-postgres', version: DEBEZIUM_VERSION },
      // Connect logs through slf4j 1.7; the binding Kafka has beside it makes log4j2 write.
      { group: 'org.apache.logging.log4j', artifact: 'log4j-slf4j-impl', version: LOG4J_VERSION },
    ],
    what: `fetching Debezium ${DEBEZIUM_VERSION} and Kafka Connect ${KAFKA_VERSION} jars`,
  });
  // One Debezium release on the classpath: a second version of one of its modules fails at run time, not here.
  const strays = fs
    .readdirSync(lib)
    .filter((jar) => jar.startsWith('debezium-') && !jar.endsWith(`-${DEBEZIUM_VERSION}.jar`));
  if (strays.length > 0)
    throw new CdcError(
      ErrorCode.SERVICE_START,
      `Debezium ${DEBEZIUM_VERSION}'s dependencies resolved other Debezium versions: ${strays.join(', ')}`,
    );
  fs.writeFileSync(marker, new Date().toISOString());
  return true;
}

export interface DebeziumConnectorOptions {
  bootstrapServers: string;
  postgres: { host: string; port: number; user: string; password: string; database: string };
  /** The connector's name in Connect (its REST path) and its offsets' key. */
  name: string;
  /** `topic.prefix`: topics are `<prefix>.<schema>.<table>`. */
  topicPrefix: string;
  slotName: string;
  publicationName: string;
  /** `table.include.list`: regular expressions of `schema.table`; every table when absent. */
  tables?: string[];
  /** JsonConverter's `schemas.enable`, for keys and values. */
  schemasEnable: boolean;
  /**
   * `slot.drop.on.stop`: the task drops its slot when Connect stops it gracefully (SIGTERM). A SIGKILL
   * leaves the slot, inactive, for the caller to drop; an inactive slot still holds WAL.
   */
  dropSlotOnStop?: boolean;
  /** More connector properties, over the defaults. */
  properties?: Record<string, string>;
  /** More worker properties (a secured broker's `security.protocol`, `producer.*`), over the defaults. */
  workerProperties?: Record<string, string>;
  /** Where the worker and connector properties, the offsets file and the log go. */
  workDir: string;
  readyTimeoutMs?: number;
}

export interface TaskStatus {
  id: number;
  state: string;
  trace?: string;
}

export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: TaskStatus[];
}

/** An offset Connect committed for the connector: Debezium's source partition and its position there. */
export interface CommittedOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown>;
}

export interface DebeziumConnector {
  pid: number;
  restUrl: string;
  log: string;
  status(): Promise<ConnectorStatus>;
  /** The offsets flushed to the offsets file: what the connector has written to Kafka and had acknowledged. */
  offsets(): Promise<CommittedOffset[]>;
  /** SIGTERM (Connect stops the task, which drops the slot when asked to), then SIGKILL after 30 s. */
  stop(): Promise<void>;
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\f': '\\f',
  ' ': '\\ ',
};

/**
 * A .properties file as Kafka reads it (java.util.Properties from a byte stream, so ISO-8859-1): backslash,
 * line breaks, a leading space and every character beyond ASCII escaped, so a password arrives as written.
 */
function properties(entries: Record<string, string>): string {
  const escape = (text: string): string =>
    text.replace(
      /[\\\n\r\t\f]|^ |[^\x20-\x7e]/g,
      (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return (
    Object.entries(entries)
      .map(([key, value]) => `${key}=${escape(value)}`)
      .join('\n') + '\n'
  );
}

/** What the log says from byte `from` on: this run's part of a log earlier runs in the same folder wrote to. */
function logSince(log: string, from: number): string {
  try {
    return fs.readFileSync(log).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

export async function startDebeziumConnector(
  home: Home,
  options: DebeziumConnectorOptions,
): Promise<DebeziumConnector> {
  const lib = debeziumLibDir(home);
  if (!fs.existsSync(path.join(lib, '.complete')))
    throw new CdcError(
      ErrorCode.SERVICE_START,
      `Debezium's jars are not in ${lib}: call installDebezium first`,
    );
  fs.mkdirSync(options.workDir, { recursive: true });
  const file = (name: string): string => path.join(options.workDir, name);
  const port = await freePort();
  const restUrl = `http://127.0.0.1:${port}`;
  const schemas = String(options.schemasEnable);
  fs.writeFileSync(
    file('worker.properties'),
    properties({
      'bootstrap.servers': options.bootstrapServers,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': schemas,
      'value.converter.schemas.enable': schemas,
      'offset.storage.file.filename': file('connect.offsets'),
      'offset.flush.interval.ms': '1000',
      listeners: restUrl,
      // The jars are on the classpath, each plugin with its ServiceLoader manifest: no scan of every class.
      'plugin.discovery': 'service_load',
      ...options.workerProperties,
    }),
    { mode: 0o600 },
  );
  const pg = options.postgres;
  fs.writeFileSync(
    file('connector.properties'),
    properties({
      name: options.name,
      'connector.class': CONNECTOR_CLASS,
      'tasks.max': '1',
      'plugin.name': 'pgoutput',
      'database.hostname': pg.host,
      'database.port': String(pg.port),
      'database.user': pg.user,
      'database.password': pg.password,
      'database.dbname': pg.database,
      'topic.prefix': options.topicPrefix,
      'slot.name': options.slotName,
      'publication.name': options.publicationName,
      // A publication of the included tables only (needs the right to create it: owner or superuser).
      'publication.autocreate.mode': 'filtered',
      'snapshot.mode': 'initial',
      'slot.drop.on.stop': String(options.dropSlotOnStop ?? false),
      // Topics made by Connect with the broker's partitions and replication (-1), not left to the broker's
      // auto.create.topics.enable, which many brokers turn off.
      'topic.creation.default.partitions': '-1',
      'topic.creation.default.replication.factor': '-1',
      ...(options.tables === undefined ? {} : { 'table.include.list': options.tables.join(',') }),
      ...options.properties,
    }),
    // It holds the database password.
    { mode: 0o600 },
  );
  fs.writeFileSync(
    file('log4j2.properties'),
    properties({
      'rootLogger.level': 'INFO',
      'rootLogger.appenderRef.stdout.ref': 'STDOUT',
      'appender.stdout.type': 'Console',
      'appender.stdout.name': 'STDOUT',
      'appender.stdout.layout.type': 'PatternLayout',
      'appender.stdout.layout.pattern': '[%d] %p %m (%c)%n',
      // Connect's clients print every configuration they make; Debezium's own lines say what it does.
      'logger.kafka.name': 'org.apache.kafka',
      'logger.kafka.level': 'WARN',
      'logger.connect.name': 'org.apache.kafka.connect.runtime.Worker',
      'logger.connect.level': 'INFO',
      'logger.jetty.name': 'org.eclipse.jetty',
      'logger.jetty.level': 'WARN',
    }),
  );
  const log = file('connect.log');
  const logStart = fs.existsSync(log) ? fs.statSync(log).size : 0;
  const heap = process.env['DEBEZIUM_HEAP_OPTS'] ?? '-Xms128m -Xmx768m';
  const pid = startDetached(
    'java',
    [
      ...heap.split(/\s+/),
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${file('log4j2.properties')}`,
      '-cp',
      `${lib}/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      file('worker.properties'),
      file('connector.properties'),
    ],
    { logFile: log, pidFile: file('connect.pid') },
  );

  let stopping: Promise<void> | undefined;
  const connector: DebeziumConnector = {
    pid,
    restUrl,
    log,
    status: async () => {
      const response = await fetch(`${restUrl}/connectors/${encodeURIComponent(options.name)}/status`, {
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`GET status: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as ConnectorStatus;
    },
    offsets: async () => {
      const response = await fetch(`${restUrl}/connectors/${encodeURIComponent(options.name)}/offsets`, {
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`GET offsets: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { offsets: CommittedOffset[] }).offsets;
    },
    stop: () => (stopping ??= stopPid(pid, 30_000)),
  };
  try {
    await untilRunning(connector, logStart, options.readyTimeoutMs ?? 120_000);
  } catch (error: unknown) {
    await connector.stop();
    throw error;
  }
  return connector;
}

/** Polls the REST API until the connector and every task run; a FAILED one or an exit ends it with the log. */
async function untilRunning(
  connector: DebeziumConnector,
  logStart: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const failure = (what: string): CdcError => {
    const written = logSince(connector.log, logStart);
    // The first ERROR names the cause (a refused login, say); what follows is often Connect's own fallout.
    const first = /^\S+ \S+ ERROR .*$/m.exec(written)?.[0];
    return new CdcError(
      ErrorCode.SERVICE_START,
      `Debezium connector (Kafka Connect pid ${connector.pid}) ${what}` +
        `${first === undefined ? '' : `; first error: ${first}`}; the end of ${connector.log}:\n${written.slice(-6000)}`,
      { facts: { pid: connector.pid, log: connector.log } },
    );
  };
  let last = 'no answer from the REST API yet';
  while (Date.now() < deadline) {
    if (!isAlive(connector.pid)) throw failure('exited before it ran');
    const status = await connector.status().catch((error: unknown) => {
      last = error instanceof Error ? error.message : String(error);
      return undefined;
    });
    if (status !== undefined) {
      if (status.connector.state === 'FAILED')
        throw failure(`failed: ${status.connector.trace ?? '(no trace)'}`);
      const failed = status.tasks.find((task) => task.state === 'FAILED');
      if (failed !== undefined) throw failure(`task ${failed.id} failed: ${failed.trace ?? '(no trace)'}`);
      if (
        status.connector.state === 'RUNNING' &&
        status.tasks.length > 0 &&
        status.tasks.every((task) => task.state === 'RUNNING')
      )
        return;
      last = `connector ${status.connector.state}, tasks ${status.tasks.map((t) => t.state).join(',') || 'none'}`;
    }
    await sleep(250);
  }
  throw failure(`not RUNNING after ${Math.round(timeoutMs / 1000)} s (${last})`);
}
