// Columnar appends for the staging table: each value is stored into a typed array of its column, and every
// 2048 rows (DuckDB's vector size) the columns are copied into a data chunk and appended in one call. The
// row-at-a-time appender makes one native call per value; this makes one per column per chunk, plus one per
// string that does not fit inline.
//
// The layouts written here are DuckDB's C API (duckdb.h): INTEGER int32, BIGINT int64, HUGEINT as
// { uint64 lower; int64 upper }, DOUBLE float64, BOOLEAN one byte, and VARCHAR/BLOB as duckdb_string_t:
// 16 bytes, a uint32 length, then the bytes inline when they are at most 12, zero-padded. Longer strings are
// copied into the vector's own heap by duckdb_vector_assign_string_element(_len).

import { isUtf8 } from 'node:buffer';
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBTypeId, type DuckDBAppender } from '@duckdb/node-api';
import { CdcError, ErrorCode } from '../core/errors.ts';

const ROWS = duckdb.vector_size();
const TWO_32 = 4294967296;
const INLINE = 12;
const encoder = new TextEncoder();

const Kind = { integer: 0, bigint: 1, hugeint: 2, double: 3, boolean: 4, varchar: 5, blob: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const KINDS: Partial<Record<DuckDBTypeId, Kind>> = {
  [DuckDBTypeId.INTEGER]: Kind.integer,
  [DuckDBTypeId.BIGINT]: Kind.bigint,
  [DuckDBTypeId.HUGEINT]: Kind.hugeint,
  [DuckDBTypeId.DOUBLE]: Kind.double,
  [DuckDBTypeId.BOOLEAN]: Kind.boolean,
  [DuckDBTypeId.VARCHAR]: Kind.varchar,
  [DuckDBTypeId.BLOB]: Kind.blob,
};

const WIDTH: Record<Kind, number> = {
  [Kind.integer]: 4,
  [Kind.bigint]: 8,
  [Kind.hugeint]: 16,
  [Kind.double]: 8,
  [Kind.boolean]: 1,
  [Kind.varchar]: 16,
  [Kind.blob]: 16,
};

class Column {
  readonly kind: Kind;
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
  readonly doubles: Float64Array;
  readonly view: DataView;
  /** One bit per row, set when valid; written to the vector only when the chunk has a null. */
  readonly validity = new Uint8Array(ROWS / 8).fill(0xff);
  hasNull = false;
  /** Strings and blobs too long to inline: row, then the value, assigned after the column's data is copied. */
  readonly heapRows: number[] = [];
  readonly heapValues: (string | Uint8Array)[] = [];

  constructor(kind: Kind) {
    this.kind = kind;
    const buffer = new ArrayBuffer(ROWS * WIDTH[kind]);
    this.bytes = new Uint8Array(buffer);
    this.words = new Int32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
    this.doubles = new Float64Array(buffer, 0, Math.floor(buffer.byteLength / 8));
    this.view = new DataView(buffer);
  }

  clear(): void {
    if (this.hasNull) this.validity.fill(0xff);
    this.hasNull = false;
    this.heapRows.length = 0;
    this.heapValues.length = 0;
  }
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((bytes[i] as number) > 0x7f) return false;
  return true;
}

/**
 * Appends rows to a table through `appender`, a column at a time. Values are given in the table's column
 * order, one call per column, then `endRow()`; `close()` appends the last partial chunk and closes the
 * appender. Columns must be INTEGER, BIGINT, HUGEINT, DOUBLE, BOOLEAN, VARCHAR or BLOB.
 */
export class ColumnChunkAppender {
  private readonly appender: DuckDBAppender;
  private readonly chunk: DuckDBDataChunk;
  private readonly columns: Column[];
  private row = 0;
  private column = 0;

  constructor(appender: DuckDBAppender) {
    this.appender = appender;
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    this.columns = types.map((type) => {
      const kind = KINDS[type.typeId];
      if (kind === undefined)
        throw new CdcError(
          ErrorCode.INTERNAL,
          `a staging column of type ${type.toString()} cannot be appended`,
        );
      return new Column(kind);
    });
    this.chunk = DuckDBDataChunk.create(types);
  }

  private next(): Column {
    return this.columns[this.column++] as Column;
  }

  appendNull(): void {
    const column = this.next();
    const row = this.row;
    column.validity[row >> 3] = (column.validity[row >> 3] as number) & ~(1 << (row & 7));
    column.hasNull = true;
    if (column.kind === Kind.varchar || column.kind === Kind.blob) column.words.fill(0, row * 4, row * 4 + 4);
  }

  appendInteger(value: number): void {
    this.next().words[this.row] = value;
  }

  /** A BIGINT from a bigint, or from a number that is a safe integer (no bigint made on the way). */
  appendBigInt(value: bigint | number): void {
    const column = this.next();
    if (typeof value === 'number') {
      column.words[this.row * 2] = value >>> 0;
      column.words[this.row * 2 + 1] = Math.floor(value / TWO_32);
    } else column.view.setBigInt64(this.row * 8, value, true);
  }

  appendHugeInt(value: bigint | number): void {
    const column = this.next();
    const at = this.row * 16;
    if (typeof value === 'number') {
      const words = column.words;
      const high = Math.floor(value / TWO_32);
      const sign = value < 0 ? -1 : 0;
      words[at / 4] = value >>> 0;
      words[at / 4 + 1] = high;
      words[at / 4 + 2] = sign;
      words[at / 4 + 3] = sign;
    } else {
      column.view.setBigUint64(at, BigInt.asUintN(64, value), true);
      column.view.setBigInt64(at + 8, BigInt.asIntN(64, value >> 64n), true);
    }
  }

  appendDouble(value: number): void {
    this.next().doubles[this.row] = value;
  }

  appendBoolean(value: boolean): void {
    this.next().bytes[this.row] = value ? 1 : 0;
  }

  appendVarchar(value: string): void {
    const column = this.next();
    const at = this.row * 16;
    if (value.length <= INLINE) {
      // At most 12 UTF-16 units: ASCII is written as it is (the op of every row, most short values); other
      // text inline when its UTF-8 fits 12 bytes.
      const bytes = column.bytes;
      bytes.fill(0, at, at + 16);
      let ascii = true;
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0x7f) {
          ascii = false;
          break;
        }
        bytes[at + 4 + i] = code;
      }
      if (ascii) {
        column.view.setUint32(at, value.length, true);
        return;
      }
      const { read, written } = encoder.encodeInto(value, bytes.subarray(at + 4, at + 16));
      if (read === value.length) {
        column.view.setUint32(at, written, true);
        return;
      }
      bytes.fill(0, at, at + 16);
    }
    column.heapRows.push(this.row);
    // As UTF-8 bytes now, not the string: a string sliced from a larger one (a JSON document, say) would keep
    // that whole document alive until the chunk is appended, thousands of rows later.
    column.heapValues.push(Buffer.from(value, 'utf8'));
  }

  /**
   * A VARCHAR straight from UTF-8 bytes of a message. Bytes that are not UTF-8 are decoded as Node does
   * (replacement characters), as `appendVarchar(buffer.toString())` would store them.
   */
  appendVarcharBytes(buffer: Buffer, start: number, end: number): void {
    if (!isAscii(buffer, start, end) && !isUtf8(buffer.subarray(start, end))) {
      this.appendVarchar(buffer.toString('utf8', start, end));
      return;
    }
    this.appendBytes(this.next(), buffer, start, end);
  }

  appendBlob(value: Uint8Array): void {
    this.appendBytes(this.next(), value, 0, value.length);
  }

  private appendBytes(column: Column, source: Uint8Array, start: number, end: number): void {
    const at = this.row * 16;
    const length = end - start;
    if (length <= INLINE) {
      const bytes = column.bytes;
      bytes.fill(0, at, at + 16);
      column.view.setUint32(at, length, true);
      bytes.set(source.subarray(start, end), at + 4);
      return;
    }
    column.heapRows.push(this.row);
    // A copy: the message's buffer may be reused by the Kafka client before the chunk is flushed.
    column.heapValues.push(Uint8Array.prototype.slice.call(source, start, end));
  }

  endRow(): void {
    if (this.column !== this.columns.length)
      throw new CdcError(
        ErrorCode.INTERNAL,
        `a staging row of ${this.column} values for ${this.columns.length} columns`,
      );
    this.column = 0;
    if (++this.row === ROWS) this.flush();
  }

  /** Forgets the values given for the row under way (one failed midway); the next value starts the row again. */
  abandonRow(): void {
    const row = this.row;
    for (const column of this.columns) {
      column.validity[row >> 3] = (column.validity[row >> 3] as number) | (1 << (row & 7));
      while (column.heapRows.at(-1) === row) {
        column.heapRows.pop();
        column.heapValues.pop();
      }
    }
    this.column = 0;
  }

  /** Appends the rows stored so far to the table. */
  flush(): void {
    const rows = this.row;
    if (rows === 0) return;
    const raw = this.chunk.chunk;
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as Column;
      const vector = duckdb.data_chunk_get_vector(raw, i);
      duckdb.copy_data_to_vector(vector, 0, column.bytes.buffer as ArrayBuffer, 0, rows * WIDTH[column.kind]);
      for (let h = 0; h < column.heapRows.length; h++) {
        const value = column.heapValues[h] as string | Uint8Array;
        const row = column.heapRows[h] as number;
        if (typeof value === 'string') duckdb.vector_assign_string_element(vector, row, value);
        else duckdb.vector_assign_string_element_len(vector, row, value);
      }
      if (column.hasNull) {
        duckdb.vector_ensure_validity_writable(vector);
        duckdb.copy_data_to_vector_validity(vector, 0, column.validity.buffer, 0, Math.ceil(rows / 8));
      }
      column.clear();
    }
    this.chunk.rowCount = rows;
    this.appender.appendDataChunk(this.chunk);
    this.chunk.reset();
    this.row = 0;
  }

  /** Appends what is left and closes the appender. */
  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  /** Closes the appender without appending the rows not yet flushed. */
  discard(): void {
    this.row = 0;
    this.column = 0;
    this.appender.closeSync();
  }
}
