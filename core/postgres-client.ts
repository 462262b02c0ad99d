// Every node-postgres connection cdclake opens from PG_URL: the URL's TLS parameters read as libpq reads them
// (node-postgres's own reading verifies under sslmode=require and has no prefer/allow), the files read once.
//
//   sslmode      first attempt                              then, only if the server refuses it
//   disable      plain                                       -
//   allow        plain                                       TLS (an error from the server, e.g. pg_hba)
//   prefer       TLS (the default)                           plain (no TLS at the server, or a failed handshake)
//   require      TLS                                         -
//   verify-ca    TLS, chain checked against the roots        -
//   verify-full  TLS, chain and host name checked            -
//
// As in libpq, roots (sslrootcert, else ~/.postgresql/root.crt if present) are checked in every mode that
// uses TLS, so require with sslrootcert is verify-ca; sslrootcert=system means the system's roots and
// verify-full. Over a Unix socket sslmode is ignored. A given file that cannot be read is an error (libpq
// skips a missing sslcert silently).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { CdcError, ErrorCode } from './errors.ts';
import { describeTlsFailure, type TlsFailureContext } from './postgres-tls-error.ts';

export const SslMode = {
  disable: 'disable',
  allow: 'allow',
  prefer: 'prefer',
  require: 'require',
  verifyCa: 'verify-ca',
  verifyFull: 'verify-full',
} as const;
export type SslMode = (typeof SslMode)[keyof typeof SslMode];
const SSL_MODES: readonly string[] = Object.values(SslMode);

/** The URL parameters read here; node-postgres never sees them, so its own reading cannot apply. */
const TLS_PARAMETERS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslpassword',
  'sslcrl',
  'sslnegotiation',
  'ssl',
  'uselibpqcompat',
] as const;

/** Settings of a connection besides where it goes and its TLS: options, types, replication. */
export type ClientOptions = Omit<pg.ClientConfig, 'connectionString' | 'ssl'> & { replication?: 'database' };

export interface PostgresTarget {
  sslmode: SslMode;
  /** The roots the server's chain is checked against, as named in errors; undefined when it is not checked. */
  roots: string | undefined;
  /** The first attempt; `fallback` is tried when `retry(error)` says the server refused it. */
  config: pg.ClientConfig;
  fallback?: { config: pg.ClientConfig; retry(error: unknown): boolean };
  /** The variable the URL came from, as errors name it. */
  variable: string;
}

const targets = new Map<string, PostgresTarget>();

/** `url`'s connection settings with libpq's TLS semantics; files are read on the first call for a URL. */
export function postgresTarget(url: string, variable = 'PG_URL'): PostgresTarget {
  const key = `${variable}\u0000${url}`;
  let target = targets.get(key);
  if (target === undefined) {
    target = resolveTarget(url, variable);
    targets.set(key, target);
  }
  return target;
}

/**
 * A connected client for `url`: the first attempt, then the fallback its sslmode allows. A TLS failure
 * becomes CDC_POSTGRES_TLS naming host:port and the reason. `onClient` sees each client before it
 * connects, so a caller can end one that is still connecting.
 */
export async function connectPostgres(
  url: string,
  options: ClientOptions = {},
  hooks: { variable?: string; onClient?: (client: pg.Client) => void } = {},
): Promise<pg.Client> {
  const target = postgresTarget(url, hooks.variable);
  const attempt = async (config: pg.ClientConfig): Promise<pg.Client> => {
    const client = new pg.Client({ ...config, ...options } as pg.ClientConfig);
    hooks.onClient?.(client);
    try {
      await client.connect();
      return client;
    } catch (error: unknown) {
      await client.end().catch(() => undefined);
      throw describeTlsFailure(error, context(client, target, config));
    }
  };
  try {
    return await attempt(target.config);
  } catch (first: unknown) {
    if (target.fallback === undefined || !target.fallback.retry(first)) throw first;
    try {
      return await attempt(target.fallback.config);
    } catch (second: unknown) {
      // A certificate the roots refuse says more than the plain attempt's refusal after it.
      throw first instanceof CdcError && first.code === ErrorCode.POSTGRES_TLS && !serverRefusedTls(first)
        ? first
        : second;
    }
  }
}

function context(client: pg.Client, target: PostgresTarget, config: pg.ClientConfig): TlsFailureContext {
  return {
    endpoint: `${client.host}:${client.port}`,
    variable: target.variable,
    sslmode: target.sslmode,
    roots: target.roots,
    tls: config.ssl !== false && config.ssl !== undefined,
  };
}

function serverRefusedTls(error: CdcError): boolean {
  return error.facts.reason === 'SERVER_REFUSED_TLS';
}

function resolveTarget(url: string, variable: string): PostgresTarget {
  const at = url.indexOf('?');
  const base = at < 0 ? url : url.slice(0, at);
  const query = new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
  const tlsParameters = new Map(TLS_PARAMETERS.map((name) => [name as string, query.get(name) ?? undefined]));
  const given = (name: (typeof TLS_PARAMETERS)[number]): string | undefined => tlsParameters.get(name);
  const invalid = (message: string, parameter: string): CdcError =>
    new CdcError(ErrorCode.CONFIG_INVALID, `${variable}: ${message}`, { facts: { variable, parameter } });

  for (const legacy of ['ssl', 'uselibpqcompat'] as const)
    if (given(legacy) !== undefined)
      throw invalid(
        `${legacy}=${given(legacy)} is node-postgres's own parameter; cdclake reads TLS settings as libpq does: ` +
          'use sslmode=require, verify-ca or verify-full (with sslrootcert=<CA file>)',
        legacy,
      );
  const rootsGiven = given('sslrootcert');
  const system = rootsGiven === 'system';
  const modeGiven = given('sslmode');
  if (modeGiven !== undefined && !SSL_MODES.includes(modeGiven))
    throw invalid(`sslmode=${modeGiven} is not one of ${SSL_MODES.join(', ')}`, 'sslmode');
  const sslmode = (modeGiven ?? (system ? SslMode.verifyFull : SslMode.prefer)) as SslMode;
  if (system && sslmode !== SslMode.verifyFull)
    throw invalid(
      `sslrootcert=system needs sslmode=verify-full, not sslmode=${sslmode} (as in libpq)`,
      'sslmode',
    );
  const negotiation = given('sslnegotiation');
  if (negotiation !== undefined && negotiation !== 'postgres' && negotiation !== 'direct')
    throw invalid(`sslnegotiation=${negotiation} is not one of postgres, direct`, 'sslnegotiation');
  if (negotiation === 'direct' && !isAtLeast(sslmode, SslMode.require))
    throw invalid(
      `sslnegotiation=direct needs sslmode=require or stronger, not ${sslmode}`,
      'sslnegotiation',
    );

  for (const name of TLS_PARAMETERS) query.delete(name);
  const rest = query.toString();
  const plain: pg.ClientConfig = { connectionString: rest === '' ? base : `${base}?${rest}`, ssl: false };
  const hostProbe = new pg.Client(plain);
  if (sslmode === SslMode.disable || hostProbe.host.startsWith('/'))
    return { sslmode, roots: undefined, config: plain, variable };

  const file = (parameter: string, filePath: string): string => readTlsFile(variable, parameter, filePath);
  const home = path.join(os.homedir(), '.postgresql');
  const defaultRoots = path.join(home, 'root.crt');
  const tls: ConnectionOptions = {};
  let roots: string | undefined;
  if (system) {
    roots = 'system';
  } else if (rootsGiven !== undefined) {
    tls.ca = file('sslrootcert', rootsGiven);
    roots = rootsGiven;
  } else if (fs.existsSync(defaultRoots)) {
    tls.ca = file('sslrootcert', defaultRoots);
    roots = defaultRoots;
  } else if (sslmode === SslMode.verifyCa || sslmode === SslMode.verifyFull) {
    throw invalid(
      `sslmode=${sslmode} needs the CA to check the server's certificate against: set sslrootcert=<CA file> ` +
        `(${defaultRoots} does not exist), or sslrootcert=system for the system's roots`,
      'sslrootcert',
    );
  }
  if (roots === undefined) tls.rejectUnauthorized = false;
  else if (sslmode !== SslMode.verifyFull) tls.checkServerIdentity = () => undefined;

  const certGiven = given('sslcert');
  const keyGiven = given('sslkey');
  const certPath = certGiven ?? path.join(home, 'postgresql.crt');
  const keyPath = keyGiven ?? path.join(home, 'postgresql.key');
  if (certGiven !== undefined || fs.existsSync(certPath)) {
    tls.cert = file('sslcert', certPath);
    if (keyGiven === undefined && !fs.existsSync(keyPath))
      throw invalid(`sslcert=${certPath} is given but no sslkey (and ${keyPath} does not exist)`, 'sslkey');
    tls.key = file('sslkey', keyPath);
    const passphrase = given('sslpassword');
    if (passphrase !== undefined) tls.passphrase = passphrase;
  } else if (keyGiven !== undefined) {
    throw invalid(`sslkey=${keyGiven} is given without sslcert=<client certificate file>`, 'sslcert');
  }
  const crl = given('sslcrl');
  if (crl !== undefined) tls.crl = file('sslcrl', crl);

  const encrypted: pg.ClientConfig = {
    connectionString: plain.connectionString,
    ssl: tls,
    ...(negotiation === undefined ? {} : { sslNegotiation: negotiation }),
  } as pg.ClientConfig;
  switch (sslmode) {
    case SslMode.allow:
      return {
        sslmode,
        roots,
        config: plain,
        fallback: { config: encrypted, retry: refusedByServer },
        variable,
      };
    case SslMode.prefer:
      return { sslmode, roots, config: encrypted, fallback: { config: plain, retry: tlsFailed }, variable };
    default:
      return { sslmode, roots, config: encrypted, variable };
  }
}

function isAtLeast(mode: SslMode, floor: SslMode): boolean {
  return SSL_MODES.indexOf(mode) >= SSL_MODES.indexOf(floor);
}

/** The server answered the startup with an error (pg_hba.conf may want hostssl): allow's cue to try TLS. */
function refusedByServer(error: unknown): boolean {
  return error instanceof pg.DatabaseError;
}

/** No TLS at the server, or a handshake that failed: prefer's cue to go on without TLS. */
function tlsFailed(error: unknown): boolean {
  return error instanceof CdcError && error.code === ErrorCode.POSTGRES_TLS;
}

function readTlsFile(variable: string, parameter: string, filePath: string): string {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch (error: unknown) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `${variable}: ${parameter}=${filePath} cannot be read: ${reason}`,
      { facts: { variable, parameter, path: filePath }, cause: error },
    );
  }
}

/** Errors of a socket that went away or never answered: the server restarting, or the network between. */
const LOST_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** node-postgres's own words for a connection that ended under a query or was used after it ended. */
const LOST_CLIENT = [
  /^Connection terminated/,
  /is not queryable/,
  /^Client was closed/,
  /^Connection closed/,
  /^replication stream ended$/,
];

/**
 * Whether `error` (or an error it was caused by) is the connection to PostgreSQL going away rather than
 * something a query did: a server shutting down or restarting (SQLSTATE 57P01-57P03), a connection failure
 * (class 08), a refused or reset socket, a name that does not resolve while a container restarts. Such an
 * operation can be tried again on a new connection; anything else (authentication, a missing database, a
 * failed statement) cannot.
 */
export function isConnectionLoss(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 8; depth++) {
    const message = e.message;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08')) return true;
      if (LOST_SOCKET.has(code)) return true;
    }
    if (LOST_CLIENT.some((pattern) => pattern.test(message))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isConnectionLoss(inner))) return true;
    e = e.cause;
  }
  return false;
}
