// DuckDB's S3 secret, filled from the same credential provider as the S3 client, and created again while
// temporary credentials still have 5 minutes left: before each merge pass, and on a timer between them.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from './config.ts';
import { expiresSoon, s3Credentials, type S3Credentials } from './s3-credentials.ts';
import { literal, renderSql } from './sql-files.ts';

const CHECK_EVERY_MS = 60_000;

export function s3SecretSql(config: Config, credentials: S3Credentials): string {
  const endpoint = new URL(config.S3_ENDPOINT);
  return renderSql('session/create-s3-secret.sql', {
    key_id: literal(credentials.accessKeyId),
    secret: literal(credentials.secretAccessKey),
    session_token: literal(credentials.sessionToken ?? ''),
    region: literal(config.S3_REGION),
    endpoint: literal(endpoint.host),
    url_style: literal(config.S3_FORCE_PATH_STYLE ? 'path' : 'vhost'),
    use_ssl: { boolean: endpoint.protocol === 'https:' },
  });
}

/**
 * The secret of one DuckDB instance (secrets are instance-wide). It runs on a connection of its own, so the
 * timer never interleaves with a statement on the session's connection.
 */
export class DuckDBS3Secret {
  private readonly connection: DuckDBConnection;
  private readonly config: Config;
  private credentials: S3Credentials | undefined;
  private pending: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(connection: DuckDBConnection, config: Config) {
    this.connection = connection;
    this.config = config;
  }

  /** When the secret's credentials stop working (undefined: not temporary, or not created yet). */
  get expiration(): Date | undefined {
    return this.credentials?.expiration;
  }

  /**
   * Creates the secret the first time, and again when its credentials expire within 5 minutes of `now`;
   * resolves true when it ran CREATE SECRET. Concurrent callers share one renewal.
   */
  async ensureFresh(now = Date.now()): Promise<boolean> {
    if (this.credentials !== undefined && !expiresSoon(this.credentials, now)) return false;
    this.pending ??= this.create(now).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async create(now: number): Promise<boolean> {
    const credentials = await s3Credentials(this.config, { now });
    await this.connection.run(s3SecretSql(this.config, credentials));
    this.credentials = credentials;
    if (credentials.expiration !== undefined && this.timer === undefined) {
      // A failed renewal here is tried again by the next tick and by the next ensureFresh(), which reports it.
      this.timer = setInterval(() => void this.ensureFresh().catch(() => undefined), CHECK_EVERY_MS);
      this.timer.unref();
    }
    return true;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.connection.closeSync();
  }
}
