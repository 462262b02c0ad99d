// A raw object listed by a merge pass and removed before the pass reads it (a late second copy the consumer
// removed, consumer/late-objects.ts) fails nothing: the pass lists the topic again and merges what is there.

import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { expect, onTestFinished, test } from 'vitest';
import { createS3Client } from '../../../core/s3.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { bronzeState, mergeOnce } from '../../support/lake.ts';
import { writeRawObject, type RawEvent } from '../../support/raw-writer.ts';
import { startS3HoldProxy } from '../../support/s3-hold-proxy.ts';

const columns = { id: 'BIGINT', name: 'VARCHAR' };

test('an object removed between the listing and the read is listed again, not a failed merge', async () => {
  const id = uniqueId('vanish');
  const config = lakeTestConfig(id);
  const topic = `${id}.public.items`;
  const events: RawEvent[] = [
    { op: 'r', pos: 10, offset: 0, row: { id: 1, name: 'one' } },
    { op: 'r', pos: 11, offset: 1, row: { id: 2, name: 'two' } },
    { op: 'c', pos: 20, offset: 2, row: { id: 3, name: 'three' } },
    { op: 'u', pos: 21, offset: 3, row: { id: 1, name: 'one again' } },
  ];
  const object = (list: RawEvent[]) => ({ topic, table: 'items', key: ['id'], columns, events: list });
  await writeRawObject(config, object(events));
  // The second copy of offsets 0..1; its key sorts first.
  const copy = await writeRawObject(config, object(events.slice(0, 2)));
  const s3 = createS3Client(config);
  onTestFinished(() => s3.destroy());
  let removed = false;
  const proxy = await startS3HoldProxy(config.S3_ENDPOINT, {
    beforeRead: async (path) => {
      if (removed || !decodeURIComponent(path).includes(copy)) return;
      removed = true;
      await s3.send(new DeleteObjectCommand({ Bucket: config.S3_BUCKET, Key: copy }));
    },
  });
  onTestFinished(() => proxy.close());

  const pass = await mergeOnce({ ...config, S3_ENDPOINT: proxy.endpoint });
  expect(removed).toBe(true);
  expect(pass.failed).toEqual([]);
  expect(pass.merged[0]).toMatchObject({ table: 'items', rawRows: 4, changed: 3 });
  expect(await bronzeState(config, 'items', 'id')).toMatchObject([
    { id: '1', name: 'one again', _deleted: false },
    { id: '2', name: 'two', _deleted: false },
    { id: '3', name: 'three', _deleted: false },
  ]);
});
