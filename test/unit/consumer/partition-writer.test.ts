// The partition writer's order of things, without S3: dead letters go first (a failure there commits
// nothing), a batch with no rows writes no object, the offset after the batch is committed last, and a
// write begun in an earlier group generation commits nothing. The upload itself is tested on a real MinIO
// (test/integration/consumer/).

import type { S3Client } from '@aws-sdk/client-s3';
import { expect, test } from 'vitest';
import { resolveConfig } from '../../../core/config.ts';
import { createLogger } from '../../../core/logger.ts';
import { Metrics } from '../../../core/metrics.ts';
import type { DeadLetter, DeadLetters } from '../../../consumer/dead-letters.ts';
import { PartitionPhase, PartitionState, type TakenBatch } from '../../../consumer/partition-state.ts';
import { PartitionWriter } from '../../../consumer/partition-writer.ts';
import type { RawBatch } from '../../../consumer/raw-batch.ts';

interface Harness {
  writer: PartitionWriter;
  events: string[];
}

function harness(options: { sendFails?: boolean; rebalanceOnSend?: boolean } = {}): Harness {
  const events: string[] = [];
  let generation = 1;
  const deadLetters = {
    send: async (letters: DeadLetter[]) => {
      if (letters.length === 0) return;
      if (options.sendFails === true) throw new Error('dead-letter topic unreachable');
      if (options.rebalanceOnSend === true) generation += 1; // a rebalance while they were sent
      events.push(`dead letters ${letters.length}`);
    },
  } as unknown as DeadLetters;
  const writer = new PartitionWriter({
    config: resolveConfig({}),
    s3: {} as S3Client, // no object is uploaded in these tests
    deadLetters,
    tmpDir: '/nonexistent',
    groupId: 'test-raw',
    metrics: new Metrics(),
    log: createLogger('test', 'silent'),
    generation: () => generation,
    commit: async (topic, partition, offset) => {
      events.push(`commit ${topic}/${partition} at ${offset}`);
    },
    progressed: () => events.push('progressed'),
  });
  return { writer, events };
}

function emptyBatch(events: string[]): RawBatch {
  return { rows: 0, discard: () => events.push('discarded') } as unknown as RawBatch;
}

function letter(offset: bigint): DeadLetter {
  return { topic: 't', partition: 0, offset, code: 'CDC_DECODE', reason: 'not Avro', key: null, value: null };
}

function ready(): PartitionState {
  const state = new PartitionState('t', 0, Promise.resolve());
  state.phase = PartitionPhase.ready;
  return state;
}

test('dead letters first, then the offset after the batch, once durable', async () => {
  const { writer, events } = harness();
  const state = ready();
  const taken: TakenBatch = { batch: emptyBatch(events), deadLetters: [letter(7n)], first: 5n, last: 9n };
  await writer.write(state, taken, new AbortController().signal);
  // The batch held no rows (its change went to a dead letter): no object, and the batch let go.
  expect(events).toEqual(['dead letters 1', 'discarded', 'progressed', 'commit t/0 at 10']);
  expect(state.next).toBe(10n);
  expect(writer.deadLetters).toBe(1);
  expect(writer.files).toBe(0);
});

test('a dead letter that cannot be sent lets the batch go and commits nothing', async () => {
  const { writer, events } = harness({ sendFails: true });
  const taken: TakenBatch = { batch: emptyBatch(events), deadLetters: [letter(3n)], first: 1n, last: 4n };
  await expect(writer.write(ready(), taken, new AbortController().signal)).rejects.toThrow(
    'dead-letter topic unreachable',
  );
  expect(events).toEqual(['discarded']);
  expect(writer.deadLetters).toBe(0);
});

test('a write begun in an earlier group generation commits nothing; a partition gone writes nothing', async () => {
  const moved = harness({ rebalanceOnSend: true });
  const state = ready();
  await moved.writer.write(
    state,
    { batch: undefined, deadLetters: [letter(1n)], first: 1n, last: 1n },
    new AbortController().signal,
  );
  expect(moved.events).toEqual(['dead letters 1', 'progressed']);
  expect(state.next).toBe(0n);

  const gone = harness();
  const goneState = ready();
  goneState.phase = PartitionPhase.gone;
  await gone.writer.write(
    goneState,
    { batch: emptyBatch(gone.events), deadLetters: [letter(1n)], first: 1n, last: 1n },
    new AbortController().signal,
  );
  expect(gone.events).toEqual(['discarded']);
});
