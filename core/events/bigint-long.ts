// Avro's long as an exact JavaScript bigint, for avsc: its own long stops at 2^53 and refuses the rest.
// Writes the zigzag varint itself, with number arithmetic for the usual magnitudes (timestamps, ids, LSNs).

import avsc from 'avsc';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
/** Up to 2^52 the zigzag value (2|n| at most) stays below 2^53, where numbers are exact. */
const NUMBER_SAFE = 2n ** 52n;

/** avsc copies what toBuffer returns into the message at once, so one buffer per length serves every write. */
const BY_LENGTH = Array.from({ length: 11 }, (_, length) => Buffer.alloc(length));
const WORK = BY_LENGTH[10] as Buffer;

function toVarint(value: bigint): Buffer {
  if (value >= -NUMBER_SAFE && value <= NUMBER_SAFE) {
    const n = Number(value);
    let zigzag = n >= 0 ? n * 2 : -n * 2 - 1;
    let length = 1;
    for (let limit = 0x80; zigzag >= limit; limit *= 0x80) length++;
    const out = BY_LENGTH[length] as Buffer;
    for (let i = 0; i < length - 1; i++) {
      out[i] = (zigzag % 0x80) | 0x80;
      zigzag = Math.floor(zigzag / 0x80);
    }
    out[length - 1] = zigzag;
    return out;
  }
  let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let length = 0;
  while (zigzag >= 0x80n) {
    WORK[length++] = Number(zigzag & 0x7fn) | 0x80;
    zigzag >>= 7n;
  }
  WORK[length++] = Number(zigzag);
  const out = BY_LENGTH[length] as Buffer;
  if (out !== WORK) WORK.copy(out, 0, 0, length);
  return out;
}

function fromVarint(bytes: Buffer): bigint {
  if (bytes.length <= 7) {
    // 49 bits at most: exact in a number.
    let zigzag = 0;
    let scale = 1;
    for (const byte of bytes) {
      zigzag += (byte & 0x7f) * scale;
      scale *= 0x80;
    }
    return BigInt(zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
  }
  let zigzag = 0n;
  let shift = 0n;
  for (const byte of bytes) {
    zigzag |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  }
  zigzag = BigInt.asUintN(64, zigzag);
  return (zigzag >> 1n) ^ -(zigzag & 1n);
}

/** The long type every cdclake avsc type uses, for plain longs and long-based logical types alike. */
export const BIGINT_LONG = avsc.types.LongType.__with(
  {
    fromBuffer: fromVarint,
    toBuffer: toVarint,
    // JSON forms appear in schema defaults and avsc's toString; text keeps them exact.
    fromJSON: (value: number | string | bigint): bigint => BigInt(value),
    toJSON: (value: bigint): string => value.toString(),
    isValid: (value: unknown): boolean =>
      typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX,
    compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
  },
  // Hand over the raw zigzag varint bytes, not avsc's unpacked 8 bytes: cheaper both ways.
  true,
);
