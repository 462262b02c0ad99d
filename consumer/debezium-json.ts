// Decodes records a real Debezium connector wrote with Kafka Connect's JSON converter, with or without the
// embedded schema (`schemas.enable`), into DecodedChange: the envelope, the key, the row image, the position.

import { Op } from '../core/events/types.ts';
import type { ColumnDef, ColumnValue, Row } from '../core/events/types.ts';
import type { ChangeImages, DecodedChange } from './decoded-change.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import {
  connectColumn,
  inferredColumn,
  isUnavailable,
  JsonNumber,
  stringifyJson,
  type ColumnReader,
  type Json,
  type JsonObject,
} from './debezium-types.ts';
import { checkColumnName, checkTableName } from './identifiers.ts';

/** Whether a record value can be Debezium JSON: its first non-space byte is `{` (Avro starts 0xC3 0x01). */
export function looksLikeDebeziumJson(value: Buffer): boolean {
  for (const byte of value) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte === 0x7b;
  }
  return false;
}

const OPS = new Map<unknown, Op>([
  ['c', Op.create],
  ['u', Op.update],
  ['d', Op.delete],
  ['r', Op.read],
  ['t', Op.truncate],
]);
const UNSUPPORTED_OPS = new Map<unknown, string>([['m', 'a logical decoding message']]);

/**
 * The change in a Debezium record, or null for a tombstone (a JSON `null` value). Throws
 * CdcError: CDC_DECODE (not JSON, not a change envelope), CDC_UNSUPPORTED_OP (a logical
 * decoding message), CDC_INVALID_NAME (a table or column name that is not a plain identifier), CDC_NO_KEY (a delete
 * with neither a record key nor a before image), CDC_UNSUPPORTED_TYPE, CDC_INVALID_VALUE.
 */
export function decodeDebeziumJson(key: Buffer | null, value: Buffer, images = false): DecodedChange | null {
  const { schema, payload } = readEnvelope(value, 'value');
  if (payload === null) return null;
  if (!(payload instanceof Map)) throw decodeError('the record value is not a JSON object');
  const op = opOf(payload);
  const source = payload.get('source');
  if (!(source instanceof Map)) throw decodeError(`a Debezium "${op}" event without its source block`);
  const table = checkTableName('table', source.get('table'));
  const sourceSchema = source.get('schema');
  // Sources without schemas (MySQL) name the database instead.
  const schemaName = checkTableName(
    'schema',
    typeof sourceSchema === 'string' ? sourceSchema : source.get('db'),
  );
  const tsMs = int64Of(payload.get('ts_ms')) ?? int64Of(source.get('ts_ms'));
  if (tsMs === undefined) throw decodeError(`table ${table}: the event has no ts_ms`);
  // A truncate (one per table, keyless, no images): the merge marks every older row of the table deleted.
  if (op === Op.truncate)
    return {
      table,
      schema: schemaName,
      op,
      pos: positionOf(table, source, tsMs, op),
      tsMs,
      row: {},
      columns: [],
      key: [],
      unchanged: [],
    };

  const keyImage = key === null || key.length === 0 ? null : readKey(table, key);
  const imageName = op === Op.delete ? 'before' : 'after';
  const image = payload.get(imageName) ?? null;
  let decoded: Image;
  if (image instanceof Map) {
    decoded = readImage(table, image, schema === null ? null : imageFields(table, schema, imageName));
  } else if (image !== null) {
    throw decodeError(`table ${table}: ${imageName} is not a JSON object`);
  } else if (op !== Op.delete) {
    throw decodeError(`table ${table}: a "${op}" event without an after image`);
  } else if (keyImage !== null && keyImage.columns.length > 0) {
    // No before image (REPLICA IDENTITY NOTHING): the key is all a delete needs.
    decoded = { columns: [...keyImage.columns], row: { ...keyImage.row }, unchanged: [] };
  } else {
    throw new CdcError(
      ErrorCode.NO_KEY,
      `table ${table}: a delete with neither a record key nor a before image`,
    );
  }

  const keyColumns = keyImage?.columns ?? [];
  for (const column of keyColumns) {
    const known = decoded.columns.some((c) => c.name === column.name);
    if (op === Op.delete) {
      // A copy: an image's columns may be shared by every record of its schema (readImage).
      if (!known) decoded.columns = [...decoded.columns, column];
      if ((own(decoded.row, column.name) ?? null) === null)
        setColumn(decoded.row, column.name, own(keyImage?.row ?? {}, column.name) ?? null);
    } else if (!known) {
      throw new CdcError(
        ErrorCode.NO_KEY,
        `table ${table}: key column ${column.name} is not a column of the after image`,
      );
    }
  }

  const change: DecodedChange = {
    table,
    schema: schemaName,
    op,
    pos: positionOf(table, source, tsMs, op),
    tsMs,
    row: decoded.row,
    columns: decoded.columns,
    key: keyColumns.map((c) => c.name),
    unchanged: decoded.unchanged,
  };
  if (schema === null) change.typedByValues = true;
  if (images) change.images = bothImages(table, payload, schema, op, decoded.row, source);
  return change;
}

/** Both row images as rows (the one read above stands for its side), and the source's time. */
function bothImages(
  table: string,
  payload: JsonObject,
  schema: JsonObject | null,
  op: Op,
  row: Row,
  source: JsonObject,
): ChangeImages {
  const other = op === Op.delete ? 'after' : 'before';
  const image = payload.get(other) ?? null;
  const read =
    image instanceof Map
      ? readImage(table, image, schema === null ? null : imageFields(table, schema, other)).row
      : null;
  return {
    before: op === Op.delete ? row : read,
    after: op === Op.delete ? read : row,
    sourceMs: int64Of(source.get('ts_ms')) ?? null,
  };
}

function decodeError(message: string): CdcError {
  return new CdcError(ErrorCode.DECODE, message);
}

function opOf(payload: JsonObject): Op {
  const op = payload.get('op');
  const known = OPS.get(op);
  if (known !== undefined) return known;
  const unsupported = UNSUPPORTED_OPS.get(op);
  if (unsupported !== undefined) {
    const source = payload.get('source');
    const table = source instanceof Map ? source.get('table') : undefined;
    throw new CdcError(
      ErrorCode.UNSUPPORTED_OP,
      `op "${String(op)}" (${unsupported} event${typeof table === 'string' ? ` on table ${JSON.stringify(table)}` : ''}) ` +
        'is not supported: cdclake carries row changes and truncates (c, u, d, r, t)',
    );
  }
  if (op === undefined && !payload.has('source')) {
    throw decodeError(
      'not a Debezium change event: no op and no source. A record flattened by ExtractNewRecordState ' +
        '(the row alone) is not supported: remove that transform from the connector',
    );
  }
  if (op === undefined) throw decodeError('a Debezium envelope without op');
  throw decodeError(`unknown op ${stringifyJson(op)} (expected c, u, d, r or t)`);
}

/** `{schema, payload}` when the converter embeds schemas; otherwise the document is the payload. */
function unwrap(document: Json): { schema: JsonObject | null; payload: Json } {
  if (document instanceof Map && document.size === 2 && document.has('payload')) {
    const schema = document.get('schema');
    if (schema === null || (schema instanceof Map && typeof schema.get('type') === 'string'))
      return { schema: schema, payload: document.get('payload') ?? null };
  }
  return { schema: null, payload: document };
}

/** The field schemas of `before` or `after` in the value schema. */
function imageFields(table: string, schema: JsonObject, imageName: string): Json[] {
  const fields = schema.get('fields');
  const image = Array.isArray(fields)
    ? fields.find((field) => field instanceof Map && field.get('field') === imageName)
    : undefined;
  const imageFieldList = image instanceof Map ? image.get('fields') : undefined;
  if (!Array.isArray(imageFieldList))
    throw decodeError(`table ${table}: the value schema has no struct field ${imageName}`);
  return imageFieldList;
}

interface Image {
  columns: ColumnDef[];
  row: Row;
  unchanged: string[];
}

function readKey(table: string, key: Buffer): Image | null {
  const { schema, payload } = readEnvelope(key, 'key');
  if (payload === null) return null;
  if (!(payload instanceof Map))
    throw decodeError(`table ${table}: the record key is not a JSON object of key columns`);
  const fields = schema?.get('fields');
  return readImage(table, payload, Array.isArray(fields) ? fields : null);
}

/** A row image typed by its field schemas, or by its values when the converter sent no schema. */
function readImage(table: string, image: JsonObject, fields: Json[] | null): Image {
  const columns: ColumnDef[] = [];
  const row: Row = {};
  const unchanged: string[] = [];
  if (fields === null) {
    for (const [rawName, raw] of image) {
      const name = checkColumnName(table, rawName);
      // A null says nothing about its column's type: the column is left out of the record's columns (its
      // batch takes it as NULL), so it neither splits a batch nor fixes a type before a value shows it.
      if (raw === null) {
        setColumn(row, name, null);
        continue;
      }
      const inferred = inferredColumn({ table, column: name }, raw);
      columns.push(inferred.column);
      if (raw !== null && isUnavailable(raw)) unchanged.push(name);
      else setColumn(row, name, inferred.value);
    }
    return { columns, row, unchanged };
  }
  const readers = readersOf(table, fields);
  for (const reader of readers) {
    const name = reader.column.name;
    // An absent field is null, as Kafka's JsonConverter reads it.
    const raw = image.get(name) ?? null;
    if (raw === null) setColumn(row, name, null);
    else if (isUnavailable(raw)) unchanged.push(name);
    else setColumn(row, name, reader.read(raw, { table, column: name }));
  }
  // One columns array for every record of the schema: the batch checks an array it has seen once.
  return { columns: columnsOf(readers), row, unchanged };
}

const COLUMNS = new WeakMap<ColumnReader[], ColumnDef[]>();

function columnsOf(readers: ColumnReader[]): ColumnDef[] {
  let columns = COLUMNS.get(readers);
  if (columns === undefined) {
    columns = readers.map((reader) => reader.column);
    COLUMNS.set(readers, columns);
  }
  return columns;
}

/** Readers of a list of field schemas, kept for the list: a schema found by its text shares its lists. */
const READERS = new WeakMap<Json[], ColumnReader[]>();

function readersOf(table: string, fields: Json[]): ColumnReader[] {
  const known = READERS.get(fields);
  if (known !== undefined) return known;
  const readers: ColumnReader[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    const rawName = field instanceof Map ? field.get('field') : undefined;
    if (!(field instanceof Map) || typeof rawName !== 'string')
      throw decodeError(`table ${table}: a field schema without a field name`);
    const name = checkColumnName(table, rawName);
    if (seen.has(name)) throw decodeError(`table ${table}: column ${name} appears twice in the schema`);
    seen.add(name);
    readers.push(connectColumn(table, name, field));
  }
  READERS.set(fields, readers);
  return readers;
}

/** Sets a column as an own property, also one named `__proto__`. */
function setColumn(row: Row, name: string, value: ColumnValue): void {
  if (name === '__proto__')
    Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
  else row[name] = value;
}

function own(row: Row, name: string): ColumnValue | undefined {
  return Object.hasOwn(row, name) ? row[name] : undefined;
}

function int64Of(value: Json | undefined): bigint | undefined {
  return typeof value === 'bigint' ? value : undefined;
}

/**
 * A position that grows along the source's commit order for one key, compared as a number. Positions of
 * different connectors are not comparable, nor need to be: one topic holds one table of one source.
 * - PostgreSQL: Debezium's `source.lsn` is the LSN of the change record itself, not of its commit, and no
 *   field names the event's own commit. `source.sequence` is `["<lastCommitLsn>","<lsn>"]`, where
 *   lastCommitLsn is the end of the last commit Debezium received before this transaction: the same for
 *   every event of a transaction, growing from one transaction to the next (transactions arrive in commit
 *   order), and null until the first commit after a snapshot. The position is
 *   `(lastCommitLsn ?? 0) << 65 | streamed << 64 | lsn`: transactions in commit order, a snapshot read (op
 *   r, streamed = 0) below every streamed change that follows it with the same lastCommitLsn, and the LSN
 *   within. So a transaction open when the slot was made, whose change LSN is below the snapshot's but
 *   which commits after it, still outranks the snapshot's read of its row. An incremental snapshot's reads
 *   carry no `lsn`: the sequence's second member (the window's signal) stands in.
 * - MySQL: from the binlog coordinates, `(file index << 40) + (pos << 8) + row`, the index being the
 *   numeric suffix of `source.file` (`mysql-bin.000003` is 3).
 * - Any other connector: `source.ts_ms << 20` (or the event's ts_ms), coarse: ties are broken by the Kafka
 *   offset downstream.
 */
function positionOf(table: string, source: JsonObject, tsMs: bigint, op: Op): bigint {
  const connector = source.get('connector');
  if (connector === 'postgresql') {
    const lsn = int64Of(source.get('lsn'));
    const sequence = sequenceOf(source.get('sequence'));
    if (lsn !== undefined && sequence?.lsn !== undefined && lsn !== sequence.lsn)
      throw decodeError(`table ${table}: source.lsn ${lsn} and source.sequence ${sequence.lsn} disagree`);
    const at = lsn ?? sequence?.lsn;
    if (at === undefined || at < 0n || at >= 1n << 64n)
      throw decodeError(`table ${table}: a PostgreSQL event without source.lsn`);
    const lastCommit = sequence?.lastCommit ?? 0n;
    if (lastCommit < 0n || lastCommit >= 1n << 61n)
      throw decodeError(`table ${table}: source.sequence's last commit ${lastCommit} is out of range`);
    const streamed = op === Op.read ? 0n : 1n;
    return (lastCommit << 65n) | (streamed << 64n) | at;
  }
  if (connector === 'mysql') {
    const file = source.get('file');
    const index = typeof file === 'string' ? /(\d+)$/.exec(file)?.[1] : undefined;
    const pos = int64Of(source.get('pos'));
    const row = int64Of(source.get('row') ?? 0n);
    if (index === undefined || pos === undefined || pos < 0n || row === undefined || row < 0n)
      throw decodeError(`table ${table}: a MySQL event without source.file, source.pos and source.row`);
    return (BigInt(index) << 40n) + (pos << 8n) + row;
  }
  return (int64Of(source.get('ts_ms')) ?? tsMs) << 20n;
}

/** Debezium's `sequence`, a string of JSON text `["<lastCommitLsn>","<lsn>"]` (either may be null). */
function sequenceOf(sequence: Json | undefined): { lastCommit?: bigint; lsn?: bigint } | undefined {
  if (typeof sequence !== 'string') return undefined;
  const member = (value: Json | undefined): bigint | undefined => {
    if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
    return typeof value === 'bigint' ? value : undefined;
  };
  try {
    const parsed = new ExactJsonReader(sequence).document();
    if (!Array.isArray(parsed)) return undefined;
    return { lastCommit: member(parsed[0]), lsn: member(parsed[1]) };
  } catch {
    return undefined;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

interface Envelope {
  schema: JsonObject | null;
  payload: Json;
}

function readEnvelope(bytes: Buffer, part: 'key' | 'value'): Envelope {
  const known = knownSchema(bytes);
  if (known !== undefined) return known;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw decodeError(`the record ${part} is not UTF-8 text`);
  }
  try {
    return embeddedSchema(text) ?? unwrap(new ExactJsonReader(text).document());
  } catch (error: unknown) {
    if (error instanceof JsonSyntaxError)
      throw decodeError(`the record ${part} is not JSON: ${error.message}`);
    throw error;
  }
}

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_INFIX = ',"payload":';
/** Schemas by their JSON text, oldest dropped first. */
const SCHEMAS = new Map<string, JsonObject>();
const SCHEMAS_KEPT = 256;

const SCHEMA_PREFIX_BYTES = Buffer.from(SCHEMA_PREFIX);
const PAYLOAD_INFIX_BYTES = Buffer.from(PAYLOAD_INFIX);
/** The schemas read last, as their bytes: most records carry one of them, byte for byte. */
const RECENT: { bytes: Buffer; schema: JsonObject }[] = [];
const RECENT_KEPT = 8;

/**
 * A record laid out `{"schema":<a schema read before>,"payload":...}`: the schema is found by comparing
 * bytes (no text decoded, no JSON scanned) and only the payload is read. Undefined for anything else, which
 * is then read as it always is (readEnvelope), with its exact errors.
 */
function knownSchema(bytes: Buffer): Envelope | undefined {
  const start = SCHEMA_PREFIX_BYTES.length;
  if (bytes.length <= start || bytes[bytes.length - 1] !== 0x7d) return undefined;
  if (bytes.compare(SCHEMA_PREFIX_BYTES, 0, start, 0, start) !== 0) return undefined;
  for (const known of RECENT) {
    const end = start + known.bytes.length;
    const payloadStart = end + PAYLOAD_INFIX_BYTES.length;
    if (payloadStart >= bytes.length - 1) continue;
    // The infix first: it is where this schema would end, so a schema of another length fails at once.
    if (bytes.compare(PAYLOAD_INFIX_BYTES, 0, PAYLOAD_INFIX_BYTES.length, end, payloadStart) !== 0) continue;
    if (bytes.compare(known.bytes, 0, known.bytes.length, start, end) !== 0) continue;
    try {
      const payload = new ExactJsonReader(
        UTF8.decode(bytes.subarray(payloadStart, bytes.length - 1)),
      ).document();
      return { schema: known.schema, payload };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function remember(schemaText: string, schema: JsonObject): void {
  if (RECENT[0]?.schema === schema) return;
  const at = RECENT.findIndex((known) => known.schema === schema);
  const entry =
    at < 0 ? { bytes: Buffer.from(schemaText), schema } : (RECENT.splice(at, 1)[0] as (typeof RECENT)[0]);
  RECENT.unshift(entry);
  if (RECENT.length > RECENT_KEPT) RECENT.pop();
}

/**
 * The converter writes `{"schema":...,"payload":...}`, the same schema text in every record of a table
 * version: a schema seen before is found by its text rather than parsed again (most of a record's bytes).
 * Undefined when the record is laid out otherwise; the caller then reads it whole.
 */
function embeddedSchema(text: string): Envelope | undefined {
  if (!text.startsWith(SCHEMA_PREFIX)) return undefined;
  const reader = new ExactJsonReader(text, SCHEMA_PREFIX.length);
  const end = reader.objectEnd();
  if (end < 0 || !text.startsWith(PAYLOAD_INFIX, end)) return undefined;
  const schemaText = text.slice(SCHEMA_PREFIX.length, end);
  let schema = SCHEMAS.get(schemaText);
  try {
    if (schema === undefined) {
      const parsed = new ExactJsonReader(schemaText).document();
      if (!(parsed instanceof Map) || typeof parsed.get('type') !== 'string') return undefined;
      schema = parsed;
      if (SCHEMAS.size >= SCHEMAS_KEPT) SCHEMAS.delete(SCHEMAS.keys().next().value as string);
      SCHEMAS.set(schemaText, schema);
    }
    const payload = reader.lastMember(end + PAYLOAD_INFIX.length);
    remember(schemaText, schema);
    return { schema, payload };
  } catch (error: unknown) {
    if (error instanceof JsonSyntaxError) return undefined;
    throw error;
  }
}

/** JSON.parse, but exact: integer literals become bigint, so an int64 beyond 2^53 keeps every digit. */
export function parseExactJson(text: string): Json {
  return new ExactJsonReader(text).document();
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

const MAX_DEPTH = 512;
/** A string's text holds nothing to unescape or refuse (JSON forbids raw control characters). */
// eslint-disable-next-line no-control-regex -- the control characters are what this looks for
const PLAIN_STRING = /^[^\\\u0000-\u001f]*$/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A recursive-descent reader of RFC 8259 JSON (Node 20's JSON.parse offers no number source text). */
class ExactJsonReader {
  private readonly text: string;
  private at = 0;

  constructor(text: string, at = 0) {
    this.text = text;
    this.at = at;
  }

  document(): Json {
    const value = this.value(0);
    this.skipSpace();
    if (this.at < this.text.length) this.fail('text after the JSON value');
    return value;
  }

  /** Where the object starting here ends (after its `}`), by brackets and strings alone; -1 if it does not. */
  objectEnd(): number {
    const text = this.text;
    if (text.charCodeAt(this.at) !== 0x7b) return -1;
    let depth = 0;
    for (let at = this.at; at < text.length; at++) {
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        // To the closing quote: the next one not escaped by an odd run of backslashes.
        for (;;) {
          at = text.indexOf('"', at + 1);
          if (at < 0) return -1;
          let backslashes = 0;
          while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
          if (backslashes % 2 === 0) break;
        }
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
        return at + 1;
      }
    }
    return -1;
  }

  /** The value at `at`, the last member of the document's top-level object. */
  lastMember(at: number): Json {
    this.at = at;
    const value = this.value(1);
    this.skipSpace();
    if (this.text.charCodeAt(this.at) !== 0x7d) this.fail('expected "}"');
    this.at++;
    this.skipSpace();
    if (this.at < this.text.length) this.fail('text after the JSON value');
    return value;
  }

  private fail(problem: string): never {
    throw new JsonSyntaxError(`${problem} at character ${this.at}`);
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private value(depth: number): Json {
    this.skipSpace();
    const c = this.text.charCodeAt(this.at);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c === 0x74 && this.text.startsWith('true', this.at)) return this.literal(4, true);
    if (c === 0x66 && this.text.startsWith('false', this.at)) return this.literal(5, false);
    if (c === 0x6e && this.text.startsWith('null', this.at)) return this.literal(4, null);
    return this.fail(Number.isNaN(c) ? 'unexpected end' : 'unexpected character');
  }

  private literal<T extends Json>(length: number, value: T): T {
    this.at += length;
    return value;
  }

  private number(): bigint | JsonNumber {
    const text = this.text;
    const start = this.at;
    let at = text.charCodeAt(start) === 0x2d ? start + 1 : start;
    // Up to 15 digits a JS number holds the integer exactly: most ids, LSNs and timestamps skip BigInt(text).
    let small = 0;
    const first = at;
    if (text.charCodeAt(at) === 0x30) at++;
    else at = this.digits(at);
    const integerEnd = at;
    for (let i = first; i < integerEnd && integerEnd - first <= 15; i++)
      small = small * 10 + text.charCodeAt(i) - 0x30;
    let integer = true;
    if (text.charCodeAt(at) === 0x2e) {
      integer = false;
      at = this.digits(at + 1);
    }
    const e = text.charCodeAt(at);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      at++;
      const sign = text.charCodeAt(at);
      at = this.digits(sign === 0x2b || sign === 0x2d ? at + 1 : at);
    }
    this.at = at;
    if (!integer) return new JsonNumber(text.slice(start, at));
    if (integerEnd - first > 15) return BigInt(text.slice(start, at));
    return BigInt(first === start ? small : -small);
  }

  /** The end of a run of digits from `at`; at least one. */
  private digits(at: number): number {
    let end = at;
    for (let c = this.text.charCodeAt(end); c >= 0x30 && c <= 0x39; c = this.text.charCodeAt(end)) end++;
    if (end === at) {
      this.at = at;
      this.fail('invalid number');
    }
    return end;
  }

  private string(): string {
    const text = this.text;
    let at = this.at + 1;
    const quote = text.indexOf('"', at);
    if (quote > 0) {
      const plain = text.slice(at, quote);
      if (PLAIN_STRING.test(plain)) {
        this.at = quote + 1;
        return plain;
      }
    }
    let chunk = at;
    let out = '';
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        this.at = at + 1;
        return out + text.slice(chunk, at);
      }
      if (c === 0x5c) {
        out += text.slice(chunk, at);
        const escape = text.charAt(at + 1);
        if (escape === 'u') {
          const hex = text.slice(at + 2, at + 6);
          this.at = at;
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          at += 6;
        } else {
          const replacement = ESCAPES[escape];
          this.at = at;
          if (replacement === undefined) this.fail('invalid escape');
          out += replacement;
          at += 2;
        }
        chunk = at;
      } else if (c < 0x20 || Number.isNaN(c)) {
        this.at = at;
        this.fail(Number.isNaN(c) ? 'unterminated string' : 'control character in a string');
      } else {
        at++;
      }
    }
  }

  private object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const object: JsonObject = new Map();
    this.at++;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.at) !== 0x22) this.fail('expected a member name');
      const name = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.at) !== 0x3a) this.fail('expected ":"');
      this.at++;
      object.set(name, this.value(depth));
      this.skipSpace();
      const c = this.text.charCodeAt(this.at);
      this.at++;
      if (c === 0x7d) return object;
      if (c !== 0x2c) {
        this.at--;
        this.fail('expected "," or "}"');
      }
    }
  }

  private array(depth: number): Json[] {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const array: Json[] = [];
    this.at++;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return array;
    }
    for (;;) {
      array.push(this.value(depth));
      this.skipSpace();
      const c = this.text.charCodeAt(this.at);
      this.at++;
      if (c === 0x5d) return array;
      if (c !== 0x2c) {
        this.at--;
        this.fail('expected "," or "]"');
      }
    }
  }
}
