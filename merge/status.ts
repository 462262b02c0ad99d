// `cdclake status`: per bronze table, its rows, its last merge, how far its checkpoint is behind the newest
// raw objects (offsets not merged yet), and freshness (the age of the newest source change it holds).
// Raw topics that were never merged show up too.

import type { S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { identifier, literal, renderSql } from '../core/sql-files.ts';
import { readCheckpoints } from './checkpoints.ts';
import { listGaps } from '../core/raw-layer/listing.ts';
import { listRawObjectsAfter, listRawPartitions } from '../core/raw-layer/listing.ts';

export interface TableStatus {
  table: string;
  topics: string;
  live_rows: number | null;
  deleted_rows: number | null;
  data_files: number | null;
  last_merge: string | null;
  /** Raw offsets written but not merged yet. */
  behind: number;
  /** Offsets Kafka's retention deleted before they reached raw (skipped with CONSUMER_ACCEPT_GAP). */
  skipped_offsets: number;
  newest_change: string | null;
  freshness_s: number | null;
}

export async function lakeStatus(
  connection: DuckDBConnection,
  s3: S3Client,
  config: Config,
): Promise<TableStatus[]> {
  const checkpoints = await readCheckpoints(connection);
  const skippedByTopic = new Map<string, number>();
  for (const gap of await listGaps(s3, config.S3_BUCKET, config.RAW_PREFIX))
    skippedByTopic.set(gap.topic, (skippedByTopic.get(gap.topic) ?? 0) + Number(gap.last - gap.first + 1n));
  const byTable = new Map<string, { topics: Set<string>; behind: number }>();
  for (const { topic, partition } of await listRawPartitions(s3, config.S3_BUCKET, config.RAW_PREFIX)) {
    const checkpoint = checkpoints.get(topic)?.get(partition);
    const table =
      checkpoint?.table ??
      checkpoints.get(topic)?.values().next().value?.table ??
      `(${topic}, not merged yet)`;
    const newer = await listRawObjectsAfter(
      s3,
      config.S3_BUCKET,
      config.RAW_PREFIX,
      topic,
      partition,
      checkpoint?.lastKey,
    );
    const next = checkpoint?.nextOffset ?? 0n;
    const behind = newer.reduce((n, o) => n + Number(o.last + 1n - (o.first > next ? o.first : next)), 0);
    const entry = byTable.get(table) ?? { topics: new Set<string>(), behind: 0 };
    entry.topics.add(topic);
    entry.behind += Math.max(0, behind);
    byTable.set(table, entry);
  }
  const out: TableStatus[] = [];
  for (const [table, { topics, behind }] of [...byTable].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const status: TableStatus = {
      table,
      topics: [...topics].join(' '),
      live_rows: null,
      deleted_rows: null,
      data_files: null,
      last_merge: null,
      behind,
      skipped_offsets: [...topics].reduce((n, t) => n + (skippedByTopic.get(t) ?? 0), 0),
      newest_change: null,
      freshness_s: null,
    };
    if (!table.startsWith('(')) {
      const [row] = (
        await connection.runAndReadAll(renderSql('status/bronze-table.sql', { table: identifier(table) }))
      ).getRowObjectsJS() as {
        live_rows: bigint;
        deleted_rows: bigint;
        newest_change_ms: bigint | null;
        last_merge: Date | null;
      }[];
      const [files] = (
        await connection.runAndReadAll(
          renderSql('maintenance/data-files.sql', { table: literal(table), schema: literal('bronze') }),
        )
      ).getRowObjectsJS() as { files: bigint }[];
      status.live_rows = Number(row?.live_rows ?? 0);
      status.deleted_rows = Number(row?.deleted_rows ?? 0);
      status.data_files = Number(files?.files ?? 0);
      status.last_merge = row?.last_merge?.toISOString() ?? null;
      if (row?.newest_change_ms !== null && row?.newest_change_ms !== undefined) {
        const ms = Number(row.newest_change_ms);
        status.newest_change = new Date(ms).toISOString();
        status.freshness_s = Math.round((Date.now() - ms) / 100) / 10;
      }
    }
    out.push(status);
  }
  return out;
}
