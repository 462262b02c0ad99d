// Small workloads and helpers shared by the generator tests.

import { createHash } from 'node:crypto';
import type { GeneratedChange, WorkloadOptions } from '../../../producer/generator/workload.ts';
import { eachChange, generateWorkload } from '../../../producer/generator/workload.ts';

/** Big enough to reach every kind of change, small enough for a unit test. */
export const SMALL: WorkloadOptions = {
  seed: 7,
  customers: 300,
  products: 40,
  orders: 6000,
  changes: 4000,
  batchSize: 500,
};

/** Many customers for few orders, so some never order and may be deleted. */
export const FEW_ORDERS: WorkloadOptions = {
  seed: 11,
  customers: 2000,
  products: 20,
  orders: 1500,
  changes: 3000,
};

export const changesOf = (options: WorkloadOptions): GeneratedChange[] => [
  ...eachChange(generateWorkload(options)),
];

const jsonValue = (_: string, value: unknown): unknown => (typeof value === 'bigint' ? `${value}n` : value);

/** A digest of the changes, their order, rows (with value types) and numbering. */
export function digest(changes: Iterable<GeneratedChange>): string {
  const hash = createHash('sha256');
  for (const c of changes) {
    hash.update(`${c.pos}|${c.txId}|${c.table.name}|${c.op}|`);
    hash.update(`${JSON.stringify(c.before, jsonValue)}|${JSON.stringify(c.after, jsonValue)}\n`);
  }
  return hash.digest('hex');
}
