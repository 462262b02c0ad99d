// Debezium input through consume and merge, for what a real database does: a snapshot read followed by the
// update of a transaction that was open while the connector's slot was created (the update's change LSN is
// below the snapshot's, yet it commits after: bronze must end with the committed value), a primary-key change
// (delete, tombstone and create, with Debezium's __debezium.oldkey / newkey headers), and a TRUNCATE (op t,
// keyless) followed by a new row. Partitions: one, and three (the events of one table spread by key).

import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { createKafka } from '../../../core/kafka/client.ts';
import { ensureTopics } from '../../../core/kafka/topics.ts';
import { createLogger } from '../../../core/logger.ts';
import { RawConsumer } from '../../../consumer/raw-consumer.ts';
import { DEBEZIUM_FIXTURES } from '../../support/debezium-samples.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { mergeOnce, queryLake } from '../../support/lake.ts';

interface Recorded {
  table: string;
  key: unknown;
  value: unknown;
  headers?: Record<string, string>;
}

const { records } = JSON.parse(
  fs.readFileSync(path.join(DEBEZIUM_FIXTURES, 'pg-boundary-keychange-truncate.json'), 'utf8'),
) as { records: Recorded[] };

for (const partitions of [1, 3]) {
  test(`Debezium events keep source order at the snapshot boundary, through key changes and truncates (${partitions} partition(s))`, async () => {
    const id = uniqueId('dbzorder');
    const config = lakeTestConfig(id, { LAKE_PLAIN_SCHEMA: 'inventory' });
    const kafka = createKafka(config);
    const topic = (table: string) => `${id}.inventory.${table}`;
    const tables = [...new Set(records.map((r) => r.table))];
    await ensureTopics(
      kafka,
      tables.map((t) => ({ topic: topic(t), partitions })),
    );
    const producer = kafka.producer();
    await producer.connect();
    for (const r of records)
      await producer.send({
        topic: topic(r.table),
        messages: [
          {
            key: r.key === null ? null : JSON.stringify(r.key),
            value: r.value === null ? null : JSON.stringify(r.value),
            // A keyless truncate goes to a partition of its own choosing, as Kafka's default partitioner does.
            ...(r.key === null ? { partition: partitions - 1 } : {}),
            ...(r.headers === undefined ? {} : { headers: r.headers }),
          },
        ],
      });
    await producer.disconnect();
    const summary = await new RawConsumer(
      config,
      { untilIdle: true, topics: new RegExp(`^${id}\\.inventory\\.`) },
      createLogger('test'),
    ).run();
    expect(summary.deadLetters).toBe(0);
    const pass = await mergeOnce(config);
    expect(pass.failed).toEqual([]);

    const live = async (table: string) =>
      (
        await queryLake<{ id: bigint | number; v: bigint | number }>(
          config,
          `SELECT id, v FROM bronze.${table} WHERE NOT _deleted ORDER BY id`,
        )
      ).map((r) => [Number(r.id), Number(r.v)]);
    expect(await live('boundary')).toEqual([[1, 1]]);
    expect(await live('accounts')).toEqual([
      [3, 20],
      [5, 50],
    ]);
    expect(await live('events')).toEqual([[3, 3]]);

    // A truncate alone in a pass (no row columns in its raw file): the key comes from the lake's registry.
    const truncate = records.find((r) => r.table === 'events' && r.key === null) as Recorded;
    const later = structuredClone(truncate.value) as { source: { lsn: number; sequence: string } };
    later.source.lsn = 792148000;
    later.source.sequence = '["792147000","792148000"]';
    const again = kafka.producer();
    await again.connect();
    await again.send({
      topic: topic('events'),
      messages: [{ key: null, value: JSON.stringify(later), partition: 0 }],
    });
    await again.disconnect();
    await new RawConsumer(
      config,
      { untilIdle: true, topics: new RegExp(`^${id}\\.inventory\\.`) },
      createLogger('test'),
    ).run();
    expect((await mergeOnce(config)).failed).toEqual([]);
    expect(await live('events')).toEqual([]);
  });
}
