// When a batch is written: size, age, the timer's choice, memory pressure, and what counts as idle.

import { expect, test } from 'vitest';
import { allWritten, FlushPolicy, pendingWork } from '../../../consumer/flush-policy.ts';
import { PartitionPhase, PartitionState } from '../../../consumer/partition-state.ts';
import type { RawBatch } from '../../../consumer/raw-batch.ts';

const policy = new FlushPolicy({ rows: 100, bytes: 1000, ageMs: 1000, memoryBytes: 5000 });

function partition(
  name: string,
  open: { rows: number; bytes: number } | undefined,
  extra: Partial<PartitionState> = {},
): PartitionState {
  const state = new PartitionState(name, 0, Promise.resolve());
  state.phase = PartitionPhase.ready;
  state.batch =
    open === undefined ? undefined : ({ ...open, discard: () => undefined } as unknown as RawBatch);
  state.batchCreatedAt = 10_000;
  return Object.assign(state, extra);
}

test('a batch at its rows or bytes limit is full', () => {
  expect(policy.full({ rows: 99, bytes: 999 })).toBe(false);
  expect(policy.full({ rows: 100, bytes: 0 })).toBe(true);
  expect(policy.full({ rows: 1, bytes: 1000 })).toBe(true);
});

test('a batch is aged once it is as old as the age limit; nothing open is never aged', () => {
  expect(policy.aged(partition('a', { rows: 1, bytes: 1 }), 10_999)).toBe(false);
  expect(policy.aged(partition('a', { rows: 1, bytes: 1 }), 11_000)).toBe(true);
  expect(policy.aged(partition('a', undefined), 99_000)).toBe(false);
});

test('the timer writes old batches, and with --until-idle those read to the end, never a busy or writing one', () => {
  const old = partition('old', { rows: 1, bytes: 1 });
  const young = partition('young', { rows: 1, bytes: 1 }, { batchCreatedAt: 10_800, highWatermark: 5n });
  const busy = partition('busy', { rows: 1, bytes: 1 }, { busy: true });
  const writing = partition('writing', { rows: 1, bytes: 1 }, { writing: Promise.resolve() });
  const atEnd = partition(
    'atEnd',
    { rows: 1, bytes: 1 },
    { batchCreatedAt: 10_900, consumed: 5n, highWatermark: 5n },
  );
  const all = [old, young, busy, writing, atEnd];
  const steady = policy.due(all, 11_000, false);
  expect(steady.due.map((s) => s.topic)).toEqual(['old']);
  expect(steady.oldestMs).toBe(1000);
  expect(policy.due(all, 11_000, true).due.map((s) => s.topic)).toEqual(['old', 'atEnd']);
});

test('memory pressure picks the largest batch that may be written now, and only past the limit', () => {
  const small = partition('small', { rows: 1, bytes: 1000 });
  const large = partition('large', { rows: 1, bytes: 3000 });
  const busyLargest = partition('busy', { rows: 1, bytes: 4000 }, { busy: true });
  expect(policy.memoryVictim([small, large])).toBeUndefined(); // 4000 <= 5000
  expect(policy.memoryVictim([small, large, busyLargest])).toBe(large);
  // The handler asking may write its own batch even while busy.
  expect(policy.memoryVictim([small, large, busyLargest], busyLargest)).toBe(busyLargest);
  const gone = partition('gone', { rows: 1, bytes: 9000 }, { phase: PartitionPhase.gone });
  expect(policy.memoryVictim([small, gone])).toBeUndefined();
});

test('idle means every partition ready, read to its end and written; health names what waits', () => {
  const done = partition('done', undefined, { consumed: 10n, highWatermark: 10n });
  expect(allWritten([done])).toBe(true);
  expect(pendingWork([done])).toBeUndefined();
  const behind = partition('behind', undefined, { consumed: 4n, highWatermark: 10n });
  const open = partition('open', { rows: 1, bytes: 1 }, { consumed: 3n, highWatermark: 3n });
  expect(allWritten([done, behind])).toBe(false);
  expect(allWritten([done, open])).toBe(false);
  expect(allWritten([partition('assigned', undefined, { phase: PartitionPhase.assigned })])).toBe(false);
  expect(pendingWork([done, behind, open])).toBe(
    '1 batch(es) not yet written to S3 and 6 records not yet read',
  );
});
