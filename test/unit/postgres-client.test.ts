import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { isConnectionLoss, postgresTarget } from '../../core/postgres-client.ts';
import { describeTlsFailure } from '../../core/postgres-tls-error.ts';

let dir: string;
let ca: string;
const url = (query: string) => `postgres://u:secret@db.example:5433/app${query}`;
const tlsOf = (config: pg.ClientConfig) => config.ssl as ConnectionOptions;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-unit-tls-'));
  ca = path.join(dir, 'ca.pem');
  fs.writeFileSync(ca, 'CA PEM');
  // No ~/.postgresql/root.crt of the machine's may change what a mode means here.
  vi.stubEnv('HOME', dir);
});
afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PG_URL read with libpq semantics', () => {
  test('no sslmode is prefer: TLS without verification first, plain when the server declines', () => {
    const target = postgresTarget(url(''));
    expect(target.sslmode).toBe('prefer');
    expect(tlsOf(target.config).rejectUnauthorized).toBe(false);
    expect(target.fallback?.config.ssl).toBe(false);
  });

  test('disable is plain; allow is plain first, TLS when the server refuses', () => {
    expect(postgresTarget(url('?sslmode=disable')).config.ssl).toBe(false);
    const allow = postgresTarget(url('?sslmode=allow'));
    expect(allow.config.ssl).toBe(false);
    expect(tlsOf(allow.fallback?.config as pg.ClientConfig).rejectUnauthorized).toBe(false);
  });

  test('require encrypts without verifying, unless sslrootcert is given: then it is verify-ca', () => {
    const bare = postgresTarget(url('?sslmode=require'));
    expect(tlsOf(bare.config).rejectUnauthorized).toBe(false);
    expect(bare.fallback).toBeUndefined();
    const rooted = tlsOf(postgresTarget(url(`?sslmode=require&sslrootcert=${ca}`)).config);
    expect(rooted.ca).toBe('CA PEM');
    expect(rooted.rejectUnauthorized).toBeUndefined();
    expect(rooted.checkServerIdentity?.('db.example', {} as never)).toBeUndefined();
  });

  test('verify-full checks the chain and the host name', () => {
    const tls = tlsOf(postgresTarget(url(`?sslmode=verify-full&sslrootcert=${ca}`)).config);
    expect(tls).toEqual({ ca: 'CA PEM' });
  });

  test('sslrootcert=system is verify-full on the system roots, and refuses a weaker sslmode', () => {
    const system = postgresTarget(url('?sslrootcert=system'));
    expect(system.sslmode).toBe('verify-full');
    expect(system.config.ssl).toEqual({});
    expect(() => postgresTarget(url('?sslrootcert=system&sslmode=require'))).toThrow(
      'PG_URL: sslrootcert=system needs sslmode=verify-full',
    );
  });

  test('wrong settings name PG_URL, the parameter and the path', () => {
    expect(() => postgresTarget(url('?sslmode=verify-full'))).toThrow(
      'PG_URL: sslmode=verify-full needs the CA to check the server',
    );
    expect(() => postgresTarget(url(`?sslmode=verify-ca&sslrootcert=${dir}/nope.pem`))).toThrow(
      `PG_URL: sslrootcert=${dir}/nope.pem cannot be read: no such file`,
    );
    expect(() => postgresTarget(url('?sslmode=no-verify'))).toThrow(
      'PG_URL: sslmode=no-verify is not one of',
    );
    expect(() => postgresTarget(url('?ssl=true'))).toThrow("ssl=true is node-postgres's own parameter");
    expect(() => postgresTarget(url(`?sslmode=require&sslkey=${ca}`))).toThrow('is given without sslcert');
  });

  test('node-postgres sees the other parameters, and none of the TLS ones', () => {
    const target = postgresTarget(
      url(`?sslmode=verify-ca&sslrootcert=${ca}&application_name=cdc&options=-c%20a%3Db`),
    );
    const client = new pg.Client(target.config);
    const params = client as unknown as {
      connectionParameters: { application_name: string; options: string };
    };
    expect(params.connectionParameters.application_name).toBe('cdc');
    expect(params.connectionParameters.options).toBe('-c a=b');
    expect(target.config.connectionString).not.toContain('ssl');
    expect(client.host).toBe('db.example');
    expect(client.port).toBe(5433);
  });

  test('over a Unix socket sslmode is ignored, as in libpq', () => {
    expect(postgresTarget('postgres://u@/app?host=/var/run/postgresql&sslmode=verify-full').config.ssl).toBe(
      false,
    );
  });
});

describe('TLS failures', () => {
  const context = {
    endpoint: 'db.example:5433',
    variable: 'PG_URL',
    sslmode: 'verify-full',
    roots: '/ca.pem',
    tls: true,
  };
  const tlsFailure = (code: string, message: string) => Object.assign(new Error(message), { code });

  test('an untrusted chain names host:port, the roots and the reason', () => {
    const error = describeTlsFailure(
      tlsFailure('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
      context,
    );
    expect(String(error)).toBe(
      'CdcError: PostgreSQL TLS: server certificate for db.example:5433 not trusted by sslrootcert=/ca.pem: ' +
        'self-signed certificate in certificate chain',
    );
  });

  test('a server without TLS, a host name mismatch; other errors pass through', () => {
    expect(
      String(describeTlsFailure(new Error('The server does not support SSL connections'), context)),
    ).toContain('db.example:5433 does not accept TLS connections');
    expect(
      String(describeTlsFailure(tlsFailure('ERR_TLS_CERT_ALTNAME_INVALID', 'no match'), context)),
    ).toContain('does not name the host it was reached by');
    const refused = tlsFailure('ECONNREFUSED', 'connect ECONNREFUSED');
    expect(describeTlsFailure(refused, context)).toBe(refused);
  });
});

describe('isConnectionLoss', () => {
  const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
  test('a server going away or a refused socket, also as the cause of another error', () => {
    expect(isConnectionLoss(withCode('terminating connection due to administrator command', '57P01'))).toBe(
      true,
    );
    expect(isConnectionLoss(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isConnectionLoss(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isConnectionLoss(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    expect(
      isConnectionLoss(
        new Error('snapshot chunk failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }),
      ),
    ).toBe(true);
    expect(
      isConnectionLoss(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')),
    ).toBe(true);
  });
  test('what a new connection would meet again is not a loss', () => {
    expect(isConnectionLoss(withCode('password authentication failed for user "x"', '28P01'))).toBe(false);
    expect(isConnectionLoss(withCode('database "nope" does not exist', '3D000'))).toBe(false);
    expect(isConnectionLoss(withCode('relation "t" does not exist', '42P01'))).toBe(false);
    expect(isConnectionLoss(new Error('replication slot s is lost'))).toBe(false);
    expect(isConnectionLoss('ECONNREFUSED')).toBe(false);
  });
});
