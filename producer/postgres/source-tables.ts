// Which source tables the producer captures: the PG_TABLES (or --tables) list, or every table of the
// PG_SCHEMA schemas as they are now, each read from the catalog. A table that cannot be captured is refused
// by name, once: at start when it was named, in the log (and a gauge) when it was found in a schema.

import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import type { TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { sqlFile } from '../../core/sql-files.ts';
import { PLAIN_IDENTIFIER } from '../../core/raw-layer/columns.ts';
import { readTableDef, type KeyOverrides } from './catalog.ts';

export class SourceTables {
  private readonly config: Config;
  private readonly listed: string[] | undefined;
  private readonly keys: KeyOverrides;
  private readonly log: Logger;
  private readonly refusedTables = new Set<string>();
  private readonly tablesRefused;

  constructor(
    config: Config,
    tables: string[] | undefined,
    keys: KeyOverrides,
    log: Logger,
    metrics: Metrics,
  ) {
    this.config = config;
    this.listed = tables ?? config.PG_TABLES;
    this.keys = keys;
    this.log = log;
    this.tablesRefused = metrics.gauge('cdclake_producer_tables_refused');
  }

  /** Whether `schema.table` was refused (and is still there). */
  refused(name: string): boolean {
    return this.refusedTables.has(name);
  }

  /** The configured tables (PG_TABLES, --tables), or every table of the PG_SCHEMA schemas. */
  async names(admin: pg.Client): Promise<{ names: [string, string][]; configured: boolean }> {
    const listed = this.listed;
    if (listed !== undefined) {
      const fallback = this.config.PG_SCHEMA[0] as string;
      return {
        names: listed.map((n) => (n.includes('.') ? (n.split('.', 2) as [string, string]) : [fallback, n])),
        configured: true,
      };
    }
    const result = await admin.query<{ schema_name: string; table_name: string }>(
      sqlFile('postgres/list-schema-tables.sql'),
      [this.config.PG_SCHEMA],
    );
    return { names: result.rows.map((r) => [r.schema_name, r.table_name]), configured: false };
  }

  async resolve(admin: pg.Client, atStart: boolean): Promise<TableDef[]> {
    const { names, configured } = await this.names(admin);
    if (names.length === 0 && atStart) {
      throw new CdcError(
        ErrorCode.SOURCE_TABLE_MISSING,
        `no tables to capture in schema ${this.config.PG_SCHEMA.join(',')}`,
      );
    }
    const tables: TableDef[] = [];
    for (const [schema, table] of names) {
      try {
        for (const name of [schema, table])
          if (!PLAIN_IDENTIFIER.test(name))
            throw new CdcError(
              ErrorCode.INVALID_NAME,
              `table ${JSON.stringify(schema)}.${JSON.stringify(table)} is not captured: ${JSON.stringify(name)} is ` +
                'not a plain identifier (letters, digits and _, at most 63, not starting with a digit), so it cannot ' +
                'name a Kafka topic and a bronze table; rename it, or leave it out with PG_TABLES',
              { facts: { table: `${schema}.${table}` } },
            );
        tables.push(await readTableDef(admin, schema, table, this.keys));
      } catch (error: unknown) {
        // A table named in PG_TABLES (or --tables) that cannot be captured stops the producer at start, named.
        // A table found in the PG_SCHEMA schemas that cannot be (no primary key, a name or type cdclake cannot
        // carry) is refused by name once, counted in cdclake_producer_tables_refused, and the others go on.
        if (atStart && configured) throw error;
        if (error instanceof CdcError && error.code === ErrorCode.SOURCE_TABLE_MISSING) continue;
        if (!(error instanceof CdcError)) throw error;
        if (!this.refusedTables.has(`${schema}.${table}`)) {
          this.refusedTables.add(`${schema}.${table}`);
          this.log.error({ err: error, table: `${schema}.${table}` }, 'table not captured');
        }
      }
    }
    const present = new Set(names.map(([schema, table]) => `${schema}.${table}`));
    let refused = 0;
    for (const name of this.refusedTables) {
      if (!present.has(name) || tables.some((t) => `${t.schema}.${t.name}` === name))
        this.refusedTables.delete(name);
      else refused++;
    }
    this.tablesRefused.set(refused);
    if (atStart && tables.length === 0)
      throw new CdcError(
        ErrorCode.SOURCE_TABLE_MISSING,
        `no table of schema ${this.config.PG_SCHEMA.join(',')} can be captured (${refused} refused: see the errors above)`,
      );
    return tables;
  }
}
