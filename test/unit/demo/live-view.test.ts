import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { TableStatus } from '../../../merge/status.ts';
import type { LakeSnapshot } from '../../../scripts/demo/lake-probe.ts';
import { LiveView, renderBlock, renderLine, type ViewState } from '../../../scripts/demo/live-view.ts';
import { tableStatus } from '../../support/table-status.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const table = (name: string, liveRows: number | null, freshnessS: number | null): TableStatus =>
  tableStatus(name, liveRows, { freshness_s: freshnessS });

/** Read 1.5 s ago: its freshness figures are 1.5 s older by now. */
const lake = (): LakeSnapshot => ({
  tables: [table('customers', 500, 1.2), table('orders', 9000, 0.4), table('products', null, null)],
  rows: { bronze: 9500, silver: 1234, gold: 56 },
  behind: 12,
  at: NOW - 1500,
});

const state = (overrides: Partial<ViewState> = {}): ViewState => ({
  title: 'cdclake demo demo_x',
  elapsedS: 42.4,
  phase: 'merge catching up',
  stages: [
    { name: 'generator', perSecond: 1999.6, total: 20_000, note: 'writing PostgreSQL' },
    { name: 'producer', perSecond: 0.4, total: 1_234_567, note: '' },
    { name: 'consumer', perSecond: 12.5, total: 999, note: 'lag 3' },
  ],
  lake: undefined,
  lakeNote: undefined,
  ...overrides,
});

describe('renderBlock', () => {
  test('one line per stage, rates and totals rounded, grouped and right-aligned under their headings', () => {
    const lines = renderBlock(state());
    expect(lines.slice(0, 6)).toEqual([
      'cdclake demo demo_x  ·  42 s  ·  merge catching up',
      '',
      '  stage       events/s      total',
      '  generator      2,000     20,000   writing PostgreSQL',
      '  producer           0  1,234,567   ',
      '  consumer          13        999   lag 3',
    ]);
    const heading = lines[2] as string;
    for (const line of lines.slice(3, 6)) {
      // The last digit of each figure sits under the last letter of its heading.
      expect(line[heading.indexOf('events/s') + 'events/s'.length - 1]).toMatch(/\d/);
      expect(line[heading.indexOf('total') + 'total'.length - 1]).toMatch(/\d/);
    }
  });

  test('before the first lake read: the note if there is one, else "not read yet"', () => {
    expect(renderBlock(state()).slice(6)).toEqual(['', '  lake       not read yet']);
    expect(renderBlock(state({ lakeNote: 'not readable yet: no catalog' })).slice(6)).toEqual([
      '',
      '  lake       not readable yet: no catalog',
    ]);
  });

  test('the lake: layer rows, raw not merged, bronze rows per table and freshness aged to now', () => {
    expect(renderBlock(state({ lake: lake() })).slice(6)).toEqual([
      '',
      '  lake       bronze 9,500 rows   silver 1,234   gold 56   raw not merged yet: 12 events',
      '  bronze     customers 500, orders 9,000, products -',
      '  freshness  1.9 s (customers 2.7 s, orders 1.9 s)',
    ]);
  });

  test('freshness keeps ageing between lake reads', () => {
    vi.advanceTimersByTime(2000);
    expect(renderBlock(state({ lake: lake() })).at(-1)).toBe(
      '  freshness  3.9 s (customers 4.7 s, orders 3.9 s)',
    );
  });

  test('a lake without tables or freshness yet shows dashes; a note read since is shown below', () => {
    const empty: LakeSnapshot = { tables: [], rows: { bronze: 0, silver: 0, gold: 0 }, behind: 0, at: NOW };
    expect(renderBlock(state({ lake: empty, lakeNote: 'not readable yet: timeout' })).slice(7)).toEqual([
      '  lake       bronze 0 rows   silver 0   gold 0   raw not merged yet: 0 events',
      '  bronze     -',
      '  freshness  -',
      '  note       not readable yet: timeout',
    ]);
  });
});

describe('renderLine', () => {
  test('one line with the phase, each stage and the lake', () => {
    expect(renderLine(state({ lake: lake() }))).toBe(
      '[  42 s] merge catching up | generator 2,000/s 20,000 writing PostgreSQL | producer 0/s 1,234,567 | ' +
        'consumer 13/s 999 lag 3 | bronze 9,500 silver 1,234 gold 56 | not merged 12 | freshness 1.9 s',
    );
  });

  test('before the first lake read it says so, or gives the note', () => {
    expect(renderLine(state({ elapsedS: 1234.6 }))).toMatch(/^\[1235 s\] .* \| lake not read yet$/);
    expect(renderLine(state({ lakeNote: 'not readable yet: x' }))).toMatch(/ \| lake not readable yet: x$/);
  });
});

describe('LiveView', () => {
  function stream(isTTY: boolean): { out: NodeJS.WriteStream; written: string[] } {
    const written: string[] = [];
    const out = {
      isTTY,
      write: (chunk: string) => {
        written.push(chunk);
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    return { out, written };
  }

  test('on a TTY each draw goes back over the previous block; after release it draws below', () => {
    const { out, written } = stream(true);
    const view = new LiveView(out, 5000);
    const first = renderBlock(state());
    const second = renderBlock(state({ lake: lake() }));
    view.show(state());
    view.show(state({ lake: lake() }));
    view.show(state());
    view.release();
    view.show(state());
    expect(written).toEqual([
      first.join('\n') + '\n',
      `\x1b[${first.length}F\x1b[0J` + second.join('\n') + '\n',
      `\x1b[${second.length}F\x1b[0J` + first.join('\n') + '\n',
      first.join('\n') + '\n',
    ]);
  });

  test('elsewhere one line at once, then at most one per interval from the last line printed, unless forced', () => {
    const { out, written } = stream(false);
    const view = new LiveView(out, 5000);
    view.show(state({ phase: 'first' }));
    vi.advanceTimersByTime(1000);
    view.show(state({ phase: 'too soon' }));
    view.show(state({ phase: 'forced' }), true);
    vi.advanceTimersByTime(4999);
    view.show(state({ phase: 'too soon after forced' }));
    vi.advanceTimersByTime(1);
    view.show(state({ phase: 'due' }));
    expect(written.map((line) => line.split(' | ')[0])).toEqual([
      '[  42 s] first',
      '[  42 s] forced',
      '[  42 s] due',
    ]);
    expect(written.every((line) => line.endsWith('\n') && !line.includes('\x1b'))).toBe(true);
  });
});
