// Schema evolution in bronze (added and widened columns follow the source; an incompatible change stops
// that table only), and names from outside (table and column names in raw files) that cannot change the
// meaning of a statement: refused with a clear error while the other tables go on.

import { expect, test } from 'vitest';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { mergeOnce, queryLake } from '../../support/lake.ts';
import { writeRawObject } from '../../support/raw-writer.ts';

test('an added column is added, a widened one widens, an incompatible one stops only its table', async () => {
  const id = uniqueId('evo');
  const config = lakeTestConfig(id);
  const evolving = `${id}.public.evolving`;
  const broken = `${id}.public.broken`;
  const fine = `${id}.public.fine`;
  const base = { key: ['id'], partition: 0 };
  await writeRawObject(config, {
    ...base,
    topic: evolving,
    table: 'evolving',
    columns: { id: 'BIGINT', qty: 'INTEGER', price: 'DECIMAL(10,2)' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1, qty: 5, price: '10.50' } }],
  });
  await writeRawObject(config, {
    ...base,
    topic: broken,
    table: 'broken',
    columns: { id: 'BIGINT', v: 'BIGINT' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1, v: 7 } }],
  });
  expect((await mergeOnce(config)).failed).toEqual([]);

  await writeRawObject(config, {
    ...base,
    topic: evolving,
    table: 'evolving',
    columns: { id: 'BIGINT', qty: 'BIGINT', price: 'DECIMAL(12,2)', color: 'VARCHAR' },
    events: [
      {
        op: 'c',
        pos: 2,
        offset: 1,
        row: { id: 2, qty: 5_000_000_000, price: '1234567890.12', color: 'red' },
      },
    ],
  });
  await writeRawObject(config, {
    ...base,
    topic: broken,
    table: 'broken',
    columns: { id: 'BIGINT', v: 'VARCHAR' },
    events: [{ op: 'u', pos: 2, offset: 1, row: { id: 1, v: 'seven' } }],
  });
  await writeRawObject(config, {
    ...base,
    topic: fine,
    table: 'fine',
    columns: { id: 'BIGINT' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1 } }],
  });
  const pass = await mergeOnce(config);
  expect(pass.merged.map((m) => m.table).sort()).toEqual(['evolving', 'fine']);
  expect(pass.failed).toHaveLength(1);
  expect(pass.failed[0]?.topic).toBe(broken);
  expect(pass.failed[0]?.error.message).toMatch(
    /bronze\.broken: column v arrives as VARCHAR but is stored as BIGINT/,
  );

  const types = await queryLake<{ column_name: string; data_type: string }>(
    config,
    "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'lake' AND schema_name = 'bronze' AND table_name = 'evolving' ORDER BY column_index",
  );
  // Added columns come after bronze's own columns.
  expect(types.filter((t) => !t.column_name.startsWith('_'))).toEqual([
    { column_name: 'id', data_type: 'BIGINT' },
    { column_name: 'qty', data_type: 'BIGINT' },
    { column_name: 'price', data_type: 'DECIMAL(12,2)' },
    { column_name: 'color', data_type: 'VARCHAR' },
  ]);
  const rows = await queryLake<{ id: bigint; qty: bigint; color: string | null }>(
    config,
    'SELECT id, qty, color FROM bronze.evolving ORDER BY id',
  );
  expect(rows).toEqual([
    { id: 1n, qty: 5n, color: null },
    { id: 2n, qty: 5_000_000_000n, color: 'red' },
  ]);
  // The broken table keeps its last good state and its checkpoint: the next pass meets the same error.
  expect(await queryLake(config, 'SELECT id, v FROM bronze.broken')).toEqual([{ id: 1n, v: 7n }]);
  expect((await mergeOnce(config)).failed[0]?.topic).toBe(broken);
});

test('table and column names that are not plain identifiers are refused, and nothing else is touched', async () => {
  const id = uniqueId('names');
  const config = lakeTestConfig(id);
  await writeRawObject(config, {
    topic: `${id}.public.t1`,
    table: 't1',
    metadataTable: 'x"; DROP TABLE bronze.victim; --',
    key: ['id'],
    columns: { id: 'BIGINT' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1 } }],
  });
  await writeRawObject(config, {
    topic: `${id}.public.t2`,
    table: 't2',
    key: ['id'],
    columns: { id: 'BIGINT', 'bad" VARCHAR, evil': 'VARCHAR' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1, 'bad" VARCHAR, evil': 'x' } }],
  });
  await writeRawObject(config, {
    topic: `${id}.public.victim`,
    table: 'victim',
    key: ['id'],
    columns: { id: 'BIGINT' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1 } }],
  });
  const pass = await mergeOnce(config);
  expect(pass.merged.map((m) => m.table)).toEqual(['victim']);
  expect(pass.failed.map((f) => f.error.message).sort()).toEqual([
    expect.stringMatching(/bronze\.t2: column name "bad\\" VARCHAR, evil" is not a plain identifier/),
    expect.stringMatching(/the table name is not a plain identifier/),
  ]);
  expect(await queryLake(config, 'SELECT id FROM bronze.victim')).toEqual([{ id: 1n }]);
});
