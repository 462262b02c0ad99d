// The synthetic star-schema workload: a deterministic stream of row changes, in batches, for the
// generator source (Kafka publisher or PostgreSQL writer). Pure logic: no I/O, no clock, no Math.random.
//
//   history (2023-01-01 .. 2026-01-01)               live (from 2026-01-01 on)
//   products ─► customer sign-ups and checkouts,  ─► new checkouts mixed at random with `changes`
//               merged in time order; inserts only,   updates and deletes (CHANGE_MIX, live-changes.ts)
//               every order line 'pending'
//
// Checkouts (1-3 order lines of one customer, one transaction) reference existing customers and products,
// at the product's price of the moment. The live phase places one order line per four changes, taken from
// `orders`. Only a customer without orders (never ordered, or every order cancelled) is ever deleted, so
// no order is orphaned.

import { ChangeSink, type GeneratedChange } from './change-sink.ts';
import { HistoryPhase } from './history.ts';
import { LivePhase } from './live-changes.ts';
import { Random } from './random.ts';
import type { Phase, Simulation } from './simulation.ts';
import { StoreState } from './store-state.ts';
import { resolveWorkloadOptions, type WorkloadOptions } from './workload-options.ts';

export type { GeneratedChange } from './change-sink.ts';
export { CHANGE_MIX } from './live-changes.ts';
export { resolveWorkloadOptions, WORKLOAD_DEFAULTS, type WorkloadOptions } from './workload-options.ts';

/** Change events per new order line in the live phase: about one checkout line per four changes. */
const LIVE_CHANGES_PER_ORDER = 4;

/** How the order lines split between the history and the live phase. */
export function liveOrderCount(orders: number, changes: number): number {
  return Math.min(orders, Math.floor(changes / LIVE_CHANGES_PER_ORDER));
}

/**
 * The workload's changes in commit order, in batches of about `batchSize` changes that end on transaction
 * boundaries. Totals: `products` + `customers` + `orders` inserts and `changes` updates and deletes.
 */
export function* generateWorkload(options: WorkloadOptions): Generator<GeneratedChange[], void, undefined> {
  const o = resolveWorkloadOptions(options);
  const liveOrders = liveOrderCount(o.orders, o.changes);
  const sim: Simulation = {
    store: new StoreState(o),
    random: new Random(o.seed),
    sink: new ChangeSink(o.batchSize),
  };
  const phases: Phase[] = [
    new HistoryPhase(sim, { products: o.products, customers: o.customers, orders: o.orders - liveOrders }),
    new LivePhase(sim, { orders: liveOrders, changes: o.changes }),
  ];
  for (const phase of phases) {
    while (phase.fill()) yield sim.sink.take();
  }
  if (sim.sink.pending > 0) yield sim.sink.take();
}

/** The changes of a batched workload one by one (convenient; the batches are faster). */
export function* eachChange(batches: Iterable<readonly GeneratedChange[]>): Generator<GeneratedChange> {
  for (const batch of batches) yield* batch;
}
