import { describe, expect, test } from 'vitest';
import { chooseServices, parseExports } from '../support/endpoints.ts';

describe('services env output', () => {
  test('export lines round-trip, quotes included', () => {
    expect(parseExports(`export A='1' PG_URL='postgres://u:p@h:5/d' Q='it'\\''s'\n`)).toEqual({
      A: '1',
      PG_URL: 'postgres://u:p@h:5/d',
      Q: "it's",
    });
  });
});

describe('which services the tests use: environment, then testcontainers, then native', () => {
  const all = { KAFKA_BROKERS: 'k:9092', S3_ENDPOINT: 'http://s:9000', PG_URL: 'postgres://p/d' };
  const engine = (answers: boolean) => {
    const asked = { count: 0 };
    return { asked, answers: async () => (asked.count++, answers) };
  };

  test('the environment decides when it names all three, and the engine is not asked', async () => {
    const e = engine(true);
    expect(await chooseServices(all, e.answers)).toBe('environment');
    expect(e.asked.count).toBe(0);
  });

  test('testcontainers when an engine answers and the environment names fewer than three', async () => {
    expect(await chooseServices({ KAFKA_BROKERS: 'k:9092' }, engine(true).answers)).toBe('testcontainers');
    expect(await chooseServices({ ...all, PG_URL: '' }, engine(true).answers)).toBe('testcontainers');
  });

  test('native when no engine answers, or when CDCLAKE_TESTS_NATIVE=1 (the engine then not asked)', async () => {
    expect(await chooseServices({}, engine(false).answers)).toBe('native');
    const e = engine(true);
    expect(await chooseServices({ CDCLAKE_TESTS_NATIVE: '1' }, e.answers)).toBe('native');
    expect(e.asked.count).toBe(0);
  });
});
