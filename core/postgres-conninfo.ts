// libpq connection strings, as DuckLake's PostgreSQL catalog (LAKE_CATALOG=postgres:...) takes them: one
// made for a database of the server a PostgreSQL URL names (its TLS parameters carried over), read, and
// hidden: DuckDB's postgres extension quotes the whole string, password included, in its errors.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CdcError, ErrorCode } from './errors.ts';

/** The URL parameters libpq reads for TLS, carried from PG_URL into a catalog's connection string. */
const TLS_KEYWORDS = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslcrl',
  'sslpassword',
  'sslnegotiation',
];
/** Keywords naming files libpq reads; `system` is not a file for sslrootcert. */
const FILE_KEYWORDS = ['sslrootcert', 'sslcert', 'sslkey', 'sslcrl'];
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export function postgresConninfo(serverUrl: string, database: string, withPassword = true): string {
  const url = new URL(serverUrl);
  const pairs: [string, string][] = [
    ['dbname', database],
    ['host', url.hostname],
    ['port', url.port || '5432'],
    ['user', decodeURIComponent(url.username)],
  ];
  if (withPassword) pairs.push(['password', decodeURIComponent(url.password)]);
  for (const keyword of TLS_KEYWORDS) {
    const value = url.searchParams.get(keyword);
    if (value !== null && (withPassword || keyword !== 'sslpassword')) pairs.push([keyword, value]);
  }
  return pairs.map(([keyword, value]) => `${keyword}=${conninfoValue(value)}`).join(' ');
}

/** A value as libpq reads it: bare when it can be, else single-quoted with \ and ' escaped. */
export function conninfoValue(value: string): string {
  return value !== '' && !/[\s'\\]/.test(value) ? value : `'${value.replace(/['\\]/g, (c) => `\\${c}`)}'`;
}

/** The keywords of a connection string: `key=value` pairs (values may be quoted) or a postgres:// URI. */
export function parseConninfo(conninfo: string): Map<string, string> {
  const out = new Map<string, string>();
  if (/^postgres(ql)?:\/\//.test(conninfo)) {
    const url = new URL(conninfo);
    if (url.hostname !== '') out.set('host', decodeURIComponent(url.hostname));
    if (url.port !== '') out.set('port', url.port);
    if (url.username !== '') out.set('user', decodeURIComponent(url.username));
    if (url.password !== '') out.set('password', decodeURIComponent(url.password));
    if (url.pathname.length > 1) out.set('dbname', decodeURIComponent(url.pathname.slice(1)));
    for (const [key, value] of url.searchParams) out.set(key, value);
    return out;
  }
  const pair = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/gy;
  for (let match = pair.exec(conninfo); match !== null; match = pair.exec(conninfo)) {
    const quoted = match[2];
    out.set(match[1] as string, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (match[3] ?? ''));
  }
  return out;
}

/** `text` with the connection string's password (as a whole string, then alone) replaced by *****. */
export function redactConninfo(text: string, conninfo: string): string {
  const password = parseConninfo(conninfo).get('password');
  if (password === undefined || password === '') return text;
  const shown = conninfo.includes('://')
    ? conninfo.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1*****@')
    : conninfo.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/, '$1*****');
  return text.replaceAll(conninfo, shown).replaceAll(password, '*****');
}

/**
 * Refuses, before libpq is asked, what libpq would refuse less clearly: an sslmode it does not know, and a
 * TLS file named in `variable` that cannot be read.
 */
export function checkConninfoTls(conninfo: string, variable: string): Map<string, string> {
  const keywords = parseConninfo(conninfo);
  const mode = keywords.get('sslmode');
  if (mode !== undefined && !SSL_MODES.includes(mode))
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `${variable}: sslmode=${mode} is not one of ${SSL_MODES.join(', ')}`,
      {
        facts: { variable, parameter: 'sslmode' },
      },
    );
  const defaultRoots = path.join(os.homedir(), '.postgresql', 'root.crt');
  const verifies = mode === 'verify-ca' || mode === 'verify-full';
  if (verifies && !keywords.has('sslrootcert') && !fs.existsSync(defaultRoots))
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `${variable}: sslmode=${mode} needs the CA to check the server's certificate against: set ` +
        `sslrootcert=<CA file> (${defaultRoots} does not exist), or sslrootcert=system for the system's roots`,
      { facts: { variable, parameter: 'sslrootcert' } },
    );
  for (const keyword of FILE_KEYWORDS) {
    const file = keywords.get(keyword);
    if (file === undefined || (keyword === 'sslrootcert' && file === 'system')) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (error: unknown) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
      throw new CdcError(
        ErrorCode.CONFIG_INVALID,
        `${variable}: ${keyword}=${file} cannot be read: ${reason}`,
        {
          facts: { variable, parameter: keyword, path: file },
        },
      );
    }
  }
  return keywords;
}
