// What the workload's phases share: the store's state, the random source, the change sink and the clock
// anchor, and the shape of a phase (emit transactions until the batch is full or the phase is over).

import type { ChangeSink } from './change-sink.ts';
import type { Random } from './random.ts';
import type { StoreState } from './store-state.ts';

/** The end of the history and the start of the live changes: 2026-01-01T00:00:00Z, fixed for determinism. */
export const ANCHOR_MS = Date.UTC(2026, 0, 1);
/** The history covers the three calendar years before the anchor. */
export const HISTORY_START_MS = Date.UTC(2023, 0, 1);

export interface Simulation {
  store: StoreState;
  random: Random;
  sink: ChangeSink;
}

export interface Phase {
  /** Emits whole transactions until the sink is full (true: more to come) or the phase is over (false). */
  fill(): boolean;
}
