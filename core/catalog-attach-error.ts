// A DuckLake catalog in PostgreSQL that could not be attached, said without its password: DuckDB's postgres
// extension quotes the whole connection string in its error. TLS failures become CDC_POSTGRES_TLS.

import os from 'node:os';
import path from 'node:path';
import { CdcError, ErrorCode } from './errors.ts';
import { parseConninfo, redactConninfo } from './postgres-conninfo.ts';
import { describeLibpqTlsFailure } from './postgres-tls-error.ts';

export function describeCatalogFailure(error: unknown, conninfo: string): CdcError {
  const text = redactConninfo(error instanceof Error ? error.message : String(error), conninfo);
  const keywords = parseConninfo(conninfo);
  // libpq: `connection to server at "127.0.0.1", port 5433 failed: <reason>`
  const failed = /connection to server at "([^"]*)"(?: \([^)]*\))?, port (\d+) failed: ([\s\S]*)$/.exec(text);
  const endpoint = `${failed?.[1] ?? keywords.get('host') ?? 'localhost'}:${failed?.[2] ?? keywords.get('port') ?? '5432'}`;
  const reason = (failed?.[3] ?? text).trim();
  const roots = keywords.get('sslrootcert') ?? path.join(os.homedir(), '.postgresql', 'root.crt');
  const tls = describeLibpqTlsFailure(reason, {
    endpoint,
    variable: 'LAKE_CATALOG',
    sslmode: keywords.get('sslmode') ?? 'prefer',
    roots,
    tls: true,
  });
  if (tls !== undefined) return tls;
  // The original error is left out on purpose: it holds the password.
  return new CdcError(
    ErrorCode.LAKE_CATALOG,
    `the lake's catalog in PostgreSQL at ${endpoint} (LAKE_CATALOG) could not be attached: ${reason}`,
    { facts: { endpoint, variable: 'LAKE_CATALOG' } },
  );
}
