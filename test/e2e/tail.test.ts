// `cdclake tail` as a user runs it: following live topics while the producer writes (every event once, in
// order per key, as Kafka holds it), through a pipe that closes early, and on Debezium JSON topics.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import type { Config } from '../../core/config.ts';
import { createKafka, createProducer } from '../../core/kafka/client.ts';
import { ensureTopics, tableTopic } from '../../core/kafka/topics.ts';
import { starSchemaTables } from '../../producer/generator/tables.ts';
import { debeziumSample } from '../support/debezium-samples.ts';
import { testConfig, uniqueId } from '../support/fixtures.ts';
import { readEvents } from '../support/kafka-read.ts';
import { configEnv, runCdclake, startCdclake, stopCdclake } from '../support/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A shell command line with the test's configuration; all of its output. */
function shell(
  config: Config,
  command: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd: ROOT,
      env: { ...process.env, ...configEnv(config), LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Line {
  topic: string;
  partition: number;
  offset: number;
  table: string;
  op: string;
  position: string;
  source_time: string | null;
  key: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  unchanged: string[];
}

test('tail --follow shows every event of live topics once, in order per key, while the producer writes', async () => {
  const config = testConfig({ CDC_TOPIC_PREFIX: uniqueId('tail'), KAFKA_PARTITIONS: '3' });
  const topics = starSchemaTables.map((t) => tableTopic(config, t.schema, t.name));
  const producer = startCdclake(config, [
    'produce',
    ...['--source', 'generator', '--target', 'kafka', '--orders', '3000', '--rate', '800'],
  ]);
  // The generator makes its topics first: tail starts once they exist, while events keep coming.
  const admin = createKafka(config).admin();
  await admin.connect();
  let existing = await admin.listTopics();
  for (let i = 0; i < 240 && !topics.every((t) => existing.includes(t)); i++) {
    await sleep(250);
    existing = await admin.listTopics();
  }
  await admin.disconnect();
  const tail = startCdclake(config, ['tail', '--follow', '--format', 'json']);
  let stdout = '';
  tail.process.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  expect(await producer.exited).toBe(0);

  const expected = [];
  for (const topic of topics)
    for (const event of (await readEvents(config, topic)).events) expected.push({ topic, ...event });
  expect(expected.length).toBeGreaterThan(3000);
  const deadline = Date.now() + 60_000;
  while (stdout.split('\n').length - 1 < expected.length && Date.now() < deadline) await sleep(200);
  await sleep(1000); // nothing more may come: a duplicate would show now
  expect(await stopCdclake(tail)).toBe(0);

  const lines = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
  const where = (l: { topic: string; partition: number; offset: number | bigint }): string =>
    `${l.topic}/${l.partition}/${l.offset}`;
  expect(lines.map(where).sort()).toEqual(expected.map(where).sort());
  const byWhere = new Map(expected.map((e) => [where(e), e]));
  const lastPosition = new Map<string, bigint>();
  for (const line of lines) {
    const event = byWhere.get(where(line));
    expect(line.op).toBe(event?.op);
    expect(line.position).toBe(String(event?.pos));
    expect(line.table).toBe(`${event?.source.schema}.${event?.source.table}`);
    const key = `${line.table}:${JSON.stringify(line.key)}`;
    expect(JSON.stringify(line.key)).toBe(
      JSON.stringify(event?.key, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
    );
    // In the order Kafka holds each key's events: their positions grow.
    const position = BigInt(line.position);
    expect(position > (lastPosition.get(key) ?? -1n)).toBe(true);
    lastPosition.set(key, position);
    if (line.op === 'd') expect(line.after).toBeNull();
    else expect(line.after).not.toBeNull();
  }
}, 180_000);

test('tail through a pipe that closes early ends cleanly; without --follow it stops at the end', async () => {
  const config = testConfig({ CDC_TOPIC_PREFIX: uniqueId('tailp'), KAFKA_PARTITIONS: '2' });
  await runCdclake(config, ['produce', '--source', 'generator', '--target', 'kafka', '--orders', '300']);
  const piped = await shell(
    config,
    `set -o pipefail; node ${path.join('bin', 'cdclake.js')} tail --format table | head -n 5`,
  );
  expect(piped.code).toBe(0);
  const shown = piped.stdout.split('\n').filter((l) => l !== '');
  expect(shown).toHaveLength(5);
  for (const line of shown)
    expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z {2}[cur] {2}public\.\w+ {2}\w+=\d+/);

  // Without --follow: every event once, then exit 0 on its own.
  const all = await shell(config, `node ${path.join('bin', 'cdclake.js')} tail orders --format json`);
  expect(all.code).toBe(0);
  const events = (await readEvents(config, tableTopic(config, 'public', 'orders'))).events;
  expect(all.stdout.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(events.length);
  expect(all.stderr).toMatch(new RegExp(`${events.length} event\\(s\\) from 1 topic\\(s\\)`));

  // --from end: nothing yet; --from a time: the events written since (here, all of them).
  const fromEnd = await shell(config, `node ${path.join('bin', 'cdclake.js')} tail orders --from end`);
  expect(fromEnd.code).toBe(0);
  expect(fromEnd.stdout).toBe('');
  const since = new Date(Date.now() - 10 * 60_000).toISOString();
  const fromTime = await shell(config, `node ${path.join('bin', 'cdclake.js')} tail orders --from ${since}`);
  expect(fromTime.stdout.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(events.length);
  const later = new Date(Date.now() + 60_000).toISOString();
  const fromLater = await shell(config, `node ${path.join('bin', 'cdclake.js')} tail orders --from ${later}`);
  expect(fromLater.stdout).toBe('');
}, 120_000);

test('tail decodes Debezium JSON topics, both images, and reports what it cannot decode', async () => {
  const config = testConfig({ CDC_TOPIC_PREFIX: uniqueId('taild') });
  const topic = `${config.CDC_TOPIC_PREFIX}.inventory.customers`;
  const kafka = createKafka(config);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const producer = createProducer(kafka, {});
  await producer.connect();
  const messages = ['pg-create', 'pg-update', 'pg-delete', 'pg-tombstone', 'poison-not-json'].map((name) => {
    const { key, value } = debeziumSample(name);
    return { key, value };
  });
  await producer.send({ topic, messages });
  await producer.disconnect();

  const tail = startCdclake(config, ['tail', 'inventory.customers']);
  expect(await tail.exited).toBe(0);
  const output = tail.output();
  const lines = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
  expect(lines.map((l) => l.op)).toEqual(['c', 'u', 'd']);
  expect(lines[0]?.table).toBe('inventory.customers');
  expect(lines[0]?.source_time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  expect(lines[0]?.before).toBeNull();
  expect(lines[0]?.after).toMatchObject({ id: 1005, first_name: 'Anne' });
  expect(lines[2]?.after).toBeNull();
  expect(lines[2]?.before).not.toBeNull();
  expect(output).toMatch(new RegExp(`${topic} partition 0 offset 4: not shown, CDC_DECODE`));
  expect(output).toMatch(/3 event\(s\) from 1 topic\(s\), 1 not decodable/);
}, 120_000);
