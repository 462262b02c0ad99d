// Compares the change events on Kafka with the star-schema tables in PostgreSQL, key by key and column
// by column; PostgreSQL itself renders each value as text, so the comparison does not trust our parsing.

import type { Config } from '../../core/config.ts';
import type { Row } from '../../core/events/types.ts';
import { tableTopic } from '../../core/kafka/topics.ts';
import { connectPostgres } from '../../core/postgres-client.ts';
import { ordersTable, customersTable, productsTable } from '../../producer/generator/tables.ts';
import { lastRowPerKey, readEvents } from './kafka-read.ts';

const TABLES = [productsTable, customersTable, ordersTable];

/** Every column as text; timestamps as microseconds since the epoch. */
function textSelect(table: typeof ordersTable): string {
  const columns = table.columns.map((c) =>
    c.type.kind === 'timestamptz' || c.type.kind === 'timestamp'
      ? `(extract(epoch from ${c.name}) * 1000000)::bigint::text as ${c.name}`
      : `${c.name}::text as ${c.name}`,
  );
  return `select ${columns.join(', ')} from public.${table.name}`;
}

function asText(row: Row): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || v === undefined ? null : String(v);
  return out;
}

export interface Mismatch {
  table: string;
  onlyInKafka: string[];
  onlyInPostgres: string[];
  differing: { key: string; kafka: Record<string, string | null>; postgres: Record<string, string | null> }[];
  rows: number;
  /** The events of the first key at fault, to read what happened to it. */
  trail: string[];
}

export async function compareKafkaWithPostgres(config: Config): Promise<Mismatch[]> {
  const client = await connectPostgres(config.PG_URL);
  const results: Mismatch[] = [];
  try {
    for (const table of TABLES) {
      const key = table.key[0] as string;
      const { events } = await readEvents(config, tableTopic(config, table.schema, table.name));
      const last = lastRowPerKey(events, (k) => String(k[key]));
      const expected = new Map<string, Record<string, string | null>>();
      for (const row of (await client.query(textSelect(table))).rows as Record<string, string | null>[]) {
        expected.set(String(row[key]), row);
      }
      const mismatch: Mismatch = {
        table: table.name,
        onlyInKafka: [],
        onlyInPostgres: [],
        differing: [],
        rows: expected.size,
        trail: [],
      };
      for (const [k, row] of last) {
        if (row === null) {
          if (expected.has(k)) mismatch.onlyInPostgres.push(k);
          continue;
        }
        const want = expected.get(k);
        if (want === undefined) mismatch.onlyInKafka.push(k);
        else if (JSON.stringify(asText(row)) !== JSON.stringify(want)) {
          mismatch.differing.push({ key: k, kafka: asText(row), postgres: want });
        }
      }
      for (const k of expected.keys()) if (!last.has(k)) mismatch.onlyInPostgres.push(k);
      const culprit = mismatch.onlyInKafka[0] ?? mismatch.onlyInPostgres[0] ?? mismatch.differing[0]?.key;
      if (culprit !== undefined) {
        mismatch.trail = events
          .filter((e) => String(e.key[key]) === culprit)
          .map(
            (e) => `${e.op} p${e.partition}@${e.offset} pos=${e.pos} lsn=${e.source.lsn} tx=${e.source.txId}`,
          );
      }
      mismatch.onlyInKafka = mismatch.onlyInKafka.slice(0, 10);
      mismatch.onlyInPostgres = mismatch.onlyInPostgres.slice(0, 10);
      mismatch.differing = mismatch.differing.slice(0, 3);
      results.push(mismatch);
    }
  } finally {
    await client.end();
  }
  return results;
}
