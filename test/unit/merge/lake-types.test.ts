import { expect, test } from 'vitest';
import { compareTypes, isKnownType } from '../../../merge/lake-types.ts';
import { parseDuration } from '../../../core/duration.ts';

test('type changes bronze follows, and the ones it refuses', () => {
  expect(compareTypes('BIGINT', 'BIGINT')).toBe('same');
  expect(compareTypes('INTEGER', 'BIGINT')).toBe('wider');
  expect(compareTypes('BIGINT', 'INTEGER')).toBe('narrower');
  expect(compareTypes('FLOAT', 'DOUBLE')).toBe('wider');
  expect(compareTypes('DECIMAL(10,2)', 'DECIMAL(12,2)')).toBe('wider');
  expect(compareTypes('DECIMAL(10,2)', 'DECIMAL(12,4)')).toBe('wider');
  expect(compareTypes('DECIMAL(10,2)', 'DECIMAL(10,3)')).toBe('incompatible');
  expect(compareTypes('BIGINT', 'VARCHAR')).toBe('incompatible');
  expect(compareTypes('TIMESTAMP', 'TIMESTAMP WITH TIME ZONE')).toBe('incompatible');
  expect(isKnownType('DECIMAL(38,0)')).toBe(true);
  expect(isKnownType('VARCHAR); DROP TABLE x; --')).toBe(false);
  expect(isKnownType('STRUCT(a INTEGER)')).toBe(false);
});

test('durations', () => {
  expect(parseDuration('500ms', 'x')).toBe(500);
  expect(parseDuration('30s', 'x')).toBe(30_000);
  expect(parseDuration('1.5h', 'x')).toBe(5_400_000);
  expect(parseDuration('7d', 'x')).toBe(604_800_000);
  expect(() => parseDuration('10', '--every')).toThrow(/--every "10": expected a duration/);
  expect(() => parseDuration('0s', '--every')).toThrow(/expected a duration/);
});
