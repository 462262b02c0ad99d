// Columns typed by their values (Debezium's JSON without schemas: decimals as text, timestamps as integers
// or ISO text) land in bronze with the type LAKE_COLUMN_TYPES names, then keep bronze's type without it; a
// value that does not convert stops that table only, named, with nothing of it committed. Only types JSON
// cannot carry are taken from bronze: text for an integer column is a change of the source, and stops it.

import { expect, test } from 'vitest';
import type { Config } from '../../../core/config.ts';
import { lakeTestConfig, uniqueId } from '../../support/fixtures.ts';
import { mergeOnce, queryLake } from '../../support/lake.ts';
import { writeRawObject } from '../../support/raw-writer.ts';

const COLUMNS = {
  id: 'BIGINT',
  amount: 'VARCHAR',
  created: 'BIGINT',
  day: 'BIGINT',
  at: 'VARCHAR',
  note: 'VARCHAR',
};

async function bronzeTypes(config: Config, table: string): Promise<Record<string, string>> {
  const described = await queryLake<{ column_name: string; column_type: string }>(
    config,
    `SELECT column_name, column_type FROM (DESCRIBE lake.bronze.${table})`,
  );
  return Object.fromEntries(described.map((d) => [d.column_name, d.column_type]));
}

test('LAKE_COLUMN_TYPES types text and integer columns; bronze keeps the type after; a bad value stops only its table', async () => {
  const id = uniqueId('ctype');
  const hinted: Config = {
    ...lakeTestConfig(id),
    LAKE_COLUMN_TYPES:
      'payments.amount=numeric(12, 2); payments.created=TIMESTAMP; payments.day=DATE; payments.at=timestamptz',
  };
  const topic = `${id}.public.payments`;
  const other = `${id}.public.others`;
  // 2026-01-01 10:00:00.123456 UTC in microseconds; 20454 days is 2026-01-01.
  const micros = 1_767_261_600_123_456;
  await writeRawObject(hinted, {
    topic,
    table: 'payments',
    key: ['id'],
    types: 'values',
    columns: COLUMNS,
    events: [
      {
        op: 'c',
        pos: 1,
        offset: 0,
        row: {
          id: 1,
          amount: '12.30',
          created: micros,
          day: 20454,
          at: '2026-01-01T10:00:00.5+02:00',
          note: '007',
        },
      },
      {
        op: 'c',
        pos: 2,
        offset: 1,
        row: { id: 2, amount: '-0.01', created: 0, day: -1, at: null, note: null },
      },
    ],
  });
  expect((await mergeOnce(hinted)).failed).toEqual([]);
  expect(await bronzeTypes(hinted, 'payments')).toMatchObject({
    id: 'BIGINT',
    amount: 'DECIMAL(12,2)',
    created: 'TIMESTAMP',
    day: 'DATE',
    at: 'TIMESTAMP WITH TIME ZONE',
    // Not named: a text column stays text, leading zeros and all.
    note: 'VARCHAR',
  });
  const read = async (config: Config) =>
    queryLake<Record<string, unknown>>(
      config,
      `SELECT id, amount::VARCHAR AS amount, strftime(created, '%Y-%m-%d %H:%M:%S.%f') AS created, day::VARCHAR AS day,
              strftime(timezone('UTC', "at"), '%Y-%m-%d %H:%M:%S.%f') AS "at", note
       FROM lake.bronze.payments WHERE NOT _deleted ORDER BY id`,
    );
  expect(await read(hinted)).toEqual([
    {
      id: 1n,
      amount: '12.30',
      created: '2026-01-01 10:00:00.123456',
      day: '2026-01-01',
      at: '2026-01-01 08:00:00.500000',
      note: '007',
    },
    {
      id: 2n,
      amount: '-0.01',
      created: '1970-01-01 00:00:00.000000',
      day: '1969-12-31',
      at: null,
      note: null,
    },
  ]);

  // Without LAKE_COLUMN_TYPES, later objects typed by their values take bronze's types.
  const plain = lakeTestConfig(id);
  await writeRawObject(plain, {
    topic,
    table: 'payments',
    key: ['id'],
    types: 'values',
    columns: COLUMNS,
    events: [
      {
        op: 'u',
        pos: 3,
        offset: 2,
        row: { id: 2, amount: '99.95', created: 1, day: 0, at: '1999-12-31T23:59:59Z', note: 'x' },
      },
    ],
  });
  expect((await mergeOnce(plain)).failed).toEqual([]);
  expect((await read(plain))[1]).toEqual({
    id: 2n,
    amount: '99.95',
    created: '1970-01-01 00:00:00.000001',
    day: '1970-01-01',
    at: '1999-12-31 23:59:59.000000',
    note: 'x',
  });

  // A value that does not convert stops the table, naming column and value; the other table goes on.
  await writeRawObject(plain, {
    topic,
    table: 'payments',
    key: ['id'],
    types: 'values',
    columns: COLUMNS,
    events: [
      {
        op: 'u',
        pos: 4,
        offset: 3,
        row: { id: 1, amount: 'twelve', created: 1, day: 0, at: null, note: null },
      },
    ],
  });
  await writeRawObject(plain, {
    topic: other,
    table: 'others',
    key: ['id'],
    types: 'values',
    columns: { id: 'BIGINT' },
    events: [{ op: 'c', pos: 1, offset: 0, row: { id: 5 } }],
  });
  const pass = await mergeOnce(plain);
  expect(pass.merged.map((m) => m.table)).toEqual(['others']);
  expect(pass.failed.map((f) => f.topic)).toEqual([topic]);
  const message = pass.failed[0]?.error.message ?? '';
  expect(message).toContain('bronze.payments: column amount arrives as VARCHAR (typed by its values)');
  expect(message).toContain("DECIMAL(12,2) (bronze's type)");
  expect(message).toContain('twelve');
  expect((await read(plain))[0]?.['amount']).toBe('12.30');
});

test('text arriving for an integer column is a change of the source, not a value to read back: the table stops', async () => {
  // Typed by a writer schema, or by JSON values (which carry integers themselves): '007' must not become 7.
  for (const types of ['schema', 'values'] as const) {
    const id = uniqueId('ctyps');
    const config = lakeTestConfig(id);
    const topic = `${id}.public.codes`;
    await writeRawObject(config, {
      topic,
      table: 'codes',
      key: ['id'],
      types,
      columns: { id: 'BIGINT', code: 'BIGINT' },
      events: [{ op: 'c', pos: 1, offset: 0, row: { id: 1, code: 7 } }],
    });
    expect((await mergeOnce(config)).failed).toEqual([]);
    await writeRawObject(config, {
      topic,
      table: 'codes',
      key: ['id'],
      types,
      columns: { id: 'BIGINT', code: 'VARCHAR' },
      events: [{ op: 'u', pos: 2, offset: 1, row: { id: 1, code: '007' } }],
    });
    const pass = await mergeOnce(config);
    expect(pass.failed[0]?.error.message, types).toContain(
      'column code arrives as VARCHAR but is stored as BIGINT',
    );
  }
});
