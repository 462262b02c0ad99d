// cdclake's own producer at the snapshot boundary: a transaction open while the replication slot is created
// updates an existing row and commits after the slot's consistent point. The update's change is written
// in the WAL before the point, but positions are commit LSNs, so the update outranks the snapshot's read of
// the row; bronze ends with the committed value, in either snapshot mode.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../../../core/logger.ts';
import { connectPostgres } from '../../../core/postgres-client.ts';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { PostgresSource } from '../../../producer/postgres/source.ts';
import { mergeOnce, queryLake } from '../../support/lake.ts';
import { createSourceFixture, type SourceFixture } from '../../support/postgres-source.ts';

let fixture: SourceFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

for (const mode of ['incremental', 'exported'] as const) {
  test(`a transaction open across the slot's creation: bronze ends with its committed value (${mode} snapshot)`, async () => {
    fixture = await createSourceFixture();
    const f = fixture;
    const config = { ...f.config, PG_SNAPSHOT_MODE: mode };
    await f.sql('create table b (id int primary key, v int)');
    await f.sql('insert into b select i, 0 from generate_series(1, 50) i');
    const open = await connectPostgres(config.PG_URL);
    try {
      await open.query('begin');
      await open.query('update b set v = 1 where id = 1');
      const log = createLogger('test');
      const producing = new PostgresSource(config, { untilIdle: true }, log).run();
      // The slot's creation waits for the open transaction; it commits while the slot is being made.
      for (let i = 0; i < 100; i++) {
        const made = await f.sql('select 1 from pg_replication_slots where slot_name = $1', [config.PG_SLOT]);
        if (made.rowCount === 1) break;
        await sleep(50);
      }
      await sleep(300);
      await open.query('commit');
      await producing;
      await f.sql('update b set v = 2 where id = 2');
      await new PostgresSource(config, { untilIdle: true }, log).run();
      await new RawConsumer(config, { untilIdle: true }, log).run();
      expect((await mergeOnce(config)).failed).toEqual([]);
      const rows = await queryLake<{ id: number; v: number }>(
        config,
        'SELECT id, v FROM bronze.b WHERE NOT _deleted AND id <= 3 ORDER BY id',
      );
      expect(rows.map((r) => [r.id, r.v])).toEqual([
        [1, 1],
        [2, 2],
        [3, 0],
      ]);
    } finally {
      await open.end();
    }
  });
}
