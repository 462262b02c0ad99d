// silver and gold: one model per SQL file (sql/silver/<name>.sql becomes silver.<name>), a SELECT over
// bronze, silver or gold. Dependencies are the `bronze.x`, `silver.y` and `gold.z` names a model reads.
// Models are rebuilt in dependency order when their query changed, or when a bronze table they read
// (directly or through other models) has commits their last build did not read: each build records the
// bronze checkpoints its transaction saw (cdclake.models, committed with the build), so a merge that began
// before a build and committed after it still makes the model stale. A model whose inputs do not exist yet waits; one that fails is
// reported and its dependents wait, the others go on. Adding a model is adding a file: the files are read
// again on every pass.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { CdcError, ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { identifier, literal, renderSql, SQL_ROOT } from '../core/sql-files.ts';
import { ALONE, type LakeWork } from './lake-gate.ts';

const LAYERS = ['silver', 'gold'] as const;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface Model {
  schema: 'silver' | 'gold';
  name: string;
  file: string;
  query: string;
  /** `schema.table` names the query reads. */
  inputs: string[];
  hash: string;
}

/** The query without comments and string literals, where table names are looked for. */
function codeOnly(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''");
}

export function modelInputs(sql: string): string[] {
  const inputs = new Set<string>();
  for (const match of codeOnly(sql).matchAll(/\b(bronze|silver|gold)\s*\.\s*"?([A-Za-z_][A-Za-z0-9_]*)"?/gi))
    inputs.add(`${(match[1] as string).toLowerCase()}.${match[2] as string}`);
  return [...inputs].sort();
}

export function loadModels(root: string = SQL_ROOT): Model[] {
  const models: Model[] = [];
  for (const schema of LAYERS) {
    const dir = path.join(root, schema);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      const name = file.slice(0, -'.sql'.length);
      const where = path.join(dir, file);
      if (!NAME.test(name))
        throw new CdcError(
          ErrorCode.MODEL,
          `model file ${where}: the name ${name} is not a plain identifier`,
        );
      const text = fs.readFileSync(where, 'utf8');
      const query = text.trim().replace(/;\s*$/, '');
      if (query.length === 0) throw new CdcError(ErrorCode.MODEL, `model file ${where} is empty`);
      models.push({
        schema,
        name,
        file: where,
        query,
        inputs: modelInputs(query).filter((i) => i !== `${schema}.${name}`),
        hash: crypto.createHash('sha256').update(query).digest('hex'),
      });
    }
  }
  return models;
}

/** Models in an order where each comes after the models it reads; a cycle is an error that names it. */
export function dependencyOrder(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [`${m.schema}.${m.name}`, m]));
  const ordered: Model[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    const model = byName.get(id);
    if (model === undefined || state.get(id) === 'done') return;
    if (state.get(id) === 'visiting')
      throw new CdcError(
        ErrorCode.MODEL,
        `models depend on each other in a cycle: ${[...trail, id].join(' -> ')}`,
      );
    state.set(id, 'visiting');
    for (const input of model.inputs) visit(input, [...trail, id]);
    state.set(id, 'done');
    ordered.push(model);
  };
  for (const id of byName.keys()) visit(id, []);
  return ordered;
}

/** Every bronze table a model reads, directly or through the models it reads. */
function bronzeInputs(model: Model, byId: Map<string, Model>, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  for (const input of model.inputs) {
    if (input.startsWith('bronze.')) out.add(input.slice('bronze.'.length));
    const upstream = byId.get(input);
    if (upstream !== undefined && !seen.has(input)) {
      seen.add(input);
      for (const t of bronzeInputs(upstream, byId, seen)) out.add(t);
    }
  }
  return out;
}

export class ModelSet {
  private readonly root: string | undefined;

  constructor(root?: string) {
    this.root = root;
  }

  /** Rebuilds the models whose inputs changed (bronze tables in `changed`, or models rebuilt before them). */
  async refresh(
    connection: DuckDBConnection,
    changedTables: Set<string>,
    log: Logger,
    lake: LakeWork = ALONE,
  ): Promise<ModelRefresh> {
    const models = dependencyOrder(loadModels(this.root));
    // Reads of the lake are shared work (lake-gate.ts), each build too, so a schema change elsewhere on the
    // instance waits for one step at most, not for the whole refresh.
    const { existing, builds, current } = await lake.shared(async () => {
      const reader = await connection.runAndReadAll(renderSql('models/existing-tables.sql', {}));
      const tables = new Set(
        (reader.getRowObjectsJS() as { schema_name: string; table_name: string }[]).map(
          (t) => `${t.schema_name}.${t.table_name}`,
        ),
      );
      // What the lake remembers: each model's last build and the bronze checkpoints it read. So a process
      // that starts again rebuilds only what is stale, and a merge whose models were not rebuilt (a crash
      // between the two, or a merge that committed while a build ran) is caught up by the next refresh.
      const built = new Map<string, { hash: string; inputsState: string | null }>();
      for (const row of (
        await connection.runAndReadAll(renderSql('models/read-builds.sql', {}))
      ).getRowObjectsJS() as { name: string; query_hash: string | null; inputs_state: string | null }[])
        built.set(row.name, { hash: row.query_hash ?? '', inputsState: row.inputs_state });
      return { existing: tables, builds: built, current: await readInputCheckpoints(connection) };
    });
    const changed = new Set([...changedTables].map((t) => `bronze.${t}`));
    const byId = new Map(models.map((m) => [`${m.schema}.${m.name}`, m]));
    const refreshed: string[] = [];
    const failed: ModelFailure[] = [];
    for (const model of models) {
      const id = `${model.schema}.${model.name}`;
      const missing = model.inputs.filter((i) => !existing.has(i));
      if (missing.length > 0) {
        log.debug({ model: id, missing }, 'model waits for its inputs');
        continue;
      }
      const build = builds.get(id);
      const reads = bronzeInputs(model, byId);
      const stale =
        !existing.has(id) ||
        build === undefined ||
        build.hash !== model.hash ||
        model.inputs.some((i) => changed.has(i)) ||
        build.inputsState !== inputsState(current, reads);
      if (!stale) continue;
      try {
        const values = {
          schema: identifier(model.schema),
          name: identifier(model.name),
          query: { raw: model.query },
        };
        // The table keeps its columns: refilled in place, beside the merges. Otherwise (its first build, or
        // a query whose columns changed) it is replaced, a schema change that runs alone.
        const inPlace = existing.has(id) && (await lake.shared(() => sameShape(connection, model)));
        const build = async (): Promise<void> => {
          await connection.run(renderSql('models/begin.sql', {}));
          try {
            await connection.run(renderSql(inPlace ? 'models/refill.sql' : 'models/refresh.sql', values));
            // The checkpoints as this transaction sees them: the bronze commits the build just read.
            const read = inputsState(await readInputCheckpoints(connection), reads);
            await connection.run(
              renderSql('models/record-build.sql', {
                model: literal(id),
                query_hash: literal(model.hash),
                inputs_state: literal(read),
              }),
            );
            await connection.run(renderSql('models/commit.sql', {}));
          } catch (error: unknown) {
            await connection.run(renderSql('models/rollback.sql', {})).catch(() => undefined);
            throw error;
          }
        };
        await (inPlace ? lake.shared(build) : lake.schemaChange(build));
      } catch (error: unknown) {
        log.error({ err: error, model: id, file: model.file }, 'model failed; the models reading it wait');
        const message = error instanceof Error ? error.message : String(error);
        failed.push({ model: id, file: model.file, error: message });
        await lake
          .shared(() =>
            connection.run(
              renderSql('models/record-failure.sql', {
                model: literal(id),
                error: literal(message.slice(0, 4000)),
              }),
            ),
          )
          .catch((recordError: unknown) =>
            log.warn({ err: recordError, model: id }, 'could not record the failure'),
          );
        existing.delete(id);
        continue;
      }
      existing.add(id);
      changed.add(id);
      refreshed.push(id);
    }
    return { refreshed, failed };
  }
}

/** Per bronze table, its checkpoints as `topic/partition=next_offset` entries, sorted. */
/** Whether the model's query returns the columns its table has, in order and of the same types. */
async function sameShape(connection: DuckDBConnection, model: Model): Promise<boolean> {
  const shape = async (sql: string): Promise<string> =>
    JSON.stringify((await connection.runAndReadAll(sql)).getRows());
  const query = await shape(renderSql('models/query-shape.sql', { query: { raw: model.query } }));
  const table = await shape(
    renderSql('models/table-shape.sql', { schema: literal(model.schema), name: literal(model.name) }),
  );
  return query === table;
}

async function readInputCheckpoints(connection: DuckDBConnection): Promise<Map<string, string[]>> {
  const rows = (
    await connection.runAndReadAll(renderSql('models/input-checkpoints.sql', {}))
  ).getRowObjectsJS() as { table_name: string; topic: string; partition: number; next_offset: bigint }[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const entries = out.get(r.table_name) ?? [];
    entries.push(`${r.topic}/${r.partition}=${r.next_offset}`);
    out.set(r.table_name, entries);
  }
  return out;
}

/** The state of the bronze tables a model reads: their checkpoints, in one comparable string. */
function inputsState(checkpoints: Map<string, string[]>, tables: Set<string>): string {
  return [...tables]
    .sort()
    .map((t) => `${t}:${(checkpoints.get(t) ?? []).join(',')}`)
    .join(';');
}

export interface ModelFailure {
  model: string;
  file: string;
  error: string;
}

/** What a refresh rebuilt, and what failed (bronze and the other models stay committed). */
export interface ModelRefresh {
  refreshed: string[];
  failed: ModelFailure[];
}
