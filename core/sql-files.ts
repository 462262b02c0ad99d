// Loads the SQL files of sql/ and fills their {{placeholders}} with quoted literals or identifiers.
// Values never become SQL text unquoted: a placeholder is either a string literal or an identifier.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnDefinitions } from './duckdb-types.ts';
import type { TableDef } from './events/types.ts';
import { quotedIdentifier, quotedString } from './sql.ts';
import { CdcError, ErrorCode } from './errors.ts';

/** The project's sql/ folder: beside core/ when the sources run, two levels up from a bundle in dist/<hash>/. */
function findSqlRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'sql', 'raw'))) return path.join(dir, 'sql');
    if (path.dirname(dir) === dir)
      throw new CdcError(ErrorCode.INTERNAL, `no sql/ folder in ${here} or any folder above it`);
  }
}

export const SQL_ROOT = findSqlRoot();

const cache = new Map<string, string>();

export function sqlFile(relative: string): string {
  let text = cache.get(relative);
  if (text === undefined) {
    // Leading comment lines document the file; the replication protocol's grammar does not accept them.
    text = fs
      .readFileSync(path.join(SQL_ROOT, relative), 'utf8')
      .replace(/^(\s*--[^\n]*\n)+/, '')
      .trim();
    cache.set(relative, text);
  }
  return text;
}

/** A column list `"name" TYPE, ...` comes from a TableDef: quoted names, types from a fixed vocabulary. */
export type SqlValue =
  | { literal: string }
  | { identifier: string }
  | { boolean: boolean }
  | { integer: number }
  | { columns: TableDef }
  | { identifiers: string[] }
  | { tables: { schema: string; name: string }[] }
  /** A list of string literals: `['a', 'b']`. */
  | { literals: string[] }
  /** A fragment a module built from quoted identifiers and a fixed vocabulary of types, never from data. */
  | { raw: string };

export const literal = (value: string): SqlValue => ({ literal: value });
export const identifier = (value: string): SqlValue => ({ identifier: value });
export const integer = (value: number): SqlValue => {
  if (!Number.isSafeInteger(value)) throw new CdcError(ErrorCode.INTERNAL, `not an integer: ${value}`);
  return { integer: value };
};

/** The file's text with every {{name}} replaced; a placeholder without a value is an error. */
export function renderSql(relative: string, values: Record<string, SqlValue>): string {
  return sqlFile(relative).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new CdcError(ErrorCode.INTERNAL, `sql/${relative}: no value for {{${name}}}`);
    if ('literal' in value) return quotedString(value.literal);
    if ('identifier' in value) return quotedIdentifier(value.identifier);
    if ('integer' in value) return String(value.integer);
    if ('columns' in value) return columnDefinitions(value.columns);
    if ('identifiers' in value) return value.identifiers.map(quotedIdentifier).join(', ');
    if ('raw' in value) return value.raw;
    if ('literals' in value) return `[${value.literals.map(quotedString).join(', ')}]`;
    if ('tables' in value) {
      return value.tables.map((t) => `${quotedIdentifier(t.schema)}.${quotedIdentifier(t.name)}`).join(', ');
    }
    return value.boolean ? 'true' : 'false';
  });
}
