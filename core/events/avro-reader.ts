// The fast reader of cdclake values: an Avro schema compiled once into plain functions that read a message
// into exactly what the avsc types of avsc-types.ts give (longs as bigint, decimals as text, records as
// plain objects, ['null', T] unions unwrapped), without avsc's per-value type dispatch. Schemas with parts
// it does not compile (unions of two non-null branches, a decimal on fixed) return undefined from
// compileReader, and the caller reads with avsc.

import { bytesToDecimal } from './decimal.ts';
import { CdcError, ErrorCode } from '../errors.ts';

/** The read position in one message; `pos` past `buf.length` means the message ended too soon. */
export interface Cursor {
  buf: Buffer;
  pos: number;
}

export type ValueReader = (cursor: Cursor) => unknown;

export class TruncatedMessage extends Error {
  constructor() {
    super('the message ends before its body does');
  }
}

type Schema = string | { type: unknown; [k: string]: unknown } | Schema[];

/** Zigzag varint as a number; exact up to 2^53, which every int and the lengths and indexes of Avro fit. */
export function readNumber(c: Cursor): number {
  const buf = c.buf;
  let pos = c.pos;
  let byte = buf[pos++];
  if (byte === undefined) throw new TruncatedMessage();
  let n = byte & 0x7f;
  let scale = 0x80;
  while (byte & 0x80) {
    byte = buf[pos++];
    if (byte === undefined) throw new TruncatedMessage();
    n += (byte & 0x7f) * scale;
    scale *= 0x80;
  }
  c.pos = pos;
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** Zigzag varint as an exact bigint: number arithmetic up to seven bytes (49 bits), bigint beyond. */
export function readLong(c: Cursor): bigint {
  const value = readInt64(c);
  return typeof value === 'number' ? BigInt(value) : value;
}

/** An Avro long as a number when it fits in 48 bits (no bigint made), else as a bigint. */
export function readInt64(c: Cursor): number | bigint {
  const buf = c.buf;
  const start = c.pos;
  let end = start;
  while (((buf[end] as number) & 0x80) !== 0) end++;
  if (end >= buf.length) throw new TruncatedMessage();
  c.pos = end + 1;
  if (end - start < 7) {
    let n = 0;
    let scale = 1;
    for (let i = start; i <= end; i++) {
      n += ((buf[i] as number) & 0x7f) * scale;
      scale *= 0x80;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  let zigzag = 0n;
  let shift = 0n;
  for (let i = start; i <= end; i++) {
    zigzag |= BigInt((buf[i] as number) & 0x7f) << shift;
    shift += 7n;
  }
  zigzag = BigInt.asUintN(64, zigzag);
  return (zigzag >> 1n) ^ -(zigzag & 1n);
}

export function readLength(c: Cursor): number {
  const length = readNumber(c);
  if (length < 0) throw new CdcError(ErrorCode.DECODE, `a negative length ${length}`);
  if (c.pos + length > c.buf.length) throw new TruncatedMessage();
  return length;
}

export function readBytes(c: Cursor): Buffer {
  const length = readLength(c);
  const start = c.pos;
  c.pos += length;
  // A copy, as avsc gives: the value outlives the message buffer.
  return Buffer.from(c.buf.subarray(start, start + length));
}

export function readString(c: Cursor): string {
  const length = readLength(c);
  const start = c.pos;
  c.pos += length;
  return c.buf.toString('utf8', start, start + length);
}

export function readFloat(c: Cursor): number {
  if (c.pos + 4 > c.buf.length) throw new TruncatedMessage();
  const value = c.buf.readFloatLE(c.pos);
  c.pos += 4;
  return value;
}

export function readDouble(c: Cursor): number {
  if (c.pos + 8 > c.buf.length) throw new TruncatedMessage();
  const value = c.buf.readDoubleLE(c.pos);
  c.pos += 8;
  return value;
}

export function readBoolean(c: Cursor): boolean {
  const byte = c.buf[c.pos++];
  if (byte === undefined) throw new TruncatedMessage();
  return byte !== 0;
}

const PRIMITIVES: Record<string, ValueReader> = {
  null: () => null,
  boolean: readBoolean,
  int: readNumber,
  long: readLong,
  float: readFloat,
  double: readDouble,
  bytes: readBytes,
  string: readString,
};

class Unsupported extends Error {}

function validDecimal(schema: Record<string, unknown>): number | undefined {
  const precision = Number(schema.precision);
  const scale = schema.scale === undefined ? 0 : Number(schema.scale);
  if (
    !Number.isInteger(precision) ||
    precision < 1 ||
    !Number.isInteger(scale) ||
    scale < 0 ||
    scale > precision
  )
    return undefined;
  return scale;
}

function compile(
  schema: Schema,
  named: Map<string, ValueReader>,
  namespace: string | undefined,
): ValueReader {
  if (typeof schema === 'string') {
    const primitive = PRIMITIVES[schema];
    if (primitive !== undefined) return primitive;
    const full = schema.includes('.') || namespace === undefined ? schema : `${namespace}.${schema}`;
    const reader = named.get(full) ?? named.get(schema);
    if (reader === undefined) throw new Unsupported(`unknown type ${schema}`);
    return reader;
  }
  if (Array.isArray(schema)) {
    const branches = schema.map((s) => compile(s, named, namespace));
    const nullIndex = schema.indexOf('null');
    // avsc's 'auto' wrapping leaves ['null', T] unwrapped; other unions are wrapped and read by avsc.
    if (schema.length === 1) return branches[0] as ValueReader;
    if (schema.length !== 2 || nullIndex < 0) throw new Unsupported('a union of non-null branches');
    const other = branches[1 - nullIndex] as ValueReader;
    return (c) => {
      const index = readNumber(c);
      if (index === nullIndex) return null;
      if (index !== 1 - nullIndex) throw new CdcError(ErrorCode.DECODE, `union index ${index} out of range`);
      return other(c);
    };
  }
  const type = schema.type;
  if (schema.logicalType === 'decimal') {
    const scale = validDecimal(schema);
    // An invalid decimal falls back to its underlying type, as the specification asks and avsc does.
    if (scale !== undefined) {
      if (type !== 'bytes') throw new Unsupported('a decimal on fixed');
      return (c) => {
        const length = readLength(c);
        const start = c.pos;
        c.pos += length;
        return bytesToDecimal(c.buf.subarray(start, start + length), scale);
      };
    }
  }
  if (type === 'record' || type === 'error') {
    const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
    const name = String(schema.name);
    const full = name.includes('.') || ns === undefined ? name : `${ns}.${name}`;
    const fields: { name: string; read: ValueReader }[] = [];
    const reader: ValueReader = (c) => {
      const value: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i] as { name: string; read: ValueReader };
        value[field.name] = field.read(c);
      }
      return value;
    };
    named.set(full, reader);
    const innerNamespace = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : ns;
    for (const field of schema.fields as { name: string; type: Schema }[])
      fields.push({ name: field.name, read: compile(field.type, named, innerNamespace) });
    return reader;
  }
  if (type === 'array') {
    const items = compile(schema.items as Schema, named, namespace);
    return (c) => {
      const out: unknown[] = [];
      for (;;) {
        let count = readNumber(c);
        if (count === 0) return out;
        if (count < 0) {
          count = -count;
          readNumber(c); // the block's size in bytes
        }
        for (let i = 0; i < count; i++) out.push(items(c));
      }
    };
  }
  if (type === 'map') {
    const values = compile(schema.values as Schema, named, namespace);
    return (c) => {
      const out: Record<string, unknown> = {};
      for (;;) {
        let count = readNumber(c);
        if (count === 0) return out;
        if (count < 0) {
          count = -count;
          readNumber(c);
        }
        for (let i = 0; i < count; i++) {
          const key = readString(c);
          out[key] = values(c);
        }
      }
    };
  }
  if (type === 'enum') {
    const symbols = schema.symbols as string[];
    const reader: ValueReader = (c) => {
      const index = readNumber(c);
      const symbol = symbols[index];
      if (symbol === undefined) throw new CdcError(ErrorCode.DECODE, `enum index ${index} out of range`);
      return symbol;
    };
    const name = String(schema.name);
    named.set(name.includes('.') || namespace === undefined ? name : `${namespace}.${name}`, reader);
    return reader;
  }
  if (type === 'fixed') throw new Unsupported('fixed');
  // A primitive with attributes (a logical type on long, int or string), or a nested type.
  return compile(type as Schema, named, namespace);
}

/** The reader of `schema`'s values, or undefined when the schema has parts only avsc reads. */
export function compileReader(schema: unknown): ValueReader | undefined {
  try {
    return compile(schema as Schema, new Map(), undefined);
  } catch (error: unknown) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
