// The wait between attempts at a store that is away: 0.5 s, doubling, at most 30 s.

import { expect, test } from 'vitest';
import { retryDelayMs } from '../../../consumer/partition-writer.ts';

test('retries wait 0.5 s, doubling, at most 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(retryDelayMs)).toEqual([
    500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
  ]);
});
