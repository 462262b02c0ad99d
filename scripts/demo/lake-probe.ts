// What the live view shows of the lake while `merge --every` writes it: `cdclake status`'s per-table
// figures (merge/status.ts) and the rows of each layer. The catalog is in PostgreSQL, so this process
// reads the lake beside the merge; each probe is a new DuckLake transaction and sees the latest snapshot.

import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../core/config.ts';
import type { DuckSession } from '../../core/duckdb.ts';
import { createS3Client } from '../../core/s3.ts';
import { identifier, renderSql, sqlFile } from '../../core/sql-files.ts';
import { openLake } from '../../merge/lake.ts';
import { lakeStatus, type TableStatus } from '../../merge/status.ts';

export interface LakeSnapshot {
  tables: TableStatus[];
  rows: { bronze: number; silver: number; gold: number };
  /** Raw offsets written but not merged yet, over every table. */
  behind: number;
  at: number;
}

export class LakeProbe {
  private readonly config: Config;
  private readonly lake: DuckSession;
  private readonly s3: S3Client;

  private constructor(config: Config, lake: DuckSession) {
    this.config = config;
    this.lake = lake;
    this.s3 = createS3Client(config);
  }

  /** Opens the lake (creating its catalog and schemas on first use). */
  static async open(config: Config): Promise<LakeProbe> {
    return new LakeProbe(config, await openLake(config));
  }

  async read(): Promise<LakeSnapshot> {
    const tables = await lakeStatus(this.lake.connection, this.s3, this.config);
    const rows = { bronze: 0, silver: 0, gold: 0 };
    for (const table of tables) rows.bronze += table.live_rows ?? 0;
    const models = (
      await this.lake.connection.runAndReadAll(sqlFile('models/existing-tables.sql'))
    ).getRowObjectsJS() as { schema_name: string; table_name: string }[];
    for (const { schema_name: schema, table_name: table } of models) {
      if (schema !== 'silver' && schema !== 'gold') continue;
      const [row] = (
        await this.lake.connection.runAndReadAll(
          renderSql('status/model-rows.sql', { schema: identifier(schema), table: identifier(table) }),
        )
      ).getRowObjectsJS() as { rows: bigint }[];
      rows[schema] += Number(row?.rows ?? 0);
    }
    return { tables, rows, behind: tables.reduce((n, t) => n + t.behind, 0), at: Date.now() };
  }

  close(): void {
    this.s3.destroy();
    this.lake.close();
  }
}
