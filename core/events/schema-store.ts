// Writer schemas by fingerprint (what the schemas topic holds) and the reader side of Contract 1:
// single-object message -> cdclake values, through Avro schema resolution when a reader schema is given.

import type avsc from 'avsc';
import { CdcError, ErrorCode } from '../errors.ts';
import type { AvroSchema } from './avro-schema.ts';
import { compileReader, TruncatedMessage, type ValueReader } from './avro-reader.ts';
import { avroType } from './avsc-types.ts';
import { canonicalForm, fingerprint64, fingerprintOf, fingerprintToHex } from './fingerprint.ts';
import { readFingerprint, SINGLE_OBJECT_HEADER_LENGTH } from './single-object.ts';
import { Op, type ChangeEvent, type Row } from './types.ts';

/** A schema as parsed JSON, or as JSON text. */
export type SchemaInput = AvroSchema | string;

/**
 * Attributes the canonical form drops although they change what the bytes mean. Two schemas with one
 * fingerprint must agree on them, or messages of the two could not be told apart. Decimal precision is
 * left out on purpose: widening numeric(10,2) to numeric(12,2) reads every old message the same.
 */
const INTERPRETED = ['cdclake.type', 'logicalType', 'scale'];
const OPS: ReadonlySet<string> = new Set(Object.values(Op));

interface Known {
  fingerprint: bigint;
  json: string;
  interpretation: string;
  type: avsc.Type;
  /** The compiled reader of the schema's own messages (avro-reader.ts), when it compiles. */
  fast: ValueReader | undefined;
}

interface Reader extends Known {
  /** Per writer fingerprint; null when the writer is read as it is. */
  resolvers: Map<bigint, avsc.Resolver | null>;
}

export class SchemaStore {
  private readonly known = new Map<bigint, Known>();
  private readonly readersByText = new Map<string, Reader>();
  private readonly readersByObject = new WeakMap<object, Reader>();

  /**
   * Adds a writer schema and returns its fingerprint. Adding it again is a no-op; a schema with a
   * known fingerprint but another meaning (a logical type or decimal scale changed) is CDC_SCHEMA_CONFLICT,
   * since messages of the two carry the same fingerprint. Same meaning, other details (a wider decimal
   * precision): the last added is kept, so add schemas in the order the schemas topic holds them.
   */
  add(schema: SchemaInput): bigint {
    const known = this.prepare(schema);
    const existing = this.known.get(known.fingerprint);
    if (existing !== undefined && existing.interpretation !== known.interpretation) {
      const hex = fingerprintToHex(known.fingerprint);
      throw new CdcError(
        ErrorCode.SCHEMA_CONFLICT,
        `writer schema ${hex} is already known with other logical types or decimal scales; messages of the two ` +
          `cannot be told apart (known: ${existing.json}; new: ${known.json})`,
        { facts: { fingerprint: hex } },
      );
    }
    // Cached resolvers stay valid when a schema is replaced: both read every message the same.
    if (existing?.json !== known.json) this.known.set(known.fingerprint, known);
    return known.fingerprint;
  }

  has(fingerprint: bigint | string): boolean {
    return this.known.has(fingerprintOf(fingerprint));
  }

  /** The writer schema's JSON text, as added. */
  get(fingerprint: bigint | string): string | undefined {
    return this.known.get(fingerprintOf(fingerprint))?.json;
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * The value of a single-object message, read with its writer schema or, when `reader` is given, with
   * Avro's schema resolution (a field the writer lacks gets the reader's default, e.g. null).
   * CDC_UNKNOWN_SCHEMA (retriable: the schemas topic may not be read up to it yet), CDC_DECODE, or
   * CDC_SCHEMA_INCOMPATIBLE when the reader cannot read the writer.
   */
  decode(bytes: Buffer, reader?: SchemaInput): unknown {
    const fingerprint = readFingerprint(bytes);
    const writer = this.known.get(fingerprint);
    if (writer === undefined) {
      const hex = fingerprintToHex(fingerprint);
      throw new CdcError(
        ErrorCode.UNKNOWN_SCHEMA,
        `no writer schema with fingerprint ${hex} is known (yet)`,
        {
          retriable: true,
          facts: { fingerprint: hex },
        },
      );
    }
    if (reader === undefined) return read(writer, bytes, undefined, fingerprint);
    const prepared = this.reader(reader);
    let resolver = prepared.resolvers.get(fingerprint);
    if (resolver === undefined) {
      resolver = sameMeaning(prepared, writer) ? null : resolve(prepared, writer);
      prepared.resolvers.set(fingerprint, resolver);
    }
    return read(prepared, bytes, resolver ?? undefined, fingerprint);
  }

  /** A key message as a Row. */
  decodeKey(bytes: Buffer, reader?: SchemaInput): Row {
    return this.decode(bytes, reader) as Row;
  }

  /** An envelope message as a ChangeEvent; columns listed in `unchanged` are absent from `after`. */
  decodeEvent(bytes: Buffer, reader?: SchemaInput): ChangeEvent {
    const raw = this.decode(bytes, reader) as Omit<ChangeEvent, 'pos'> & { pos: string };
    if (!OPS.has(raw.op)) {
      throw new CdcError(
        ErrorCode.DECODE,
        `change event with op ${JSON.stringify(raw.op)}, not one of c, u, d, r, t`,
        {
          facts: { fingerprint: fingerprintToHex(readFingerprint(bytes)) },
        },
      );
    }
    if (raw.after !== null && raw.unchanged.length > 0) {
      for (const name of raw.unchanged) delete raw.after[name];
    }
    return {
      before: raw.before,
      after: raw.after,
      op: raw.op,
      ts_ms: raw.ts_ms,
      source: raw.source,
      pos: BigInt(raw.pos),
      unchanged: raw.unchanged,
    };
  }

  private prepare(schema: SchemaInput): Known {
    let parsed: AvroSchema;
    try {
      parsed = typeof schema === 'string' ? (JSON.parse(schema) as AvroSchema) : schema;
    } catch (error) {
      throw new CdcError(ErrorCode.DECODE, `a writer schema is not JSON: ${String(error)}`, { cause: error });
    }
    // avsc validates the schema before the canonical form walks it.
    let type: avsc.Type;
    try {
      type = avroType(parsed);
    } catch (error) {
      throw new CdcError(ErrorCode.DECODE, `not a valid Avro schema: ${String(error)}`, { cause: error });
    }
    const form = canonicalForm(parsed);
    return {
      fingerprint: fingerprint64(form),
      json: typeof schema === 'string' ? schema : JSON.stringify(schema),
      interpretation: canonicalForm(parsed, INTERPRETED),
      type,
      fast: compileReader(parsed),
    };
  }

  private reader(schema: SchemaInput): Reader {
    const cached =
      typeof schema === 'object' ? this.readersByObject.get(schema) : this.readersByText.get(schema);
    if (cached !== undefined) return cached;
    const reader: Reader = { ...this.prepare(schema), resolvers: new Map() };
    if (typeof schema === 'object') this.readersByObject.set(schema, reader);
    else this.readersByText.set(schema, reader);
    return reader;
  }
}

function sameMeaning(reader: Known, writer: Known): boolean {
  return reader.fingerprint === writer.fingerprint && reader.interpretation === writer.interpretation;
}

function resolve(reader: Known, writer: Known): avsc.Resolver {
  try {
    return reader.type.createResolver(writer.type);
  } catch (error) {
    const hex = fingerprintToHex(writer.fingerprint);
    throw new CdcError(
      ErrorCode.SCHEMA_INCOMPATIBLE,
      `the reader schema ${fingerprintToHex(reader.fingerprint)} cannot read writer schema ${hex} by Avro's ` +
        `resolution rules: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, facts: { fingerprint: hex, reader: fingerprintToHex(reader.fingerprint) } },
    );
  }
}

function read(
  schema: Known,
  bytes: Buffer,
  resolver: avsc.Resolver | undefined,
  fingerprint: bigint,
): unknown {
  if (resolver === undefined && schema.fast !== undefined) {
    const cursor = { buf: bytes, pos: SINGLE_OBJECT_HEADER_LENGTH };
    let value: unknown;
    try {
      value = schema.fast(cursor);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw decodeError(fingerprint, bytes, problem, error instanceof TruncatedMessage ? undefined : error);
    }
    if (cursor.pos !== bytes.length)
      throw decodeError(fingerprint, bytes, `${bytes.length - cursor.pos} bytes are left after the body`);
    return value;
  }
  let result: { value: unknown; offset: number };
  try {
    result = schema.type.decode(bytes, SINGLE_OBJECT_HEADER_LENGTH, resolver);
  } catch (error) {
    throw decodeError(fingerprint, bytes, `${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (result.offset === -1) throw decodeError(fingerprint, bytes, 'the message ends before its body does');
  if (result.offset !== bytes.length) {
    throw decodeError(fingerprint, bytes, `${bytes.length - result.offset} bytes are left after the body`);
  }
  return result.value;
}

function decodeError(fingerprint: bigint, bytes: Buffer, problem: string, cause?: unknown): CdcError {
  const hex = fingerprintToHex(fingerprint);
  return new CdcError(
    ErrorCode.DECODE,
    `message with writer schema ${hex} (${bytes.length} bytes): ${problem}`,
    {
      cause,
      facts: { fingerprint: hex, length: bytes.length },
    },
  );
}
