// Avro single-object encoding (Avro specification): 0xC3 0x01, the writer schema's CRC-64-AVRO fingerprint
// as 8 little-endian bytes, then the binary body. A reader finds the writer schema from the fingerprint.

import type avsc from 'avsc';
import { CdcError, ErrorCode } from '../errors.ts';
import type { AvroSchema } from './avro-schema.ts';
import { avroType } from './avsc-types.ts';
import { fingerprintToBytes, schemaFingerprint } from './fingerprint.ts';

export const SINGLE_OBJECT_MAGIC: Readonly<Buffer> = Buffer.from([0xc3, 0x01]);
/** Magic and fingerprint: the body starts here. */
export const SINGLE_OBJECT_HEADER_LENGTH = 10;

/** True when `bytes` starts with the single-object magic (Debezium's JSON starts with `{`). */
export function isSingleObject(bytes: Uint8Array): boolean {
  return bytes.length >= SINGLE_OBJECT_HEADER_LENGTH && bytes[0] === 0xc3 && bytes[1] === 0x01;
}

/** The writer schema's fingerprint of a single-object encoded message; CDC_DECODE when it is not one. */
export function readFingerprint(bytes: Buffer): bigint {
  if (bytes.length < SINGLE_OBJECT_HEADER_LENGTH) {
    throw new CdcError(
      ErrorCode.DECODE,
      `not an Avro single-object message: ${bytes.length} bytes, fewer than the ${SINGLE_OBJECT_HEADER_LENGTH}-byte header`,
      { facts: { length: bytes.length } },
    );
  }
  if (bytes[0] !== 0xc3 || bytes[1] !== 0x01) {
    throw new CdcError(
      ErrorCode.DECODE,
      `not an Avro single-object message: starts with 0x${bytes.subarray(0, 2).toString('hex')}, not 0xc301`,
      { facts: { length: bytes.length, head: bytes.subarray(0, 16).toString('hex') } },
    );
  }
  return bytes.readBigUInt64LE(2);
}

/**
 * True when the message is single-object encoded with the fingerprint whose little-endian 32-bit halves are
 * `low` and `high`: a check for the fingerprint seen last, without making a bigint.
 */
export function sameFingerprint(bytes: Buffer, low: number, high: number): boolean {
  return isSingleObject(bytes) && bytes.readUInt32LE(2) === low && bytes.readUInt32LE(6) === high;
}

/** Encodes values of one writer type; reuses one scratch buffer, so each message costs one copy. */
export class SingleObjectEncoder {
  readonly fingerprint: bigint;
  private readonly type: avsc.Type;
  private scratch: Buffer;

  constructor(type: avsc.Type, fingerprint: bigint) {
    this.type = type;
    this.fingerprint = fingerprint;
    this.scratch = Buffer.alloc(1024);
    SINGLE_OBJECT_MAGIC.copy(this.scratch, 0);
    fingerprintToBytes(fingerprint).copy(this.scratch, 2);
  }

  encode(value: unknown): Buffer {
    for (;;) {
      // avsc returns the end offset, or minus the number of bytes missing when the buffer is too small.
      const end = this.type.encode(value, this.scratch, SINGLE_OBJECT_HEADER_LENGTH);
      if (end >= 0) {
        const message = Buffer.allocUnsafe(end);
        this.scratch.copy(message, 0, 0, end);
        return message;
      }
      const larger = Buffer.alloc(Math.max(this.scratch.length * 2, this.scratch.length - end));
      this.scratch.copy(larger, 0, 0, SINGLE_OBJECT_HEADER_LENGTH);
      this.scratch = larger;
    }
  }
}

const encoders = new WeakMap<object, SingleObjectEncoder>();

/**
 * Single-object encoding of `value` written with `schema`, in cdclake's value conventions (longs as
 * bigint, decimals as text). The encoder of a schema object is kept while the object lives.
 */
export function encodeSingleObject(schema: AvroSchema, value: unknown): Buffer {
  const key = typeof schema === 'object' ? schema : undefined;
  let encoder = key === undefined ? undefined : encoders.get(key);
  if (encoder === undefined) {
    encoder = new SingleObjectEncoder(avroType(schema), schemaFingerprint(schema));
    if (key !== undefined) encoders.set(key, encoder);
  }
  return encoder.encode(value);
}
