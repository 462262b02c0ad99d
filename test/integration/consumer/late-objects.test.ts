// A raw object that lands after the partition's owner resumed (an earlier owner's abandoned upload, carried
// out late by a server that had the whole request) is a second copy of offsets the owner writes too. The
// running consumer removes it, and only it: an object from before its resume point, one reaching past what
// it has written, and one another consumer group wrote (a second writer of the prefix, reported) are left
// alone.

import { expect, onTestFinished, test } from 'vitest';
import { openDuckDB } from '../../../core/duckdb.ts';
import { createLogger } from '../../../core/logger.ts';
import { runGeneratorWorkload } from '../../../producer/generator-run.ts';
import { freePort } from '../../../core/free-port.ts';
import { rawObjectKey } from '../../../core/raw-layer/keys.ts';
import { quotedString } from '../../../core/sql.ts';
import type { Config } from '../../../core/config.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { runCdclake, startCdclake, stopCdclake } from '../../support/processes.ts';
import { listRawObjects, rawOffsetCounts } from '../../support/raw-layer.ts';
import { setWriterGroup } from '../../support/raw-writer.ts';
import { parseMetrics } from '../../support/browser.ts';
import { waitUntil } from '../../support/wait.ts';

/**
 * Writes the rows of `source` with offsets first..last under the key of that range, a copy of them, as a
 * consumer of `group` would have (its name in the object's metadata).
 */
async function copyRange(
  config: Config,
  source: string,
  topic: string,
  range: [bigint, bigint],
  group: string,
): Promise<string> {
  const [first, last] = range;
  const key = rawObjectKey(config.RAW_PREFIX, topic, 0, first, last);
  const duck = await openDuckDB(config);
  try {
    await duck.connection.run(
      `COPY (SELECT * FROM read_parquet(${quotedString(`s3://${config.S3_BUCKET}/${source}`)}) ` +
        `WHERE _offset BETWEEN ${first} AND ${last}) TO ${quotedString(`s3://${config.S3_BUCKET}/${key}`)} (FORMAT parquet)`,
    );
  } finally {
    duck.close();
  }
  await setWriterGroup(config, key, group);
  return key;
}

test('a running consumer removes a late second copy of offsets it wrote, and nothing else', async () => {
  const id = uniqueId('late');
  const config = testConfig({ CDC_TOPIC_PREFIX: id, RAW_PREFIX: `${id}/raw/`, KAFKA_PARTITIONS: '1' });
  const generate = (seed: string) =>
    runGeneratorWorkload(config, { target: 'kafka', orders: '300', seed }, createLogger('test'));
  await generate('1');
  await runCdclake(config, ['consume', '--until-idle']);
  const before = await listRawObjects(config, id);
  await generate('2');
  const port = await freePort();
  const consumer = startCdclake(config, ['consume'], {
    LOG_LEVEL: 'info',
    CONSUMER_BATCH_AGE_MS: '300',
    METRICS_PORT: String(port),
  });
  onTestFinished(async () => {
    consumer.process.kill('SIGKILL');
    await consumer.exited;
  });
  // The second run's objects of the orders topic: it resumed after the first run's.
  const topic = `${id}.public.orders`;
  const firstRun = before.filter((o) => o.topic === topic);
  const resumedAt = firstRun.reduce((end, o) => (o.last + 1n > end ? o.last + 1n : end), 0n);
  expect(resumedAt).toBeGreaterThan(2n);
  let written: Awaited<ReturnType<typeof listRawObjects>> = [];
  await waitUntil(
    'the second run written once',
    async () => {
      written = (await listRawObjects(config, id)).filter((o) => o.topic === topic && o.first >= resumedAt);
      const counts = await rawOffsetCounts(config, id);
      return (
        written.length > 0 &&
        counts.rows === counts.distinct_offsets &&
        consumer.output().includes('partition resumes')
      );
    },
    60_000,
  );
  const own = written[0];
  if (own === undefined) throw new Error('no object of the second run');
  const ownEnd = written.reduce((end, o) => (o.last > end ? o.last : end), 0n);
  // Late: from the resume point, within what the consumer wrote. Kept: one before its resume point, and one
  // reaching past the end of what it has written.
  const group = config.CONSUMER_GROUP ?? `${id}-raw`;
  const late = await copyRange(config, own.key, topic, [resumedAt, resumedAt + 1n], group);
  const otherGroup = await copyRange(config, own.key, topic, [resumedAt + 2n, resumedAt + 3n], 'elsewhere');
  const old = firstRun[0];
  if (old === undefined) throw new Error('no object of the first run');
  const beforeResume = await copyRange(config, old.key, topic, [old.first, old.first], group);
  const pastEnd = await copyRange(config, own.key, topic, [ownEnd, ownEnd + 1000n], group);
  const keys = async (): Promise<Set<string>> =>
    new Set((await listRawObjects(config, id)).map((o) => o.key));
  await waitUntil('the late copy removed', async () => !(await keys()).has(late), 30_000);
  const left = await keys();
  expect(left.has(beforeResume)).toBe(true);
  expect(left.has(pastEnd)).toBe(true);
  expect(left.has(otherGroup)).toBe(true);
  expect(consumer.output()).toMatch(/objects of another writer hold offsets this consumer group wrote too/);
  for (const o of written) expect(left.has(o.key)).toBe(true);
  expect(consumer.output()).toContain(late.slice(late.lastIndexOf('/') + 1));
  const metrics = parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  const removed = [...metrics].filter(([name]) =>
    name.startsWith('cdclake_consumer_late_objects_removed_total'),
  );
  expect(removed.reduce((sum, [, value]) => sum + value, 0)).toBe(1);
  expect(await stopCdclake(consumer)).toBe(0);
}, 180_000);
