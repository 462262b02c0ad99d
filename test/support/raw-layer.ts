// Reading a test's raw layer: the objects' offset ranges from their keys, and the rows through DuckDB.

import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Config } from '../../core/config.ts';
import { openDuckDB } from '../../core/duckdb.ts';
import { createS3Client } from '../../core/s3.ts';
import { quotedString } from '../../core/sql.ts';
import { parseRawObjectKey, type RawObjectName } from '../../consumer/object-key.ts';

export async function listRawObjects(
  config: Config,
  topicPrefix: string,
): Promise<(RawObjectName & { key: string })[]> {
  const s3 = createS3Client(config);
  const objects: (RawObjectName & { key: string })[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: config.S3_BUCKET,
          Prefix: `${config.RAW_PREFIX}${topicPrefix}`,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key === undefined ? undefined : parseRawObjectKey(o.Key);
        if (name !== undefined) objects.push({ ...name, key: o.Key as string });
      }
      token = page.NextContinuationToken;
    } while (token !== undefined);
  } finally {
    s3.destroy();
  }
  return objects;
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
