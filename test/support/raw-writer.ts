// Writing raw objects by hand, exactly as the consumer lays them out (Contract 2: key, columns, metadata),
// so merge tests control every position and offset. The files go to the real MinIO through DuckDB.

import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { GROUP_METADATA } from '../../consumer/late-objects.ts';
import { rawObjectKey } from '../../core/raw-layer/keys.ts';
import type { Config } from '../../core/config.ts';
import { openDuckDB } from '../../core/duckdb.ts';
import { createS3Client } from '../../core/s3.ts';
import { quotedIdentifier, quotedString } from '../../core/sql.ts';

export interface RawEvent {
  op: 'c' | 'u' | 'd' | 'r';
  pos: bigint | number;
  offset: bigint | number;
  row: Record<string, string | number | bigint | boolean | null>;
  unchanged?: string[];
}

export interface RawObjectSpec {
  topic: string;
  partition?: number;
  table: string;
  key: string[];
  /** Source columns and their DuckDB types, in order. */
  columns: Record<string, string>;
  events: RawEvent[];
  /** Offsets the object's key claims; by default the events' first and last. */
  first?: bigint;
  last?: bigint;
  metadataTable?: string;
  metadataSchema?: string;
  /** What typed the columns (`cdclake.types`): `values` for records without a schema; by default `schema`. */
  types?: 'schema' | 'values';
  /** An object with the columns and metadata but no row (the events only give it its columns). */
  noRows?: boolean;
}

function sqlValue(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return quotedString(value);
  return String(value);
}

export async function writeRawObject(config: Config, spec: RawObjectSpec): Promise<string> {
  const partition = spec.partition ?? 0;
  const offsets = spec.events.map((e) => BigInt(e.offset));
  const first = spec.first ?? offsets.reduce((a, b) => (b < a ? b : a));
  const last = spec.last ?? offsets.reduce((a, b) => (b > a ? b : a));
  const key = rawObjectKey(config.RAW_PREFIX, spec.topic, partition, first, last);
  const names = Object.keys(spec.columns);
  const rows = spec.events.map((e) => {
    const unchanged =
      e.unchanged === undefined || e.unchanged.length === 0
        ? 'NULL'
        : `[${e.unchanged.map(quotedString).join(', ')}]`;
    const values = names.map(
      (n) => `CAST(${sqlValue(e.row[n])} AS ${spec.columns[n] as string}) AS ${quotedIdentifier(n)}`,
    );
    return (
      `SELECT ${quotedString(e.op)} AS _op, CAST(${e.pos} AS DECIMAL(38,0)) AS _pos, CAST(0 AS BIGINT) AS _ts_ms, ` +
      `${quotedString(spec.topic)} AS _topic, CAST(${partition} AS INTEGER) AS _partition, ` +
      `CAST(${e.offset} AS BIGINT) AS _offset, now() AS _ingested_at, CAST(${unchanged} AS VARCHAR[]) AS _unchanged, ` +
      values.join(', ')
    );
  });
  const duck = await openDuckDB(config);
  try {
    await duck.connection.run(
      `COPY (SELECT * FROM (${rows.join(' UNION ALL ')}) ${spec.noRows === true ? 'LIMIT 0' : ''}) ` +
        `TO ${quotedString(`s3://${config.S3_BUCKET}/${key}`)} ` +
        `(FORMAT parquet, KV_METADATA {'cdclake.schema': ${quotedString(spec.metadataSchema ?? 'public')}, 'cdclake.table': ${quotedString(spec.metadataTable ?? spec.table)}, ` +
        `'cdclake.key': ${quotedString(JSON.stringify(spec.key))}, 'cdclake.types': ${quotedString(spec.types ?? 'schema')}})`,
    );
  } finally {
    duck.close();
  }
  return key;
}

/** Names the consumer group that wrote a raw object in its S3 metadata, as the consumer does at upload. */
export async function setWriterGroup(config: Config, key: string, group: string): Promise<void> {
  const s3 = createS3Client(config);
  try {
    await s3.send(
      new CopyObjectCommand({
        Bucket: config.S3_BUCKET,
        Key: key,
        CopySource: `${config.S3_BUCKET}/${key}`,
        MetadataDirective: 'REPLACE',
        Metadata: { [GROUP_METADATA]: group },
      }),
    );
  } finally {
    s3.destroy();
  }
}
