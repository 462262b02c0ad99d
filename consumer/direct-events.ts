// The consumer's fast path for cdclake's own change events: a writer schema compiled into a reader that
// checks a whole message and finds its parts (op, position, source table, where the row image starts), and
// a writer that sends the row image's values straight to the batch's appender. No row objects, no source
// objects: most of the decoder's garbage is gone. Anything this path does not cover (another envelope shape,
// unchanged TOAST columns, a missing image, a malformed message) returns undefined, and the full decoder
// (avro-change.ts) takes the message, with its exact errors.

import {
  readBoolean,
  readDouble,
  readFloat,
  readInt64,
  readLength,
  readNumber,
  type Cursor,
} from '../core/events/avro-reader.ts';
import { ENVELOPE_FIELD_NAMES, SOURCE_FIELD_NAMES } from '../core/events/avro-schema.ts';
import { bytesToUnscaled } from '../core/events/decimal.ts';
import { SINGLE_OBJECT_HEADER_LENGTH } from '../core/events/single-object.ts';
import type { ColumnDef, Op } from '../core/events/types.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import type { ColumnChunkAppender } from './column-chunk.ts';
import type { ChangeShape } from './raw-batch.ts';

/** A record the fast path read: what its batch must fit, the plan that appends it, and what it says. */
export interface DirectRecord {
  shape: ChangeShape;
  plan: DirectPlan;
  event: DirectEvent;
}

export interface DirectEvent {
  op: Op;
  /** Numbers when they fit 48 bits, so most events make no bigint. */
  pos: bigint | number;
  tsMs: bigint | number;
  schema: string;
  table: string;
  /** Where the row image (the after image, or the before image of a delete) starts in the message. */
  imageStart: number;
}

interface ColumnPlan {
  nullable: boolean;
  skip(c: Cursor): void;
  append(appender: ColumnChunkAppender, c: Cursor): void;
}

const OPS: Record<number, Op> = { 0x63: 'c', 0x75: 'u', 0x64: 'd', 0x72: 'r' };

function skipVarint(c: Cursor): void {
  readNumber(c);
}

function skipBytes(c: Cursor): void {
  const length = readLength(c);
  c.pos += length;
}

function skipUnscaled(c: Cursor): void {
  const length = readLength(c);
  if (length > 16) throw new CdcError(ErrorCode.DECODE, `a decimal of ${length} bytes`);
  c.pos += length;
}

function appendUnscaled(appender: ColumnChunkAppender, c: Cursor): void {
  const length = readLength(c);
  const start = c.pos;
  c.pos += length;
  if (length === 0) appender.appendHugeInt(0);
  else if (length <= 6) appender.appendHugeInt(c.buf.readIntBE(start, length));
  else appender.appendHugeInt(bytesToUnscaled(c.buf.subarray(start, start + length)));
}

function appendText(appender: ColumnChunkAppender, c: Cursor): void {
  const length = readLength(c);
  const start = c.pos;
  c.pos += length;
  appender.appendVarcharBytes(c.buf, start, start + length);
}

function columnPlan(column: ColumnDef): ColumnPlan {
  const type = column.type;
  switch (type.kind) {
    case 'int2':
    case 'int4':
    case 'date':
      return {
        nullable: column.nullable,
        skip: skipVarint,
        append: (a, c) => a.appendInteger(readNumber(c)),
      };
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
      return { nullable: column.nullable, skip: skipVarint, append: (a, c) => a.appendBigInt(readInt64(c)) };
    case 'float4':
      return {
        nullable: column.nullable,
        skip: (c) => void readFloat(c),
        append: (a, c) => a.appendDouble(readFloat(c)),
      };
    case 'float8':
      return {
        nullable: column.nullable,
        skip: (c) => void readDouble(c),
        append: (a, c) => a.appendDouble(readDouble(c)),
      };
    case 'bool':
      return {
        nullable: column.nullable,
        skip: (c) => void readBoolean(c),
        append: (a, c) => a.appendBoolean(readBoolean(c)),
      };
    case 'bytea':
      return {
        nullable: column.nullable,
        skip: skipBytes,
        append: (a, c) => {
          const length = readLength(c);
          a.appendBlob(c.buf.subarray(c.pos, c.pos + length));
          c.pos += length;
        },
      };
    case 'text':
    case 'json':
    case 'uuid':
      return { nullable: column.nullable, skip: skipBytes, append: appendText };
    case 'numeric':
      // The unscaled integer, as HUGEINT (staging-columns.ts): at most 16 bytes; a longer one cannot be a
      // decimal of the lake's precision, and the full decoder says so.
      return { nullable: column.nullable, skip: skipUnscaled, append: appendUnscaled };
  }
}

type Field = { name: string; type: unknown };

function isNullUnion(type: unknown): boolean {
  return Array.isArray(type) && type.length === 2 && type[0] === 'null';
}

const ENVELOPE = ENVELOPE_FIELD_NAMES.join(',');
const SOURCE = SOURCE_FIELD_NAMES.join(',');

/** True when the envelope is exactly the shape cdclake's producer writes (avro-schema.ts). */
function standardEnvelope(fields: Field[]): boolean {
  if (fields.map((f) => f.name).join(',') !== ENVELOPE) return false;
  const source = (fields[4]?.type as { fields?: Field[] } | undefined)?.fields?.map((f) => f.name).join(',');
  return isNullUnion(fields[0]?.type) && isNullUnion(fields[1]?.type) && source === SOURCE;
}

/** A short string read once and kept while the next messages carry the same bytes (the source table). */
class StringCache {
  private bytes = Buffer.alloc(0);
  private value = '';

  read(c: Cursor): string {
    const length = readLength(c);
    const start = c.pos;
    c.pos += length;
    if (length !== this.bytes.length || c.buf.compare(this.bytes, 0, length, start, start + length) !== 0) {
      this.bytes = Buffer.from(c.buf.subarray(start, start + length));
      this.value = this.bytes.toString('utf8');
    }
    return this.value;
  }
}

export class DirectPlan {
  readonly columns: ColumnDef[];
  private readonly plans: ColumnPlan[];
  private readonly schemaName = new StringCache();
  private readonly tableName = new StringCache();

  private constructor(columns: ColumnDef[]) {
    this.columns = columns;
    this.plans = columns.map(columnPlan);
  }

  /** The plan of a writer schema whose row columns are `columns`, or undefined for another envelope shape. */
  static compile(schemaJson: string, columns: ColumnDef[]): DirectPlan | undefined {
    const schema = JSON.parse(schemaJson) as { fields?: Field[] };
    if (schema.fields === undefined || !standardEnvelope(schema.fields)) return undefined;
    const value = (schema.fields[0]?.type as unknown[])[1] as { fields?: Field[] } | undefined;
    const fields = value?.fields ?? [];
    if (fields.length !== columns.length) return undefined;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as Field;
      const column = columns[i] as ColumnDef;
      // Nullable columns are ['null', T], others T: what the producer writes for the column's nullability.
      if (field.name !== column.name || isNullUnion(field.type) !== column.nullable) return undefined;
    }
    return new DirectPlan(columns);
  }

  private skipImage(c: Cursor): void {
    for (const plan of this.plans) {
      if (plan.nullable) {
        const branch = readNumber(c);
        if (branch === 0) continue;
        if (branch !== 1) throw new CdcError(ErrorCode.DECODE, `union index ${branch}`);
      }
      plan.skip(c);
    }
  }

  /** The shape of the last record: records of one table and key share it, and the batch checks it once. */
  private lastShape: ChangeShape | undefined;

  /** The record of an event this plan read, with the source table's key columns. */
  record(event: DirectEvent, key: string[]): DirectRecord {
    let shape = this.lastShape;
    if (
      shape === undefined ||
      shape.table !== event.table ||
      shape.schema !== event.schema ||
      shape.key !== key
    ) {
      shape = { table: event.table, schema: event.schema, key, columns: this.columns };
      this.lastShape = shape;
    }
    return { shape, plan: this, event };
  }

  /** One cursor for every read: `read` runs to its end without waiting, so no two reads share it at once. */
  private readonly cursor: Cursor = { buf: Buffer.alloc(0), pos: 0 };

  /** Reads the whole message, so a malformed one is found before anything is appended. */
  read(buf: Buffer): DirectEvent | undefined {
    const c = this.cursor;
    c.buf = buf;
    c.pos = SINGLE_OBJECT_HEADER_LENGTH;
    try {
      const before = readNumber(c);
      const beforeStart = c.pos;
      if (before === 1) this.skipImage(c);
      const after = readNumber(c);
      const afterStart = c.pos;
      if (after === 1) this.skipImage(c);
      if (readLength(c) !== 1) return undefined;
      const op = OPS[buf[c.pos++] as number];
      const tsMs = readInt64(c);
      skipBytes(c); // connector
      skipBytes(c); // db
      const schema = this.schemaName.read(c);
      const table = this.tableName.read(c);
      if (readNumber(c) === 1) skipVarint(c); // lsn
      if (readNumber(c) === 1) skipVarint(c); // txId
      skipVarint(c); // source ts_ms
      readBoolean(c); // snapshot
      const length = readLength(c);
      const pos =
        length > 0 && length <= 6
          ? buf.readIntBE(c.pos, length)
          : bytesToUnscaled(buf.subarray(c.pos, c.pos + length));
      c.pos += length;
      if (readNumber(c) !== 0) return undefined; // unchanged columns: the full decoder handles them
      if (op === undefined || c.pos !== buf.length) return undefined;
      const image = op === 'd' ? (before === 1 ? beforeStart : -1) : after === 1 ? afterStart : -1;
      if (image < 0 || before > 1 || after > 1) return undefined;
      return { op, pos, tsMs, schema, table, imageStart: image };
    } catch {
      return undefined;
    }
  }

  /** Appends the row image of a message `read` accepted, column by column in the writer's order. */
  appendImage(appender: ColumnChunkAppender, buf: Buffer, start: number): void {
    const c = this.cursor;
    c.buf = buf;
    c.pos = start;
    for (const plan of this.plans) {
      if (plan.nullable && readNumber(c) === 0) appender.appendNull();
      else plan.append(appender, c);
    }
  }
}
