// `cdclake tail [TABLE|TOPIC ...] [--from beginning|end|<ISO time>] [--follow] [--format json|table]`
//
// Prints the change events of table topics as they are on Kafka, decoded: cdclake's Avro (writer schemas
// from the schemas topic) and Debezium JSON alike. No argument: every table topic of CDC_TOPIC_PREFIX. A
// TABLE is `schema.table` or a bare table name (any schema); a TOPIC is a topic name as it is. Without
// --follow it stops at the end each partition had when it started; with --follow it keeps going until
// Ctrl-C. Nothing is committed: tailing never moves a consumer group. Tombstones (a delete's second record)
// are not shown; a record that cannot be decoded is reported on stderr with its offset and skipped.

import type { Config } from '../../core/config.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { readTopics, type StartAt, type TopicRecord } from '../../core/kafka/topic-reader.ts';
import { schemasTopic } from '../../core/kafka/topics.ts';
import { AvroChangeDecoder } from '../../consumer/avro-change.ts';
import { decodeDebeziumJson, looksLikeDebeziumJson } from '../../consumer/debezium-json.ts';
import type { DecodedChange } from '../../consumer/decoded-change.ts';
import { eventJson, eventText } from '../event-lines.ts';
import { onStop } from '../stop.ts';

export interface TailFlags {
  from?: string;
  follow?: boolean;
  format?: string;
}

export function parseStart(value: string | undefined): StartAt {
  if (value === undefined || value === 'beginning') return { kind: 'beginning' };
  if (value === 'end') return { kind: 'end' };
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
    ? Date.parse(value)
    : Number.NaN;
  if (Number.isNaN(ms))
    throw new CdcError(
      ErrorCode.USAGE,
      `--from ${JSON.stringify(value)}: expected beginning, end or an ISO-8601 time such as 2026-12-01T10:00:00Z`,
    );
  return { kind: 'time', ms };
}

/** The topics the arguments name (see the header); every table topic of the prefix when there are none. */
export function resolveTopics(config: Config, args: string[], existing: string[]): string[] {
  const prefix = `${config.CDC_TOPIC_PREFIX}.`;
  const tableTopics = existing.filter((t) => t.startsWith(prefix) && !t.startsWith(`${prefix}_`)).sort();
  if (args.length === 0) {
    if (tableTopics.length === 0)
      throw new CdcError(
        ErrorCode.USAGE,
        `no table topics under the prefix ${config.CDC_TOPIC_PREFIX} yet (CDC_TOPIC_PREFIX): nothing to tail`,
      );
    return tableTopics;
  }
  const topics: string[] = [];
  for (const arg of args) {
    const found = existing.includes(arg)
      ? [arg]
      : existing.includes(`${prefix}${arg}`)
        ? [`${prefix}${arg}`]
        : arg.includes('.')
          ? []
          : tableTopics.filter(
              (t) => t.endsWith(`.${arg}`) && t.split('.').length === prefix.split('.').length + 1,
            );
    if (found.length === 0)
      throw new CdcError(
        ErrorCode.USAGE,
        `${JSON.stringify(arg)} names no topic and no table under the prefix ${config.CDC_TOPIC_PREFIX}` +
          (tableTopics.length > 0
            ? ` (tables: ${tableTopics.map((t) => t.slice(prefix.length)).join(', ')})`
            : ''),
      );
    for (const topic of found) if (!topics.includes(topic)) topics.push(topic);
  }
  return topics;
}

export async function tail(
  config: Config,
  args: string[],
  flags: TailFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const from = parseStart(flags.from);
  const format = flags.format ?? 'json';
  if (format !== 'json' && format !== 'table')
    throw new CdcError(ErrorCode.USAGE, `--format ${JSON.stringify(format)}: expected json or table`);
  const kafka = createKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  let existing: string[];
  try {
    existing = await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
  const topics = resolveTopics(config, args, existing);
  const decoder = new AvroChangeDecoder(kafka, schemasTopic(config));
  const stop = new AbortController();
  onStop(async () => stop.abort());
  // A reader that went away (`| head`): the rest is not wanted, and that is no failure.
  let closed = false;
  let failure: unknown;
  out.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') failure ??= error;
    closed = true;
    stop.abort();
  });
  let events = 0;
  let skipped = 0;
  const write = async (line: string): Promise<void> => {
    if (closed) return;
    if (!out.write(`${line}\n`))
      await new Promise<void>((resolve) => {
        const done = (): void => {
          out.off('drain', done);
          stop.signal.removeEventListener('abort', done);
          resolve();
        };
        out.on('drain', done);
        stop.signal.addEventListener('abort', done);
      });
  };
  const decode = (record: TopicRecord & { value: Buffer }): DecodedChange | null | Promise<DecodedChange> => {
    if (AvroChangeDecoder.handles(record.value)) return decoder.decode(record.key, record.value, true);
    if (looksLikeDebeziumJson(record.value)) return decodeDebeziumJson(record.key, record.value, true);
    throw new CdcError(ErrorCode.DECODE, 'neither cdclake Avro (single-object encoding) nor Debezium JSON');
  };
  await readTopics(kafka, {
    topics,
    from,
    follow: flags.follow === true,
    signal: stop.signal,
    onRecord: async (record) => {
      if (record.value === null || record.value.length === 0) return;
      let change: DecodedChange | null;
      try {
        change = await decode(record as TopicRecord & { value: Buffer });
      } catch (error: unknown) {
        skipped++;
        const code = error instanceof CdcError ? error.code : ErrorCode.DECODE;
        process.stderr.write(
          `${record.topic} partition ${record.partition} offset ${record.offset}: not shown, ${code}: ` +
            `${error instanceof Error ? error.message : String(error)}\n`,
        );
        return;
      }
      if (change === null) return;
      events++;
      const event = { topic: record.topic, partition: record.partition, offset: record.offset, change };
      await write(format === 'json' ? eventJson(event) : eventText(event, record.timestampMs));
    },
  });
  if (failure !== undefined) throw failure;
  // Everything written reaches the reader before the process ends (a pipe takes its time).
  if (!closed) await new Promise<void>((resolve) => out.write('', () => resolve()));
  if (!closed && !flags.follow)
    process.stderr.write(
      `${events} event(s) from ${topics.length} topic(s)${skipped > 0 ? `, ${skipped} not decodable` : ''}\n`,
    );
  return 0;
}
