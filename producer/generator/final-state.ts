// The oracle of the workload: the source tables after a sequence of changes, computed by applying them in
// order, so a test can compare the lake (or PostgreSQL) with it. It checks the changes as it goes.

import type { ColumnValue, Row, TableDef } from '../../core/events/types.ts';
import type { GeneratedChange } from './change-sink.ts';
import { starSchemaTables } from './tables.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

/** A row's key: the key column's value, or for a composite key its values joined by U+0000. */
export type RowKey = ColumnValue;

/** Rows by key, per table name. */
export type FinalState = Map<string, Map<RowKey, Row>>;

export function emptyState(tables: readonly TableDef[] = starSchemaTables): FinalState {
  return new Map(tables.map((table) => [table.name, new Map<RowKey, Row>()]));
}

export function rowKey(table: TableDef, row: Row): RowKey {
  if (table.key.length === 1) return row[table.key[0]!] ?? null;
  return table.key.map((column) => String(row[column])).join('\u0000');
}

function sameRow(a: Row, b: Row): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function fail(change: GeneratedChange, key: RowKey, problem: string): never {
  throw new CdcError(
    ErrorCode.INTERNAL,
    `${change.table.name} ${String(key)} at pos ${change.pos} (${change.op}): ${problem}`,
  );
}

/**
 * Applies one change. An insert of an existing key, an update or delete of a missing key, or a before
 * image that differs from the stored row is an error.
 */
export function applyChange(state: FinalState, change: GeneratedChange): void {
  let rows = state.get(change.table.name);
  if (rows === undefined) {
    rows = new Map();
    state.set(change.table.name, rows);
  }
  const image = change.op === 'd' ? change.before : change.after;
  if (image === null) fail(change, null, 'no row image');
  const key = rowKey(change.table, image);
  const stored = rows.get(key);
  if (change.op === 'c') {
    if (stored !== undefined) fail(change, key, 'insert of an existing key');
    rows.set(key, image);
    return;
  }
  if (stored === undefined) fail(change, key, `${change.op === 'u' ? 'update' : 'delete'} of a missing key`);
  if (change.before === null || !sameRow(change.before, stored)) fail(change, key, 'before image differs');
  if (change.op === 'u') rows.set(key, image);
  else rows.delete(key);
}

export function applyChanges(state: FinalState, changes: Iterable<GeneratedChange>): void {
  for (const change of changes) applyChange(state, change);
}

/** The tables after every change of a (batched) workload. */
export function finalState(batches: Iterable<readonly GeneratedChange[]>): FinalState {
  const state = emptyState();
  for (const batch of batches) applyChanges(state, batch);
  return state;
}

/** Rows per table name of a state. */
export function rowCounts(state: FinalState): Record<string, number> {
  return Object.fromEntries([...state].map(([name, rows]) => [name, rows.size]));
}

/**
 * Rows per table name after a (batched) workload, without keeping any row: inserts minus deletes, which
 * holds for the generator's changes (finalState checks that they only delete what exists).
 */
export function finalStateRowCounts(batches: Iterable<readonly GeneratedChange[]>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(starSchemaTables.map((t) => [t.name, 0]));
  for (const batch of batches) {
    for (const change of batch) {
      const delta = change.op === 'c' ? 1 : change.op === 'd' ? -1 : 0;
      counts[change.table.name] = (counts[change.table.name] ?? 0) + delta;
    }
  }
  return counts;
}
