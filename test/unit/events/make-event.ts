// Builds change events for the events unit tests: a realistic PostgreSQL envelope around the rows under
// test, so each test states only what it is about.

import { Op, positionOf, type ChangeEvent, type Row, type TableDef } from '../../../core/events/types.ts';

export function makeEvent(
  table: TableDef,
  change: Partial<ChangeEvent> & { after?: Row | null },
): ChangeEvent {
  return {
    before: null,
    after: null,
    op: Op.create,
    ts_ms: 1_700_000_000_123n,
    source: {
      connector: 'postgresql',
      db: 'shop',
      schema: table.schema,
      table: table.name,
      lsn: 0x16b3748n,
      txId: 771n,
      ts_ms: 1_700_000_000_100n,
      snapshot: false,
    },
    pos: positionOf(0x16b3748n, 3),
    unchanged: [],
    ...change,
  };
}
