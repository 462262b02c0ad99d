// Kafka deleted offsets the consumer had not written yet (retention ran while it was down): the consumer
// stops with an error naming topic, partition and the missing offsets, instead of jumping to the log start.
// With CONSUMER_ACCEPT_GAP=true it records the gap, counts it, goes on, and `status` shows it.

import { expect, test } from 'vitest';
import { createKafka } from '../../core/kafka/client.ts';
import { ensureTopics } from '../../core/kafka/topics.ts';
import { debeziumSample } from '../support/debezium-samples.ts';
import { lakeTestConfig, uniqueId } from '../support/fixtures.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';
import { rawOffsetCounts } from '../support/raw-layer.ts';

test('a retention gap stops the consumer naming the offsets, unless accepted; status shows what was skipped', async () => {
  const prefix = uniqueId('gap');
  const config = lakeTestConfig(prefix, { METRICS_PORT: '0' });
  const topic = `${prefix}.inventory.customers`;
  const kafka = createKafka(config);
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const producer = kafka.producer();
  await producer.connect();
  const send = (names: string[]): Promise<unknown> =>
    producer.send({ topic, messages: names.map((name) => debeziumSample(name)) });
  await send(['pg-snapshot-read', 'pg-create', 'pg-update']); // offsets 0..2
  await runCdclake(config, ['consume', '--until-idle']);

  await send(['pg-update', 'pg-update', 'pg-update', 'noschema-create', 'pg-update']); // offsets 3..7
  await producer.disconnect();
  // What retention does to a consumer that was away too long: the log now starts at offset 6.
  const admin = kafka.admin();
  await admin.connect();
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] });
  await admin.disconnect();

  const refused = startCdclake(config, ['consume', '--until-idle']);
  expect(await refused.exited).not.toBe(0);
  expect(refused.output()).toContain('CDC_KAFKA_RETENTION_GAP');
  expect(refused.output()).toContain(`topic ${topic} partition 0: offsets 3..5 (3 records)`);
  expect(await rawOffsetCounts(config, prefix)).toEqual({ rows: 3, distinct_offsets: 3 });

  const accepted = startCdclake(config, ['consume', '--until-idle'], {
    CONSUMER_ACCEPT_GAP: 'true',
    LOG_LEVEL: 'info',
  });
  expect(await accepted.exited).toBe(0);
  expect(accepted.output()).toContain('skipped');
  expect(await rawOffsetCounts(config, prefix)).toEqual({ rows: 5, distinct_offsets: 5 });

  // The recorded gap counts as written: a later start without the setting goes on.
  await runCdclake(config, ['consume', '--until-idle']);
  await runCdclake(config, ['merge', '--once']);
  const status = JSON.parse(await runCdclake(config, ['status', '--format', 'json'])) as {
    topics: string;
    skipped_offsets: number;
  }[];
  expect(status.find((row) => row.topics.includes(topic))?.skipped_offsets).toBe(3);
}, 240_000);
