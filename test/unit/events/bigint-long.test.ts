import avsc from 'avsc';
import { describe, expect, test } from 'vitest';
import { BIGINT_LONG } from '../../../core/events/bigint-long.ts';

const nativeLong = avsc.Type.forSchema('long');

function boundaries(): bigint[] {
  const values: bigint[] = [0n, 1n, -1n];
  for (let bits = 1; bits <= 63; bits++) {
    const power = 1n << BigInt(bits);
    for (const value of [power - 1n, power, power + 1n, -power, -power - 1n, -power + 1n]) {
      if (value >= -(1n << 63n) && value < 1n << 63n) values.push(value);
    }
  }
  return values;
}

describe('Avro long as bigint', () => {
  test("within 2^52 it writes the very bytes avsc's own long writes", () => {
    // Beyond 2^52 avsc's own long computes the zigzag value in floating point and is not exact.
    for (const value of boundaries().filter((v) => v >= -(2n ** 52n) && v <= 2n ** 52n)) {
      expect(BIGINT_LONG.toBuffer(value), String(value)).toEqual(nativeLong.toBuffer(Number(value)));
    }
  });

  test('every 64-bit boundary value round-trips exactly, -(2^63) and 2^63-1 included', () => {
    for (const value of boundaries()) {
      expect(BIGINT_LONG.fromBuffer(BIGINT_LONG.toBuffer(value)), String(value)).toBe(value);
    }
    expect(BIGINT_LONG.toBuffer(-(2n ** 63n)).toString('hex')).toBe('ffffffffffffffffff01');
    expect(BIGINT_LONG.toBuffer(2n ** 63n - 1n).toString('hex')).toBe('feffffffffffffffff01');
  });

  test('a value outside 64 bits or not a bigint is not a valid long', () => {
    expect(BIGINT_LONG.isValid(2n ** 63n)).toBe(false);
    expect(BIGINT_LONG.isValid(-(2n ** 63n) - 1n)).toBe(false);
    expect(BIGINT_LONG.isValid(5)).toBe(false);
  });
});
