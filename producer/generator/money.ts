// Money of the workload in integer cents, never floats: order totals and decimal strings for numeric columns.
// Totals round half away from zero, as PostgreSQL's round(numeric, 2) does.

const FRACTIONS: readonly string[] = Array.from({ length: 100 }, (_, f) => (f < 10 ? '.0' : '.') + f);

/** `cents` (a non-negative safe integer) as a numeric(_, 2) string: 1250 -> "12.50", 5 -> "0.05". */
export function formatCents(cents: number): string {
  const fraction = cents % 100;
  return String((cents - fraction) / 100) + FRACTIONS[fraction]!;
}

/** round(quantity * unitPrice * (1 - discountPercent / 100), 2) in cents, computed exactly. */
export function orderTotalCents(quantity: number, unitPriceCents: number, discountPercent: number): number {
  // In ten-thousandths of a unit: cents times percent; exact while below 2^53.
  const tenThousandths = quantity * unitPriceCents * (100 - discountPercent) + 50;
  return (tenThousandths - (tenThousandths % 100)) / 100;
}
