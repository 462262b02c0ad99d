// The fence before a late copy is removed: the owner commits its offset to the group first, and a commit the
// coordinator refuses (a member that lost the partition without knowing it yet: unknown member, or an
// older generation) removes nothing. On a real MinIO, with the partition writer the consumer uses.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import type { DeadLetters } from '../../../consumer/dead-letters.ts';
import { LateObjectWatch } from '../../../consumer/late-objects.ts';
import { PartitionPhase, PartitionState } from '../../../consumer/partition-state.ts';
import { PartitionWriter } from '../../../consumer/partition-writer.ts';
import { createLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import { createS3Client } from '../../../core/s3.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { listRawObjects } from '../../support/raw-layer.ts';
import { setWriterGroup, writeRawObject, type RawEvent } from '../../support/raw-writer.ts';

test('a late copy stays while the group refuses the owner its commit, and goes once it accepts', async () => {
  const id = uniqueId('fence');
  const config = testConfig({ CDC_TOPIC_PREFIX: id, RAW_PREFIX: `${id}/raw/` });
  const group = `${id}-raw`;
  const topic = `${id}.public.items`;
  const events: RawEvent[] = [10, 11, 12, 13].map((offset) => ({
    op: 'c',
    pos: offset,
    offset,
    row: { id: offset, name: `n${offset}` },
  }));
  const object = (list: RawEvent[]) => ({
    topic,
    table: 'items',
    key: ['id'],
    columns: { id: 'BIGINT', name: 'VARCHAR' },
    events: list,
  });
  const own = await writeRawObject(config, object(events));
  const late = await writeRawObject(config, object(events.slice(0, 2)));
  for (const key of [own, late]) await setWriterGroup(config, key, group);

  const s3 = createS3Client(config);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-fence-'));
  onTestFinished(() => {
    s3.destroy();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  });
  let refuse = true;
  const commits: bigint[] = [];
  const writer = new PartitionWriter({
    config,
    s3,
    deadLetters: {} as DeadLetters, // no batch is written here
    tmpDir,
    metrics: new Metrics(),
    log: createLogger('test', 'silent'),
    groupId: group,
    generation: () => 1,
    commit: async (_topic, _partition, offset) => {
      if (refuse) throw new Error('The coordinator is not aware of this member');
      commits.push(offset);
    },
    progressed: () => undefined,
  });
  const state = new PartitionState(topic, 0, Promise.resolve());
  state.phase = PartitionPhase.ready;
  state.late = new LateObjectWatch(10n);
  state.late.wrote(own);
  state.next = 14n;
  const keys = async (): Promise<string[]> => (await listRawObjects(config, id)).map((o) => o.key).sort();

  await writer.sweepLateObjects(state);
  expect(await keys()).toEqual([late, own].sort());

  refuse = false;
  await writer.sweepLateObjects(state);
  expect(commits).toEqual([14n]);
  expect(await keys()).toEqual([own]);
});
