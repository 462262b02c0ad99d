// When the demo's pipeline has caught up with its source, stage by stage, and what it still waits for:
//
//   generating ──► producer ──► consumer ──► merge ──► bronze = source ──► caught up
//
// The producer has caught up when the slot's confirmed position passed the WAL position taken after the
// generator ended; its event count is then final, and the consumer (events read, lag 0) and the merge (raw
// rows merged) must reach it. Last, a lake read begun after that must show nothing left to merge and
// every bronze table with as many live rows as its source table.

import type { LakeSnapshot } from './lake-probe.ts';

export const CatchUp = {
  generating: 'generating',
  producer: 'producer catching up',
  consumer: 'consumer catching up',
  merge: 'merge catching up',
  bronze: 'checking bronze against the source',
  done: 'caught up',
} as const;
export type CatchUp = (typeof CatchUp)[keyof typeof CatchUp];

export interface CatchUpFacts {
  generatorDone: boolean;
  slotCaughtUp: boolean;
  producerEvents: number | undefined;
  consumerEvents: number | undefined;
  consumerLag: number | undefined;
  mergedRawRows: number | undefined;
}

/** How far the counters say the pipeline is; `bronze` means the lake's tables are left to check. */
export function countersCatchUp(f: CatchUpFacts): CatchUp {
  if (!f.generatorDone) return CatchUp.generating;
  if (!f.slotCaughtUp || f.producerEvents === undefined) return CatchUp.producer;
  if (f.consumerEvents === undefined || f.consumerEvents < f.producerEvents || f.consumerLag !== 0)
    return CatchUp.consumer;
  if (f.mergedRawRows === undefined || f.mergedRawRows < f.producerEvents) return CatchUp.merge;
  return CatchUp.bronze;
}

/** Nothing left to merge, and every source table's row count equals its bronze table's live rows. */
export function bronzeMatchesSource(lake: LakeSnapshot, sourceRows: Map<string, number>): boolean {
  if (lake.behind !== 0) return false;
  for (const [table, rows] of sourceRows) {
    if (lake.tables.find((t) => t.table === table)?.live_rows !== rows) return false;
  }
  return true;
}

/**
 * Done: a lake read begun after the counters caught up (at `countersDoneAt`) shows bronze equal to the
 * source. A read begun earlier may predate the merge pass the counters counted.
 */
export function lakeCaughtUp(check: {
  lake: LakeSnapshot | undefined;
  readBegunAt: number;
  countersDoneAt: number;
  sourceRows: Map<string, number>;
}): boolean {
  const { lake, readBegunAt, countersDoneAt, sourceRows } = check;
  return lake !== undefined && readBegunAt > countersDoneAt && bronzeMatchesSource(lake, sourceRows);
}
