// Which objects a partition's owner takes for late second copies, and for how long it looks.

import { expect, test } from 'vitest';
import {
  LATE_OBJECT_SWEEP_EVERY_MS,
  LATE_OBJECT_WINDOW_MS,
  LateObjectWatch,
} from '../../../consumer/late-objects.ts';

const object = (key: string, first: number, last: number) => ({
  key,
  first: BigInt(first),
  last: BigInt(last),
});

test('late: not its own, from the resume point on, within what it wrote', () => {
  const watch = new LateObjectWatch(100n);
  watch.wrote('own-100-199', 0);
  watch.wrote('own-200-249', 1);
  const listed = [
    object('own-100-199', 100, 199),
    object('late-100-150', 100, 150),
    object('own-200-249', 200, 249),
    object('late-120-249', 120, 249),
    object('past-240-260', 240, 260),
    object('before-99-120', 99, 120),
  ];
  expect(watch.late(listed, 250n)).toEqual(['late-100-150', 'late-120-249']);
  // Nothing written past 199 yet: an object reaching 249 is not known to be a copy.
  expect(watch.late(listed, 200n)).toEqual(['late-100-150']);
});

test('it looks every few seconds from the resume, until a while after its first object landed', () => {
  const watch = new LateObjectWatch(0n);
  expect(watch.due(LATE_OBJECT_SWEEP_EVERY_MS)).toBe(true);
  expect(watch.due(LATE_OBJECT_SWEEP_EVERY_MS + 1)).toBe(false);
  // No object of its own yet: S3 may still be hung, and what is stuck in it has not landed.
  expect(watch.due(LATE_OBJECT_WINDOW_MS * 10)).toBe(true);
  watch.wrote('first', LATE_OBJECT_WINDOW_MS * 10);
  expect(watch.watching(LATE_OBJECT_WINDOW_MS * 11 - 1)).toBe(true);
  expect(watch.due(LATE_OBJECT_WINDOW_MS * 11 - 1)).toBe(true);
  expect(watch.watching(LATE_OBJECT_WINDOW_MS * 11)).toBe(false);
  expect(watch.due(LATE_OBJECT_WINDOW_MS * 12)).toBe(false);
  // Keys written after the window are not kept.
  watch.wrote('later', LATE_OBJECT_WINDOW_MS * 12);
  expect(watch.late([object('later', 5, 6)], 10n)).toEqual(['later']);
});
