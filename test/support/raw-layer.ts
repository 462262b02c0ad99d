// Reading a test's raw layer: the objects' offset ranges from their keys, and the rows through DuckDB.

import type { Config } from '../../core/config.ts';
import { openDuckDB } from '../../core/duckdb.ts';
import { createS3Client } from '../../core/s3.ts';
import { quotedString } from '../../core/sql.ts';
import type { RawObjectName } from '../../core/raw-layer/keys.ts';
import { listRawObjectsAfter, listRawPartitions } from '../../core/raw-layer/listing.ts';

export async function listRawObjects(
  config: Config,
  topicPrefix: string,
): Promise<(RawObjectName & { key: string })[]> {
  const s3 = createS3Client(config);
  try {
    const partitions = (await listRawPartitions(s3, config.S3_BUCKET, config.RAW_PREFIX)).filter((p) =>
      p.topic.startsWith(topicPrefix),
    );
    const lists = await Promise.all(
      partitions.map(({ topic, partition }) =>
        listRawObjectsAfter(s3, config.S3_BUCKET, config.RAW_PREFIX, topic, partition, undefined),
      ),
    );
    return lists.flat();
  } finally {
    s3.destroy();
  }
}

/** Objects of one partition must not overlap: each starts after the previous one ended. */
export function overlaps(objects: RawObjectName[]): string[] {
  const problems: string[] = [];
  const byPartition = new Map<string, RawObjectName[]>();
  for (const o of objects) {
    const k = `${o.topic}:${o.partition}`;
    byPartition.set(k, [...(byPartition.get(k) ?? []), o]);
  }
  for (const [k, list] of byPartition) {
    list.sort((a, b) => (a.first < b.first ? -1 : 1));
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1] as RawObjectName;
      const cur = list[i] as RawObjectName;
      if (cur.first <= prev.last)
        problems.push(`${k}: ${prev.first}-${prev.last} overlaps ${cur.first}-${cur.last}`);
    }
  }
  return problems;
}

export async function queryRaw<T = Record<string, unknown>>(
  config: Config,
  topicPrefix: string,
  sql: (source: string) => string,
): Promise<T[]> {
  const duck = await openDuckDB(config);
  try {
    const source = `read_parquet(${quotedString(`s3://${config.S3_BUCKET}/${config.RAW_PREFIX}${topicPrefix}*/*/*.parquet`)}, union_by_name = true, hive_partitioning = false)`;
    const result = await duck.connection.runAndReadAll(sql(source));
    return result.getRowObjectsJS() as T[];
  } finally {
    duck.close();
  }
}

/** One raw object, by its key. */
export async function queryRawObject<T = Record<string, unknown>>(
  config: Config,
  key: string,
  sql: (source: string) => string,
): Promise<T[]> {
  const duck = await openDuckDB(config);
  try {
    const source = `read_parquet(${quotedString(`s3://${config.S3_BUCKET}/${key}`)}, hive_partitioning = false)`;
    const result = await duck.connection.runAndReadAll(sql(source));
    return result.getRowObjectsJS() as T[];
  } finally {
    duck.close();
  }
}

/** Rows in the raw layer and distinct (topic, partition, offset): equal when no offset is written twice. */
export async function rawOffsetCounts(
  config: Config,
  topicPrefix: string,
): Promise<{ rows: number; distinct_offsets: number }> {
  const [counts] = await queryRaw<{ rows: number; distinct_offsets: number }>(
    config,
    topicPrefix,
    (raw) =>
      `SELECT count(*)::INTEGER AS rows, count(DISTINCT (_topic, _partition, _offset))::INTEGER AS distinct_offsets FROM ${raw}`,
  );
  return counts ?? { rows: 0, distinct_offsets: 0 };
}

/** A raw object's Parquet key-value metadata (cdclake.schema, .table, .key, .types). */
export async function rawObjectMetadata(config: Config, key: string): Promise<Record<string, string>> {
  const duck = await openDuckDB(config);
  try {
    const result = await duck.connection.runAndReadAll(
      `SELECT decode(key) AS name, decode(value) AS value FROM parquet_kv_metadata(${quotedString(`s3://${config.S3_BUCKET}/${key}`)})`,
    );
    return Object.fromEntries(
      (result.getRowObjectsJS() as { name: string; value: string }[]).map((r) => [r.name, r.value]),
    );
  } finally {
    duck.close();
  }
}
