// DuckDB extensions without an extension server: the signed extension files come from PyPI wheels
// built for the pinned DuckDB version, and are installed by path. Signatures are checked on LOAD.

import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { quotedString } from '../../core/sql.ts';
import type { Home } from './home.ts';
import { requireCommand, run } from './tools.ts';
import { DUCKDB_EXTENSIONS, DUCKDB_VERSION } from './versions.ts';

function installedFile(extensionDir: string, name: string): string {
  return path.join(extensionDir, `v${DUCKDB_VERSION}`, 'linux_amd64', `${name}.duckdb_extension`);
}

export async function installDuckdbExtensions(home: Home, extensionDir: string): Promise<boolean> {
  const missing = DUCKDB_EXTENSIONS.filter((e) => !fs.existsSync(installedFile(extensionDir, e.name)));
  if (missing.length === 0) return false;
  if (process.arch !== 'x64' || process.platform !== 'linux') {
    throw new CdcError(
      ErrorCode.EXTENSION_PROVISION,
      `offline extension provisioning is set up for linux x64 only (this is ${process.platform} ${process.arch}); ` +
        'with network access run INSTALL httpfs; INSTALL ducklake; INSTALL postgres; instead',
    );
  }
  requireCommand('python3', 'to fetch the DuckDB extension wheels from PyPI', 'install Python 3 with pip');
  const downloads = home.dir('downloads', `duckdb-${DUCKDB_VERSION}`);
  const wheels = missing.map((e) => `${e.wheel}==${DUCKDB_VERSION}`);
  await run(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--only-binary=:all:',
      '--platform',
      'manylinux2014_x86_64',
      '-d',
      downloads,
      ...wheels,
    ],
    { what: `downloading DuckDB ${DUCKDB_VERSION} extension wheels` },
  );
  const unpacked = home.dir('downloads', `duckdb-${DUCKDB_VERSION}`, 'unpacked');
  for (const file of fs.readdirSync(downloads).filter((f) => f.endsWith('.whl'))) {
    await run('python3', ['-m', 'zipfile', '-e', path.join(downloads, file), unpacked], {
      what: `unpacking ${file}`,
    });
  }
  fs.mkdirSync(extensionDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { extension_directory: extensionDir });
  const connection = await instance.connect();
  try {
    for (const extension of missing) {
      const file = path.join(
        unpacked,
        extension.wheel.replaceAll('-', '_'),
        'extensions',
        `v${DUCKDB_VERSION}`,
        `${extension.name}.duckdb_extension`,
      );
      if (!fs.existsSync(file)) {
        throw new CdcError(ErrorCode.EXTENSION_PROVISION, `wheel ${extension.wheel} has no ${file}`);
      }
      await connection.run(`FORCE INSTALL ${quotedString(file)}`);
      // LOAD verifies the signature: an unsigned or altered file stops here.
      await connection.run(`LOAD ${extension.name}`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return true;
}
