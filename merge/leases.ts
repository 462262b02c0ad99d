// Who may write what, when several merge processes share one lake: a table is merged by one process at a
// time, and so are the models and compaction. With the catalog in PostgreSQL, a lease is a session-level
// advisory lock on the catalog's server, taken with try (a busy table is left to the process holding it,
// which is how N processes share the tables) and let go after the commit; a process that dies lets go with
// its connection. A DuckDB-file catalog serves one process at a time anyway: its leases are always granted.

import type pg from 'pg';
import type { Config } from '../core/config.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { connectPostgres } from '../core/postgres-client.ts';
import { parseConninfo } from '../core/postgres-conninfo.ts';
import { sqlFile } from '../core/sql-files.ts';

/** The catalog's PostgreSQL as a URL node-postgres takes (libpq keywords carried as parameters). */
export function catalogServerUrl(catalog: string): string {
  const keywords = parseConninfo(catalog.replace(/^postgres:/, ''));
  const url = new URL('postgres://localhost');
  url.hostname = keywords.get('host') ?? 'localhost';
  if (keywords.has('port')) url.port = keywords.get('port') as string;
  url.username = encodeURIComponent(keywords.get('user') ?? process.env['PGUSER'] ?? 'postgres');
  const password = keywords.get('password') ?? process.env['PGPASSWORD'];
  if (password !== undefined) url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(keywords.get('dbname') ?? keywords.get('user') ?? 'postgres')}`;
  for (const [key, value] of keywords)
    if (key.startsWith('ssl') || key === 'connect_timeout') url.searchParams.set(key, value);
  return url.toString();
}

export class Leases {
  private readonly client: pg.Client | undefined;
  private readonly held = new Set<string>();
  private lost: unknown;

  private constructor(client: pg.Client | undefined) {
    this.client = client;
  }

  static async open(config: Config, log: Logger): Promise<Leases> {
    if (!config.LAKE_CATALOG.startsWith('postgres:')) return new Leases(undefined);
    const client = await connectPostgres(
      catalogServerUrl(config.LAKE_CATALOG),
      {},
      { variable: 'LAKE_CATALOG' },
    );
    const leases = new Leases(client);
    client.on('error', (error: unknown) => {
      // Every lease of this session is gone with it: the pass under way must not commit as if it held one.
      leases.lost ??= error;
      log.warn({ err: error }, "the merge's lease connection to the catalog server was lost");
    });
    return leases;
  }

  /** Takes the lease if free; false when another process holds it. */
  async tryTake(name: string): Promise<boolean> {
    this.throwIfLost();
    if (this.client === undefined || this.held.has(name)) return true;
    const { rows } = await this.client.query<{ held: boolean }>(sqlFile('lease/try-lock.sql'), [name]);
    if (rows[0]?.held !== true) return false;
    this.held.add(name);
    return true;
  }

  /** Waits for the lease. */
  async take(name: string): Promise<void> {
    this.throwIfLost();
    if (this.client === undefined || this.held.has(name)) return;
    await this.client.query(sqlFile('lease/lock.sql'), [name]);
    this.held.add(name);
  }

  async release(name: string): Promise<void> {
    if (this.client === undefined || !this.held.delete(name)) return;
    await this.client.query(sqlFile('lease/unlock.sql'), [name]).catch(() => undefined);
  }

  /**
   * Runs `work` holding the lease; undefined, without running it, when another process holds it (so `work`
   * should not itself resolve to undefined).
   */
  async ifFree<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.tryTake(name))) return undefined;
    try {
      const result = await work();
      this.throwIfLost();
      return result;
    } finally {
      await this.release(name);
    }
  }

  /** The connection went away: every lease of it is gone, and a new Leases must be opened. */
  get isLost(): boolean {
    return this.lost !== undefined;
  }

  throwIfLost(): void {
    if (this.lost === undefined) return;
    throw new CdcError(ErrorCode.LAKE_BUSY, "the merge's leases were lost with their connection; stopping", {
      cause: this.lost,
      retriable: true,
    });
  }

  async close(): Promise<void> {
    this.held.clear();
    await this.client?.end().catch(() => undefined);
  }
}
