// The end-to-end oracle of the lake: the source itself. Every bronze table (deleted rows left out) must equal
// its PostgreSQL table, key by key and column by column; each gold table must equal the same analytics run
// on PostgreSQL (test/fixtures/gold-on-postgres).

import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { quotedIdentifier, quotedString } from '../../core/sql.ts';
import { bronzeTableName } from '../../core/lake-names.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { openLake } from '../../merge/lake.ts';
import { queryLake } from './lake.ts';

const GOLD_ON_POSTGRES = path.resolve(import.meta.dirname, '..', 'fixtures', 'gold-on-postgres');

export interface TableDifference {
  table: string;
  bronzeRows: number;
  postgresRows: number;
  onlyInBronze: number;
  onlyInPostgres: number;
  sample: unknown[];
}

/**
 * Each source table (`table` in public, or `schema.table`, spelled as in PostgreSQL) beside its bronze table
 * (core/lake-names.ts), over every column the source has now.
 */
export async function compareBronzeWithPostgres(
  config: Config,
  tables: string[],
): Promise<TableDifference[]> {
  const lake = await openLake(config);
  const c = lake.connection;
  try {
    await c.run(`ATTACH ${quotedString(config.PG_URL)} AS src (TYPE postgres, READ_ONLY)`);
    const out: TableDifference[] = [];
    for (const table of tables) {
      const [schema, name] = table.includes('.')
        ? (table.split('.', 2) as [string, string])
        : ['public', table];
      const columns = (
        (
          await c.runAndReadAll(
            `SELECT column_name FROM duckdb_columns() WHERE database_name = 'src' AND schema_name = ${quotedString(schema)} AND table_name = ${quotedString(name)} ORDER BY column_index`,
          )
        ).getRowObjectsJS() as { column_name: string }[]
      )
        .map((r) => quotedIdentifier(r.column_name))
        .join(', ');
      if (columns === '') throw new Error(`source table ${table} not found`);
      const bronzeName = bronzeTableName(schema, name, config.LAKE_PLAIN_SCHEMA);
      const bronze = `SELECT ${columns} FROM lake.bronze.${quotedIdentifier(bronzeName)} WHERE NOT _deleted`;
      const source = `SELECT ${columns} FROM src.${quotedIdentifier(schema)}.${quotedIdentifier(name)}`;
      const count = async (sql: string): Promise<number> =>
        Number(
          (
            (await c.runAndReadAll(`SELECT count(*) AS n FROM (${sql})`)).getRowObjectsJS()[0] as {
              n: bigint;
            }
          ).n,
        );
      const sample = (await c.runAndReadAll(`(${bronze} EXCEPT ALL ${source}) LIMIT 3`)).getRowObjectsJS();
      out.push({
        table,
        bronzeRows: await count(bronze),
        postgresRows: await count(source),
        onlyInBronze: await count(`${bronze} EXCEPT ALL ${source}`),
        onlyInPostgres: await count(`${source} EXCEPT ALL ${bronze}`),
        sample,
      });
    }
    return out;
  } finally {
    lake.close();
  }
}

type Row = Record<string, unknown>;

/** Numbers as numbers (PostgreSQL sends numerics and counts as text, DuckDB bigints as bigint). */
function normalise(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

export interface GoldDifference {
  model: string;
  goldRows: number;
  postgresRows: number;
  differing: { gold: Row | undefined; postgres: Row | undefined }[];
}

/**
 * Each gold model beside its query on PostgreSQL, row by row in the query's order. Averages are compared
 * to the cent (the two engines divide decimals differently); everything else exactly.
 */
export async function compareGoldWithPostgres(config: Config): Promise<GoldDifference[]> {
  const client = await connectPostgres(config.PG_URL);
  try {
    const out: GoldDifference[] = [];
    for (const file of fs
      .readdirSync(GOLD_ON_POSTGRES)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      const model = file.slice(0, -4);
      const expected = (
        await client.query(fs.readFileSync(path.join(GOLD_ON_POSTGRES, file), 'utf8'))
      ).rows.map((r: Row) => normalise(r));
      const actual = (await queryLake<Row>(config, `SELECT * FROM gold.${quotedIdentifier(model)}`)).map(
        normalise,
      );
      const differing: GoldDifference['differing'] = [];
      for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
        const e = expected[i];
        const a = actual[i];
        const same =
          e !== undefined &&
          a !== undefined &&
          // Every column exactly, the averages too (gold computes them as decimals, as PostgreSQL does).
          Object.keys(e).every((k) => e[k] === a[k]);
        if (!same) differing.push({ gold: a, postgres: e });
      }
      out.push({
        model,
        goldRows: actual.length,
        postgresRows: expected.length,
        differing: differing.slice(0, 5),
      });
    }
    return out;
  } finally {
    await client.end();
  }
}
