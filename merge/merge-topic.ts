// Merging one raw topic into its bronze table, as one DuckLake transaction:
//   1. the new objects of each partition (listed after the checkpoint's last key) are read from S3;
//   2. the latest event per key is kept (sql/merge/stage-incoming.sql), rows below the checkpoint left out;
//   3. bronze gains the columns the source added, and widens the ones it widened;
//   4. MERGE with the position guard (sql/merge/merge-bronze.sql), and the checkpoint advances, in one commit.
// A crash anywhere before the commit leaves bronze and the checkpoint as they were: the rerun merges the same
// objects again. Replaying objects is harmless: older or equal positions change nothing.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { Config } from '../core/config.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { identifier, literal, renderSql, type SqlValue } from '../core/sql-files.ts';
import { quotedIdentifier, quotedString } from '../core/sql.ts';
import type { Checkpoint } from './checkpoints.ts';
import { compareTypes, isKnownType } from './lake-types.ts';
import { parseColumnTypes, retypeIncoming } from './column-types.ts';
import type { RawObject } from '../core/raw-layer/listing.ts';
import { META_COLUMNS, PLAIN_IDENTIFIER } from '../core/raw-layer/columns.ts';
import { bronzeTableName } from '../core/lake-names.ts';
import { alone, type SchemaChange } from './lake-gate.ts';

/** bronze's own columns: a source column of one of these names cannot be stored. */
const BRONZE_META = new Set(['_pos', '_op', '_ts_ms', '_deleted', '_merged_at']);

export interface TopicMergeResult {
  topic: string;
  table: string;
  files: number;
  /** Raw rows read (after the checkpoint filter, before keeping the latest per key). */
  rawRows: number;
  /** Rows inserted or updated in bronze. */
  changed: number;
  /** The time (ms since the epoch) of the newest change this merge made visible; null when it merged none. */
  newestChangeMs: number | null;
  /** Milliseconds per step: reading metadata, staging the latest events, evolving bronze, MERGE and commit. */
  ms: { metadata: number; stage: number; evolve: number; merge: number };
}

interface Column {
  name: string;
  type: string;
}

async function rows<T>(connection: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as T[];
}

function fail(table: string, problem: string, code: (typeof ErrorCode)[keyof typeof ErrorCode]): never {
  throw new CdcError(code, `bronze.${table}: ${problem}`, { facts: { table } });
}

/** The source table and key the consumer wrote into the files' metadata; they must agree. */
async function tableAndKey(
  connection: DuckDBConnection,
  topic: string,
  urls: string[],
): Promise<{ schema: string; table: string; key: string[] | undefined; typedByValues: boolean }> {
  const found = await rows<{ file_name: string; name: string; value: string }>(
    connection,
    renderSql('merge/file-metadata.sql', { files: { literals: urls } }),
  );
  // An object naming no table holds no rows (an empty batch some consumers wrote): it says nothing of the
  // table, and its offsets are done all the same.
  const nameless = new Set(
    found.filter((f) => f.name === 'cdclake.table' && f.value === '').map((f) => f.file_name),
  );
  const named = found.filter((f) => !nameless.has(f.file_name));
  const tables = new Set(named.filter((f) => f.name === 'cdclake.table').map((f) => f.value));
  const schemas = new Set(named.filter((f) => f.name === 'cdclake.schema').map((f) => f.value));
  // A file of keyless truncates (a Debezium truncate names no key) fits any key: `[]` is left out.
  const keys = new Set(named.filter((f) => f.name === 'cdclake.key' && f.value !== '[]').map((f) => f.value));
  if (tables.size !== 1 || keys.size > 1 || schemas.size > 1) {
    throw new CdcError(
      ErrorCode.RAW_METADATA,
      `topic ${topic}: its new raw objects name ${tables.size === 1 ? 'one table' : `${tables.size} tables`}, ` +
        `${schemas.size <= 1 ? 'one schema' : `${schemas.size} schemas`} and ` +
        `${keys.size <= 1 ? 'one key' : `${keys.size} keys`} in their metadata (cdclake.schema, cdclake.table, ` +
        'cdclake.key); a merge needs exactly one of each',
      { facts: { topic, tables: [...tables], schemas: [...schemas], keys: [...keys] } },
    );
  }
  const table = [...tables][0] as string;
  const schema = [...schemas][0] ?? '';
  for (const [kind, name] of [
    ['table', table],
    ['schema', schema],
  ] as const)
    if (name !== '' && !PLAIN_IDENTIFIER.test(name))
      throw new CdcError(
        ErrorCode.INVALID_NAME,
        `topic ${topic}: the ${kind} name is not a plain identifier: ${JSON.stringify(name)}`,
        { facts: { topic } },
      );
  // Records without a schema were typed by their values (merge/column-types.ts types them again).
  const typedByValues = named.some((f) => f.name === 'cdclake.types' && f.value === 'values');
  if (keys.size === 0) return { schema, table, key: undefined, typedByValues };
  let key: unknown;
  try {
    key = JSON.parse([...keys][0] as string);
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length === 0 ||
    !key.every((k) => typeof k === 'string' && PLAIN_IDENTIFIER.test(k))
  )
    fail(
      table,
      `the key ${JSON.stringify([...keys][0])} is not a list of plain column names`,
      ErrorCode.RAW_METADATA,
    );
  return { schema, table, key: key as string[], typedByValues };
}

interface TableEntry {
  source_schema: string;
  source_table: string;
  key_columns: string | null;
  truncated_before: string | null;
}

/** The registry entry of a bronze table; refuses a second source table for one bronze name, naming both. */
async function tableEntry(
  connection: DuckDBConnection,
  bronze: string,
  schema: string,
  table: string,
): Promise<TableEntry | undefined> {
  const [entry] = await rows<TableEntry>(
    connection,
    renderSql('merge/read-table-entry.sql', { bronze_name: literal(bronze) }),
  );
  if (entry !== undefined && (entry.source_schema !== schema || entry.source_table !== table))
    throw new CdcError(
      ErrorCode.INVALID_NAME,
      `bronze.${bronze} already holds source table ${entry.source_schema}.${entry.source_table}; ` +
        `${schema}.${table} maps to the same bronze name and is refused (rename one of them, or set ` +
        'LAKE_PLAIN_SCHEMA so that the two fall under different names)',
      {
        facts: {
          bronze,
          holds: `${entry.source_schema}.${entry.source_table}`,
          refused: `${schema}.${table}`,
        },
      },
    );
  return entry;
}

function laterPosition(a: string | null | undefined, b: string | null | undefined): string | undefined {
  if (a === null || a === undefined) return b ?? undefined;
  if (b === null || b === undefined) return a;
  return BigInt(a) >= BigInt(b) ? a : b;
}

/** Creates bronze.<table>, or adds and widens its columns, so every incoming column has its place. */
async function evolveBronze(
  connection: DuckDBConnection,
  table: string,
  incoming: Column[],
  schemaChange: SchemaChange,
): Promise<{ columns: Column[]; absent: string[]; created: boolean }> {
  const stored = await rows<{ column_name: string; data_type: string }>(
    connection,
    renderSql('merge/describe-table.sql', { schema: literal('bronze'), table: literal(table) }),
  );
  if (stored.length === 0) {
    const columns = incoming.map((c) => `${quotedIdentifier(c.name)} ${c.type}`).join(',\n    ');
    await schemaChange(() =>
      connection.run(
        renderSql('merge/create-bronze-table.sql', { table: identifier(table), columns: { raw: columns } }),
      ),
    );
    return { columns: incoming, absent: [], created: true };
  }
  const byName = new Map(stored.map((s) => [s.column_name, s.data_type]));
  for (const column of incoming) {
    const type = byName.get(column.name);
    if (type === undefined) {
      await schemaChange(() =>
        connection.run(
          renderSql('merge/add-column.sql', {
            table: identifier(table),
            column: identifier(column.name),
            type: { raw: column.type },
          }),
        ),
      );
      continue;
    }
    const change = compareTypes(type, column.type);
    if (change === 'incompatible')
      fail(
        table,
        `column ${column.name} arrives as ${column.type} but is stored as ${type}, and neither holds the other's values`,
        ErrorCode.SCHEMA_INCOMPATIBLE,
      );
    if (change === 'wider') {
      try {
        await schemaChange(() =>
          connection.run(
            renderSql('merge/widen-column.sql', {
              table: identifier(table),
              column: identifier(column.name),
              type: { raw: column.type },
            }),
          ),
        );
      } catch (error: unknown) {
        fail(
          table,
          `column ${column.name} widens from ${type} to ${column.type}, which the lake cannot follow: ${String(error)}`,
          ErrorCode.SCHEMA_INCOMPATIBLE,
        );
      }
    }
  }
  // Columns bronze has and the new objects lack: dropped or renamed in the source. Rows written now hold NULL there.
  const arriving = new Set(incoming.map((c) => c.name));
  const absent = stored.map((s) => s.column_name).filter((n) => !arriving.has(n) && !BRONZE_META.has(n));
  return { columns: incoming, absent, created: false };
}

function mergeValues(key: string[], columns: Column[], absent: string[]): Record<string, SqlValue> {
  const names = columns.map((c) => c.name);
  const keySet = new Set(key);
  const q = quotedIdentifier;
  const cleared = absent
    .map((n) => `${q(n)} = CASE WHEN incoming._op = 'd' THEN bronze.${q(n)} ELSE NULL END,\n    `)
    .join('');
  const clearedValues = absent
    .map(
      (n) =>
        `CASE WHEN bronze._pos IS NOT NULL AND incoming._op = 'd' THEN bronze.${q(n)} ELSE NULL END AS ${q(n)},\n    `,
    )
    .join('');
  return {
    key_match: { raw: key.map((k) => `bronze.${q(k)} = incoming.${q(k)}`).join(' AND ') },
    assignments: {
      raw:
        names
          .filter((n) => !keySet.has(n))
          .map(
            (n) =>
              `${q(n)} = CASE WHEN incoming._op = 'd' ` +
              `OR list_contains(coalesce(incoming._unchanged, []), ${quotedString(n)}) ` +
              `THEN bronze.${q(n)} ELSE incoming.${q(n)} END,\n    `,
          )
          .join('') + cleared,
    },
    columns: { raw: names.map(q).join(', ') },
    row_values: {
      raw:
        names
          .map((n) =>
            keySet.has(n)
              ? `incoming.${q(n)} AS ${q(n)},\n    `
              : `CASE WHEN bronze._pos IS NOT NULL AND (incoming._op = 'd' ` +
                `OR list_contains(coalesce(incoming._unchanged, []), ${quotedString(n)})) ` +
                `THEN bronze.${q(n)} ELSE incoming.${q(n)} END AS ${q(n)},\n    `,
          )
          .join('') + clearedValues,
    },
    values: { raw: names.map((n) => `incoming.${q(n)}`).join(', ') },
  };
}

/** fill-unchanged.sql's parts: per non-key column, the newest value sent in the pass, as a struct. */
function fillValues(key: string[], columns: Column[]): Record<string, SqlValue> {
  const q = quotedIdentifier;
  const keySet = new Set(key);
  const names = columns.map((c) => c.name).filter((n) => !keySet.has(n));
  return {
    raw_key: { raw: key.map((k) => `raw.${q(k)}`).join(', ') },
    waiting_match: { raw: key.map((k) => `waiting.${q(k)} = raw.${q(k)}`).join(' AND ') },
    carried_match: { raw: key.map((k) => `carried.${q(k)} = incoming.${q(k)}`).join(' AND ') },
    carried: {
      raw: names
        .map(
          (n) =>
            `arg_max({'v': raw.${q(n)}}, {'p': raw._pos, 'o': raw._offset}) FILTER (WHERE raw._op <> 'd' ` +
            `AND NOT list_contains(coalesce(raw._unchanged, []), ${quotedString(n)})) AS ${q(n)}`,
        )
        .join(',\n            '),
    },
    carried_names: {
      raw: names.map((n) => `CASE WHEN ${q(n)} IS NOT NULL THEN ${quotedString(n)} END`).join(', '),
    },
    fills: {
      raw: names
        .map(
          (n) =>
            `${q(n)} = CASE WHEN list_contains(incoming._unchanged, ${quotedString(n)}) ` +
            `AND carried.${q(n)} IS NOT NULL THEN carried.${q(n)}.v ELSE incoming.${q(n)} END,\n    `,
        )
        .join(''),
    },
  };
}

/**
 * The bronze tables whose sort order this process has set, with the key it was set to (sort-bronze.sql):
 * set once per table and key per process, so lakes made before it get it too, at their next merge.
 */
export type SortedTables = Map<string, string>;

export async function mergeTopic(
  connection: DuckDBConnection,
  config: Config,
  topic: string,
  objects: RawObject[],
  checkpoints: Map<number, Checkpoint>,
  sorted: SortedTables = new Map(),
  schemaChange: SchemaChange = alone,
): Promise<TopicMergeResult> {
  let mark = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = Math.round(now - mark);
    mark = now;
    return ms;
  };
  const urls = objects.map((o) => `s3://${config.S3_BUCKET}/${o.key}`);
  const files = { literals: urls };
  const source = await tableAndKey(connection, topic, urls);
  const schemaName = source.schema === '' ? config.LAKE_PLAIN_SCHEMA : source.schema;
  const table = bronzeTableName(schemaName, source.table, config.LAKE_PLAIN_SCHEMA);
  const entry = await tableEntry(connection, table, schemaName, source.table);
  const key = source.key ?? (entry?.key_columns ? (JSON.parse(entry.key_columns) as string[]) : undefined);

  const described = await rows<{ column_name: string; column_type: string }>(
    connection,
    renderSql('merge/describe-raw.sql', { files }),
  );
  let incoming: Column[] = [];
  for (const { column_name: name, column_type: type } of described) {
    if (META_COLUMNS.has(name)) continue;
    if (!PLAIN_IDENTIFIER.test(name) || BRONZE_META.has(name))
      fail(
        table,
        `column name ${JSON.stringify(name)} is not a plain identifier or is one of bronze's own`,
        ErrorCode.INVALID_NAME,
      );
    if (!isKnownType(type))
      fail(table, `column ${name} has type ${type}, which bronze does not store`, ErrorCode.UNSUPPORTED_TYPE);
    incoming.push({ name, type });
  }
  // Only keyless truncates (their source named no columns): no event to stage, only the watermark to move.
  const truncatesOnly = key === undefined || !key.every((k) => incoming.some((c) => c.name === k));
  if (truncatesOnly && source.key !== undefined)
    for (const k of source.key)
      if (!incoming.some((c) => c.name === k))
        fail(table, `key column ${k} is missing from the raw objects`, ErrorCode.RAW_METADATA);

  const metadataMs = lap();
  // The bounds: per partition, what is merged already, and what the checkpoint becomes.
  await connection.run(renderSql('merge/create-bounds.sql', {}));
  const appender = await connection.createAppender('merge_bounds', 'main', 'temp');
  const byPartition = new Map<number, RawObject[]>();
  for (const o of objects) byPartition.set(o.partition, [...(byPartition.get(o.partition) ?? []), o]);
  for (const [partition, list] of byPartition) {
    const checkpoint = checkpoints.get(partition);
    const next = checkpoint?.nextOffset ?? 0n;
    const newNext = list.reduce((max, o) => (o.last + 1n > max ? o.last + 1n : max), next);
    appender.appendVarchar(topic);
    appender.appendInteger(partition);
    appender.appendBigInt(next);
    appender.appendBigInt(newNext);
    appender.appendVarchar((list.at(-1) as RawObject).key);
    appender.endRow();
  }
  appender.closeSync();

  let passTruncate: string | undefined;
  let counted: { raw_rows: bigint; latest: bigint; newest_ts_ms: bigint | null } | undefined;
  let evolved: { columns: Column[]; absent: string[]; created: boolean } | undefined;
  let stageMs = 0;
  let evolveMs = 0;
  if (truncatesOnly) {
    const [found] = await rows<{ pos: string | null }>(
      connection,
      renderSql('merge/raw-truncate-position.sql', { files }),
    );
    passTruncate = found?.pos ?? undefined;
    stageMs = lap();
  } else {
    const keyColumns = key as string[];
    await connection.run(
      renderSql('merge/stage-incoming.sql', {
        files,
        key: { raw: keyColumns.map((k) => `raw.${quotedIdentifier(k)}`).join(', ') },
      }),
    );
    const [found] = await rows<{ pos: string | null }>(
      connection,
      renderSql('merge/truncate-position.sql', {}),
    );
    passTruncate = found?.pos ?? undefined;
    const watermark = laterPosition(entry?.truncated_before, passTruncate);
    if (watermark !== undefined)
      await connection.run(renderSql('merge/drop-truncated.sql', { truncated_before: { raw: watermark } }));
    const [unchanged] = await rows<{ waiting: bigint }>(
      connection,
      renderSql('merge/count-unchanged.sql', {}),
    );
    if ((unchanged?.waiting ?? 0n) > 0n && incoming.length > keyColumns.length)
      await connection.run(
        renderSql('merge/fill-unchanged.sql', { files, ...fillValues(keyColumns, incoming) }),
      );
    [counted] = await rows<{ raw_rows: bigint; latest: bigint; newest_ts_ms: bigint | null }>(
      connection,
      renderSql('merge/count-incoming.sql', { files }),
    );
    const configured = parseColumnTypes(config.LAKE_COLUMN_TYPES).get(table);
    if (configured !== undefined || source.typedByValues) {
      const stored = await rows<{ column_name: string; data_type: string }>(
        connection,
        renderSql('merge/describe-table.sql', { schema: literal('bronze'), table: literal(table) }),
      );
      incoming = await retypeIncoming(connection, table, incoming, {
        configured,
        stored: new Map(stored.map((s) => [s.column_name, s.data_type])),
        typedByValues: source.typedByValues,
      });
    }
    stageMs = lap();
    evolved = await evolveBronze(connection, table, incoming, schemaChange);
    const sortKey = keyColumns.map(quotedIdentifier).join(', ');
    if (sorted.get(table) !== sortKey) {
      await schemaChange(() =>
        connection.run(
          renderSql('merge/sort-bronze.sql', { table: identifier(table), key: { raw: sortKey } }),
        ),
      );
      sorted.set(table, sortKey);
    }
    evolveMs = lap();
  }
  // A truncate newer than the watermark marks bronze's older live rows deleted, before the later events.
  const newTruncate =
    passTruncate !== undefined &&
    (entry?.truncated_before === null ||
      entry?.truncated_before === undefined ||
      BigInt(passTruncate) > BigInt(entry.truncated_before))
      ? passTruncate
      : undefined;
  const bronzeExists =
    evolved !== undefined ||
    (
      await rows<{ column_name: string }>(
        connection,
        renderSql('merge/describe-table.sql', { schema: literal('bronze'), table: literal(table) }),
      )
    ).length > 0;

  const values =
    evolved === undefined
      ? undefined
      : { table: identifier(table), ...mergeValues(key as string[], evolved.columns, evolved.absent) };
  // A table created by this pass is loaded with INSERT, which DuckLake writes sorted by the key (MERGE's
  // inserts are not): later micro-batches then read only the row groups of the keys they change.
  const strategy = evolved?.created === true ? 'insert' : config.MERGE_STRATEGY;
  if (values !== undefined && strategy !== 'merge')
    await connection.run(renderSql('merge/stage-winners.sql', values));
  await connection.run(renderSql('merge/begin.sql', {}));
  let changed = 0;
  try {
    if (newTruncate !== undefined && bronzeExists) {
      const truncated = await rows<{ Count?: bigint | number }>(
        connection,
        renderSql('merge/truncate-bronze.sql', {
          table: identifier(table),
          truncated_before: { raw: newTruncate },
        }),
      );
      changed += Number(truncated[0]?.Count ?? 0);
    }
    if (values !== undefined && strategy === 'merge') {
      const merged = await rows<{ Count?: bigint | number }>(
        connection,
        renderSql('merge/merge-bronze.sql', values),
      );
      changed += Number(merged[0]?.Count ?? 0);
    } else if (values !== undefined) {
      if (strategy === 'delete-insert') await connection.run(renderSql('merge/delete-winners.sql', values));
      const inserted = await rows<{ Count?: bigint | number }>(
        connection,
        renderSql('merge/insert-winners.sql', values),
      );
      changed += Number(inserted[0]?.Count ?? 0);
    }
    // The registry changes only when there is something new to record: most passes write nothing there.
    const keyText = key === undefined ? undefined : JSON.stringify(key);
    if (
      entry === undefined ||
      newTruncate !== undefined ||
      (keyText !== undefined && entry.key_columns !== keyText)
    )
      await connection.run(
        renderSql('merge/register-table.sql', {
          bronze_name: literal(table),
          source_schema: literal(schemaName),
          source_table: literal(source.table),
          key_columns: keyText === undefined ? { raw: 'NULL' } : literal(keyText),
          truncated_before: { raw: newTruncate ?? 'NULL' },
        }),
      );
    await connection.run(renderSql('merge/advance-checkpoints.sql', { table_name: literal(table) }));
    await connection.run(renderSql('merge/commit.sql', {}));
  } catch (error: unknown) {
    await connection.run(renderSql('merge/rollback.sql', {})).catch(() => undefined);
    throw error;
  }
  return {
    topic,
    table,
    files: objects.length,
    rawRows: Number(counted?.raw_rows ?? 0),
    changed,
    newestChangeMs:
      counted?.newest_ts_ms === null || counted?.newest_ts_ms === undefined
        ? null
        : Number(counted.newest_ts_ms),
    ms: { metadata: metadataMs, stage: stageMs, evolve: evolveMs, merge: lap() },
  };
}
