import { describe, expect, test } from 'vitest';
import { formatCents, orderTotalCents } from '../../../producer/generator/money.ts';

/** round(q * price * (1 - d/100), 2), half away from zero, in bigint. */
function referenceTotalCents(quantity: number, priceCents: number, discountPercent: number): bigint {
  const tenThousandths = BigInt(quantity) * BigInt(priceCents) * BigInt(100 - discountPercent);
  return (tenThousandths + 50n) / 100n;
}

describe('money', () => {
  test('cents format as plain decimals with two places', () => {
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(1250)).toBe('12.50');
    expect(formatCents(9_999_999_999)).toBe('99999999.99');
  });

  test('order totals round half away from zero, exactly', () => {
    // 3 x 0.15 x 0.95 = 0.4275 -> 0.43; 1 x 0.10 x 0.95 = 0.095 -> 0.10 (a half goes up, as in PostgreSQL)
    expect(orderTotalCents(3, 15, 5)).toBe(43);
    expect(orderTotalCents(1, 10, 5)).toBe(10);
    expect(orderTotalCents(2, 1999, 0)).toBe(3998);
    for (let quantity = 1; quantity <= 5; quantity++) {
      for (const discount of [0, 5, 10, 15, 20]) {
        for (let cents = 1; cents < 3000; cents += 7) {
          expect(BigInt(orderTotalCents(quantity, cents, discount))).toBe(
            referenceTotalCents(quantity, cents, discount),
          );
        }
      }
    }
  });
});
