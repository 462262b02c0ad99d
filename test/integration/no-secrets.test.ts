// No secret in any output: every command, run with a failing connection and a known password (wrong
// passwords against the real PostgreSQL, a DuckLake catalog that refuses them, invalid settings), prints
// the failure, and the password appears nowhere in stdout, stderr or the debug logs.

import { afterAll, expect, test } from 'vitest';
import { createKafka } from '../../core/kafka/client.ts';
import { ensureTopics } from '../../core/kafka/topics.ts';
import { debeziumSample } from '../support/debezium-samples.ts';
import { createTestDatabase, lakeTestConfig, uniqueId } from '../support/fixtures.ts';
import { startCdclake } from '../support/processes.ts';

const PASSWORD = 'Sekr3t-pw-4242';
const ENCODED = encodeURIComponent(`${PASSWORD}/x@y`);

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

async function run(
  args: string[],
  env: Record<string, string>,
  prefix: string,
): Promise<{ code: number | null; output: string }> {
  const config = lakeTestConfig(prefix);
  const child = startCdclake(config, args, { LOG_LEVEL: 'debug', ...env });
  // Some commands retry a refused connection for a while: what they printed meanwhile is what counts.
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 25_000);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, output: child.output() };
}

test('each command with a failing connection prints its error, never the password', async () => {
  const prefix = uniqueId('nosecret');
  const base = lakeTestConfig(prefix);
  const database = await createTestDatabase(base);
  drops.push(() => database.drop());
  const url = new URL(base.PG_URL);
  const host = url.hostname;
  const port = url.port || '5432';
  const wrongPgUrl = `postgres://${url.username}:${PASSWORD}@${host}:${port}/${database.name}`;
  const wrongCatalog = `postgres:host=${host} port=${port} dbname=${database.name} user=${url.username} password=${PASSWORD}`;
  const topic = `${prefix}.inventory.customers`;
  const kafka = createKafka(base);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [debeziumSample('pg-create')] });
  await producer.disconnect();
  const cases: { name: string; args: string[]; env: Record<string, string>; says: RegExp }[] = [
    {
      name: 'produce, wrong PostgreSQL password',
      args: ['produce', '--source', 'postgres', '--until-idle'],
      env: { PG_URL: wrongPgUrl },
      says: /password authentication failed/,
    },
    {
      name: 'snapshot, wrong PostgreSQL password',
      args: ['snapshot', '--tables', 'customers'],
      env: { PG_URL: wrongPgUrl },
      says: /password authentication failed/,
    },
    {
      name: 'merge, catalog refuses the password',
      args: ['merge', '--once'],
      env: { LAKE_CATALOG: wrongCatalog },
      says: /password authentication failed/,
    },
    {
      name: 'status, catalog refuses the password',
      args: ['status'],
      env: { LAKE_CATALOG: wrongCatalog },
      says: /password authentication failed/,
    },
    {
      name: 'query, catalog refuses the password',
      args: ['query', 'select 1'],
      env: { LAKE_CATALOG: wrongCatalog },
      says: /password authentication failed/,
    },
    {
      name: 'smoke, catalog refuses the password',
      args: ['smoke'],
      env: { LAKE_CATALOG: wrongCatalog },
      says: /password authentication failed/,
    },
    {
      name: 'consume, S3 secret wrong',
      args: ['consume', '--until-idle'],
      env: { S3_SECRET_ACCESS_KEY: PASSWORD, CDC_TOPIC_PREFIX: prefix },
      says: /signature|Access Denied|InvalidAccessKeyId|SignatureDoesNotMatch|does not match/i,
    },
    {
      name: 'config error in PG_URL',
      args: ['status'],
      env: { PG_URL: `postgresql+x://app:${ENCODED}@db/x` },
      says: /PG_URL=.*expected a postgres:\/\/ URL/,
    },
    {
      name: 'config error in LAKE_CATALOG',
      args: ['merge', '--once'],
      env: { LAKE_CATALOG: `mysql:host=db password=${PASSWORD}` },
      says: /LAKE_CATALOG=.*expected duckdb:<file> or postgres:/,
    },
  ];
  const seen: Record<string, { failed: boolean; says: boolean; leaks: boolean }> = {};
  const expected: typeof seen = {};
  for (const c of cases) {
    const { code, output } = await run(c.args, c.env, prefix);
    seen[c.name] = {
      failed: code !== 0,
      says: c.says.test(output),
      leaks: output.includes(PASSWORD) || output.includes(ENCODED) || output.includes(`${PASSWORD}/x@y`),
    };
    expected[c.name] = { failed: true, says: true, leaks: false };
    if (!seen[c.name]?.says) console.log(`${c.name}:\n${output}`);
  }
  expect(seen).toEqual(expected);
}, 300_000);

test('smoke names the catalog it wrote to, with the password masked', async () => {
  const prefix = uniqueId('nosecret');
  const base = lakeTestConfig(prefix);
  const database = await createTestDatabase(base);
  drops.push(() => database.drop());
  const url = new URL(base.PG_URL);
  const catalog = `postgres:host=${url.hostname} port=${url.port || '5432'} dbname=${database.name} user=${url.username} password=${decodeURIComponent(url.password)}`;
  const { code, output } = await run(['smoke'], { LAKE_CATALOG: catalog }, prefix);
  expect({ code, masked: output.includes('password=***') }).toEqual({ code: 0, masked: true });
  expect(output).not.toContain(`password=${decodeURIComponent(url.password)}`);
}, 120_000);
