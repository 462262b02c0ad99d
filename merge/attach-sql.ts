// `cdclake lake attach-sql`: the SQL any DuckDB client runs to read the lake as cdclake sees it: the
// extensions (by path), the S3 secret from the configuration, the ATTACH read-only, USE. The catalog's
// password is never printed (libpq reads PGPASSWORD in the client's environment); the S3 secret key and
// session token are printed only when asked for (`--with-secrets`), placeholders otherwise.

import path from 'node:path';
import type { Config } from '../core/config.ts';
import { s3SecretSql } from '../core/duckdb-s3-secret.ts';
import { conninfoValue, parseConninfo } from '../core/postgres-conninfo.ts';
import { s3Credentials } from '../core/s3-credentials.ts';
import { identifier, literal, renderSql } from '../core/sql-files.ts';

/** A libpq connection string without its password. */
function conninfoWithoutPassword(conninfo: string): string {
  return [...parseConninfo(conninfo)]
    .filter(([key]) => key !== 'password' && key !== 'sslpassword')
    .map(([key, value]) => `${key}=${conninfoValue(value)}`)
    .join(' ');
}

export async function attachSql(config: Config, options: { withSecrets: boolean }): Promise<string> {
  const catalog = config.LAKE_CATALOG.startsWith('duckdb:')
    ? `ducklake:duckdb:${path.resolve(config.LAKE_CATALOG.slice('duckdb:'.length))}`
    : `ducklake:postgres:${conninfoWithoutPassword(config.LAKE_CATALOG.slice('postgres:'.length))}`;
  const credentials = await s3Credentials(config);
  const shown = options.withSecrets
    ? credentials
    : {
        ...credentials,
        secretAccessKey: '<S3 secret access key: cdclake lake attach-sql --with-secrets prints it>',
        ...(credentials.sessionToken === undefined ? {} : { sessionToken: '<S3 session token>' }),
      };
  const postgres = config.LAKE_CATALOG.startsWith('postgres:');
  return [
    `-- The cdclake lake for any DuckDB client (DuckDB 1.5): catalog ${catalog.replace(/^ducklake:/, '')}, data ${config.LAKE_DATA_PATH}.`,
    ...(postgres
      ? [
          "-- The catalog's password is not here: set PGPASSWORD in the client's environment (libpq reads it).",
        ]
      : []),
    "-- Read bronze rows with WHERE NOT _deleted (deleted rows are kept, marked); never read the lake's folders directly.",
    renderSql('lake/client-extensions.sql', { extension_dir: literal(config.DUCKDB_EXTENSION_DIR) }).trim(),
    s3SecretSql(config, shown).trim(),
    renderSql('lake/attach-read-only.sql', {
      catalog: literal(catalog),
      alias: identifier('lake'),
      data_path: literal(config.LAKE_DATA_PATH),
    }).trim(),
    '',
  ].join('\n');
}
