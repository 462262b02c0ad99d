// The DuckDB session every part uses: offline extensions from the project's folder (signatures checked),
// S3 credentials for s3:// paths, and the DuckLake lake attached on demand.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { describeCatalogFailure } from './catalog-attach-error.ts';
import type { Config } from './config.ts';
import { checkConninfoTls } from './postgres-conninfo.ts';
import { renderSql, literal, identifier } from './sql-files.ts';

export interface DuckSession {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): void;
}

export async function openDuckDB(config: Config, database = ':memory:'): Promise<DuckSession> {
  const instance = await DuckDBInstance.create(database, {
    extension_directory: config.DUCKDB_EXTENSION_DIR,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
    allow_unsigned_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    await connection.run('LOAD httpfs');
    await connection.run(s3SecretSql(config));
  } catch (error: unknown) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return {
    instance,
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export function s3SecretSql(config: Config): string {
  const endpoint = new URL(config.S3_ENDPOINT);
  return renderSql('session/create-s3-secret.sql', {
    key_id: literal(config.S3_ACCESS_KEY_ID),
    secret: literal(config.S3_SECRET_ACCESS_KEY),
    region: literal(config.S3_REGION),
    endpoint: literal(endpoint.host),
    url_style: literal(config.S3_FORCE_PATH_STYLE ? 'path' : 'vhost'),
    use_ssl: { boolean: endpoint.protocol === 'https:' },
  });
}

/** `ATTACH 'ducklake:<catalog>' AS <alias> (DATA_PATH ...)` for the configured catalog. */
export async function attachLake(
  connection: DuckDBConnection,
  config: Config,
  alias = 'lake',
  overrides: { catalog?: string; dataPath?: string } = {},
): Promise<void> {
  const catalog = overrides.catalog ?? config.LAKE_CATALOG;
  const isFile = catalog.startsWith('duckdb:');
  const location = isFile ? catalog.slice('duckdb:'.length) : catalog;
  if (isFile) fs.mkdirSync(path.dirname(path.resolve(location)), { recursive: true });
  const conninfo = location.slice('postgres:'.length);
  if (!isFile) checkConninfoTls(conninfo, 'LAKE_CATALOG');
  await connection
    .run(
      renderSql('lake/attach.sql', {
        catalog: literal(`ducklake:${location}`),
        alias: identifier(alias),
        data_path: literal(overrides.dataPath ?? config.LAKE_DATA_PATH),
      }),
    )
    .catch((error: unknown) => {
      throw isFile ? error : describeCatalogFailure(error, conninfo);
    });
}
