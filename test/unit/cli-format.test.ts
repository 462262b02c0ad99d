import { expect, test } from 'vitest';
import { formatRows, parseFormat } from '../../cli/format.ts';

test('query results as a table, JSON and CSV', () => {
  const rows = [
    { name: 'a, "quoted"', n: 1n, big: 2n ** 60n },
    { name: null, n: 22n, big: 0n },
  ];
  const columns = ['name', 'n', 'big'];
  expect(formatRows(columns, rows, 'csv')).toBe('name,n,big\n"a, ""quoted""",1,1152921504606846976\n,22,0');
  expect(JSON.parse(formatRows(columns, rows, 'json'))).toEqual([
    { name: 'a, "quoted"', n: 1, big: '1152921504606846976' },
    { name: null, n: 22, big: 0 },
  ]);
  expect(formatRows(columns, rows, 'table').split('\n')).toEqual([
    'name          n                  big',
    '-----------  --  -------------------',
    'a, "quoted"   1  1152921504606846976',
    '             22                    0',
    '(2 rows)',
  ]);
  expect(() => parseFormat('xml')).toThrow(/--format "xml": expected table, json or csv/);
});
