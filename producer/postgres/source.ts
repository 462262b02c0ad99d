// `cdclake produce --source postgres`: PostgreSQL logical replication (pgoutput) to Kafka.
//
//   start ──► the slot: new ───────────────► every table queued for an incremental snapshot ──┐
//                       kept ──────────────► resume its queue (and snapshot tables DDL changed) ─┤
//                       lost or dropped ───► one clear error; with --resnapshot (PG_SLOT_LOST=  ─┤
//                                            resnapshot) a new slot, every table snapshotted,    │
//                                            then reconciled                                     │
//   streaming (incremental snapshots between watermarks beside it; new tables and DDL found) ◄──┘
//        ──► stopping ──► stopped
//
// The slot's confirmed position advances only to a commit whose events Kafka acknowledged, or, when
// nothing is pending, to the server's keepalive position (heartbeats), so WAL never piles up.
// PG_SNAPSHOT_MODE=exported keeps the single read under the new slot's exported snapshot instead.

import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import { Op, positionOf, type ChangeEvent, type Row, type TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { readEntries, writeEntries } from '../../core/kafka/compacted-topic.ts';
import { ensureTopics, producerStateTopic, schemasTopic, tableTopic } from '../../core/kafka/topics.ts';
import type { Logger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { connectPostgres, isConnectionLoss } from '../../core/postgres-client.ts';
import { sqlFile } from '../../core/sql-files.ts';
import { Publisher, type OutgoingRecord } from '../publisher.ts';
import { SchemaPublication } from '../schema-publication.ts';
import { TableWriter, type ChangeOrigin } from '../table-writer.ts';
import { lookupTypeName, tableDefFromRelation, type KeyOverrides } from './catalog.ts';
import { lsnToBigInt, type Relation } from './pgoutput.ts';
import {
  IncrementalSnapshot,
  REQUEST_PREFIX,
  WATERMARK_PREFIX,
  definitionKey,
  type SnapshotHost,
  type SnapshotState,
} from './incremental-snapshot.ts';
import { createSlotWithSnapshot, ensurePublication, readSlot } from './publication.ts';
import { isFirstLoad, markStreaming, prepareSlot, snapshotStateKey, type SlotContext } from './slot-setup.ts';
import { SourceTables } from './source-tables.ts';
import { ReplicationStream, SESSION_OPTIONS, type StreamItem } from './replication-stream.ts';
import { keyRowFromTuple, rowFromTuple } from './rows.ts';
import { readSnapshot } from './snapshot.ts';

export const SourceState = {
  starting: 'starting',
  snapshotting: 'snapshotting',
  streaming: 'streaming',
  /** The connection to PostgreSQL went away: waiting to connect again (PRODUCER_RECONNECT_MS). */
  reconnecting: 'reconnecting',
  stopping: 'stopping',
  stopped: 'stopped',
} as const;
export type SourceState = (typeof SourceState)[keyof typeof SourceState];

export interface PostgresSourceOptions {
  untilIdle: boolean;
  tables?: string[];
  /** Take a new snapshot into a new slot when the slot was dropped after a completed snapshot. */
  resnapshot?: boolean;
  /** Records larger than this are refused by table and key before they reach the broker. */
  maxRecordBytes?: number;
}

export interface SourceSummary {
  snapshotRows: number;
  changes: number;
  confirmedLsn: bigint;
}

export class PostgresSource {
  state: SourceState = SourceState.starting;
  readonly metrics = new Metrics();
  private readonly eventsOut = this.metrics.counter('cdclake_producer_events_total');
  private readonly reconnects = this.metrics.counter('cdclake_producer_reconnects_total');
  private readonly slotLag = this.metrics.gauge('cdclake_producer_slot_lag_bytes');
  private readonly config: Config;
  private readonly options: PostgresSourceOptions;
  private readonly log: Logger;
  private readonly kafka;
  private readonly publisher: Publisher;
  private readonly byName = new Map<string, TableWriter>();
  private readonly byOid = new Map<number, TableWriter>();
  private readonly chunkWriters = new Map<string, TableWriter>();
  /** Every codec's writer schemas, on the schemas topic before any event written with them. */
  private readonly schemas = new SchemaPublication((entries) =>
    writeEntries(this.kafka, schemasTopic(this.config), entries),
  );
  private stream: ReplicationStream | undefined;
  private admin: pg.Client | undefined;
  private transaction: { finalLsn: bigint; xid: number; commitMs: bigint; index: number } | undefined;
  /** Commits received and not yet confirmed, oldest first, from `commitsHead` on (a queue without shifts). */
  private readonly commits: { endLsn: bigint; published: number }[] = [];
  private commitsHead = 0;
  private confirmed = 0n;
  private streaming = false;
  private lastAcknowledged = 0;
  /**
   * Health: while streaming, the server's messages (changes, keepalives answering each heartbeat) and
   * Kafka's acknowledgements are progress; none for HEALTH_STALL_MS is a stalled slot or a hung Kafka.
   */
  private readonly progressed = this.metrics.watch('producer', () => {
    if (this.state === SourceState.reconnecting) return 'the connection to PostgreSQL to come back';
    if (!this.streaming) return undefined;
    const waiting = this.publisher.publishedCount - this.publisher.acknowledgedCount;
    return waiting > 0
      ? `${waiting} events waiting for Kafka's acknowledgement`
      : 'the replication stream open (a keepalive is asked for every PRODUCER_HEARTBEAT_MS)';
  });
  private reported = -1n;
  private idleWalEnd = 0n;
  private changes = 0;
  private snapshotRows = 0;
  private stopRequested = false;
  private readonly database: string;
  private readonly keys: KeyOverrides;
  private snapshots: IncrementalSnapshot | undefined;
  /** Single flight: the catalog check that finds new tables and DDL. */
  private refreshing: Promise<void> | undefined;
  private refreshSoon = false;
  private readonly sourceTables: SourceTables;

  constructor(config: Config, options: PostgresSourceOptions, log: Logger) {
    this.config = config;
    this.options = options;
    this.log = log;
    this.kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-producer`);
    this.publisher = new Publisher(config, `${config.KAFKA_CLIENT_ID}-producer`);
    this.database = decodeURIComponent(new URL(config.PG_URL).pathname.slice(1)) || 'postgres';
    this.keys = config.CDC_KEY_COLUMNS ?? {};
    this.sourceTables = new SourceTables(config, options.tables, this.keys, log, this.metrics);
  }

  /**
   * Captures until stopped (or, with untilIdle, until caught up). A connection to PostgreSQL that goes away
   * (a restart, a failover, the network) ends the session, not the run: after a backoff a new session
   * connects and resumes from the slot's confirmed position and the snapshot state on Kafka, as a restart of
   * the process would, for up to PRODUCER_RECONNECT_MS. Events published twice meanwhile carry the same
   * positions, so the merge keeps one.
   */
  async run(): Promise<SourceSummary> {
    let lostAt: number | undefined;
    let delay = 500;
    try {
      for (;;) {
        try {
          return await this.session(() => {
            if (lostAt !== undefined)
              this.log.info(
                { downMs: Date.now() - lostAt },
                'PostgreSQL is back: streaming again from the replication slot',
              );
            lostAt = undefined;
            delay = 500;
          });
        } catch (error: unknown) {
          if (this.stopRequested || !isConnectionLoss(error)) throw error;
          const now = Date.now();
          lostAt ??= now;
          if (now - lostAt >= this.config.PRODUCER_RECONNECT_MS) throw this.unreachable(error, now - lostAt);
          if (delay === 500)
            this.log.warn(
              { err: error, retryForMs: this.config.PRODUCER_RECONNECT_MS - (now - lostAt) },
              'the connection to PostgreSQL went away: reconnecting, then resuming from the replication slot',
            );
          this.reconnects.inc();
          this.state = SourceState.reconnecting;
          this.metrics.setReady(false);
          const until = Date.now() + delay;
          while (Date.now() < until && !this.stopRequested) await new Promise((r) => setTimeout(r, 50));
          delay = Math.min(delay * 2, 30_000);
          if (this.stopRequested) return this.summary();
        }
      }
    } finally {
      await this.publisher.disconnect().catch(() => undefined);
      this.state = SourceState.stopped;
    }
  }

  private unreachable(error: unknown, downMs: number): CdcError {
    const { hostname: host, port } = new URL(this.config.PG_URL);
    return new CdcError(
      ErrorCode.SOURCE_STREAM,
      `PostgreSQL at ${host}:${port || '5432'} could not be reached for ${Math.round(downMs / 1000)} s ` +
        `(PRODUCER_RECONNECT_MS=${this.config.PRODUCER_RECONNECT_MS}): ${error instanceof Error ? error.message : String(error)}. ` +
        'The slot keeps every change meanwhile; start the producer again once PostgreSQL answers',
      { facts: { host, port }, cause: error },
    );
  }

  /** One connection's worth of capture: tables, slot, snapshot queue and stream, all set up afresh. */
  private async session(onStreaming: () => void): Promise<SourceSummary> {
    this.transaction = undefined;
    this.commits.length = 0;
    this.commitsHead = 0;
    this.byOid.clear();
    this.idleWalEnd = 0n;
    this.reported = -1n;
    this.snapshots = undefined;
    this.state = SourceState.starting;
    const admin = await connectPostgres(this.config.PG_URL, { options: SESSION_OPTIONS });
    this.admin = admin;
    // A lost connection surfaces on the next query; an unhandled 'error' event would end the process.
    admin.on('error', (error) => this.log.warn({ err: error }, 'source admin connection lost'));
    try {
      const tables = await this.firstTables(admin);
      if (tables === undefined) return this.summary();
      await ensurePublication(admin, this.config.PG_PUBLICATION, tables);
      await ensureTopics(this.kafka, [
        ...tables.map((t) => ({
          topic: tableTopic(this.config, t.schema, t.name),
          partitions: this.config.KAFKA_PARTITIONS,
        })),
        { topic: schemasTopic(this.config), partitions: 1, compacted: true },
        { topic: producerStateTopic(this.config), partitions: 1, compacted: true },
      ]);
      for (const table of tables) this.capture(table);
      await this.publishSchemas();
      await this.publisher.connect();
      const target = this.options.untilIdle
        ? lsnToBigInt(
            (await admin.query<{ lsn: string }>(sqlFile('postgres/current-wal-lsn.sql'))).rows[0]?.lsn ??
              '0/0',
          )
        : undefined;
      // PG_SNAPSHOT_MODE=exported serves a first load only: a slot made now, read under its exported snapshot.
      if (this.config.PG_SNAPSHOT_MODE === 'exported' && (await isFirstLoad(this.slotContext(admin))))
        await this.snapshotIfNeeded(admin, tables);
      this.snapshots = await this.prepareSlot(admin, tables);
      await this.saveSnapshotState();
      await this.publisher.flush();
      await markStreaming(this.slotContext(admin));
      if (this.stopRequested) return this.summary();
      this.state = SourceState.streaming;
      this.snapshots.start();
      await this.streamUntil(target, onStreaming);
      return this.summary();
    } finally {
      this.state = SourceState.stopping;
      await this.snapshots?.stop();
      await admin.end().catch(() => undefined);
    }
  }

  /**
   * The tables to capture at start. A database with none yet (a stack started before its application made
   * them) is waited on, checked every PRODUCER_TABLE_REFRESH_MS, unless --until-idle; undefined when a stop
   * came first.
   */
  private async firstTables(admin: pg.Client): Promise<TableDef[] | undefined> {
    let told = false;
    for (;;) {
      try {
        return await this.sourceTables.resolve(admin, true);
      } catch (error: unknown) {
        const none = error instanceof CdcError && error.code === ErrorCode.SOURCE_TABLE_MISSING;
        if (!none || this.options.untilIdle) throw error;
        if (!told)
          this.log.info(
            { schemas: this.config.PG_SCHEMA, everyMs: this.config.PRODUCER_TABLE_REFRESH_MS },
            'no tables to capture yet: waiting for the first one',
          );
        told = true;
      }
      const until = Date.now() + this.config.PRODUCER_TABLE_REFRESH_MS;
      while (Date.now() < until && !this.stopRequested) await new Promise((r) => setTimeout(r, 100));
      if (this.stopRequested) return undefined;
    }
  }

  /** Tables queued or being snapshotted incrementally, with their progress. */
  get snapshotProgress(): readonly { table: string; rows: number; reason: string }[] {
    return this.snapshots?.progress ?? [];
  }

  private incremental(state: SnapshotState): IncrementalSnapshot {
    const host: SnapshotHost = {
      prepare: async (table) => {
        this.writerFor(table);
        await this.publishSchemas();
      },
      save: () => this.saveSnapshotState(),
      reconcile: (table, since) => this.publishReconcile(table, since),
    };
    return new IncrementalSnapshot(this.config, this.log, this.metrics, host, this.keys, state);
  }

  private snapshotStateKey(): string {
    return snapshotStateKey(this.database, this.config.PG_SLOT);
  }

  /** The snapshot queue and progress, on the state topic, after every record published before it. */
  private async saveSnapshotState(): Promise<void> {
    const state = this.snapshots?.snapshotState;
    if (state === undefined) return;
    await this.publisher.publish([
      {
        topic: producerStateTopic(this.config),
        key: Buffer.from(this.snapshotStateKey()),
        value: Buffer.from(JSON.stringify(state)),
      },
    ]);
  }

  /** The slot, the position streaming starts from, and the snapshot queue (slot-setup.ts). */
  private async prepareSlot(admin: pg.Client, tables: TableDef[]): Promise<IncrementalSnapshot> {
    const { queue, confirmed } = await prepareSlot(this.slotContext(admin), tables, (state) =>
      this.incremental(state),
    );
    this.confirmed = confirmed;
    return queue;
  }

  private slotContext(admin: pg.Client): SlotContext {
    return {
      admin,
      config: this.config,
      kafka: this.kafka,
      database: this.database,
      resnapshot: this.options.resnapshot === true,
      log: this.log,
    };
  }

  /** A re-snapshotted table's reconcile: op t with snapshot = true at the snapshot's start (see README). */
  private async publishReconcile(table: TableDef, since: bigint): Promise<void> {
    const writer = this.writerFor(table);
    const event = writer.event(
      Op.truncate,
      null,
      null,
      this.origin(since, null, BigInt(Date.now()), true),
      positionOf(since, 0),
    );
    await this.publishEvents([writer.truncate(event)]);
    this.log.info(
      { table: `${table.schema}.${table.name}` },
      'snapshot reconciled: rows it did not see are deleted',
    );
  }

  /** The writer of a table definition (a chunk may be read under a newer one than the stream's). */
  private writerFor(table: TableDef): TableWriter {
    const name = `${table.schema}.${table.name}`;
    const known = this.byName.get(name);
    if (known !== undefined && JSON.stringify(known.table) === JSON.stringify(table)) return known;
    const found = this.chunkWriters.get(JSON.stringify(table));
    if (found !== undefined) return found;
    const writer = new TableWriter(this.config, table, this.schemas);
    this.chunkWriters.set(JSON.stringify(table), writer);
    return writer;
  }

  /** Stops streaming after what was received is acknowledged and confirmed. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.snapshots?.stop();
    await this.stream?.stop();
  }

  private summary(): SourceSummary {
    return { snapshotRows: this.snapshotRows, changes: this.changes, confirmedLsn: this.confirmed };
  }

  /**
   * The catalog check, every PRODUCER_TABLE_REFRESH_MS and when a Relation message shows a changed table: a
   * new table is captured (publication, topic, schemas) and snapshotted incrementally; a table whose columns,
   * types or key changed (DDL that writes no rows: ADD COLUMN ... DEFAULT, RENAME, DROP, a type change) is
   * snapshotted again, so bronze holds the source's values; a dropped table is let go.
   */
  private refreshTables(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const admin = this.admin as pg.Client;
        const lag = await admin.query<{ lag_bytes: string | null }>(sqlFile('postgres/slot-lag.sql'), [
          this.config.PG_SLOT,
        ]);
        const lagBytes = lag.rows[0]?.lag_bytes;
        if (lagBytes !== null && lagBytes !== undefined) this.slotLag.set(Math.max(0, Number(lagBytes)));
        const snapshots = this.snapshots as IncrementalSnapshot;
        const tables = await this.sourceTables.resolve(admin, false);
        const added: TableDef[] = [];
        let changed = false;
        for (const table of tables) {
          const name = `${table.schema}.${table.name}`;
          if (!this.byName.has(name)) {
            added.push(table);
            continue;
          }
          const before = snapshots.knownDefinition(name);
          const queued = snapshots.progress.some((q) => q.table === name);
          if (before !== undefined && before !== definitionKey(table) && !queued) {
            this.log.info({ table: name }, 'source table definition changed (DDL): backfilling it');
            snapshots.enqueue(table.schema, table.name, 'ddl');
            changed = true;
          }
        }
        if (added.length > 0) {
          await ensurePublication(admin, this.config.PG_PUBLICATION, added);
          await ensureTopics(
            this.kafka,
            added.map((t) => ({
              topic: tableTopic(this.config, t.schema, t.name),
              partitions: this.config.KAFKA_PARTITIONS,
            })),
          );
          for (const table of added) {
            this.capture(table);
            this.log.info({ table: `${table.schema}.${table.name}` }, 'new source table: capturing it');
            snapshots.enqueue(table.schema, table.name, 'added');
          }
          await this.publishSchemas();
          changed = true;
        }
        // Captured tables the catalog no longer lists are dropped (one listing, whatever their number).
        const captured = new Set(tables.map((t) => `${t.schema}.${t.name}`));
        const gone = [...this.byName.keys()].filter((n) => !captured.has(n) && !this.sourceTables.refused(n));
        const listed =
          gone.length === 0
            ? new Set<string>()
            : new Set((await this.sourceTables.names(admin)).names.map(([s, t]) => `${s}.${t}`));
        for (const name of gone) {
          if (listed.has(name)) continue;
          this.log.info({ table: name }, 'source table dropped: no longer captured');
          this.byName.delete(name);
          snapshots.forget(name);
          changed = true;
        }
        if (changed) await this.saveSnapshotState();
      } catch (error: unknown) {
        this.log.warn({ err: error }, 'checking the source tables failed; trying again at the next refresh');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private capture(table: TableDef, oid?: number): TableWriter {
    const writer = new TableWriter(this.config, table, this.schemas);
    this.byName.set(`${table.schema}.${table.name}`, writer);
    if (oid !== undefined) this.byOid.set(oid, writer);
    return writer;
  }

  /** The writer schemas not on the schemas topic yet, published; resolves once Kafka has them. */
  private publishSchemas(): Promise<void> {
    return this.schemas.flush();
  }

  /** Events out, once every writer schema they may use is on the schemas topic. */
  private async publishEvents(records: OutgoingRecord[]): Promise<void> {
    if (!this.schemas.ready) await this.schemas.flush();
    await this.publisher.publish(records);
  }

  /**
   * A new slot: snapshot under its own exported snapshot, then stream from its consistent point (no gap,
   * no overlap). A slot whose snapshot was cut short (a crash): keep the slot, so no change since its
   * point is lost, and snapshot again under a temporary slot's snapshot; the stream then replays from the
   * slot's point, and positions order the overlap. A slot dropped after its snapshot: refused, because
   * the changes made meanwhile (deletes above all) are gone, unless a new snapshot is asked for.
   */
  private async snapshotIfNeeded(admin: pg.Client, tables: TableDef[]): Promise<void> {
    const slot = this.config.PG_SLOT;
    const stateKey = `${this.database}/${slot}`;
    const states = await readEntries(this.kafka, producerStateTopic(this.config));
    const existing = await readSlot(admin, slot, this.database);
    const completed = states.get(stateKey) === 'snapshot-completed';
    if (existing !== undefined && completed) {
      this.confirmed = existing.confirmedFlush;
      this.log.info(
        { slot, confirmed: existing.confirmedFlush.toString() },
        'resuming from the replication slot',
      );
      return;
    }
    if (existing === undefined && completed && this.options.resnapshot !== true) {
      throw new CdcError(
        ErrorCode.SOURCE_SLOT,
        `replication slot ${slot} is gone although its snapshot completed (was it dropped?): the changes made ` +
          'since it went are lost to replication, and rows deleted meanwhile would stay downstream; run again with ' +
          '--resnapshot to take a new snapshot into a new slot',
        { facts: { slot } },
      );
    }
    await writeEntries(this.kafka, producerStateTopic(this.config), [
      { key: stateKey, value: 'snapshot-started' },
    ]);
    this.state = SourceState.snapshotting;
    const again = existing !== undefined;
    if (again) this.log.warn({ slot }, 'the last snapshot was cut short: taking it again, the slot kept');
    const created = again
      ? await createSlotWithSnapshot(this.config.PG_URL, `${slot}_snapshot`, true)
      : await createSlotWithSnapshot(this.config.PG_URL, slot);
    try {
      // Snapshot rows sort before everything committed after the snapshot's consistent point.
      const base = created.consistentPoint - 1n;
      let index = 0;
      const nowMs = BigInt(Date.now());
      this.snapshotRows = await readSnapshot(
        this.config.PG_URL,
        created.snapshotName,
        tables,
        async (table, rows) => {
          const writer = this.byName.get(`${table.schema}.${table.name}`) as TableWriter;
          const records: OutgoingRecord[] = [];
          const origin = this.origin(null, null, nowMs, true);
          for (const row of rows)
            writer.change(
              records,
              writer.event(Op.read, null, row, origin, positionOf(base, index++)),
              this.maxBytes,
            );
          this.eventsOut.inc(records.length);
          await this.publishEvents(records);
        },
      );
      await this.publisher.flush();
    } finally {
      await created.release();
    }
    await writeEntries(this.kafka, producerStateTopic(this.config), [
      { key: stateKey, value: 'snapshot-completed' },
    ]);
    this.confirmed = existing?.confirmedFlush ?? created.consistentPoint;
    this.log.info({ slot, rows: this.snapshotRows }, 'snapshot completed');
  }

  private async streamUntil(target: bigint | undefined, onStreaming: () => void): Promise<void> {
    const snapshots = this.snapshots as IncrementalSnapshot;
    // Everything before the target is already confirmed (a snapshot just taken, or nothing new).
    if (target !== undefined && this.confirmed >= target && snapshots.idle) return;
    const stream = new ReplicationStream(this.config.PG_URL);
    this.stream = stream;
    let lastPing = 0;
    let lastRefresh = Date.now();
    let failure: unknown;
    const tick = setInterval(() => {
      this.advance();
      try {
        snapshots.throwIfFailed();
      } catch (error: unknown) {
        failure ??= error;
        void stream.stop();
        return;
      }
      const idle = this.transaction === undefined && this.commitsHead === this.commits.length;
      const now = Date.now();
      if (this.refreshSoon || now - lastRefresh >= this.config.PRODUCER_TABLE_REFRESH_MS) {
        this.refreshSoon = false;
        lastRefresh = now;
        void this.refreshTables();
      }
      const pingEvery = target !== undefined ? 100 : this.config.PRODUCER_HEARTBEAT_MS;
      if (now - lastPing >= pingEvery) {
        lastPing = now;
        stream.sendStatus(this.confirmed, true);
        this.reported = this.confirmed;
      } else if (this.confirmed !== this.reported) {
        stream.sendStatus(this.confirmed);
        this.reported = this.confirmed;
      }
      if (
        target !== undefined &&
        idle &&
        this.confirmed >= target &&
        snapshots.idle &&
        this.refreshing === undefined &&
        this.publisher.acknowledgedCount === this.publisher.publishedCount
      )
        void stream.stop();
    }, 50);
    this.streaming = true;
    this.progressed();
    this.metrics.setReady(true);
    let heard = false;
    try {
      await stream.run(this.config.PG_SLOT, this.config.PG_PUBLICATION, (item) => {
        if (!heard) {
          heard = true;
          onStreaming();
        }
        // The server's messages are progress only while nothing waits for Kafka; then acknowledgements are.
        if (this.publisher.publishedCount === this.publisher.acknowledgedCount) this.progressed();
        return this.handle(item);
      });
      if (failure !== undefined) throw failure;
      await this.publisher.flush();
      this.advance();
    } finally {
      this.streaming = false;
      clearInterval(tick);
      // A failed stream lets go of its connection too, so the slot is free for the next run.
      await stream.stop();
    }
  }

  /** Moves the confirmed position over every commit Kafka acknowledged; heartbeats when nothing is pending. */
  private advance(): void {
    const acknowledged = this.publisher.acknowledgedCount;
    if (acknowledged !== this.lastAcknowledged) {
      this.lastAcknowledged = acknowledged;
      this.progressed();
    }
    const commits = this.commits;
    let head = this.commitsHead;
    for (
      let next = commits[head];
      next !== undefined && next.published <= acknowledged;
      next = commits[++head]
    )
      this.confirmed = next.endLsn;
    // Array.shift moves every commit behind the first: with a backlog of a million commits that is quadratic.
    if (head === commits.length) {
      commits.length = 0;
      head = 0;
    } else if (head >= 4096 && head * 2 >= commits.length) {
      commits.splice(0, head);
      head = 0;
    }
    this.commitsHead = head;
    const nothingPending =
      this.transaction === undefined &&
      this.commitsHead === this.commits.length &&
      acknowledged === this.publisher.publishedCount;
    if (nothingPending && this.idleWalEnd > this.confirmed) this.confirmed = this.idleWalEnd;
  }

  private async handle(item: StreamItem): Promise<void> {
    if (item.kind === 'keepalive') {
      if (this.transaction === undefined) this.idleWalEnd = item.walEnd;
      return;
    }
    const message = item.message;
    switch (message.tag) {
      case 'begin':
        this.transaction = {
          finalLsn: message.finalLsn,
          xid: message.xid,
          commitMs: message.commitTimeMicros / 1000n,
          index: 0,
        };
        return;
      case 'commit':
        this.commits.push({ endLsn: message.endLsn, published: this.publisher.publishedCount });
        this.transaction = undefined;
        return;
      case 'relation':
        await this.onRelation(message.relation);
        return;
      case 'insert':
      case 'update':
      case 'delete':
        await this.onChange(message);
        return;
      case 'truncate':
        await this.onTruncate(message.relationOids);
        return;
      case 'message':
        await this.onMessage(message.prefix, message.content);
        return;
      case 'other':
        return;
    }
  }

  private async onRelation(relation: Relation): Promise<void> {
    const name = `${relation.schema}.${relation.name}`;
    const previous = this.byName.get(name);
    const table = await tableDefFromRelation(relation, previous?.table, (oid) =>
      lookupTypeName(this.admin as pg.Client, oid),
    );
    if (previous !== undefined && JSON.stringify(previous.table) === JSON.stringify(table)) {
      this.byOid.set(relation.oid, previous);
      return;
    }
    const writer = this.capture(table, relation.oid);
    if (previous === undefined) {
      await ensureTopics(this.kafka, [{ topic: writer.topic, partitions: this.config.KAFKA_PARTITIONS }]);
    } else {
      this.log.info(
        { table: name, columns: table.columns.map((c) => c.name) },
        'source table changed: new schema version',
      );
      // DDL: the catalog check decides whether the table needs a backfill.
      this.refreshSoon = true;
    }
    await this.publishSchemas();
  }

  /** A chunk's rows at its high watermark: op r, positioned in the high watermark's transaction. */
  private async publishChunk(
    table: TableDef,
    rows: Row[],
    transaction: { finalLsn: bigint; xid: number; commitMs: bigint; index: number },
  ): Promise<void> {
    const writer = this.writerFor(table);
    const records: OutgoingRecord[] = [];
    const origin = this.origin(transaction.finalLsn, BigInt(transaction.xid), transaction.commitMs, true);
    for (const row of rows) {
      const pos = positionOf(transaction.finalLsn, transaction.index++);
      writer.change(records, writer.event(Op.read, null, row, origin, pos), this.maxBytes);
    }
    this.snapshotRows += records.length;
    this.eventsOut.inc(records.length);
    await this.publishEvents(records);
  }

  /** cdclake's logical decoding messages: snapshot watermarks, and snapshot requests (`cdclake snapshot`). */
  private async onMessage(prefix: string, content: Buffer): Promise<void> {
    const snapshots = this.snapshots as IncrementalSnapshot;
    if (prefix === WATERMARK_PREFIX) {
      const closed = snapshots.onWatermark(content);
      const transaction = this.transaction;
      if (closed === undefined) return;
      if (transaction === undefined) {
        // cdclake writes its watermarks in transactions; one outside is not a chunk's to close.
        closed.failed(new CdcError(ErrorCode.SOURCE_STREAM, 'a snapshot watermark outside a transaction'));
        return;
      }
      try {
        await this.publishChunk(closed.table, closed.rows, transaction);
      } catch (error: unknown) {
        closed.failed(error);
        throw error;
      }
      closed.sent();
    } else if (prefix === REQUEST_PREFIX) {
      const request = snapshots.request(content);
      if (request === undefined) return;
      const fallback = this.config.PG_SCHEMA[0] as string;
      const since = request.reconcile === true ? this.transaction?.finalLsn : undefined;
      for (const name of request.tables) {
        const [schema, table] = name.includes('.')
          ? (name.split('.', 2) as [string, string])
          : [fallback, name];
        if (!this.byName.has(`${schema}.${table}`)) {
          this.log.error(
            { table: `${schema}.${table}` },
            'snapshot requested for a table that is not captured',
          );
          continue;
        }
        snapshots.enqueue(schema, table, 'request', since);
      }
      await this.saveSnapshotState();
    }
  }

  private async onChange(
    message: Extract<StreamItem, { kind: 'xlog' }>['message'] & { tag: 'insert' | 'update' | 'delete' },
  ): Promise<void> {
    const writer = this.byOid.get(message.relationOid);
    const transaction = this.transaction;
    if (writer === undefined || transaction === undefined) {
      throw new CdcError(
        ErrorCode.SOURCE_STREAM,
        `change for unknown relation ${message.relationOid} outside a known transaction`,
      );
    }
    const table = writer.table;
    const unchanged: string[] = [];
    let before: Row | null = null;
    let after: Row | null = null;
    let op: ChangeEvent['op'];
    if (message.tag === 'insert') {
      op = Op.create;
      after = rowFromTuple(table, message.after, undefined);
    } else if (message.tag === 'update') {
      op = Op.update;
      if (message.before !== null) {
        before = message.beforeIsKeyOnly
          ? keyRowFromTuple(table, message.before)
          : rowFromTuple(table, message.before, undefined);
      }
      after = rowFromTuple(table, message.after, unchanged);
      if (before !== null && !message.beforeIsKeyOnly) {
        // With REPLICA IDENTITY FULL the old tuple holds the unchanged TOASTed values: carry them.
        for (const name of unchanged.splice(0)) after[name] = before[name] ?? null;
      }
    } else {
      op = Op.delete;
      before = message.beforeIsKeyOnly
        ? keyRowFromTuple(table, message.before)
        : rowFromTuple(table, message.before, undefined);
    }
    const origin = this.origin(transaction.finalLsn, BigInt(transaction.xid), transaction.commitMs, false);
    const at = (eventOp: ChangeEvent['op'], eventBefore: Row | null, eventAfter: Row | null): ChangeEvent =>
      writer.event(
        eventOp,
        eventBefore,
        eventAfter,
        origin,
        positionOf(transaction.finalLsn, transaction.index++),
        eventOp === Op.delete ? [] : unchanged,
      );
    const snapshots = this.snapshots as IncrementalSnapshot;
    snapshots.onChange(table, (after ?? before) as Row);
    if (op === Op.update && before !== null) snapshots.onChange(table, before);
    const records: OutgoingRecord[] = [];
    if (op === Op.update && before !== null && writer.keyChanged(before, after as Row)) {
      // A key change, as Debezium emits it: a delete of the old key (and its tombstone), then a create.
      writer.change(records, at(Op.delete, before, null), this.maxBytes);
      writer.change(records, at(Op.create, null, after), this.maxBytes);
      this.changes += 2;
      this.eventsOut.inc(2);
    } else {
      writer.change(records, at(op, before, after), this.maxBytes);
      this.changes++;
      this.eventsOut.inc();
    }
    await this.publishEvents(records);
  }

  /**
   * TRUNCATE of one or several tables (CASCADE included: PostgreSQL lists every table it emptied): one
   * keyless event per captured table, op t, on partition 0; the merge marks every older row deleted.
   */
  private async onTruncate(relationOids: number[]): Promise<void> {
    const transaction = this.transaction;
    if (transaction === undefined)
      throw new CdcError(ErrorCode.SOURCE_STREAM, 'TRUNCATE outside a known transaction');
    const records: OutgoingRecord[] = [];
    for (const oid of relationOids) {
      const writer = this.byOid.get(oid);
      if (writer === undefined) continue;
      this.snapshots?.onTruncate(writer.table);
      const origin = this.origin(transaction.finalLsn, BigInt(transaction.xid), transaction.commitMs, false);
      const pos = positionOf(transaction.finalLsn, transaction.index++);
      records.push(writer.truncate(writer.event(Op.truncate, null, null, origin, pos)));
      this.log.info({ table: `${writer.table.schema}.${writer.table.name}` }, 'TRUNCATE carried as op t');
    }
    this.changes += records.length;
    this.eventsOut.inc(records.length);
    await this.publishEvents(records);
  }

  /** Where this source's changes come from: the parts of each event's source block not its table's. */
  private origin(lsn: bigint | null, txId: bigint | null, sourceMs: bigint, snapshot: boolean): ChangeOrigin {
    return { connector: 'postgresql', db: this.database, lsn, txId, ts_ms: sourceMs, snapshot };
  }

  /** The largest record the topic takes (KAFKA_MAX_RECORD_BYTES, and the cluster's own limit). */
  private get maxBytes(): number {
    return Math.min(
      this.options.maxRecordBytes ?? this.config.KAFKA_MAX_RECORD_BYTES,
      this.publisher.largestRecordBytes,
    );
  }
}
