import { describe, expect, test } from 'vitest';
import { chaosSchedule, FAULT_KINDS } from '../../chaos/schedule.ts';

describe('chaosSchedule', () => {
  test('the same seed gives the same schedule; another seed another one', () => {
    expect(chaosSchedule(7, 600)).toEqual(chaosSchedule(7, 600));
    expect(chaosSchedule(7, 600)).not.toEqual(chaosSchedule(8, 600));
  });

  test.each([1, 2, 3, 42, 1234])(
    'seed %i: every kind at least once, none overlapping, kills of parts outside up',
    (seed) => {
      const faults = chaosSchedule(seed, 600);
      for (const kind of FAULT_KINDS) expect(faults.some((f) => f.kind === kind)).toBe(true);
      for (let i = 1; i < faults.length; i++) {
        const before = faults[i - 1] as (typeof faults)[number];
        expect((faults[i] as (typeof faults)[number]).at).toBeGreaterThanOrEqual(before.at + before.seconds);
      }
      const enter = faults.find((f) => f.kind === 'enter-up')?.at ?? 0;
      const leave = faults.find((f) => f.kind === 'kill-up')?.at ?? 0;
      for (const f of faults.filter((f) => f.kind === 'kill-producer' || f.kind === 'kill-consumer'))
        expect(f.at + f.seconds < enter || f.at > leave).toBe(true);
      expect(Math.max(...faults.map((f) => f.at + f.seconds))).toBeLessThanOrEqual(600 * 0.85);
    },
  );

  test('a run too short for the faults asked for is refused, not shortened silently', () => {
    expect(() => chaosSchedule(1, 60)).toThrow(/no room for a hang-minio fault/);
  });
});
