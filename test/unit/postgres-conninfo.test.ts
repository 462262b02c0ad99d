import { describe, expect, test } from 'vitest';
import { describeCatalogFailure } from '../../core/catalog-attach-error.ts';
import { parseConninfo, postgresConninfo, redactConninfo } from '../../core/postgres-conninfo.ts';

describe('libpq connection strings', () => {
  test("a database's conninfo carries PG_URL's TLS parameters, quoted where needed", () => {
    const url =
      'postgres://u:p%20w@h:5433/src?sslmode=verify-full&sslrootcert=/etc/my%20ca.pem&application_name=x';
    expect(postgresConninfo(url, 'lake')).toBe(
      "dbname=lake host=h port=5433 user=u password='p w' sslmode=verify-full sslrootcert='/etc/my ca.pem'",
    );
    expect(postgresConninfo(url, 'lake', false)).not.toContain('password');
  });

  test('read back as libpq reads it', () => {
    const keywords = parseConninfo("host=h dbname = lake password='it\\'s' sslrootcert='/a b/ca.pem'");
    expect(Object.fromEntries(keywords)).toEqual({
      host: 'h',
      dbname: 'lake',
      password: "it's",
      sslrootcert: '/a b/ca.pem',
    });
    expect(parseConninfo('postgresql://u:pw@h:1/d?sslmode=require').get('sslmode')).toBe('require');
  });

  test('the password is hidden wherever the string or the password appears', () => {
    const conninfo = 'host=h user=u password=Sup3rSecret sslmode=require';
    expect(redactConninfo(`at "${conninfo}": bad; again Sup3rSecret`, conninfo)).toBe(
      'at "host=h user=u password=***** sslmode=require": bad; again *****',
    );
    expect(redactConninfo('postgres://u:pw123@h/d failed', 'postgres://u:pw123@h/d')).toBe(
      'postgres://u:*****@h/d failed',
    );
  });

  test("a catalog that cannot be attached is said without the password; libpq's TLS words become CDC_POSTGRES_TLS", () => {
    const conninfo =
      'host=h port=5433 dbname=lake user=u password=Sup3rSecret sslmode=verify-full sslrootcert=/ca.pem';
    const duckdb = (reason: string) =>
      new Error(
        `IO Error: Failed to attach DuckLake MetaData "__ducklake_metadata_lake" at path + "postgres:${conninfo}"` +
          `Unable to connect to Postgres at "${conninfo}": connection to server at "h" (10.0.0.1), port 5433 failed: ${reason}`,
      );
    const untrusted = describeCatalogFailure(duckdb('SSL error: certificate verify failed'), conninfo);
    expect(untrusted.code).toBe('CDC_POSTGRES_TLS');
    expect(untrusted.message).toBe(
      'PostgreSQL TLS: server certificate for h:5433 not trusted by sslrootcert=/ca.pem: SSL error: certificate verify failed',
    );
    const auth = describeCatalogFailure(
      duckdb('FATAL:  password authentication failed for user "u"'),
      conninfo,
    );
    expect(auth.code).toBe('CDC_LAKE_CATALOG');
    expect(auth.message).toContain('h:5433');
    expect(JSON.stringify({ ...auth, message: auth.message })).not.toContain('Sup3rSecret');
  });
});
