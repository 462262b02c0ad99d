// Other engines read the lake with only what `cdclake lake attach-sql` prints: a second process, plain
// DuckDB (no cdclake code), runs that SQL with the catalog's password in PGPASSWORD and reads gold and
// bronze as `cdclake query` does. Without --with-secrets the SQL carries neither the password nor the S3
// secret key.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, onTestFinished, test } from 'vitest';
import type { Config } from '../../core/config.ts';
import { createTestDatabase } from '../support/fixtures.ts';
import { createSourceFixture } from '../support/postgres-source.ts';
import { runCdclake } from '../support/processes.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

const CLIENT = `
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(fs.readFileSync(process.argv[2], 'utf8'));
const out = {};
for (const [name, sql] of Object.entries({
  gold: 'SELECT count(*)::INTEGER AS n, sum(total_revenue)::VARCHAR AS total FROM gold.monthly_revenue',
  orders: 'SELECT count(*)::INTEGER AS n FROM bronze.orders WHERE NOT _deleted',
})) out[name] = (await connection.runAndReadAll(sql)).getRowObjectsJS()[0];
process.stdout.write(JSON.stringify(out));
`;

test('a plain DuckDB client attaches the lake with the SQL attach-sql prints and reads gold', async () => {
  const f = await createSourceFixture();
  onTestFinished(() => f.cleanup());
  const catalog = await createTestDatabase(f.config);
  onTestFinished(() => catalog.drop());
  const url = new URL(f.config.PG_URL);
  const password = decodeURIComponent(url.password);
  const config: Config = {
    ...f.config,
    LAKE_CATALOG: `postgres:host=${url.hostname} port=${url.port || '5432'} dbname=${catalog.name} user=${url.username} password=${password}`,
  };
  await runCdclake(config, [
    'produce',
    '--source',
    'generator',
    '--target',
    'postgres',
    '--orders',
    '2000',
    '--seed',
    '3',
  ]);
  await runCdclake(config, ['produce', '--source', 'postgres', '--until-idle']);
  await runCdclake(config, ['consume', '--until-idle']);
  await runCdclake(config, ['merge', '--once']);

  const plain = await runCdclake(config, ['lake', 'attach-sql']);
  expect(plain).not.toContain(`password=${password}`);
  expect(plain).not.toContain(config.S3_SECRET_ACCESS_KEY);
  expect(plain).toContain('READ_ONLY');

  const sql = await runCdclake(config, ['lake', 'attach-sql', '--with-secrets']);
  expect(sql).not.toContain(`password=${password}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-attach-'));
  fs.writeFileSync(path.join(dir, 'attach.sql'), sql);
  fs.writeFileSync(path.join(ROOT, '.attach-client.tmp.mjs'), CLIENT);
  onTestFinished(() => fs.rmSync(path.join(ROOT, '.attach-client.tmp.mjs'), { force: true }));
  const { stdout } = await run(process.execPath, ['.attach-client.tmp.mjs', path.join(dir, 'attach.sql')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: os.tmpdir(), PGPASSWORD: password },
  });
  const read = JSON.parse(stdout) as { gold: { n: number; total: string }; orders: { n: number } };

  const viaCdclake = JSON.parse(
    await runCdclake(config, [
      'query',
      'SELECT count(*)::INTEGER AS n, sum(total_revenue)::VARCHAR AS total FROM gold.monthly_revenue',
      '--format',
      'json',
    ]),
  ) as { n: number; total: string }[];
  expect(read.gold).toEqual(viaCdclake[0]);
  expect(read.gold.n).toBeGreaterThan(0);
  const [orders] = (await f.sql('select count(*)::int as n from orders')).rows as { n: number }[];
  expect(read.orders.n).toBe(orders?.n);
}, 300_000);
