// Query results for people and for scripts: an aligned text table, JSON (one array of objects) or CSV.

import { CdcError, ErrorCode } from '../core/errors.ts';

export type Format = 'table' | 'json' | 'csv';

export function parseFormat(value: string | undefined): Format {
  const format = value ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv')
    throw new CdcError(ErrorCode.USAGE, `--format ${JSON.stringify(value)}: expected table, json or csv`);
  return format;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object')
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

function csvCell(value: unknown): string {
  const s = text(value);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function formatRows(columns: string[], rows: Record<string, unknown>[], format: Format): string {
  if (format === 'json') return JSON.stringify(rows, jsonValue, 2);
  if (format === 'csv')
    return [
      columns.map(csvCell).join(','),
      ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(',')),
    ].join('\n');
  const cells = rows.map((r) => columns.map((c) => text(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  // Numbers (and decimals given as exact text) are right-aligned.
  const numeric = columns.map(
    (_c, i) => cells.length > 0 && cells.every((row) => /^-?\d+(\.\d+)?$|^$/.test(row[i] as string)),
  );
  const line = (values: string[]): string =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ].join('\n');
}
