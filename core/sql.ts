// The one place identifiers and string literals are quoted for DuckDB and PostgreSQL SQL.

export function quotedIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quotedString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
