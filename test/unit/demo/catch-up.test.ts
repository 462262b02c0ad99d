import { describe, expect, test } from 'vitest';
import type { TableStatus } from '../../../merge/status.ts';
import {
  bronzeMatchesSource,
  CatchUp,
  type CatchUpFacts,
  countersCatchUp,
  lakeCaughtUp,
} from '../../../scripts/demo/catch-up.ts';
import type { LakeSnapshot } from '../../../scripts/demo/lake-probe.ts';
import { tableStatus } from '../../support/table-status.ts';

/** Every counter caught up: 10,000 events produced, read and merged. */
const caughtUp: CatchUpFacts = {
  generatorDone: true,
  slotCaughtUp: true,
  producerEvents: 10_000,
  consumerEvents: 10_000,
  consumerLag: 0,
  mergedRawRows: 10_000,
};

const table = (name: string, liveRows: number | null, behind = 0): TableStatus =>
  tableStatus(name, liveRows, { behind });

function snapshot(tables: TableStatus[]): LakeSnapshot {
  return {
    tables,
    rows: { bronze: 0, silver: 0, gold: 0 },
    behind: tables.reduce((n, t) => n + t.behind, 0),
    at: 0,
  };
}

const source = new Map([
  ['customers', 500],
  ['products', 80],
  ['orders', 9000],
]);
const matching = () => snapshot([table('customers', 500), table('orders', 9000), table('products', 80)]);

describe('countersCatchUp', () => {
  test('every counter caught up leaves only bronze to check', () => {
    expect(countersCatchUp(caughtUp)).toBe(CatchUp.bronze);
  });

  test('while the generator writes, nothing else counts', () => {
    expect(countersCatchUp({ ...caughtUp, generatorDone: false })).toBe(CatchUp.generating);
  });

  test.each<[string, Partial<CatchUpFacts>]>([
    ['the slot is not confirmed past the end of the WAL', { slotCaughtUp: false }],
    ["the producer's count is unknown", { producerEvents: undefined }],
  ])('the producer is catching up while %s', (_, facts) => {
    expect(countersCatchUp({ ...caughtUp, ...facts })).toBe(CatchUp.producer);
  });

  test.each<[string, Partial<CatchUpFacts>]>([
    ["the consumer's count is unknown", { consumerEvents: undefined }],
    ['the consumer has read one event less than the producer sent', { consumerEvents: 9_999 }],
    ['a partition still lags', { consumerLag: 1 }],
    ['the lag is unknown', { consumerLag: undefined }],
  ])('the consumer is catching up while %s', (_, facts) => {
    expect(countersCatchUp({ ...caughtUp, ...facts })).toBe(CatchUp.consumer);
  });

  test.each<[string, Partial<CatchUpFacts>]>([
    ["the merge's count is unknown", { mergedRawRows: undefined }],
    ['the merge has read one raw row less than the producer sent', { mergedRawRows: 9_999 }],
  ])('the merge is catching up while %s', (_, facts) => {
    expect(countersCatchUp({ ...caughtUp, ...facts })).toBe(CatchUp.merge);
  });

  test('the earliest stage behind is the one named', () => {
    const allBehind = { ...caughtUp, consumerEvents: 1, consumerLag: 5, mergedRawRows: 0 };
    expect(countersCatchUp({ ...allBehind, slotCaughtUp: false })).toBe(CatchUp.producer);
    expect(countersCatchUp(allBehind)).toBe(CatchUp.consumer);
    expect(countersCatchUp({ ...allBehind, consumerEvents: 10_000, consumerLag: 0 })).toBe(CatchUp.merge);
  });

  test('events counted twice downstream (read or merged again) do not hold the demo back', () => {
    expect(countersCatchUp({ ...caughtUp, consumerEvents: 10_050, mergedRawRows: 10_100 })).toBe(
      CatchUp.bronze,
    );
  });
});

describe('bronzeMatchesSource', () => {
  test("every bronze table with its source table's rows and nothing left to merge matches", () => {
    expect(bronzeMatchesSource(matching(), source)).toBe(true);
  });

  test('raw events not merged yet mean no match, even with equal counts', () => {
    const lake = snapshot([table('customers', 500), table('orders', 9000, 3), table('products', 80)]);
    expect(bronzeMatchesSource(lake, source)).toBe(false);
  });

  test.each([['customers'], ['products'], ['orders']])(
    'bronze.%s one row short or one row over is no match',
    (name) => {
      for (const delta of [-1, 1]) {
        const lake = matching();
        const differing = lake.tables.find((t) => t.table === name) as TableStatus;
        differing.live_rows = (differing.live_rows as number) + delta;
        expect(bronzeMatchesSource(lake, source)).toBe(false);
      }
    },
  );

  test('a source table without its bronze table, or one not counted yet, is no match', () => {
    const missing = snapshot([table('customers', 500), table('products', 80)]);
    expect(bronzeMatchesSource(missing, source)).toBe(false);
    const uncounted = snapshot([table('customers', 500), table('orders', null), table('products', 80)]);
    expect(bronzeMatchesSource(uncounted, source)).toBe(false);
  });

  test('tables are matched by name, not by position', () => {
    const swapped = snapshot([table('customers', 80), table('orders', 9000), table('products', 500)]);
    expect(bronzeMatchesSource(swapped, source)).toBe(false);
  });
});

describe('lakeCaughtUp', () => {
  const countersDoneAt = 50_000;

  test('a matching lake read begun after the counters caught up means done', () => {
    expect(lakeCaughtUp({ lake: matching(), readBegunAt: 50_001, countersDoneAt, sourceRows: source })).toBe(
      true,
    );
  });

  test('a lake read begun before or as the counters caught up is not trusted, even when it matches', () => {
    for (const readBegunAt of [0, 49_999, 50_000])
      expect(lakeCaughtUp({ lake: matching(), readBegunAt, countersDoneAt, sourceRows: source })).toBe(false);
  });

  test('a recent lake read that differs from the source is not done', () => {
    const lake = snapshot([table('customers', 500), table('orders', 8999), table('products', 80)]);
    expect(lakeCaughtUp({ lake, readBegunAt: 60_000, countersDoneAt, sourceRows: source })).toBe(false);
  });

  test('no lake read yet is not done', () => {
    expect(lakeCaughtUp({ lake: undefined, readBegunAt: 60_000, countersDoneAt, sourceRows: source })).toBe(
      false,
    );
  });
});
