// Consume -> raw for Debezium's JSON converter with schemas (what a Kafka Connect PostgreSQL connector writes
// with JsonConverter, schemas.enable=true) beside cdclake's own Avro, on the same generated changes: records/s
// and bytes/s of `cdclake consume --until-idle`, each in its own process, in the same run.
//   npx tsx bench/debezium.bench.ts [--scale X] [--cpu-prof DIR] [--keep-topics]
//   (scale 1 = 500,000 orders, 660,600 change events; --cpu-prof profiles the JSON consumer; --keep-topics
//   leaves both runs' topics to consume again)
//
// The Debezium records are written here from the generator's changes, laid out as the connector lays them
// out (test/fixtures/debezium/pg-create.json): Value and Key structs with Connect types (int64, string,
// Decimal as base64 bytes, ZonedTimestamp), a PostgreSQL source block whose lsn and sequence follow the
// generator's order, a tombstone after each delete.

import { resolveConfig, type Config } from '../core/config.ts';
import { decimalToBytes } from '../core/events/decimal.ts';
import type { ColumnDef, ColumnValue, Row, TableDef } from '../core/events/types.ts';
import { createKafka } from '../core/kafka/client.ts';
import { ensureTopics, tableTopic } from '../core/kafka/topics.ts';
import { createLogger } from '../core/logger.ts';
import { runGeneratorWorkload } from '../producer/generator-run.ts';
import { starSchemaTables } from '../producer/generator/tables.ts';
import { eachChange, generateWorkload, type GeneratedChange } from '../producer/generator/workload.ts';
import { Publisher, type OutgoingRecord } from '../producer/publisher.ts';
import { TableCodec } from '../core/events/envelope-codec.ts';
import { generatedEvent } from '../producer/generator/kafka-target.ts';
import {
  argNumber,
  argString,
  deleteTopics,
  atLeast,
  progress,
  runCdclakeMeasured,
  table,
  writeResults,
  type Stage,
} from './support.ts';

const scale = argNumber('scale', 1);
const orders = Math.round(500_000 * scale);
const run = `bench${Date.now().toString(36)}`;
const log = createLogger('bench', 'warn');
const configOf = (prefix: string): Config =>
  resolveConfig({ ...process.env, CDC_TOPIC_PREFIX: prefix, METRICS_PORT: '0', LOG_LEVEL: 'warn' });
const avro = configOf(`${run}a`);
const debezium = configOf(`${run}d`);

function connectType(column: ColumnDef): Record<string, unknown> {
  const optional = column.nullable;
  switch (column.type.kind) {
    case 'int8':
      return { type: 'int64', optional, field: column.name };
    case 'int4':
      return { type: 'int32', optional, field: column.name };
    case 'text':
      return { type: 'string', optional, field: column.name };
    case 'timestamptz':
      return {
        type: 'string',
        optional,
        name: 'io.debezium.time.ZonedTimestamp',
        version: 1,
        field: column.name,
      };
    case 'numeric':
      return {
        type: 'bytes',
        optional,
        name: 'org.apache.kafka.connect.data.Decimal',
        version: 1,
        parameters: {
          scale: String(column.type.scale),
          'connect.decimal.precision': String(column.type.precision),
        },
        field: column.name,
      };
    default:
      throw new Error(`the bench's Debezium writer has no Connect type for ${column.type.kind}`);
  }
}

function connectValue(column: ColumnDef, value: ColumnValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  switch (column.type.kind) {
    case 'int8':
    case 'int4':
      return String(value);
    case 'text':
      return JSON.stringify(value);
    case 'timestamptz':
      return JSON.stringify(new Date(Number((value as bigint) / 1000n)).toISOString());
    case 'numeric': {
      const { precision, scale } = column.type;
      return JSON.stringify(decimalToBytes(value as string, precision, scale).toString('base64'));
    }
    default:
      throw new Error(`the bench's Debezium writer has no Connect value for ${column.type.kind}`);
  }
}

const SOURCE_SCHEMA = [
  { type: 'string', optional: false, field: 'version' },
  { type: 'string', optional: false, field: 'connector' },
  { type: 'string', optional: false, field: 'name' },
  { type: 'int64', optional: false, field: 'ts_ms' },
  {
    type: 'string',
    optional: true,
    name: 'io.debezium.data.Enum',
    version: 1,
    default: 'false',
    field: 'snapshot',
  },
  { type: 'string', optional: false, field: 'db' },
  { type: 'string', optional: true, field: 'sequence' },
  { type: 'string', optional: false, field: 'schema' },
  { type: 'string', optional: false, field: 'table' },
  { type: 'int64', optional: true, field: 'txId' },
  { type: 'int64', optional: true, field: 'lsn' },
  { type: 'int64', optional: true, field: 'xmin' },
];

interface DebeziumTable {
  topic: string;
  valueSchema: string;
  keySchema: string;
  key: ColumnDef[];
}

function debeziumTable(t: TableDef): DebeziumTable {
  const name = `${debezium.CDC_TOPIC_PREFIX}.${t.schema}.${t.name}`;
  const value = { type: 'struct', fields: t.columns.map(connectType), optional: true, name: `${name}.Value` };
  const key = t.columns.filter((c) => t.key.includes(c.name));
  return {
    topic: tableTopic(debezium, t.schema, t.name),
    valueSchema: JSON.stringify({
      type: 'struct',
      fields: [
        { ...value, field: 'before' },
        { ...value, field: 'after' },
        {
          type: 'struct',
          fields: SOURCE_SCHEMA,
          optional: false,
          name: 'io.debezium.connector.postgresql.Source',
          field: 'source',
        },
        { type: 'string', optional: false, field: 'op' },
        { type: 'int64', optional: true, field: 'ts_ms' },
      ],
      optional: false,
      name: `${name}.Envelope`,
      version: 2,
    }),
    keySchema: JSON.stringify({
      type: 'struct',
      fields: key.map(connectType),
      optional: false,
      name: `${name}.Key`,
    }),
    key,
  };
}

function image(t: TableDef, row: Row | null): string {
  if (row === null) return 'null';
  return `{${t.columns.map((c) => `${JSON.stringify(c.name)}:${connectValue(c, row[c.name])}`).join(',')}}`;
}

function debeziumRecords(d: DebeziumTable, change: GeneratedChange, nowMs: number): OutgoingRecord[] {
  const t = change.table;
  const row = (change.after ?? change.before) as Row;
  const key = Buffer.from(
    `{"schema":${d.keySchema},"payload":{${d.key.map((c) => `${JSON.stringify(c.name)}:${connectValue(c, row[c.name])}`).join(',')}}}`,
  );
  const lsn = String(change.pos);
  const source =
    `{"version":"3.0.0.Final","connector":"postgresql","name":${JSON.stringify(debezium.CDC_TOPIC_PREFIX)},` +
    `"ts_ms":${nowMs},"snapshot":"false","db":"bench","sequence":${JSON.stringify(JSON.stringify([lsn, lsn]))},` +
    `"schema":${JSON.stringify(t.schema)},"table":${JSON.stringify(t.name)},"txId":${change.txId},"lsn":${lsn},"xmin":null}`;
  const value = Buffer.from(
    `{"schema":${d.valueSchema},"payload":{"before":${image(t, change.before)},"after":${image(t, change.after)},` +
      `"source":${source},"op":"${change.op}","ts_ms":${nowMs}}}`,
  );
  const records: OutgoingRecord[] = [{ topic: d.topic, key, value }];
  if (change.op === 'd') records.push({ topic: d.topic, key, value: null });
  return records;
}

progress(`generating ${orders} orders into Kafka as cdclake's Avro...`);
const generated = await runGeneratorWorkload(avro, { target: 'kafka', orders: String(orders) }, log);

progress(`writing the same ${generated.events} changes as Debezium JSON...`);
const kafka = createKafka(debezium);
const tables = new Map(starSchemaTables.map((t) => [t.name, debeziumTable(t)]));
await ensureTopics(
  kafka,
  [...tables.values()].map((d) => ({ topic: d.topic, partitions: debezium.KAFKA_PARTITIONS })),
);
const publisher = new Publisher(debezium, 'bench-debezium');
await publisher.connect();
const codecs = new Map(starSchemaTables.map((t) => [t.name, new TableCodec(t)]));
let changes = 0;
let jsonBytes = 0;
let avroBytes = 0;
const nowMs = Date.now();
for (const batch of generateWorkload({ seed: 1, orders })) {
  const records: OutgoingRecord[] = [];
  for (const change of eachChange([batch])) {
    changes++;
    for (const record of debeziumRecords(tables.get(change.table.name) as DebeziumTable, change, nowMs)) {
      jsonBytes += (record.key?.length ?? 0) + (record.value?.length ?? 0);
      records.push(record);
    }
    const codec = codecs.get(change.table.name) as TableCodec;
    avroBytes += codec.encodeKey((change.after ?? change.before) as Row).length;
    avroBytes += codec.encodeEvent(generatedEvent(change, BigInt(nowMs), BigInt(nowMs))).length;
  }
  await publisher.publish(records);
}
await publisher.flush();
await publisher.disconnect();
if (changes !== generated.events)
  throw new Error(`the Debezium writer wrote ${changes} changes, the generator ${generated.events}`);

async function consume(
  config: Config,
  what: string,
  profile?: string,
): Promise<{ seconds: number; rss: number }> {
  progress(`cdclake consume --until-idle, ${what}...`);
  const measured = await runCdclakeMeasured(
    ['consume', '--until-idle'],
    { ...process.env, CDC_TOPIC_PREFIX: config.CDC_TOPIC_PREFIX, METRICS_PORT: '0', LOG_LEVEL: 'info' },
    undefined,
    profile,
  );
  const events = Number(/"events":(\d+)/.exec(measured.output)?.[1] ?? NaN);
  const dead = Number(/"deadLetters":(\d+)/.exec(measured.output)?.[1] ?? NaN);
  if (events !== changes || dead !== 0)
    throw new Error(
      `${what}: ${events} events and ${dead} dead letters, not ${changes} and 0:\n${measured.output}`,
    );
  progress(` ${measured.seconds.toFixed(1)} s\n`);
  return { seconds: measured.seconds, rss: measured.peakRssMb };
}

const avroRun = await consume(avro, "cdclake's Avro");
const jsonRun = await consume(debezium, 'Debezium JSON with schemas', argString('cpu-prof'));
if (process.argv.includes('--keep-topics')) {
  process.stdout.write(`topics kept: prefixes ${avro.CDC_TOPIC_PREFIX} and ${debezium.CDC_TOPIC_PREFIX}\n`);
} else {
  // About 2.6 GB of JSON at scale 1: the topics go once measured, not after the broker's retention.
  await deleteTopics(debezium, `${run}a.`, `${run}d.`);
}
const avroRate = changes / avroRun.seconds;
const jsonRate = changes / jsonRun.seconds;
const mb = (bytes: number, seconds: number): number => bytes / seconds / 1e6;
const stages: Stage[] = [
  {
    name: 'consume -> raw, Debezium JSON with schemas',
    value: jsonRate,
    unit: 'records/s',
    peer: "the same changes as cdclake's Avro",
    peer_value: avroRate,
    ratio: jsonRate / avroRate,
    target: 'ratio >= 0.5',
    meets: jsonRate / avroRate >= 0.5,
    vs_target: atLeast(jsonRate / avroRate, 0.5),
  },
  {
    name: 'consume -> raw, Debezium JSON with schemas, bytes read',
    value: mb(jsonBytes, jsonRun.seconds),
    unit: 'MB/s',
    peer: "cdclake's Avro",
    peer_value: mb(avroBytes, avroRun.seconds),
    ratio: mb(jsonBytes, jsonRun.seconds) / mb(avroBytes, avroRun.seconds),
    target: '-',
    meets: true,
    vs_target: null,
  },
  {
    name: 'consumer peak RSS, Debezium JSON',
    value: jsonRun.rss,
    unit: 'MB',
    peer: "cdclake's Avro",
    peer_value: avroRun.rss,
    ratio: jsonRun.rss / avroRun.rss,
    target: '<= 300 MB',
    meets: jsonRun.rss <= 300,
    vs_target: jsonRun.rss > 0 ? 300 / jsonRun.rss : null,
  },
];
process.stdout.write(
  `\n${table(stages)}\n\n${changes} changes: Debezium JSON ${(jsonBytes / changes).toFixed(0)} bytes per change (key and value), Avro ${(avroBytes / changes).toFixed(0)}\n`,
);
process.stdout.write(`results: ${writeResults('debezium', scale, stages)}\n`);
process.exit(0);
