// Reading a test's lake: the merge job run in the test's process, and queries against bronze, silver, gold.

import type { Config } from '../../core/config.ts';
import { createLogger } from '../../core/logger.ts';
import { openLake } from '../../merge/lake.ts';
import { MergeJob, type PassResult } from '../../merge/merge-job.ts';

export async function mergeOnce(config: Config): Promise<PassResult> {
  const job = new MergeJob(config, createLogger('test'));
  try {
    return await job.pass();
  } finally {
    job.close();
  }
}

export async function queryLake<T = Record<string, unknown>>(config: Config, sql: string): Promise<T[]> {
  const lake = await openLake(config);
  try {
    const reader = await lake.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  } finally {
    lake.close();
  }
}

/** bronze.<table> without the merge time, in key order, as JSON text for comparisons. */
export async function bronzeState(config: Config, table: string, key: string): Promise<unknown[]> {
  const rows = await queryLake(config, `SELECT * EXCLUDE (_merged_at) FROM bronze.${table} ORDER BY ${key}`);
  return JSON.parse(
    JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as unknown[];
}
