// The merge's checkpoints, per raw topic partition: the next offset to merge and the key of the last raw
// object merged (the next listing starts after it). They live in the lake (lake.cdclake.checkpoints) and
// change in the same transaction as the bronze table they belong to. Each change appends a row, so merge
// processes committing at once never conflict over the table they share; the newest row of a partition is
// its checkpoint, and the rows it supersedes are pruned once there are enough of them.

import type { DuckDBConnection } from '@duckdb/node-api';
import { renderSql } from '../core/sql-files.ts';

export interface Checkpoint {
  topic: string;
  partition: number;
  table: string;
  nextOffset: bigint;
  lastKey: string;
  mergedAt: Date | undefined;
  /** The partition's rows in the table: this one and the older ones it supersedes. */
  versions: number;
}

/** Superseded rows, once there are this many, are pruned after a pass (a delete takes a lease, and may meet
 * a conflict with a concurrent append: rarely, not on every pass). */
export const PRUNE_SUPERSEDED_AT = 500;

export async function readCheckpoints(
  connection: DuckDBConnection,
): Promise<Map<string, Map<number, Checkpoint>>> {
  const reader = await connection.runAndReadAll(renderSql('merge/read-checkpoints.sql', {}));
  const byTopic = new Map<string, Map<number, Checkpoint>>();
  for (const row of reader.getRowObjectsJS() as {
    topic: string;
    partition: number;
    table_name: string;
    next_offset: bigint;
    last_key: string;
    merged_at: Date | null;
    versions: bigint;
  }[]) {
    const partitions = byTopic.get(row.topic) ?? new Map<number, Checkpoint>();
    partitions.set(row.partition, {
      topic: row.topic,
      partition: row.partition,
      table: row.table_name,
      nextOffset: BigInt(row.next_offset),
      lastKey: row.last_key,
      mergedAt: row.merged_at ?? undefined,
      versions: Number(row.versions),
    });
    byTopic.set(row.topic, partitions);
  }
  return byTopic;
}

/** How many checkpoint rows are superseded by newer ones (prune-checkpoints.sql deletes them). */
export function supersededRows(checkpoints: Map<string, Map<number, Checkpoint>>): number {
  let superseded = 0;
  for (const partitions of checkpoints.values())
    for (const checkpoint of partitions.values()) superseded += checkpoint.versions - 1;
  return superseded;
}

/** Deletes the superseded checkpoint rows; the checkpoints read the same before and after. */
export async function pruneCheckpoints(connection: DuckDBConnection): Promise<void> {
  await connection.run(renderSql('merge/prune-checkpoints.sql', {}));
}
