// The generator's PostgreSQL target against the real PostgreSQL: several generated transactions go in one
// round trip, yet the source commits each on its own, with its changes and only those, in order. The oracle
// is PostgreSQL's own logical decoding (test_decoding) of the WAL the writer made.

import { expect, onTestFinished, test } from 'vitest';
import { PostgresWriter } from '../../../producer/generator/postgres-writer.ts';
import { generateWorkload } from '../../../producer/generator/workload.ts';
import { createTestDatabase, testConfig, uniqueId } from '../../support/fixtures.ts';
import { connectPostgres } from '../../../core/postgres-client.ts';

test('one source transaction per generated txId, with its changes in order, though batches go in one round trip', async () => {
  const database = await createTestDatabase(testConfig());
  onTestFinished(() => database.drop());
  const client = await connectPostgres(database.url);
  const slot = uniqueId('writer');
  onTestFinished(async () => {
    await client.query('SELECT pg_drop_replication_slot($1)', [slot]).catch(() => undefined);
    await client.end();
  });

  // The tables first (their DDL is not decoded), then the slot, then the workload in batches of 50 changes.
  const writer = new PostgresWriter(database.url);
  await writer.connect();
  await client.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
  const expected: string[][] = [];
  let lastTx = -1;
  for (const batch of generateWorkload({ seed: 3, orders: 150, batchSize: 50 })) {
    for (const change of batch) {
      if (change.txId !== lastTx) expected.push([]);
      lastTx = change.txId;
      const op = change.op === 'c' ? 'INSERT' : change.op === 'u' ? 'UPDATE' : 'DELETE';
      expected.at(-1)?.push(`${change.table.name}:${op}`);
    }
    await writer.write(batch);
  }
  await writer.close();

  // The writer commits asynchronously (synchronous_commit off): decoding sees a commit once the WAL writer
  // has flushed it, within moments, so the slot is read until every transaction is in.
  const decoded: string[][] = [];
  const deadline = Date.now() + 20_000;
  while (decoded.length < expected.length && Date.now() < deadline) {
    const { rows } = await client.query<{ data: string }>(
      "SELECT data FROM pg_logical_slot_get_changes($1, NULL, NULL, 'include-xids', '0', 'skip-empty-xacts', '1')",
      [slot],
    );
    for (const { data } of rows) {
      if (data === 'BEGIN') decoded.push([]);
      else if (data !== 'COMMIT') {
        const match = /^table public\.(\w+): (INSERT|UPDATE|DELETE):/.exec(data);
        if (match !== null) decoded.at(-1)?.push(`${match[1]}:${match[2]}`);
      }
    }
    if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  expect(expected.length).toBeGreaterThan(100);
  expect(decoded).toEqual(expected);
});
