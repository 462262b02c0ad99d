// PG_URL and LAKE_CATALOG over TLS, with libpq's meaning of sslmode, against a PostgreSQL server of the
// test's own that refuses plain TCP (pg_hba: hostssl only) and whose certificate names 127.0.0.1 and
// localhost, issued by a CA the test makes. A certificate failure is one clear error naming host:port and
// the reason, never the password.

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import type { CdcError } from '../../../core/errors.ts';
import { tableTopic } from '../../../core/kafka/topics.ts';
import { createLogger } from '../../../core/logger.ts';
import { connectPostgres } from '../../../core/postgres-client.ts';
import { openLake } from '../../../merge/lake.ts';
import { findBinDir } from '../../../scripts/services/postgres.ts';
import { PostgresSource } from '../../../producer/postgres/source.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { startIsolatedPostgres, type IsolatedPostgres } from '../../support/isolated-postgres.ts';
import { readEvents } from '../../support/kafka-read.ts';
import { queryLake } from '../../support/lake.ts';
import { runCdclake, startCdclake } from '../../support/processes.ts';
import { writeRawObject } from '../../support/raw-writer.ts';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.ts';

const CLIENT_ROLE = 'tls_client';
const password = `Pw-${randomBytes(6).toString('hex')}`;
let certs: TestCertificates;
let server: IsolatedPostgres;
let admin: pg.Client;

function sourceUrl(params: Record<string, string>, host = '127.0.0.1', user = `cdclake:${password}`): string {
  return `postgres://${user}@${host}:${server.port}/cdclake?${new URLSearchParams(params).toString()}`;
}

function catalogConninfo(database: string, tls: string, host = '127.0.0.1'): string {
  return `host=${host} port=${server.port} dbname=${database} user=cdclake password=${password} ${tls}`;
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What `connect` fails with, as text with its code; '' when it connects. */
async function failure(url: string): Promise<string> {
  try {
    const client = await connectPostgres(url);
    await client.end();
    return '';
  } catch (error: unknown) {
    return `${error instanceof Error ? error.message : String(error)} [${(error as CdcError).code}]`;
  }
}

async function encrypted(url: string): Promise<{ ssl: boolean; user: string }> {
  const client = await connectPostgres(url);
  try {
    const result = await client.query<{ ssl: boolean; user: string }>(
      'select ssl, current_user as user from pg_stat_ssl where pid = pg_backend_pid()',
    );
    return result.rows[0] as { ssl: boolean; user: string };
  } finally {
    await client.end();
  }
}

describe.skipIf(findBinDir() === undefined)('PostgreSQL over TLS', () => {
  beforeAll(async () => {
    certs = makeTestCertificates(CLIENT_ROLE);
    server = await startIsolatedPostgres(lakeTestConfig(uniqueId('tls')).CDCLAKE_HOME, {
      tls: { certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca },
      hba: [
        'local all all trust',
        `hostssl all ${CLIENT_ROLE} 127.0.0.0/8 cert`,
        'hostssl all all 127.0.0.0/8 scram-sha-256',
      ],
      extraListenAddresses: ['127.0.0.2'],
      readyQuery: `?${new URLSearchParams({ sslmode: 'verify-full', sslrootcert: certs.ca }).toString()}`,
    });
    admin = await connectPostgres(
      sourceUrl({ sslmode: 'verify-full', sslrootcert: certs.ca }, '127.0.0.1', 'cdclake:cdclake'),
    );
    await admin.query(`alter role cdclake password '${password}'`);
    await admin.query(`create role ${CLIENT_ROLE} login`);
  });

  afterAll(async () => {
    await admin?.end();
    await server?.stop();
    certs?.remove();
  });

  test('the producer streams over sslmode=verify-full: snapshot and changes reach Kafka, its walsender encrypted', async () => {
    const id = uniqueId('tls');
    const config = lakeTestConfig(id, {
      PG_URL: sourceUrl({ sslmode: 'verify-full', sslrootcert: certs.ca }),
      PG_SLOT: id,
      PG_PUBLICATION: id,
    });
    await admin.query(`create table ${id} (id int primary key, v text)`);
    await admin.query(`insert into ${id} select i, 'v' || i from generate_series(1, 3) i`);
    onTestFinished(async () => {
      await admin.query(
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
        [id],
      );
    });
    const topic = tableTopic(config, 'public', id);
    const events = async () => (await readEvents(config, topic)).events;

    const source = new PostgresSource(
      config,
      { untilIdle: false, tables: [`public.${id}`] },
      createLogger('test'),
    );
    const running = source.run();
    try {
      await until('the snapshot in Kafka', async () => (await events()).length >= 3);
      const walsenders = await admin.query<{ ssl: boolean; version: string }>(
        `select s.ssl, s.version from pg_stat_ssl s join pg_stat_activity a using (pid)
         where a.backend_type = 'walsender' and a.usename = 'cdclake'`,
      );
      expect(walsenders.rows.length).toBeGreaterThan(0);
      expect(walsenders.rows.every((r) => r.ssl && r.version.startsWith('TLS'))).toBe(true);

      await admin.query(`insert into ${id} values (4, 'streamed')`);
      await admin.query(`update ${id} set v = 'changed' where id = 1`);
      await until('the streamed changes in Kafka', async () => (await events()).length >= 5);
      const streamed = (await events())
        .filter((e) => e.op === 'c' || e.op === 'u')
        .map((e) => e.after?.['v']);
      expect(streamed.sort()).toEqual(['changed', 'streamed']);
    } finally {
      await source.stop();
      await running;
    }
  });

  test('the server refuses plain TCP, so the connections above were TLS; sslmode reads as in libpq', async () => {
    expect(await failure(sourceUrl({ sslmode: 'disable' }))).toMatch(
      /no pg_hba\.conf entry .* no encryption/,
    );
    // prefer (the default) and allow try TLS when the other way is refused; require encrypts without checking.
    expect(await encrypted(sourceUrl({}))).toEqual({ ssl: true, user: 'cdclake' });
    expect(await encrypted(sourceUrl({ sslmode: 'allow' }))).toEqual({ ssl: true, user: 'cdclake' });
    expect(await encrypted(sourceUrl({ sslmode: 'require' }))).toEqual({ ssl: true, user: 'cdclake' });
    // require with sslrootcert is verify-ca: the chain is checked.
    expect(await failure(sourceUrl({ sslmode: 'require', sslrootcert: certs.otherCa }))).toContain(
      `server certificate for 127.0.0.1:${server.port} not trusted by sslrootcert=${certs.otherCa}`,
    );
    // A client certificate (cert authentication: no password).
    const asClient = {
      sslmode: 'verify-full',
      sslrootcert: certs.ca,
      sslcert: certs.clientCert,
      sslkey: certs.clientKey,
    };
    expect(await encrypted(sourceUrl(asClient, '127.0.0.1', CLIENT_ROLE))).toEqual({
      ssl: true,
      user: CLIENT_ROLE,
    });
    expect(
      await failure(sourceUrl({ sslmode: 'verify-full', sslrootcert: certs.ca }, '127.0.0.1', CLIENT_ROLE)),
    ).toMatch(/certificate/);
  });

  test('a server certificate the roots do not trust: produce exits non-zero with host:port and the reason, no password', async () => {
    const id = uniqueId('tls');
    const config = lakeTestConfig(id, {
      PG_URL: sourceUrl({ sslmode: 'verify-full', sslrootcert: certs.otherCa }),
      PG_SLOT: id,
      PG_PUBLICATION: id,
    });
    const child = startCdclake(config, ['produce', '--source', 'postgres', '--until-idle']);
    expect(await child.exited).not.toBe(0);
    const output = child.output();
    expect(output).toContain(
      `PostgreSQL TLS: server certificate for 127.0.0.1:${server.port} not trusted by sslrootcert=${certs.otherCa}: ` +
        'self-signed certificate in certificate chain',
    );
    expect(output).toContain('[CDC_POSTGRES_TLS]');
    expect(output).not.toContain(password);
  });

  test('verify-full refuses a certificate for another host name; verify-ca accepts it', async () => {
    const message = await failure(sourceUrl({ sslmode: 'verify-full', sslrootcert: certs.ca }, '127.0.0.2'));
    expect(message).toContain(
      `PostgreSQL TLS: server certificate for 127.0.0.2:${server.port} does not name the host`,
    );
    expect(message).toContain("IP: 127.0.0.2 is not in the cert's list: 127.0.0.1");
    expect(message).not.toContain(password);
    expect(await encrypted(sourceUrl({ sslmode: 'verify-ca', sslrootcert: certs.ca }, '127.0.0.2'))).toEqual({
      ssl: true,
      user: 'cdclake',
    });
  });

  test('a TLS file that cannot be read is named with its parameter and path', async () => {
    const missing = `${certs.dir}/missing-ca.pem`;
    expect(await failure(sourceUrl({ sslmode: 'verify-full', sslrootcert: missing }))).toBe(
      `PG_URL: sslrootcert=${missing} cannot be read: no such file [CDC_CONFIG_INVALID]`,
    );
    expect(await failure(sourceUrl({ sslmode: 'verify-full' }))).toContain(
      'sslmode=verify-full needs the CA',
    );
  });

  test('the DuckLake catalog attaches over verify-full TLS and the merge writes to it; a wrong CA is a clear error', async () => {
    const id = uniqueId('tls');
    const catalogDb = `${id}_catalog`;
    await admin.query(`create database ${catalogDb}`);
    onTestFinished(async () => {
      await admin.query(`drop database if exists ${catalogDb} with (force)`);
    });
    const tls = `sslmode=verify-full sslrootcert=${certs.ca}`;
    const config = lakeTestConfig(id, { LAKE_CATALOG: `postgres:${catalogConninfo(catalogDb, tls)}` });
    await writeRawObject(config, {
      topic: `${id}.public.items`,
      table: 'items',
      key: ['id'],
      columns: { id: 'BIGINT', name: 'VARCHAR' },
      events: [
        { op: 'c', pos: 1, offset: 0, row: { id: 1, name: 'a' } },
        { op: 'c', pos: 2, offset: 1, row: { id: 2, name: 'b' } },
      ],
    });
    await runCdclake(config, ['merge', '--once']);
    expect(await queryLake(config, 'SELECT id, name FROM bronze.items ORDER BY id')).toEqual([
      { id: 1n, name: 'a' },
      { id: 2n, name: 'b' },
    ]);
    // The catalog's tables are in that database, on the server that takes TLS connections only.
    const catalog = await connectPostgres(
      sourceUrl({ sslmode: 'verify-full', sslrootcert: certs.ca }).replace('/cdclake?', `/${catalogDb}?`),
    );
    try {
      const tables = await catalog.query<{ n: number }>(
        "select count(*)::int as n from information_schema.tables where table_name like 'ducklake%'",
      );
      expect(tables.rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await catalog.end();
    }

    const wrongCa = lakeTestConfig(id, {
      LAKE_CATALOG: `postgres:${catalogConninfo(catalogDb, `sslmode=verify-full sslrootcert=${certs.otherCa}`)}`,
    });
    const child = startCdclake(wrongCa, ['merge', '--once']);
    expect(await child.exited).not.toBe(0);
    expect(child.output()).toContain(
      `PostgreSQL TLS: server certificate for 127.0.0.1:${server.port} not trusted by sslrootcert=${certs.otherCa}`,
    );
    expect(child.output()).not.toContain(password);

    const attach = async (catalog: string): Promise<string> =>
      openLake(lakeTestConfig(id, { LAKE_CATALOG: `postgres:${catalog}` })).then(
        (lake) => {
          lake.close();
          return '';
        },
        (error: unknown) => String(error),
      );
    const missing = `${certs.dir}/missing-ca.pem`;
    expect(await attach(catalogConninfo(catalogDb, `sslmode=verify-full sslrootcert=${missing}`))).toContain(
      `LAKE_CATALOG: sslrootcert=${missing} cannot be read: no such file`,
    );
    const otherHost = await attach(catalogConninfo(catalogDb, tls, '127.0.0.2'));
    expect(otherHost).toContain(
      `PostgreSQL TLS: server certificate for 127.0.0.2:${server.port} does not name the host`,
    );
    expect(otherHost).not.toContain(password);
  });
});
