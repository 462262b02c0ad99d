// Kafka down while the source streams: the producer retries, the slot does not advance past what Kafka
// acknowledged, and once Kafka is back every change arrives.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, test } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { tableTopic } from '../../../core/kafka/topics.ts';
import { lsnToBigInt } from '../../../producer/postgres/pgoutput.ts';
import { PostgresSource } from '../../../producer/postgres/source.ts';
import { startExtraKafka, type ExtraKafka } from '../../support/extra-kafka.ts';
import { readEvents } from '../../support/kafka-read.ts';
import { createSourceFixture, type SourceFixture } from '../../support/postgres-source.ts';

let fixture: SourceFixture | undefined;
let kafka: ExtraKafka | undefined;
afterAll(async () => {
  await fixture?.cleanup();
  await kafka?.remove();
});

test('with Kafka down the slot does not advance; when Kafka is back every change arrives', async () => {
  kafka = await startExtraKafka();
  fixture = await createSourceFixture();
  const f = fixture;
  const config = { ...f.config, KAFKA_BROKERS: [kafka.brokers], PRODUCER_HEARTBEAT_MS: 200 };
  await f.sql('create table t (id int primary key, n int)');
  await f.sql('insert into t select i, 0 from generate_series(1, 100) i');
  const slotLsn = async (): Promise<bigint> =>
    lsnToBigInt(
      (
        await f.sql(
          'select confirmed_flush_lsn::text as lsn from pg_replication_slots where slot_name = $1',
          [config.PG_SLOT],
        )
      ).rows[0].lsn,
    );

  const source = new PostgresSource(config, { untilIdle: false }, createLogger('test'));
  const running = source.run();
  for (let i = 0; i < 600 && source.state !== 'streaming'; i++) await sleep(100);
  expect(source.state).toBe('streaming');

  await kafka.kill();
  // Heartbeats may still move the slot over WAL with nothing to publish; never over the changes below.
  const beforeChanges = lsnToBigInt((await f.sql('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn);
  await f.sql('update t set n = 1');
  await f.sql('insert into t values (1000, 1)');
  await sleep(4000);
  expect((await slotLsn()) <= beforeChanges).toBe(true);
  // Health says so: events wait for Kafka's acknowledgement and none came for longer than the stall time.
  expect(source.metrics.health({ stallMs: 3000 }).problems).toEqual([
    expect.stringMatching(
      /^producer: no progress for \d+ s with \d+ events waiting for Kafka's acknowledgement$/,
    ),
  ]);

  await kafka.start();
  const target = lsnToBigInt((await f.sql('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn);
  for (let i = 0; i < 600 && (await slotLsn()) < target; i++) await sleep(100);
  expect((await slotLsn()) >= target).toBe(true);
  expect(source.metrics.health({ stallMs: 3000 }).live).toBe(true);
  await source.stop();
  await running;

  const { events } = await readEvents(config, tableTopic(config, 'public', 't'));
  const last = new Map<number, number>();
  for (const e of [...events].sort((a, b) => (a.pos < b.pos ? -1 : 1)))
    last.set(Number(e.key['id']), Number(e.after?.['n']));
  expect(last.size).toBe(101);
  expect([...last.values()].every((n) => n === 1)).toBe(true);
}, 180_000);
