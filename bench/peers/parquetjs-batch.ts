// The consumer benchmark's peer writer: cdclake's consumer, unchanged, with its micro-batches written by
// parquetjs-lite instead of DuckDB (consumer/raw-batch.ts is the seam). Rows are kept as JavaScript objects,
// as parquetjs-lite takes them, and written row by row with SNAPPY, the fastest codec it has.
//
// The file has Contract 2's columns and metadata with the nearest types parquetjs-lite offers: it has no
// DECIMAL, so `_pos` is INT64 and numeric columns are text; timestamps are TIMESTAMP_MICROS.

import type { ColumnDef, Row } from '../../core/events/types.ts';
import {
  joinedIdentity,
  sameTable,
  typesAgree,
  type BatchIdentity,
  type ChangeShape,
  type RawBatch,
} from '../../consumer/raw-batch.ts';
import type { DecodedChange } from '../../consumer/decoded-change.ts';
import parquet from 'parquetjs-lite';
import type { FieldDefinition } from 'parquetjs-lite';

const COMPRESSION = 'SNAPPY';

function fieldType(column: ColumnDef): string {
  switch (column.type.kind) {
    case 'int2':
    case 'int4':
      return 'INT32';
    case 'int8':
      return 'INT64';
    case 'date':
      return 'DATE';
    case 'timestamp':
    case 'timestamptz':
      return 'TIMESTAMP_MICROS';
    case 'float4':
    case 'float8':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'bytea':
      return 'BYTE_ARRAY';
    case 'text':
    case 'json':
    case 'uuid':
    case 'numeric':
      return 'UTF8';
  }
}

const field = (type: string, optional = false): FieldDefinition => ({
  type,
  optional,
  compression: COMPRESSION,
});

export class ParquetjsBatch implements RawBatch {
  readonly columns: ColumnDef[] = [];
  rows = 0;
  bytes = 0;
  private readonly topic: string;
  private readonly partition: number;
  private readonly byName = new Map<string, ColumnDef>();
  private readonly kept: Record<string, unknown>[] = [];
  private identity: BatchIdentity | undefined;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  fits(change: ChangeShape): boolean {
    return sameTable(this.identity, change) && typesAgree(this.byName, change.columns);
  }

  needsWiden(change: ChangeShape): boolean {
    return change.columns.some((c) => !this.byName.has(c.name));
  }

  widen(change: ChangeShape): Promise<void> {
    for (const column of change.columns) {
      if (this.byName.has(column.name)) continue;
      this.byName.set(column.name, column);
      this.columns.push(column);
    }
    return Promise.resolve();
  }

  /** No fast path: every change is decoded into a row object, as parquetjs-lite takes rows. */
  appendDirect(): boolean {
    return false;
  }

  append(change: DecodedChange, offset: bigint, bytes: number): void {
    this.identity = joinedIdentity(this.identity, change);
    const row: Row = change.row;
    this.kept.push({
      ...row,
      _op: change.op,
      _pos: change.pos,
      _ts_ms: change.tsMs,
      _offset: offset,
      _unchanged: change.unchanged.length === 0 ? undefined : change.unchanged,
    });
    this.rows++;
    this.bytes += bytes;
  }

  async write(path: string): Promise<void> {
    const fields: Record<string, FieldDefinition> = {
      _op: field('UTF8'),
      _pos: field('INT64'),
      _ts_ms: field('INT64'),
      _topic: field('UTF8'),
      _partition: field('INT32'),
      _offset: field('INT64'),
      _ingested_at: field('TIMESTAMP_MICROS'),
      _unchanged: { ...field('UTF8', true), repeated: true },
    };
    for (const column of this.columns) fields[column.name] = field(fieldType(column), true);
    const writer = await parquet.ParquetWriter.openFile(new parquet.ParquetSchema(fields), path, {
      rowGroupSize: 122_880,
    });
    writer.setMetadata('cdclake.schema', this.identity?.schema ?? '');
    writer.setMetadata('cdclake.table', this.identity?.table ?? '');
    writer.setMetadata('cdclake.key', JSON.stringify(this.identity?.key ?? []));
    const ingestedAt = BigInt(Date.now()) * 1000n;
    for (const row of this.kept) {
      row._topic = this.topic;
      row._partition = this.partition;
      row._ingested_at = ingestedAt;
      await writer.appendRow(row);
    }
    await writer.close();
    this.discard();
  }

  discard(): void {
    this.kept.length = 0;
  }
}
