// The chaos run in `npm test`, short: some tens of thousands of changes with key updates, TRUNCATE, DDL and
// a late table, while the producer and a merge worker are killed with SIGKILL and PostgreSQL, MinIO and
// Kafka restart under the pipeline; the lake must end equal to the source (test/chaos/harness.ts).
// The full run with every fault is `npm run test:chaos`.

import { expect, inject, test } from 'vitest';
import { describeSummary, runChaos } from '../chaos/harness.ts';

test('a short chaos run: service restarts and kill -9 under load, and the lake equals the source', async () => {
  const seed = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 1_000_000));
  const summary = await runChaos({
    changes: 30_000,
    seed,
    minutes: 1.5,
    kinds: ['kill-producer', 'kill-merge', 'restart-postgres', 'restart-minio', 'restart-kafka'],
    spacing: 1000,
    baseEnv: { ...process.env, ...inject('env') },
    print: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${describeSummary(summary)}\n`);
  expect(summary.problems).toEqual([]);
}, 900_000);
