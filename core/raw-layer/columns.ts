// Contract 2's rule for names: a table, schema or column name is a plain identifier (it names files, object
// keys and SQL), and no source column takes the name of one of the raw layer's own columns.

export const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Contract 2's own columns: a source column of these names would be shadowed. */
export const META_COLUMNS: ReadonlySet<string> = new Set([
  '_op',
  '_pos',
  '_ts_ms',
  '_topic',
  '_partition',
  '_offset',
  '_ingested_at',
  '_unchanged',
]);
