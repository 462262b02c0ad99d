// A PostgreSQL server of one test's own, for what would disturb the others: server settings such as
// max_slot_wal_keep_size, which invalidate every slot that falls behind. Natively a second cluster from the
// same binaries (scripts/services/postgres.ts), or a container when only a Docker engine has PostgreSQL.

import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../core/free-port.ts';
import { Home } from '../../scripts/services/home.ts';
import {
  findBinDir,
  postgresReady,
  postgresUrl,
  startPostgres,
  stopPostgres,
  type PostgresServerOptions,
} from '../../scripts/services/postgres.ts';
import { uniqueId } from './fixtures.ts';

export interface IsolatedPostgres {
  /** The server's `cdclake` database. */
  url: string;
  port: number;
  /**
   * A restart as an operator's or a failover's: fast shutdown (sessions ended with 57P01), down for `downMs`
   * (connections refused meanwhile), then up on the same port with its data, slots and WAL.
   */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `server` (TLS, pg_hba rules, more listen addresses) needs the native binaries; `readyQuery` is the URL
 * query (TLS parameters) the readiness check connects with.
 */
export async function startIsolatedPostgres(
  cdclakeHome: string,
  server?: PostgresServerOptions & { readyQuery?: string },
): Promise<IsolatedPostgres> {
  if (findBinDir() !== undefined) {
    const home = new Home(path.join(cdclakeHome, 'tests', uniqueId('pg')));
    const port = await freePort();
    await startPostgres(home, port, server);
    await postgresReady(port, 60_000, server?.readyQuery);
    return {
      url: postgresUrl(port),
      port,
      restart: async (downMs = 0) => {
        await stopPostgres(home);
        await new Promise((r) => setTimeout(r, downMs));
        await startPostgres(home, port, server);
        await postgresReady(port, 60_000, server?.readyQuery);
      },
      stop: async () => {
        await stopPostgres(home);
        fs.rmSync(home.root, { recursive: true, force: true });
      },
    };
  }
  if (server !== undefined)
    throw new Error('a PostgreSQL server with its own settings needs the native binaries');
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:17')
    .withCommand(['postgres', '-c', 'wal_level=logical'])
    .withEnvironment({ POSTGRES_USER: 'cdclake', POSTGRES_PASSWORD: 'cdclake', POSTGRES_DB: 'cdclake' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    url: `postgres://cdclake:cdclake@${container.getHost()}:${container.getMappedPort(5432)}/cdclake`,
    port: container.getMappedPort(5432),
    restart: async (downMs = 0) => {
      await container.restart({ timeout: downMs });
    },
    stop: async () => {
      await container.stop();
    },
  };
}
