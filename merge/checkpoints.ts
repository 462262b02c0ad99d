// The merge's checkpoints, per raw topic partition: the next offset to merge and the key of the last raw
// object merged (the next listing starts after it). They live in the lake (lake.cdclake.checkpoints) and
// change in the same transaction as the bronze table they belong to.

import type { DuckDBConnection } from '@duckdb/node-api';
import { renderSql } from '../core/sql-files.ts';

export interface Checkpoint {
  topic: string;
  partition: number;
  table: string;
  nextOffset: bigint;
  lastKey: string;
  mergedAt: Date | undefined;
}

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
  }[]) {
    const partitions = byTopic.get(row.topic) ?? new Map<number, Checkpoint>();
    partitions.set(row.partition, {
      topic: row.topic,
      partition: row.partition,
      table: row.table_name,
      nextOffset: BigInt(row.next_offset),
      lastKey: row.last_key,
      mergedAt: row.merged_at ?? undefined,
    });
    byTopic.set(row.topic, partitions);
  }
  return byTopic;
}
