// A DuckDB-file catalog serves one process at a time: a second process gets an error that says so and
// what to do, not DuckDB's lock message alone.

import { expect, test } from 'vitest';
import { openLake } from '../../../merge/lake.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { startCdclake } from '../../support/processes.ts';

test('status while another process holds the DuckDB-file catalog names the problem and the way out', async () => {
  const config = lakeTestConfig(uniqueId('lock'));
  const holder = await openLake(config);
  try {
    const status = startCdclake(config, ['status']);
    expect(await status.exited).toBe(1);
    expect(status.output()).toMatch(
      /is in use by another process .*LAKE_CATALOG=postgres:.*\[CDC_LAKE_BUSY\]/s,
    );
  } finally {
    holder.close();
  }
});
