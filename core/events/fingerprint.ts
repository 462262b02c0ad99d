// Avro's Parsing Canonical Form and its CRC-64-AVRO (Rabin) fingerprint, as the Avro specification defines them.
// The fingerprint names a writer schema in every single-object encoded message and on the schemas topic.

import { CdcError, ErrorCode } from '../errors.ts';
import type { AvroSchema } from './avro-schema.ts';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/**
 * The Parsing Canonical Form of `schema` (PRIMITIVES, FULLNAMES, STRIP, ORDER, STRINGS, INTEGERS,
 * WHITESPACE). `keep` names further attributes to keep after the standard ones, sorted; it is not the
 * canonical form then, but lets the schema store compare what the canonical form drops (logical types).
 */
export function canonicalForm(schema: AvroSchema, keep: readonly string[] = []): string {
  return new CanonicalWriter([...keep].sort()).write(schema, '');
}

class CanonicalWriter {
  private readonly keep: readonly string[];
  /** Full names defined so far, to resolve a short reference the way the parser did. */
  private readonly defined = new Set<string>();

  constructor(keep: readonly string[]) {
    this.keep = keep;
  }

  write(schema: AvroSchema, namespace: string): string {
    if (typeof schema === 'string') return JSON.stringify(this.reference(schema, namespace));
    if (Array.isArray(schema)) return `[${schema.map((branch) => this.write(branch, namespace)).join(',')}]`;
    const type = schema.type;
    if (typeof type !== 'string') return this.write(type, namespace);
    const extras = this.extras(schema);
    if (PRIMITIVES.has(type))
      return extras === '' ? JSON.stringify(type) : `{"type":${JSON.stringify(type)}${extras}}`;
    if (type === 'array')
      return `{"type":"array","items":${this.write(schema.items as AvroSchema, namespace)}${extras}}`;
    if (type === 'map')
      return `{"type":"map","values":${this.write(schema.values as AvroSchema, namespace)}${extras}}`;
    if (!NAMED.has(type)) return JSON.stringify(this.reference(type, namespace));

    const fullName = qualify(
      String(schema.name),
      typeof schema.namespace === 'string' ? schema.namespace : namespace,
    );
    this.defined.add(fullName);
    // Nested definitions inherit the namespace of the most tightly enclosing named type.
    const inner = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
    let out = `{"name":${JSON.stringify(fullName)},"type":${JSON.stringify(type)}`;
    if (type === 'record' || type === 'error') {
      const fields = (schema.fields as { name: string; type: AvroSchema }[]).map(
        (field) => `{"name":${JSON.stringify(field.name)},"type":${this.write(field.type, inner)}}`,
      );
      out += `,"fields":[${fields.join(',')}]`;
    } else if (type === 'enum') {
      out += `,"symbols":[${(schema.symbols as string[]).map((s) => JSON.stringify(s)).join(',')}]`;
    } else {
      out += `,"size":${Number(schema.size)}`;
    }
    return `${out}${extras}}`;
  }

  private reference(name: string, namespace: string): string {
    if (PRIMITIVES.has(name) || name.includes('.')) return name;
    const qualified = qualify(name, namespace);
    // A short name not defined in the enclosing namespace may refer to one in the null namespace.
    return this.defined.has(qualified) || !this.defined.has(name) ? qualified : name;
  }

  private extras(schema: Record<string, unknown>): string {
    let out = '';
    for (const attribute of this.keep) {
      if (schema[attribute] !== undefined)
        out += `,${JSON.stringify(attribute)}:${JSON.stringify(schema[attribute])}`;
    }
    return out;
  }
}

function qualify(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

/** The empty fingerprint of CRC-64-AVRO, and the table of the specification's reference algorithm. */
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = (() => {
  const table = new BigUint64Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
    table[i] = BigInt.asUintN(64, fp);
  }
  return table;
})();

/** CRC-64-AVRO of `data` (a string is taken as its UTF-8 bytes), as an unsigned 64-bit bigint. */
export function fingerprint64(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fp = EMPTY;
  for (const byte of bytes) fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] as bigint);
  return fp;
}

/** The CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form. */
export function schemaFingerprint(schema: AvroSchema): bigint {
  return fingerprint64(canonicalForm(schema));
}

/** The 8 little-endian bytes of a fingerprint, as the single-object encoding carries it. */
export function fingerprintToBytes(fingerprint: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt.asUintN(64, fingerprint));
  return bytes;
}

/** A fingerprint as 16 hex digits of its unsigned value, most significant first (Java's Long.toHexString). */
export function fingerprintToHex(fingerprint: bigint): string {
  return BigInt.asUintN(64, fingerprint).toString(16).padStart(16, '0');
}

/** Reads `fingerprintToHex`'s form; a fingerprint given as a bigint passes through, made unsigned. */
export function fingerprintOf(value: bigint | string): bigint {
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  if (!/^[0-9a-fA-F]{1,16}$/.test(value)) {
    throw new CdcError(ErrorCode.INVALID_VALUE, `not a 64-bit hex fingerprint: ${JSON.stringify(value)}`, {
      facts: { value },
    });
  }
  return BigInt(`0x${value}`);
}

/** A writer schema as it is published: the full JSON, its canonical form and its fingerprint. */
export interface WriterSchema {
  schema: AvroSchema;
  /** The full schema (logical types and attributes included) as compact JSON: what the schemas topic carries. */
  json: string;
  canonicalForm: string;
  fingerprint: bigint;
}

export function writerSchema(schema: AvroSchema): WriterSchema {
  const form = canonicalForm(schema);
  return { schema, json: JSON.stringify(schema), canonicalForm: form, fingerprint: fingerprint64(form) };
}
