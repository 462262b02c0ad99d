// `cdclake merge --once | --every DURATION`: each pass lists, per raw topic partition, only the objects
// after its checkpoint, merges each topic into its bronze table (merge-topic.ts), then refreshes the silver
// and gold models whose inputs changed. A table that fails (an incompatible schema change) is reported
// and skipped; the other tables go on.

import type { S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import type { DuckSession } from '../core/duckdb.ts';
import type { Logger } from '../core/logger.ts';
import { Metrics } from '../core/metrics.ts';
import { identifier, renderSql } from '../core/sql-files.ts';
import { createS3Client } from '../core/s3.ts';
import { s3Failure } from '../core/s3-failure.ts';
import {
  PRUNE_SUPERSEDED_AT,
  pruneCheckpoints,
  readCheckpoints,
  supersededRows,
  type Checkpoint,
} from './checkpoints.ts';
import { compactLake } from './maintenance.ts';
import { openLake } from './lake.ts';
import { LakeGate } from './lake-gate.ts';
import { Leases } from './leases.ts';
import { mergeTopic, type SortedTables, type TopicMergeResult } from './merge-topic.ts';
import { parseColumnTypes } from './column-types.ts';
import { ModelSet, type ModelFailure, type ModelRefresh } from './models.ts';
import { listRawObjectsAfter, listRawPartitions, type RawObject } from '../core/raw-layer/listing.ts';

/** `work` over every item, at most `limit` at a time; results in the items' order. */
/** DuckDB's error for a raw object that was listed but is gone when read (HTTP 404 on a key under `root`). */
function vanishedRawObject(error: unknown, root: string): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /HTTP 404/.test(message) && message.includes(`/${root}`);
}

async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface PassResult {
  merged: TopicMergeResult[];
  failed: { topic: string; error: Error }[];
  models: string[];
  /** Models whose build failed: bronze and the other models stay committed, the command exits non-zero. */
  modelFailures: ModelFailure[];
  /** Topics another merge process was merging (its lease): left to it. */
  busy?: string[];
}

const LAYERS = new Set(['bronze', 'silver', 'gold']);
/** cdclake_lake_rows counts a table at most this often. */
const ROWS_COUNT_EVERY_MS = 15_000;

/** DuckLake refused a commit because another transaction changed what this one read: try it again. */
const CONFLICT = /conflict/i;
const CONFLICT_ATTEMPTS = 5;

export class MergeJob {
  readonly metrics = new Metrics();
  private readonly config: Config;
  private readonly log: Logger;
  private readonly s3: S3Client;
  private readonly models: ModelSet;
  private lake: DuckSession | undefined;
  private leases: Leases | undefined;
  /** The lake work on this process's DuckDB instance: schema changes run alone (lake-gate.ts). */
  private readonly gate = new LakeGate();
  private modelConnection: DuckDBConnection | undefined;
  private readonly rowsMerged = this.metrics.counter('cdclake_merge_raw_rows_total');
  private readonly rowsChanged = this.metrics.counter('cdclake_merge_bronze_rows_total');
  private readonly failures = this.metrics.counter('cdclake_merge_failures_total');
  private readonly modelFailures = this.metrics.counter('cdclake_merge_model_failures_total');
  private readonly failingModels = new Map<string, string>();
  private failingPass: string | undefined;
  private failingSince: number | undefined;
  private readonly passFailures = this.metrics.counter('cdclake_merge_pass_failures_total');
  private readonly sortedTables: SortedTables = new Map();
  private readonly duration = this.metrics.gauge('cdclake_merge_duration_seconds');
  private readonly lastPass = this.metrics.gauge('cdclake_merge_last_pass_timestamp_seconds');
  private readonly newestChange = this.metrics.gauge('cdclake_merge_newest_change_timestamp_seconds');
  private readonly lakeRows = this.metrics.gauge('cdclake_lake_rows');
  /** `layer.table` names whose rows changed since they were last counted, and when each was counted. */
  private readonly rowsToCount = new Set<string>();
  private readonly rowsCountedAt = new Map<string, number>();
  private everyTableCounted = false;

  private readonly withModels: boolean;
  private passing = false;
  /** Health: a pass under way that neither lists nor merges a table for HEALTH_STALL_MS is stuck. */
  private readonly progressed = this.metrics.watch('merge', () =>
    this.passing ? 'a merge pass under way' : undefined,
  );

  /** `models: false` merges bronze only (the merge benchmark). */
  constructor(config: Config, log: Logger, options: { modelRoot?: string; models?: boolean } = {}) {
    this.config = config;
    this.log = log;
    // Before the first pass ends, the time the job started: a merge that never ends a pass is seen as one
    // whose last pass is ever older (CdclakeMergeNoProgress), not as one with no figure at all.
    this.lastPass.set(Date.now() / 1000);
    // A wrong LAKE_COLUMN_TYPES is refused at start, named, rather than at the first merge of its table.
    parseColumnTypes(config.LAKE_COLUMN_TYPES);
    this.s3 = createS3Client(config);
    this.models = new ModelSet(options.modelRoot);
    this.withModels = options.models ?? true;
  }

  private async session(): Promise<DuckSession> {
    if (this.lake !== undefined) return this.lake;
    const leases = await this.leaseHolder();
    // Two processes initialising a new catalog at once collide on its metadata rows: one at a time.
    await leases.take('catalog-init');
    try {
      this.lake ??= await openLake(this.config);
    } finally {
      await leases.release('catalog-init');
    }
    return this.lake;
  }

  private async leaseHolder(): Promise<Leases> {
    // A lost connection lost its leases with it: the next pass takes them again on a new one, rather than
    // failing every topic from then on.
    if (this.leases?.isLost === true) {
      await this.leases.close();
      this.leases = undefined;
    }
    this.leases ??= await Leases.open(this.config, this.log);
    return this.leases;
  }

  /**
   * One pass: every table with new raw objects, then (unless `models` is false) the silver and gold models
   * whose inputs changed. Models skipped by a pass are caught up by the next refresh: the lake remembers
   * when each was built and when each bronze table was merged.
   */
  async pass(options: { models?: boolean } = {}): Promise<PassResult> {
    this.passing = true;
    this.progressed();
    try {
      return await this.gate.shared(() => this.passOnce(options));
    } finally {
      this.passing = false;
    }
  }

  private async passOnce(options: { models?: boolean }): Promise<PassResult> {
    const started = performance.now();
    const lake = await this.session();
    // A pass can start hours after the last: temporary S3 credentials are renewed before it reads.
    await lake.s3Secret.ensureFresh();
    const { connection } = lake;
    const checkpoints = await readCheckpoints(connection);
    // Partitions are listed at the same time: a pass costs one round of requests, not one per partition.
    const listingStarted = performance.now();
    const where = { bucket: this.config.S3_BUCKET, key: this.config.RAW_PREFIX };
    const [partitions, listed] = await (async () => {
      const found = await listRawPartitions(this.s3, this.config.S3_BUCKET, this.config.RAW_PREFIX);
      const objects = await mapConcurrently(found, 16, (p) => this.listNew(p, checkpoints));
      return [found, objects] as const;
    })().catch((error: unknown) => {
      throw s3Failure(error, 'listing of', where, this.config, listingStarted);
    });
    const byTopic = new Map<string, RawObject[]>();
    partitions.forEach(({ topic }, i) => {
      const objects = listed[i] ?? [];
      if (objects.length > 0) byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...objects]);
    });
    const result: PassResult = { merged: [], failed: [], models: [], modelFailures: [], busy: [] };
    const changedTables = new Set<string>();
    const leases = await this.leaseHolder();
    this.progressed();
    for (const [topic, objects] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      this.progressed();
      try {
        const merged = await leases
          .ifFree(`topic:${topic}`, () => this.mergeLeased(connection, topic, objects))
          .catch(async (error: unknown) => {
            // A listed object removed before it was read: a late second copy the consumer removed
            // (consumer/late-objects.ts). Its offsets are in other objects: listed again, merged again.
            if (!vanishedRawObject(error, this.config.RAW_PREFIX)) throw error;
            this.log.warn(
              { topic, err: error },
              'a raw object was removed while the merge read it; listing again',
            );
            const relisted = await mapConcurrently(
              partitions.filter((p) => p.topic === topic),
              16,
              (p) => this.listNew(p, checkpoints),
            );
            return leases.ifFree(`topic:${topic}`, () =>
              this.mergeLeased(connection, topic, relisted.flat()),
            );
          });
        if (merged === undefined) {
          result.busy?.push(topic);
          continue;
        }
        if (merged === null) continue; // merged meanwhile by another process
        result.merged.push(merged);
        // The topic's failures exported at 0 once it merges: increase() then sees its first failure.
        this.failures.inc(0, { topic });
        this.rowsMerged.inc(merged.rawRows, { table: merged.table });
        this.rowsChanged.inc(merged.changed, { table: merged.table });
        if (merged.newestChangeMs !== null) {
          const seconds = merged.newestChangeMs / 1000;
          const labels = { table: merged.table };
          if (seconds > this.newestChange.get(labels)) this.newestChange.set(seconds, labels);
        }
        if (merged.changed > 0) changedTables.add(merged.table);
        this.log.info(merged, 'merged');
      } catch (error: unknown) {
        const err = error instanceof Error ? error : new CdcError(ErrorCode.INTERNAL, String(error));
        result.failed.push({ topic, error: err });
        this.failures.inc(1, { topic });
        this.log.error({ err, topic }, 'merge of this topic failed; the other topics go on');
      }
    }
    if (supersededRows(checkpoints) >= PRUNE_SUPERSEDED_AT)
      await this.pruneCheckpoints(connection, leases, [...checkpoints.keys(), ...byTopic.keys()]);
    if (this.withModels && options.models !== false) {
      const refresh = await leases.ifFree('models', () =>
        this.models.refresh(connection, changedTables, this.log, this.gate),
      );
      if (refresh !== undefined) this.noteModels(refresh);
      result.models = refresh?.refreshed ?? [];
      result.modelFailures = refresh?.failed ?? [];
    }
    for (const table of changedTables) this.rowsToCount.add(`bronze.${table}`);
    for (const model of result.models) this.rowsToCount.add(model);
    await this.countRows(connection);
    this.duration.set((performance.now() - started) / 1000);
    this.lastPass.set(Date.now() / 1000);
    return result;
  }

  /**
   * The models older than the bronze tables they read, rebuilt on a connection of their own, so `merge --every`
   * can go on merging bronze while they build (each model and each table merge is its own DuckLake
   * transaction, and they write different tables).
   */
  async refreshModels(): Promise<ModelRefresh> {
    if (!this.withModels) return { refreshed: [], failed: [] };
    await (await this.session()).s3Secret.ensureFresh();
    const leases = await this.leaseHolder();
    // Another process building the models now: its build covers this one.
    const built = await leases.ifFree('models', async () =>
      this.models.refresh(await this.modelsConnection(), new Set(), this.log, this.gate),
    );
    if (built !== undefined) this.noteModels(built);
    if (built !== undefined && built.refreshed.length > 0) {
      for (const model of built.refreshed) this.rowsToCount.add(model);
      const connection = await this.modelsConnection();
      await this.gate.shared(() => this.countRows(connection));
    }
    return built ?? { refreshed: [], failed: [] };
  }

  /**
   * cdclake_lake_rows for the tables whose rows changed (every lake table the first time), each at most
   * every ROWS_COUNT_EVERY_MS: a count reads a column of the whole table. A count that fails is tried again
   * after the next pass; it never fails the pass.
   */
  private async countRows(connection: DuckDBConnection): Promise<void> {
    if (!this.everyTableCounted) {
      const tables = (
        await connection.runAndReadAll(renderSql('models/existing-tables.sql', {}))
      ).getRowObjectsJS() as { schema_name: string; table_name: string }[];
      for (const { schema_name: layer, table_name: table } of tables)
        if (LAYERS.has(layer)) this.rowsToCount.add(`${layer}.${table}`);
      this.everyTableCounted = true;
    }
    const now = Date.now();
    for (const name of [...this.rowsToCount]) {
      if (now - (this.rowsCountedAt.get(name) ?? 0) < ROWS_COUNT_EVERY_MS) continue;
      const [layer = '', table = ''] = name.split(/\.(.*)/s);
      try {
        const sql =
          layer === 'bronze'
            ? renderSql('status/bronze-table.sql', { table: identifier(table) })
            : renderSql('status/model-rows.sql', { schema: identifier(layer), table: identifier(table) });
        const [row] = (await connection.runAndReadAll(sql)).getRowObjectsJS() as {
          live_rows?: bigint;
          rows?: bigint;
        }[];
        this.lakeRows.set(Number(row?.live_rows ?? row?.rows ?? 0), { layer, table });
        this.rowsToCount.delete(name);
        this.rowsCountedAt.set(name, now);
      } catch (error: unknown) {
        this.log.warn({ err: error, table: name }, 'counting the rows of a lake table failed');
      }
    }
  }

  /** Failed models count in metrics and fail /health until a build of each succeeds. */
  private noteModels(refresh: ModelRefresh): void {
    for (const model of refresh.refreshed) {
      this.failingModels.delete(model);
      this.modelFailures.inc(0, { model });
    }
    for (const failure of refresh.failed) {
      this.failingModels.set(failure.model, failure.error);
      this.modelFailures.inc(1, { model: failure.model });
    }
    this.reportHealth();
  }

  /** /health: the failing models and a pass that keeps failing, or healthy. */
  private reportHealth(): void {
    const problems = [
      ...(this.failingPass === undefined ? [] : [this.failingPass]),
      ...(this.failingModels.size === 0
        ? []
        : [
            `models failing: ${[...this.failingModels].map(([m, e]) => `${m} (${e.split('\n')[0]})`).join('; ')}`,
          ]),
    ];
    this.metrics.setUnhealthy(problems.length === 0 ? undefined : problems.join('; '));
  }

  /**
   * The checkpoint rows newer ones supersede, deleted while this process holds the lease of every topic it
   * knows (so no merge appends meanwhile: DuckLake reports a delete and a concurrent insert on one table as
   * a conflict, and its retry after a conflict has crashed the process now and then, duckdb/ducklake#1094);
   * a busy topic leaves the pruning to a later pass. The merges just committed stand whatever happens here.
   */
  private async pruneCheckpoints(
    connection: DuckDBConnection,
    leases: Leases,
    topics: string[],
  ): Promise<void> {
    const taken: string[] = [];
    try {
      for (const topic of [...new Set(topics)].sort()) {
        if (!(await leases.tryTake(`topic:${topic}`))) return;
        taken.push(topic);
      }
      const pruned = await leases.ifFree('checkpoints', async () => {
        await pruneCheckpoints(connection);
        return true;
      });
      if (pruned !== undefined) this.log.debug('superseded checkpoint rows pruned');
    } catch (error: unknown) {
      this.log.warn({ err: error }, 'superseded checkpoint rows not pruned; a later pass tries again');
    } finally {
      for (const topic of taken) await leases.release(`topic:${topic}`).catch(() => undefined);
    }
  }

  /**
   * A topic's merge under its lease: the checkpoints are read again (another process may have merged some
   * of the listed objects since the pass listed them), and a DuckLake commit conflict is retried from the
   * start (the merge and its checkpoint commit together, so a failed attempt left nothing).
   */
  /** A partition's raw objects after its checkpoint. */
  private listNew(
    { topic, partition }: { topic: string; partition: number },
    checkpoints: Map<string, Map<number, Checkpoint>>,
  ): Promise<RawObject[]> {
    const after = checkpoints.get(topic)?.get(partition)?.lastKey;
    return listRawObjectsAfter(
      this.s3,
      this.config.S3_BUCKET,
      this.config.RAW_PREFIX,
      topic,
      partition,
      after,
    );
  }

  private async mergeLeased(
    connection: DuckDBConnection,
    topic: string,
    listed: RawObject[],
  ): Promise<TopicMergeResult | null> {
    for (let attempt = 1; ; attempt++) {
      const current = (await readCheckpoints(connection)).get(topic) ?? new Map();
      const objects = listed.filter((o) => {
        const lastKey = current.get(o.partition)?.lastKey;
        return lastKey === undefined || o.key > lastKey;
      });
      if (objects.length === 0) return null;
      try {
        return await mergeTopic(
          connection,
          this.config,
          topic,
          objects,
          current,
          this.sortedTables,
          this.gate.schemaChange,
        );
      } catch (error: unknown) {
        if (!CONFLICT.test(String(error)) || attempt >= CONFLICT_ATTEMPTS) throw error;
        this.log.warn({ topic, attempt, err: error }, 'commit conflict: merging the topic again');
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private async modelsConnection(): Promise<DuckDBConnection> {
    if (this.modelConnection === undefined) {
      const connection = await (await this.session()).instance.connect();
      try {
        await connection.run(renderSql('session/parquet-metadata-cache.sql', {}));
        await connection.run(renderSql('lake/use.sql', {}));
      } catch (error: unknown) {
        connection.closeSync();
        throw error;
      }
      this.modelConnection = connection;
    }
    return this.modelConnection;
  }

  /** Another connection to the job's lake, its own transactions (tests of concurrent commits). */
  async rawConnection(): Promise<DuckDBConnection> {
    const connection = await (await this.session()).instance.connect();
    await connection.run(renderSql('lake/use.sql', {}));
    return connection;
  }

  /** A query against the job's lake (benchmarks and tests). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const { connection } = await this.session();
    const reader = await this.gate.shared(() => connection.runAndReadAll(sql));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Lake maintenance (maintenance.ts), between passes. */
  async compact(): Promise<void> {
    const started = performance.now();
    const { connection } = await this.session();
    const leases = await this.leaseHolder();
    // Compaction rewrites and expires files every connection reads: on this instance it runs alone, and
    // another process compacting leaves it to that one.
    const done = await leases.ifFree('compact', () =>
      this.gate.schemaChange(async () => {
        await compactLake(connection, this.config);
        return true;
      }),
    );
    if (done === undefined) this.log.info('another merge process is compacting the lake: left to it');
    else this.log.info({ seconds: (performance.now() - started) / 1000 }, 'lake compacted');
  }

  /**
   * A pass of `merge --every` failed (undefined: passes succeed again): counted, and in /health once passes
   * have kept failing for HEALTH_STALL_MS (a service restarting for seconds is ridden through, not reported).
   */
  passFailed(error: unknown, consecutive: number): void {
    if (error === undefined) {
      this.failingSince = undefined;
      this.failingPass = undefined;
    } else {
      this.passFailures.inc(1);
      this.failingSince ??= Date.now();
      const message = String(error instanceof Error ? error.message : error).split('\n')[0];
      this.failingPass =
        Date.now() - this.failingSince >= this.config.HEALTH_STALL_MS
          ? `merge passes failing for ${Math.round((Date.now() - this.failingSince) / 1000)} s (${consecutive} in a row), the last with: ${message}`
          : undefined;
    }
    this.reportHealth();
  }

  /**
   * Closes the lake session, the models' connection and the leases, so the next pass opens them again: after
   * a failed pass, the catalog's connection or DuckDB's transaction may be broken.
   */
  async resetSession(): Promise<void> {
    try {
      this.modelConnection?.closeSync();
      this.lake?.close();
    } catch (error: unknown) {
      this.log.warn({ err: error }, 'closing the lake session after a failed pass');
    }
    this.modelConnection = undefined;
    this.lake = undefined;
    await this.leases?.close();
    this.leases = undefined;
  }

  close(): void {
    this.modelConnection?.closeSync();
    this.modelConnection = undefined;
    this.lake?.close();
    this.lake = undefined;
    void this.leases?.close();
    this.leases = undefined;
    this.s3.destroy();
  }
}
