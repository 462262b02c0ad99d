// The writer side of Contract 1 for one table: ChangeEvent and key Row -> single-object encoded Avro.
// Every value is checked against its column first, so a bad value is refused by table and column name.
//
// Two paths give the same bytes: the fast one (RowEncoder, AvroWriter) checks and writes each value
// directly, and gives up on anything unusual (unchanged columns, long decimals, a bad value); the checked
// one (RowWriter, avsc) then encodes the event again, or refuses it with the error naming what is wrong.

import { CdcError, ErrorCode } from '../errors.ts';
import { envelopeSchemaOf, keySchemaOf } from './avro-schema.ts';
import { avroTypeWithRawDecimals } from './avsc-types.ts';
import { AvroWriter } from './avro-writer.ts';
import { RowWriter } from './column-values.ts';
import { unscaledToBytes } from './decimal.ts';
import { fingerprintToBytes, writerSchema, type WriterSchema } from './fingerprint.ts';
import { RowEncoder } from './row-encoder.ts';
import { SINGLE_OBJECT_MAGIC, SingleObjectEncoder } from './single-object.ts';
import { Op, type ChangeEvent, type ColumnDef, type Row, type TableDef } from './types.ts';

const OPS: ReadonlySet<string> = new Set(Object.values(Op));
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** pos is decimal(38,0). */
const POS_LIMIT = 10n ** 38n;
const NONE: ReadonlySet<string> = new Set();
/** Below 2^53 a position converts to a number exactly. */
const EXACT = 2 ** 53;

/**
 * One writer for every codec: encoding is synchronous, and messages of all tables then share slabs.
 * A message is a view of a slab, so a slab lives as long as any message written into it.
 */
const writer = new AvroWriter();

/**
 * Runs a fast path; whatever it cannot write, even a value that makes it throw (a row that is not an
 * object), goes to the checked path, so errors are the checked path's alone.
 */
function attempt(write: () => boolean): boolean {
  try {
    return write();
  } catch {
    return false;
  }
}

function writeLong(value: bigint): boolean {
  return typeof value === 'bigint' && writer.int64(value);
}

function writeNullableLong(value: bigint | null): boolean {
  if (value === null) {
    writer.byte(0);
    return true;
  }
  if (typeof value !== 'bigint') return false;
  writer.byte(2);
  return writer.int64(value);
}

function headerOf(fingerprint: bigint): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprintToBytes(fingerprint)]);
}

export class TableCodec {
  readonly table: TableDef;
  /** The key schema: publish `key.json` under `key.fingerprint` on the schemas topic. */
  readonly key: WriterSchema;
  /** The envelope schema: publish `value.json` under `value.fingerprint` on the schemas topic. */
  readonly value: WriterSchema;
  private readonly name: string;
  private readonly keyWriter: RowWriter;
  private readonly rowWriter: RowWriter;
  private readonly keyEncoder: SingleObjectEncoder;
  private readonly valueEncoder: SingleObjectEncoder;
  private readonly keyRows: RowEncoder;
  private readonly rows: RowEncoder;
  private readonly keyHeader: Buffer;
  private readonly valueHeader: Buffer;

  /** Throws CDC_INVALID_NAME, CDC_INVALID_TABLE or CDC_UNSUPPORTED_TYPE for a table that cannot be carried. */
  constructor(table: TableDef) {
    this.table = table;
    this.name = `${table.schema}.${table.name}`;
    this.key = writerSchema(keySchemaOf(table));
    this.value = writerSchema(envelopeSchemaOf(table));
    const byName = new Map(table.columns.map((column) => [column.name, column]));
    const keyColumns = table.key.map((name) => byName.get(name) as ColumnDef);
    this.keyWriter = new RowWriter(this.name, keyColumns, true);
    this.rowWriter = new RowWriter(this.name, table.columns);
    this.keyEncoder = new SingleObjectEncoder(avroTypeWithRawDecimals(this.key.schema), this.key.fingerprint);
    this.valueEncoder = new SingleObjectEncoder(
      avroTypeWithRawDecimals(this.value.schema),
      this.value.fingerprint,
    );
    this.keyRows = new RowEncoder(this.name, keyColumns, true);
    this.rows = new RowEncoder(this.name, table.columns);
    this.keyHeader = headerOf(this.key.fingerprint);
    this.valueHeader = headerOf(this.value.fingerprint);
  }

  /** The envelope (value) schema's fingerprint. */
  get fingerprint(): bigint {
    return this.value.fingerprint;
  }

  /** The envelope (value) schema as published: the full JSON, logical types included (not the canonical form). */
  get writerSchemaJson(): string {
    return this.value.json;
  }

  /** The record key of a row (after image, or the before image of a delete): its key columns only. */
  encodeKey(row: Row): Buffer {
    writer.begin(this.keyHeader);
    if (attempt(() => this.keyRows.write(writer, row, false))) return writer.finish();
    writer.abandon();
    return this.keyEncoder.encode(this.keyWriter.write(row, false, NONE));
  }

  /**
   * The record value of an event. Columns listed in `unchanged` may be absent from `after` (their value
   * is not encoded; a reader gets them absent again). `before` may be partial (PostgreSQL's default
   * replica identity sends only the key of a deleted row); its absent columns come back null or zero.
   */
  encodeEvent(event: ChangeEvent): Buffer {
    writer.begin(this.valueHeader);
    if (attempt(() => this.writeEvent(event))) return writer.finish();
    writer.abandon();
    return this.encodeEventChecked(event);
  }

  /**
   * The fast path: the envelope written field by field in schema order. False, with the message left
   * unfinished, whenever the checked path may refuse the event or writes it another way.
   */
  private writeEvent(event: ChangeEvent): boolean {
    const { op, before, after, unchanged, source } = event;
    if (op !== Op.create && op !== Op.update && op !== Op.delete && op !== Op.read) return false;
    if (op === Op.delete ? before === null : after === null) return false;
    if (!Array.isArray(unchanged) || unchanged.length !== 0) return false;
    if (typeof source !== 'object' || source === null) return false;
    const { connector, db, schema, table, lsn, txId, snapshot } = source;
    if (typeof connector !== 'string' || typeof db !== 'string') return false;
    if (typeof schema !== 'string' || typeof table !== 'string') return false;
    if (typeof snapshot !== 'boolean') return false;
    // Unions ['null', x]: branch index 0 or 1, written as the zigzag varints 0 and 2.
    if (!this.writeImage(before, true) || !this.writeImage(after, false)) return false;
    writer.string(op);
    if (!writeLong(event.ts_ms)) return false;
    writer.string(connector);
    writer.string(db);
    writer.string(schema);
    writer.string(table);
    if (!writeNullableLong(lsn) || !writeNullableLong(txId) || !writeLong(source.ts_ms)) return false;
    writer.boolean(snapshot);
    const { pos } = event;
    if (typeof pos !== 'bigint') return false;
    const n = Number(pos);
    if (n > -EXACT && n < EXACT) writer.unscaled(n);
    else if (pos > -POS_LIMIT && pos < POS_LIMIT) writer.bytes(unscaledToBytes(pos));
    else return false;
    // unchanged: an empty array is one block count of 0.
    writer.byte(0);
    return true;
  }

  private writeImage(row: Row | null, partial: boolean): boolean {
    if (row === null) {
      writer.byte(0);
      return true;
    }
    writer.byte(2);
    return this.rows.write(writer, row, partial);
  }

  /** The checked path: every value checked by RowWriter, the record written by avsc. */
  private encodeEventChecked(event: ChangeEvent): Buffer {
    this.checkEnvelope(event);
    const unchanged = event.unchanged.length === 0 ? NONE : new Set(event.unchanged);
    for (const name of unchanged) {
      if (!this.rowWriter.has(name))
        this.invalid(`unchanged lists ${name}, which is not a column of the table`);
    }
    const { source } = event;
    const record = {
      before: event.before === null ? null : this.rowWriter.write(event.before, true, NONE),
      after: event.after === null ? null : this.rowWriter.write(event.after, false, unchanged),
      op: event.op,
      ts_ms: event.ts_ms,
      source: {
        connector: source.connector,
        db: source.db,
        schema: source.schema,
        table: source.table,
        lsn: source.lsn,
        txId: source.txId,
        ts_ms: source.ts_ms,
        snapshot: source.snapshot,
      },
      pos: unscaledToBytes(event.pos),
      unchanged: event.unchanged,
    };
    try {
      return this.valueEncoder.encode(record);
    } catch (error) {
      // Row values are checked above; what avsc refuses here is an envelope field (source, unchanged).
      throw new CdcError(
        ErrorCode.INVALID_VALUE,
        `table ${this.name}: change event not encodable: ${String(error)}`,
        {
          cause: error,
          facts: { table: this.name },
        },
      );
    }
  }

  private checkEnvelope(event: ChangeEvent): void {
    if (!OPS.has(event.op)) this.invalid(`op ${JSON.stringify(event.op)} is not one of c, u, d, r, t`);
    if (event.op !== Op.truncate && (event.op === Op.delete ? event.before === null : event.after === null)) {
      this.invalid(`op ${event.op} needs ${event.op === Op.delete ? 'a before' : 'an after'} image`);
    }
    if (typeof event.pos !== 'bigint' || event.pos <= -POS_LIMIT || event.pos >= POS_LIMIT) {
      this.invalid(`pos ${String(event.pos)} is not a bigint of at most 38 digits`);
    }
    const { source } = event;
    for (const [name, value, nullable] of [
      ['ts_ms', event.ts_ms, false],
      ['source.ts_ms', source.ts_ms, false],
      ['source.lsn', source.lsn, true],
      ['source.txId', source.txId, true],
    ] as const) {
      if (value === null ? !nullable : typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) {
        this.invalid(`${name} ${String(value)} is not a 64-bit bigint${nullable ? ' or null' : ''}`);
      }
    }
  }

  private invalid(problem: string): never {
    throw new CdcError(ErrorCode.INVALID_VALUE, `table ${this.name}: ${problem}`, {
      facts: { table: this.name },
    });
  }
}
