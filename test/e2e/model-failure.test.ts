// A model that fails to build is a failure, not a success: a source whose `orders` table is not the star
// schema's makes silver.orders fail to bind. `merge --once` commits bronze, then exits 1 naming the model;
// `status` shows the failure; a long-running merge counts it in metrics and fails /health until it builds.

import { expect, test } from 'vitest';
import { createLogger } from '../../core/logger.ts';
import { MergeJob } from '../../merge/merge-job.ts';
import { compareBronzeWithPostgres } from '../support/lake-oracle.ts';
import { createSourceFixture } from '../support/postgres-source.ts';
import { runCdclake, startCdclake } from '../support/processes.ts';

test('a model that fails to build makes merge --once exit 1 naming it; status, metrics and /health show it', async () => {
  const f = await createSourceFixture();
  try {
    await f.sql('create table orders (id int primary key, note text)');
    await f.sql("insert into orders select i, 'note ' || i from generate_series(1, 300) i");
    await runCdclake(f.config, ['produce', '--source', 'postgres', '--until-idle']);
    await runCdclake(f.config, ['consume', '--until-idle']);

    const merge = startCdclake(f.config, ['merge', '--once']);
    expect(await merge.exited).toBe(1);
    expect(merge.output()).toMatch(/model silver\.orders \(.*orders\.sql\): FAILED: .*Binder Error/);
    // Bronze was committed all the same.
    const [orders] = await compareBronzeWithPostgres(f.config, ['orders']);
    expect(orders).toMatchObject({ bronzeRows: 300, postgresRows: 300, onlyInBronze: 0, onlyInPostgres: 0 });

    const status = JSON.parse(await runCdclake(f.config, ['status', '--format', 'json'])) as {
      table: string;
      error: string | null;
    }[];
    expect(status.find((r) => r.table === 'silver.orders (model)')?.error).toMatch(
      /^build failed at .*Binder Error/,
    );

    const job = new MergeJob(f.config, createLogger('test'));
    try {
      const { failed } = await job.refreshModels();
      expect(failed.map((m) => m.model)).toContain('silver.orders');
      expect(job.metrics.render()).toMatch(/cdclake_merge_model_failures_total\{model="silver.orders"\} 1/);
      expect(job.metrics.health({ stallMs: 60_000 }).problems).toEqual([
        expect.stringMatching(/^models failing: silver\.orders \(/),
      ]);
    } finally {
      job.close();
    }
  } finally {
    await f.cleanup();
  }
}, 240_000);
