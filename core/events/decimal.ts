// Exact decimals: numeric text ("-12.50") <-> unscaled integer <-> Avro decimal bytes (two's complement,
// big-endian). Never through a float; a value that does not fit decimal(p,s) is refused, never rounded.

import { CdcError, ErrorCode } from '../errors.ts';

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Where a value came from, so an error names the table and the column. */
export interface ValueContext {
  table: string;
  column: string;
}

/**
 * The unscaled integer of `text` at `scale` (text * 10^scale), exactly. Accepts plain decimal notation
 * with an optional sign; fractional digits beyond the scale are accepted only when they are zeros, since
 * only then is the value exact at that scale. Refuses NaN, infinities, exponents and too many digits.
 */
export function decimalToUnscaled(
  text: string,
  precision: number,
  scale: number,
  context?: ValueContext,
): bigint {
  const { negative, digits } = parseDecimal(text, precision, scale, context);
  const unscaled = digits === '' ? 0n : BigInt(digits);
  return negative ? -unscaled : unscaled;
}

/** decimalToUnscaled then unscaledToBytes; the usual values (up to 14 digits) skip bigint altogether. */
export function decimalToBytes(
  text: string,
  precision: number,
  scale: number,
  context?: ValueContext,
): Buffer {
  const { negative, digits } = parseDecimal(text, precision, scale, context);
  if (digits.length <= 14) return smallToBytes(negative ? -Number(digits) : Number(digits));
  return unscaledToBytes(negative ? -BigInt(digits) : BigInt(digits));
}

/** The sign and the unscaled digits (no leading zeros) of a decimal that fits decimal(precision, scale). */
function parseDecimal(
  text: string,
  precision: number,
  scale: number,
  context: ValueContext | undefined,
): { negative: boolean; digits: string } {
  const match = typeof text === 'string' ? DECIMAL_TEXT.exec(text) : null;
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (match === null || whole.length + fraction.length === 0) {
    throw decimalError(text, precision, scale, 'is not a decimal number in plain notation', context);
  }
  let kept = fraction;
  if (fraction.length > scale) {
    if (!/^0*$/.test(fraction.slice(scale))) {
      throw decimalError(
        text,
        precision,
        scale,
        `has ${fraction.replace(/0+$/, '').length} fractional digits, more than the scale ${scale}`,
        context,
      );
    }
    kept = fraction.slice(0, scale);
  }
  const digits = `${whole}${kept.padEnd(scale, '0')}`.replace(/^0+/, '');
  if (digits.length > precision) {
    throw decimalError(
      text,
      precision,
      scale,
      `has ${digits.length - scale} integer digits, more than the ${precision - scale} that precision ${precision} leaves`,
      context,
    );
  }
  return { negative: match[1] === '-', digits };
}

function decimalError(
  value: unknown,
  precision: number,
  scale: number,
  problem: string,
  context: ValueContext | undefined,
): CdcError {
  const where = context === undefined ? '' : `table ${context.table} column ${context.column}: `;
  return new CdcError(
    ErrorCode.INVALID_VALUE,
    `${where}value ${JSON.stringify(String(value))} ${problem} of numeric(${precision},${scale})`,
    { facts: { ...context, value: String(value), type: `numeric(${precision},${scale})` } },
  );
}

const PLAIN_DIGITS = /^-?\d{1,15}$/;

/**
 * The unscaled integer of decimal text at `scale`, as a number when it is small (the usual values) and a
 * bigint otherwise; text that is not a plain decimal of at most 38 digits is refused as decimalToUnscaled
 * refuses it.
 */
export function decimalTextToUnscaled(text: string, scale: number): number | bigint {
  const dot = text.indexOf('.');
  if ((dot < 0 ? 0 : text.length - dot - 1) === scale) {
    const digits = dot < 0 ? text : text.slice(0, dot) + text.slice(dot + 1);
    if (PLAIN_DIGITS.test(digits)) return Number(digits);
  }
  return decimalToUnscaled(text, 38, scale);
}

/** Plain decimal text of an unscaled integer, with exactly `scale` fractional digits ("-0.50"). */
export function unscaledToDecimal(unscaled: bigint | number, scale: number): string {
  const negative = unscaled < 0;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Below 2^47 a JS number is exact and Buffer.writeIntBE writes it (up to 6 bytes), without bigint work. */
const SMALL = 2 ** 47;
/** Below 2^79 two numbers hold the value (a position: LSN * 2^32 + index), cheaper than text conversion. */
const MEDIUM = 1n << 79n;
const MEDIUM_SCRATCH = Buffer.alloc(10);

/** The shortest two's-complement big-endian bytes of `unscaled` (what Java's BigInteger.toByteArray gives). */
export function unscaledToBytes(unscaled: bigint): Buffer {
  if (unscaled > -SMALL && unscaled < SMALL) return smallToBytes(Number(unscaled));
  // ~n is -n-1: a negative number's bytes are the inverted bytes of its complement, which has the same length.
  const negative = unscaled < 0n;
  const complement = negative ? ~unscaled : unscaled;
  let bytes: Buffer;
  if (complement < MEDIUM) {
    const high = Number(complement >> 32n);
    const bits = high > 0 ? 32 + bitLength(high) : bitLength(Number(complement));
    MEDIUM_SCRATCH.writeUIntBE(high, 0, 6);
    MEDIUM_SCRATCH.writeUInt32BE(Number(complement & 0xffffffffn), 6);
    bytes = Buffer.allocUnsafe((bits >> 3) + 1);
    MEDIUM_SCRATCH.copy(bytes, 0, 10 - bytes.length);
  } else {
    const hex = complement.toString(16);
    const bits = (hex.length - 1) * 4 + bitLength(parseInt(hex[0] as string, 16));
    bytes = Buffer.from(hex.padStart(((bits >> 3) + 1) * 2, '0'), 'hex');
  }
  if (negative) for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
  return bytes;
}

/** Bits of a non-negative integer number below 2^53. */
function bitLength(n: number): number {
  return n < 2 ** 32 ? 32 - Math.clz32(n) : 64 - Math.clz32(Math.floor(n / 2 ** 32));
}

function smallToBytes(n: number): Buffer {
  let length = 1;
  while (n < -(2 ** (length * 8 - 1)) || n >= 2 ** (length * 8 - 1)) length++;
  const bytes = Buffer.allocUnsafe(length);
  bytes.writeIntBE(n, 0, length);
  return bytes;
}

/** The signed integer of two's-complement big-endian bytes; no bytes is zero. */
export function bytesToUnscaled(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const value = BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
  return (bytes[0] as number) & 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value;
}

/** bytesToUnscaled then unscaledToDecimal; up to 6 bytes (the usual values) without bigint. */
export function bytesToDecimal(bytes: Buffer, scale: number): string {
  if (bytes.length > 0 && bytes.length <= 6)
    return unscaledToDecimal(bytes.readIntBE(0, bytes.length), scale);
  return unscaledToDecimal(bytesToUnscaled(bytes), scale);
}

/** Decimal text at scale `from` written at the larger scale `to`: zeros appended, exactly. */
export function widenScale(text: string, from: number, to: number): string {
  if (to === from) return text;
  const zeros = '0'.repeat(to - from);
  return from === 0 ? `${text}.${zeros}` : `${text}${zeros}`;
}
