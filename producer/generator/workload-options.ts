// The options of the synthetic workload, their defaults and their checks.
// A wrong value is a CDC_CONFIG_INVALID error naming the option, the value and what was expected.

import { CdcError, ErrorCode } from '../../core/errors.ts';

export interface WorkloadOptions {
  /** Any safe integer; the same seed and counts give the same changes, in the same order. */
  seed: number;
  /** Customers created over the history (default 10,000). */
  customers?: number;
  /** Products in the catalogue (default 600). */
  products?: number;
  /** Order lines inserted in all (default 1,000,000). */
  orders?: number;
  /** Updates and deletes after the history (default 30% of `orders`). */
  changes?: number;
  /** Changes per yielded batch, rounded up to whole transactions (default 4,096). */
  batchSize?: number;
}

export type ResolvedWorkloadOptions = Required<WorkloadOptions>;

export const WORKLOAD_DEFAULTS = {
  customers: 10_000,
  products: 600,
  orders: 1_000_000,
  /** Changes per 100 orders when `changes` is not given. */
  changesPerHundredOrders: 30,
  batchSize: 4096,
} as const;

/** Ids are kept in 32-bit typed arrays. */
const MAX_COUNT = 2 ** 31 - 2;

function count(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > MAX_COUNT) {
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `workload option ${name} = ${value}: expected an integer from ${min} to ${MAX_COUNT}`,
      { facts: { option: name, value } },
    );
  }
  return value;
}

function defaultChanges(orders: number): number {
  return Math.floor((orders * WORKLOAD_DEFAULTS.changesPerHundredOrders) / 100);
}

export function resolveWorkloadOptions(options: WorkloadOptions): ResolvedWorkloadOptions {
  if (!Number.isSafeInteger(options.seed)) {
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `workload option seed = ${options.seed}: expected an integer`,
      {
        facts: { option: 'seed', value: options.seed },
      },
    );
  }
  const orders = count('orders', options.orders ?? WORKLOAD_DEFAULTS.orders, 0);
  return {
    seed: options.seed,
    customers: count('customers', options.customers ?? WORKLOAD_DEFAULTS.customers, 1),
    products: count('products', options.products ?? WORKLOAD_DEFAULTS.products, 1),
    orders,
    changes: count('changes', options.changes ?? defaultChanges(orders), 0),
    batchSize: count('batchSize', options.batchSize ?? WORKLOAD_DEFAULTS.batchSize, 1),
  };
}
