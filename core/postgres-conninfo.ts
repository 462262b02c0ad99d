// libpq's keyword/value connection string for one database of the server a PostgreSQL URL names, as
// DuckLake's PostgreSQL catalog (LAKE_CATALOG=postgres:...) takes it.

export function postgresConninfo(serverUrl: string, database: string, withPassword = true): string {
  const url = new URL(serverUrl);
  const conninfo = `dbname=${database} host=${url.hostname} port=${url.port || '5432'} user=${decodeURIComponent(url.username)}`;
  return withPassword ? `${conninfo} password=${decodeURIComponent(url.password)}` : conninfo;
}
