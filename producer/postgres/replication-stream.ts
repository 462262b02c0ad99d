// The streaming replication connection: START_REPLICATION on a pgoutput slot, every XLogData and
// keepalive handed to one handler strictly in order, the socket paused while the handler is behind
// (backpressure), and standby status updates that report only what the caller says is durable.

import type pg from 'pg';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { quotedIdentifier, quotedString } from '../../core/sql.ts';
import { bigIntToLsn, parsePgoutput, type PgoutputMessage } from './pgoutput.ts';

export type StreamItem =
  | { kind: 'xlog'; walStart: bigint; message: PgoutputMessage }
  | { kind: 'keepalive'; walEnd: bigint; replyRequested: boolean };

/** Session settings that make PostgreSQL's text output of values unambiguous. */
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3 -c bytea_output=hex';

const PG_EPOCH_MS = 946_684_800_000;
const PAUSE_AT = 2_000;
const RESUME_AT = 200;

interface Connection {
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

export class ReplicationStream {
  private client: pg.Client | undefined;
  private connection: Connection | undefined;
  private readonly queue: StreamItem[] = [];
  private draining = false;
  private paused = false;
  private stopped = false;
  private failure: ((error: unknown) => void) | undefined;
  private readonly connectionString: string;

  constructor(connectionString: string) {
    this.connectionString = connectionString;
  }

  /** Streams until `stop()` or an error; resolves on stop, rejects on error. */
  async run(slot: string, publication: string, handle: (item: StreamItem) => Promise<void>): Promise<void> {
    let client: pg.Client;
    try {
      client = await connectPostgres(
        this.connectionString,
        { replication: 'database', options: SESSION_OPTIONS },
        // Each attempt's client is known at once, so stop() can end one still connecting.
        { onClient: (attempt) => (this.client = attempt) },
      );
    } catch (error: unknown) {
      // Stopped while connecting: the connection was closed on purpose.
      if (this.stopped) return;
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.connection = (client as unknown as { connection: Connection }).connection;
    return new Promise<void>((resolve, reject) => {
      this.failure = (error: unknown) => {
        if (this.stopped) resolve();
        else reject(error);
      };
      client.on('error', (error) => this.failure?.(error));
      this.connection?.on('copyData', ({ chunk }) => {
        const item = decode(chunk);
        if (item === undefined) return;
        this.queue.push(item);
        if (this.queue.length >= PAUSE_AT && !this.paused) {
          this.paused = true;
          this.connection?.stream.pause();
        }
        if (!this.draining) void this.drain(handle);
      });
      const start =
        `START_REPLICATION SLOT ${quotedIdentifier(slot)} LOGICAL 0/0 ` +
        `(proto_version '1', publication_names ${quotedString(publication)}, messages 'true')`;
      client.query(start).then(
        () =>
          this.stopped
            ? resolve()
            : reject(new CdcError(ErrorCode.SOURCE_STREAM, 'replication stream ended', { retriable: true })),
        (error: unknown) => this.failure?.(wrapStartError(error, slot)),
      );
    });
  }

  /** Reports `lsn` as flushed: the slot's confirmed position may advance to it. */
  sendStatus(lsn: bigint, replyRequested = false): void {
    if (this.connection === undefined || this.stopped) return;
    const message = Buffer.alloc(34);
    message.write('r', 0, 'latin1');
    message.writeBigUInt64BE(lsn, 1);
    message.writeBigUInt64BE(lsn, 9);
    message.writeBigUInt64BE(lsn, 17);
    message.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
    message.writeUInt8(replyRequested ? 1 : 0, 33);
    this.connection.sendCopyFromChunk(message);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.length = 0;
    await this.client?.end().catch(() => undefined);
  }

  private async drain(handle: (item: StreamItem) => Promise<void>): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const item = this.queue.shift() as StreamItem;
        await handle(item);
        if (this.paused && this.queue.length <= RESUME_AT) {
          this.paused = false;
          this.connection?.stream.resume();
        }
      }
    } catch (error: unknown) {
      this.failure?.(error);
    } finally {
      this.draining = false;
    }
  }
}

function decode(chunk: Buffer): StreamItem | undefined {
  const kind = chunk[0];
  if (kind === 0x77) {
    return { kind: 'xlog', walStart: chunk.readBigUInt64BE(1), message: parsePgoutput(chunk.subarray(25)) };
  }
  if (kind === 0x6b) {
    return { kind: 'keepalive', walEnd: chunk.readBigUInt64BE(1), replyRequested: chunk.readUInt8(17) === 1 };
  }
  return undefined;
}

function wrapStartError(error: unknown, slot: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (
    /can no longer get changes from replication slot|has been invalidated|requested WAL segment .* has already been removed/i.test(
      message,
    )
  ) {
    return new CdcError(
      ErrorCode.SOURCE_SLOT_LOST,
      `replication slot ${slot} is lost: PostgreSQL removed WAL it still needed (${message}). The changes made ` +
        'meanwhile cannot be replayed. Fix: run `cdclake produce --source postgres --resnapshot` once (or set ' +
        'PG_SLOT_LOST=resnapshot): a new slot, every table snapshotted, then reconciled',
      { facts: { slot }, cause: error },
    );
  }
  if (/replication slot .* does not exist/i.test(message)) {
    return new CdcError(ErrorCode.SOURCE_SLOT, `replication slot ${slot} does not exist (was it dropped?)`, {
      facts: { slot },
      cause: error,
    });
  }
  return new CdcError(ErrorCode.SOURCE_STREAM, `replication stream of slot ${slot} failed: ${message}`, {
    retriable: true,
    facts: { slot },
    cause: error,
  });
}

export { bigIntToLsn };
