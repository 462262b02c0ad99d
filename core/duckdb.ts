// The DuckDB session every part uses: offline extensions from the project's folder (signatures checked),
// S3 credentials for s3:// paths (kept fresh by duckdb-s3-secret.ts), and the DuckLake lake attached on demand.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { describeCatalogFailure } from './catalog-attach-error.ts';
import type { Config } from './config.ts';
import { DuckDBS3Secret } from './duckdb-s3-secret.ts';
import { checkConninfoTls } from './postgres-conninfo.ts';
import { renderSql, literal, identifier, integer } from './sql-files.ts';

export interface DuckSession {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  /** The S3 secret; `ensureFresh()` before work that may outlive temporary credentials. */
  s3Secret: DuckDBS3Secret;
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
  const s3Secret = new DuckDBS3Secret(await instance.connect(), config);
  try {
    await connection.run('LOAD httpfs');
    await connection.run(
      renderSql('session/http-timeout.sql', {
        seconds: integer(Math.ceil(config.S3_REQUEST_TIMEOUT_MS / 1000)),
      }),
    );
    await connection.run(
      renderSql('session/http-retries.sql', { retries: integer(config.S3_MAX_ATTEMPTS - 1) }),
    );
    await s3Secret.ensureFresh();
  } catch (error: unknown) {
    s3Secret.close();
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return {
    instance,
    connection,
    s3Secret,
    close() {
      s3Secret.close();
      connection.closeSync();
      instance.closeSync();
    },
  };
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
