import { describe, expect, test } from 'vitest';
import {
  bytesToUnscaled,
  decimalTextToUnscaled,
  decimalToUnscaled,
  unscaledToBytes,
  unscaledToDecimal,
} from '../../../core/events/decimal.ts';

describe('exact decimals', () => {
  test.each([
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '0080'],
    [255n, '00ff'],
    [-1n, 'ff'],
    [-128n, '80'],
    [-129n, 'ff7f'],
    [-(1n << 63n), '8000000000000000'],
  ])("%s is written as the shortest two's complement %s (what Java's BigInteger writes)", (unscaled, hex) => {
    expect(unscaledToBytes(unscaled).toString('hex')).toBe(hex);
    expect(bytesToUnscaled(Buffer.from(hex, 'hex'))).toBe(unscaled);
  });

  test("every byte length agrees with a reference two's complement, both signs, at the path boundaries", () => {
    const reference = (n: bigint): string => {
      let length = 1;
      while (n < -(1n << BigInt(length * 8 - 1)) || n >= 1n << BigInt(length * 8 - 1)) length++;
      return BigInt.asUintN(length * 8, n)
        .toString(16)
        .padStart(length * 2, '0');
    };
    const values: bigint[] = [];
    for (let bits = 0; bits <= 128; bits++) {
      const power = 1n << BigInt(bits);
      values.push(power - 1n, power, power + 1n, -power, -power - 1n, -power + 1n, power + power / 3n);
    }
    for (const value of values) {
      expect(unscaledToBytes(value).toString('hex'), String(value)).toBe(reference(value));
      expect(bytesToUnscaled(unscaledToBytes(value))).toBe(value);
    }
  });

  test('38-digit unscaled values survive bytes exactly, both signs', () => {
    for (const unscaled of [10n ** 38n - 1n, -(10n ** 38n - 1n), 1n << 96n, -(1n << 96n)]) {
      expect(bytesToUnscaled(unscaledToBytes(unscaled))).toBe(unscaled);
    }
  });

  test.each([
    ['-12345678.90', 10, 2, -1234567890n],
    ['0', 10, 2, 0n],
    ['-0.00', 10, 2, 0n],
    ['+1.5', 10, 2, 150n],
    ['.5', 10, 2, 50n],
    ['7.', 10, 2, 700n],
    ['1.2500', 10, 2, 125n],
    ['99999999.99', 10, 2, 9999999999n],
    ['00012.34', 4, 2, 1234n],
  ])('%s at numeric(%i,%i) is the unscaled integer %s', (text, precision, scale, unscaled) => {
    expect(decimalToUnscaled(text, precision, scale)).toBe(unscaled);
  });

  test.each([
    [-1234567890n, 2, '-12345678.90'],
    [0n, 2, '0.00'],
    [-5n, 3, '-0.005'],
    [42n, 0, '42'],
    [-(10n ** 38n - 1n), 0, '-99999999999999999999999999999999999999'],
  ])('unscaled %s at scale %i reads %s', (unscaled, scale, text) => {
    expect(unscaledToDecimal(unscaled, scale)).toBe(text);
  });

  test.each([
    ['1.234', 10, 2, /3 fractional digits, more than the scale 2/],
    ['123456789.00', 10, 2, /9 integer digits, more than the 8/],
    ['NaN', 10, 2, /not a decimal number/],
    ['Infinity', 10, 2, /not a decimal number/],
    ['1e5', 10, 2, /not a decimal number/],
    ['', 10, 2, /not a decimal number/],
    ['-', 10, 2, /not a decimal number/],
    ['1,5', 10, 2, /not a decimal number/],
  ])('%s is refused for numeric(%i,%i), never rounded', (text, precision, scale, message) => {
    expect(() => decimalToUnscaled(text, precision, scale, { table: 'public.t', column: 'c' })).toThrow(
      message,
    );
  });
});

test('decimalTextToUnscaled: numbers for the usual values, bigints beyond, refusals as decimalToUnscaled', () => {
  expect(decimalTextToUnscaled('-12.50', 2)).toBe(-1250);
  expect(decimalTextToUnscaled('0.00', 2)).toBe(0);
  expect(decimalTextToUnscaled('7', 0)).toBe(7);
  expect(decimalTextToUnscaled('1.5', 2)).toBe(150n);
  expect(decimalTextToUnscaled('99999999999999999999999999999999999999', 0)).toBe(10n ** 38n - 1n);
  expect(decimalTextToUnscaled('-0.00000000000000000000000000000000000001', 38)).toBe(-1n);
  expect(() => decimalTextToUnscaled('1e5', 0)).toThrow(/plain notation/);
  expect(() => decimalTextToUnscaled('1.234', 2)).toThrow();
  expect(() => decimalTextToUnscaled('NaN', 2)).toThrow();
});
