// PostgreSQL on a machine without Docker: Debian's server binaries, a cluster of our own in the project
// folder with wal_level=logical. PostgreSQL refuses to run as root, so as root it runs as the postgres user.

import fs from 'node:fs';
import path from 'node:path';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import type { Home } from './home.ts';
import { readPid, isAlive, waitFor } from './processes.ts';
import { aptInstall, isRoot, run } from './tools.ts';
import { POSTGRES_MIN_MAJOR } from './versions.ts';

export const PG_USER = 'cdclake';
export const PG_PASSWORD = 'cdclake';
export const PG_DATABASE = 'cdclake';

export function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const majors = fs
    .readdirSync(root)
    .map((v) => Number.parseInt(v, 10))
    .filter((v) => v >= POSTGRES_MIN_MAJOR && fs.existsSync(path.join(root, String(v), 'bin', 'initdb')))
    .sort((a, b) => b - a);
  return majors.length > 0 ? path.join(root, String(majors[0]), 'bin') : undefined;
}

export async function installPostgres(): Promise<boolean> {
  if (findBinDir() !== undefined) return false;
  await aptInstall(['postgresql'], `to run PostgreSQL ${POSTGRES_MIN_MAJOR}+ natively`);
  if (findBinDir() === undefined) {
    throw new CdcError(
      ErrorCode.TOOL_MISSING,
      `apt installed postgresql but no PostgreSQL ${POSTGRES_MIN_MAJOR}+ initdb was found`,
    );
  }
  return true;
}

function paths(home: Home) {
  const base = home.dir('postgres');
  return {
    base,
    data: path.join(base, 'data'),
    socket: path.join(base, 'socket'),
    logFile: path.join(base, 'postgres.log'),
  };
}

/** As root, run the server's tools as the postgres user, who owns the cluster folder. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function pgTool(tool: string, args: string[], what: string): Promise<string> {
  const bin = findBinDir();
  if (bin === undefined)
    throw new CdcError(ErrorCode.TOOL_MISSING, 'PostgreSQL server binaries are not installed');
  const [command, fullArgs] = asServerUser(path.join(bin, tool), args);
  return run(command, fullArgs, { what, cwd: '/' });
}

/** A server that speaks TLS: its certificate and key, the CA it checks client certificates against. */
export interface PostgresTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface PostgresServerOptions {
  tls?: PostgresTls;
  /** pg_hba.conf in place of initdb's, one rule a line (e.g. hostssl only, or cert authentication). */
  hba?: string[];
  /** Addresses to listen on besides 127.0.0.1. */
  extraListenAddresses?: string[];
}

export async function startPostgres(
  home: Home,
  port: number,
  server: PostgresServerOptions = {},
): Promise<void> {
  const p = paths(home);
  if (postgresPid(home) !== undefined) return;
  fs.mkdirSync(p.socket, { recursive: true });
  if (isRoot()) {
    // The server user must reach its folder: open the path for traversal, give it the cluster folder.
    for (let dir = p.base; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
    }
    await run('chown', ['-R', 'postgres:postgres', p.base], {
      what: 'giving the cluster folder to postgres',
    });
  }
  if (!fs.existsSync(path.join(p.data, 'PG_VERSION'))) {
    const pwfile = path.join(p.base, 'pwfile');
    fs.writeFileSync(pwfile, PG_PASSWORD + '\n', { mode: 0o644 });
    await pgTool(
      'initdb',
      [
        '-D',
        p.data,
        '-U',
        PG_USER,
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
      ],
      'initdb of the PostgreSQL cluster',
    );
    fs.rmSync(pwfile);
  }
  const tlsOptions = server.tls === undefined ? [] : await installTls(p.data, server.tls);
  if (server.hba !== undefined)
    await writeServerFile(path.join(p.data, 'pg_hba.conf'), server.hba.join('\n') + '\n');
  const options = [
    `-p ${port}`,
    `-c listen_addresses='${['127.0.0.1', ...(server.extraListenAddresses ?? [])].join(',')}'`,
    ...tlsOptions,
    `-c unix_socket_directories='${p.socket}'`,
    '-c wal_level=logical',
    '-c max_replication_slots=20',
    '-c max_wal_senders=20',
    '-c max_connections=200',
    '-c fsync=on',
  ].join(' ');
  await pgTool(
    'pg_ctl',
    ['-D', p.data, '-l', p.logFile, '-o', options, '-w', '-t', '60', 'start'],
    'starting PostgreSQL',
  );
}

/** The server's files in its data folder, owned by the server user; the key readable by it alone. */
async function installTls(data: string, tls: PostgresTls): Promise<string[]> {
  await writeServerFile(path.join(data, 'server.crt'), fs.readFileSync(tls.certFile, 'utf8'));
  await writeServerFile(path.join(data, 'server.key'), fs.readFileSync(tls.keyFile, 'utf8'));
  await writeServerFile(path.join(data, 'root.crt'), fs.readFileSync(tls.caFile, 'utf8'));
  return [
    '-c ssl=on',
    "-c ssl_cert_file='server.crt'",
    "-c ssl_key_file='server.key'",
    "-c ssl_ca_file='root.crt'",
  ];
}

async function writeServerFile(file: string, text: string): Promise<void> {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  if (isRoot()) await run('chown', ['postgres:postgres', file], { what: `giving ${file} to postgres` });
}

export function postgresUrl(port: number, database = PG_DATABASE, query = ''): string {
  return `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/${database}${query}`;
}

/** Waits until the server answers and has the cdclake database; `query` carries TLS parameters. */
export async function postgresReady(port: number, timeoutMs: number, query = ''): Promise<void> {
  await waitFor(
    `PostgreSQL on 127.0.0.1:${port}`,
    async () => {
      const admin = await connectPostgres(postgresUrl(port, 'postgres', query), {
        connectionTimeoutMillis: 2000,
      });
      try {
        await admin.query('select 1');
        const exists = await admin.query('select 1 from pg_database where datname = $1', [PG_DATABASE]);
        if (exists.rowCount === 0) await admin.query(`create database ${PG_DATABASE}`);
      } finally {
        await admin.end();
      }
    },
    timeoutMs,
  );
}

export function postgresPid(home: Home): number | undefined {
  const pid = readPid(path.join(paths(home).data, 'postmaster.pid'));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export async function stopPostgres(home: Home): Promise<void> {
  if (postgresPid(home) === undefined) return;
  await pgTool(
    'pg_ctl',
    ['-D', paths(home).data, '-m', 'fast', '-w', '-t', '60', 'stop'],
    'stopping PostgreSQL',
  );
}

export function postgresLog(home: Home): string {
  return paths(home).logFile;
}
