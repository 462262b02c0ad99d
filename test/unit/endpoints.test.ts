import { describe, expect, test } from 'vitest';
import { parseExports } from '../support/endpoints.ts';

describe('services env output', () => {
  test('export lines round-trip, quotes included', () => {
    expect(parseExports(`export A='1' PG_URL='postgres://u:p@h:5/d' Q='it'\\''s'\n`)).toEqual({
      A: '1',
      PG_URL: 'postgres://u:p@h:5/d',
      Q: "it's",
    });
  });
});
