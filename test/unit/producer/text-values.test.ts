import { describe, expect, test } from 'vitest';
import { timestampToMicros } from '../../../producer/postgres/text-values.ts';

/** The reference: every step in bigint. */
function reference(text: string): bigint {
  const m =
    /^(-?\d+)-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/.exec(
      text,
    ) as RegExpExecArray;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC maps years 0-99 to 1900-1999: set the year again.
  const day = new Date(ms);
  day.setUTCFullYear(Number(m[1]));
  const days = BigInt(Math.round(day.getTime() / 86_400_000));
  let micros =
    days * 86_400_000_000n +
    BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6])) * 1_000_000n +
    BigInt((m[7] ?? '').padEnd(6, '0'));
  if (m[8] !== undefined)
    micros -=
      (m[8] === '+' ? 1n : -1n) *
      BigInt(Number(m[9]) * 3600 + Number(m[10] ?? '0') * 60 + Number(m[11] ?? '0')) *
      1_000_000n;
  return micros;
}

describe('timestampToMicros (PostgreSQL text timestamps)', () => {
  test('exact microseconds near the epoch, far from it, with fractions and offsets', () => {
    const texts = [
      '1970-01-01 00:00:00',
      '1970-01-01 00:00:00+00',
      '1969-12-31 23:59:59.5',
      '1969-12-31 23:59:59.999999+00',
      '2026-12-01 05:28:33.949+00',
      '2026-12-01T05:28:33.000001-05:30',
      '2026-12-01 05:28:33.1+05:45:30',
      '0001-01-01 00:00:00+00',
      '1677-09-21 00:12:43.145224+00',
      '2255-06-05 23:47:34.740991+00',
      // Past 285 years from 1970 the microseconds leave a double's exact integers: the bigint path.
      '9999-12-31 23:59:59.999999+00',
      '9999-12-31 23:59:59.999999-14',
      '0001-01-01 00:00:00.000001+14',
    ];
    for (const text of texts) expect(timestampToMicros(text), text).toBe(reference(text));
    expect(timestampToMicros('1970-01-01 00:00:01.5+00')).toBe(1_500_000n);
    expect(timestampToMicros('1970-01-01 01:00:00+01')).toBe(0n);
  });

  test('random instants over ten thousand years agree with the bigint reference', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pad = (n: number, width: number): string => String(n).padStart(width, '0');
    for (let i = 0; i < 5000; i++) {
      const fraction = next(3) === 0 ? '' : `.${pad(next(1_000_000), 6).slice(0, 1 + next(6))}`;
      const offset =
        next(2) === 0 ? '' : `${next(2) === 0 ? '+' : '-'}${pad(next(15), 2)}:${pad(next(60), 2)}`;
      const text =
        `${pad(1 + next(9999), 4)}-${pad(1 + next(12), 2)}-${pad(1 + next(28), 2)} ` +
        `${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}${fraction}${offset}`;
      expect(timestampToMicros(text), text).toBe(reference(text));
    }
  });
});
