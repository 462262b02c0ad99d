// The column types bronze accepts, and which changes of a column's type are a widening bronze can follow.
// Types are DuckDB's own names as DESCRIBE prints them; anything outside this vocabulary is refused, so a
// type name never carries anything else into a statement.

const PLAIN_TYPES = new Set([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'FLOAT',
  'DOUBLE',
  'VARCHAR',
  'BLOB',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP WITH TIME ZONE',
  'UUID',
  'JSON',
]);
const DECIMAL = /^DECIMAL\((\d{1,2}),(\d{1,2})\)$/;
const INTEGER_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4, HUGEINT: 5 };

export function isKnownType(type: string): boolean {
  return PLAIN_TYPES.has(type) || DECIMAL.test(type);
}

export type TypeChange = 'same' | 'narrower' | 'wider' | 'incompatible';

/** How `incoming` relates to the `stored` type: values of a narrower type fit as they are. */
export function compareTypes(stored: string, incoming: string): TypeChange {
  if (stored === incoming) return 'same';
  if (covers(stored, incoming)) return 'narrower';
  if (covers(incoming, stored)) return 'wider';
  return 'incompatible';
}

/** True when every value of `inner` is exactly a value of `outer`. */
function covers(outer: string, inner: string): boolean {
  const o = INTEGER_RANK[outer];
  const i = INTEGER_RANK[inner];
  if (o !== undefined && i !== undefined) return o > i;
  if (outer === 'DOUBLE' && inner === 'FLOAT') return true;
  const od = DECIMAL.exec(outer);
  const id = DECIMAL.exec(inner);
  if (od !== null && id !== null) {
    const [op, os, ip, is] = [od[1], od[2], id[1], id[2]].map(Number) as [number, number, number, number];
    return os >= is && op - os >= ip - is;
  }
  return false;
}
