// A record of a writer schema not known yet: decoded once known, a dead letter only after a complete read of
// the schemas topic that still lacks it once the record has waited; never while the topic cannot be read.

import { expect, test } from 'vitest';
import { schemaVerdict } from '../../../consumer/avro-change.ts';

test('known schemas decode; a missing one is dead only after a good read past the wait', () => {
  expect(schemaVerdict(true, false, 0, 20_000)).toBe('decode');
  expect(schemaVerdict(true, true, 99_000, 20_000)).toBe('decode');
  expect(schemaVerdict(false, true, 19_999, 20_000)).toBe('wait');
  expect(schemaVerdict(false, true, 20_000, 20_000)).toBe('dead');
  // The schemas topic unreadable (a broker restarting): however long the record has waited, it waits on.
  expect(schemaVerdict(false, false, 600_000, 20_000)).toBe('wait');
  // A schema already waited for in vain: one good read decides at once.
  expect(schemaVerdict(false, true, 0, 0)).toBe('dead');
  expect(schemaVerdict(false, false, 0, 0)).toBe('wait');
});
