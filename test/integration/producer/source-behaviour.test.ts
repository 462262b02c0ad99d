// What the PostgreSQL source promises beyond plain rows: schema versions, unchanged TOASTed values,
// heartbeats that let the slot advance, and clear refusals of what it cannot carry.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, test } from 'vitest';
import type { Config } from '../../../core/config.ts';
import { CdcError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { createKafka } from '../../../core/kafka/client.ts';
import { readEntries } from '../../../core/kafka/compacted-topic.ts';
import { schemasTopic, tableTopic } from '../../../core/kafka/topics.ts';
import { lsnToBigInt } from '../../../producer/postgres/pgoutput.ts';
import { PostgresSource } from '../../../producer/postgres/source.ts';
import { readEvents } from '../../support/kafka-read.ts';
import { createSourceFixture, type SourceFixture } from '../../support/postgres-source.ts';

let fixture: SourceFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

const log = createLogger('test');

function untilIdle(f: SourceFixture, overrides: Partial<Config> = {}, resnapshot = false) {
  return new PostgresSource({ ...f.config, ...overrides }, { untilIdle: true, resnapshot }, log).run();
}

async function expectError(promise: Promise<unknown>): Promise<CdcError> {
  try {
    await promise;
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(CdcError);
    return error as CdcError;
  }
  throw new Error('expected an error');
}

describe('PostgreSQL source behaviour', () => {
  test('a column added in the source flows on as a new schema version on the schemas topic', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table t (id int primary key, name text)');
    await f.sql("insert into t values (1, 'one')");
    await untilIdle(f);
    await f.sql('alter table t add column note text');
    await f.sql("insert into t values (2, 'two', 'noted')");
    await f.sql("update t set note = 'later' where id = 1");
    await untilIdle(f);
    const schemas = [...(await readEntries(createKafka(f.config), schemasTopic(f.config))).values()];
    const envelopes = schemas.filter((s) => s.includes('"Envelope"') && s.includes('cdc.public.t'));
    expect(envelopes.length).toBe(2);
    const { events } = await readEvents(f.config, tableTopic(f.config, 'public', 't'));
    const byPos = [...events].sort((x, y) => (x.pos < y.pos ? -1 : 1));
    // The DDL (found at start: the table's definition differs from the one last snapshotted) backfills
    // the table after the changes made before the producer started again.
    expect(byPos.map((e) => [e.op, e.after?.['id'], e.after?.['note'] ?? null])).toEqual([
      ['r', 1, null],
      ['c', 2, 'noted'],
      ['u', 1, 'later'],
      ['r', 1, 'later'],
      ['r', 2, 'noted'],
    ]);
  });

  test('an unchanged TOASTed value is marked unchanged, never sent as null', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table docs (id int primary key, big text, n int)');
    await f.sql('alter table docs alter column big set storage external');
    await f.sql("insert into docs select 1, string_agg(md5(i::text), '') , 0 from generate_series(1, 500) i");
    await untilIdle(f);
    await f.sql('update docs set n = 1 where id = 1');
    await untilIdle(f);
    const { events } = await readEvents(f.config, tableTopic(f.config, 'public', 'docs'));
    const update = events.find((e) => e.op === 'u');
    expect(update?.unchanged).toEqual(['big']);
    expect(update?.after).not.toHaveProperty('big');
    expect(update?.after?.['n']).toBe(1);
    const snapshot = events.find((e) => e.op === 'r');
    expect(String(snapshot?.after?.['big']).length).toBe(16_000);
  });

  test('a quiet source whose changes are all filtered out still advances its slot (heartbeats)', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table watched (id int primary key)');
    await f.sql('create table ignored (id int primary key, filler text)');
    const source = new PostgresSource(
      { ...f.config, PG_TABLES: ['public.watched'], PRODUCER_HEARTBEAT_MS: 200 },
      { untilIdle: false },
      log,
    );
    const running = source.run();
    try {
      // Wait for streaming, then write only to the table outside the publication.
      for (let i = 0; i < 600 && source.state !== 'streaming'; i++) await sleep(100);
      await f.sql("insert into ignored select i, repeat('x', 200) from generate_series(1, 20000) i");
      const target = lsnToBigInt((await f.sql('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn);
      let confirmed = 0n;
      for (let i = 0; i < 600 && confirmed < target; i++) {
        await sleep(100);
        const row = (
          await f.sql(
            'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
            [f.config.PG_SLOT],
          )
        ).rows[0];
        confirmed = lsnToBigInt(row.lsn);
      }
      expect(confirmed >= target).toBe(true);
    } finally {
      await source.stop();
      await running;
    }
  });

  test('a table without a primary key is refused by name; with REPLICA IDENTITY FULL and configured key columns it is carried', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table events (id int, kind text)');
    await f.sql("insert into events values (1, 'a')");
    // Named in PG_TABLES: the producer stops at start, naming it.
    const refused = await expectError(untilIdle(f, { PG_TABLES: ['public.events'] }));
    expect(refused.code).toBe('CDC_SOURCE_NO_KEY');
    expect(refused.message).toContain('public.events');
    // Found in the schema beside a table that can be captured: refused by name (and counted), the other goes on.
    await f.sql('create table fine (id int primary key)');
    await f.sql('insert into fine values (1)');
    const source = new PostgresSource(f.config, { untilIdle: true }, log);
    expect((await source.run()).snapshotRows).toBe(1);
    expect(source.metrics.render()).toMatch(/^cdclake_producer_tables_refused 1$/m);
    await f.sql('alter table events replica identity full');
    await untilIdle(f, { CDC_KEY_COLUMNS: { 'public.events': ['id'] } });
    await f.sql('delete from events where id = 1');
    await untilIdle(f, { CDC_KEY_COLUMNS: { 'public.events': ['id'] } });
    const { events } = await readEvents(f.config, tableTopic(f.config, 'public', 'events'));
    expect(events.map((e) => [e.op, e.key['id'], e.before?.['kind'] ?? null])).toEqual([
      ['r', 1, null],
      ['d', 1, 'a'],
    ]);
  });

  test('a slot dropped after its snapshot is refused with the cause and the fix; --resnapshot starts again', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table t (id int primary key)');
    await f.sql('insert into t values (1)');
    await untilIdle(f);
    await f.sql('select pg_drop_replication_slot($1)', [f.config.PG_SLOT]);
    const refused = await expectError(untilIdle(f));
    expect(refused.code).toBe('CDC_SOURCE_SLOT_LOST');
    expect(refused.message).toContain('was it dropped?');
    expect(refused.message).toContain('--resnapshot');
    const again = await untilIdle(f, {}, true);
    expect(again.snapshotRows).toBe(1);
  });

  test('a row larger than the broker accepts is refused naming its table and key', async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table blobs (id int primary key, body text)');
    await f.sql("insert into blobs values (42, repeat('y', 20000))");
    const refused = await expectError(untilIdle(f, { KAFKA_MAX_RECORD_BYTES: 10000 }));
    expect(refused.code).toBe('CDC_RECORD_TOO_LARGE');
    expect(refused.message).toContain('public.blobs');
    expect(refused.message).toContain('id=42');
  });

  test("a row larger than its topic's own max.message.bytes is refused naming it, not sent into a crash loop", async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    await f.sql('create table narrow (id int primary key, body text)');
    const admin = createKafka(f.config).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: tableTopic(f.config, 'public', 'narrow'),
            numPartitions: 1,
            replicationFactor: -1,
            configEntries: [{ name: 'max.message.bytes', value: '50000' }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    await f.sql("insert into narrow select 7, string_agg(md5(i::text), '') from generate_series(1, 2500) i");
    const refused = await expectError(untilIdle(f));
    expect(refused.code).toBe('CDC_RECORD_TOO_LARGE');
    expect(refused.message).toMatch(
      /public\.narrow key id=7: the change event is \d+ bytes, more than the 49872 bytes/,
    );
  });
});
