// A bronze table's status as `cdclake status` reports it (merge/status.ts), for tests of what reads it.

import type { TableStatus } from '../../merge/status.ts';

export function tableStatus(
  name: string,
  liveRows: number | null,
  rest: Partial<TableStatus> = {},
): TableStatus {
  return {
    table: name,
    topics: `demo.public.${name}`,
    live_rows: liveRows,
    deleted_rows: 0,
    data_files: 1,
    last_merge: null,
    behind: 0,
    skipped_offsets: 0,
    newest_change: null,
    freshness_s: null,
    ...rest,
  };
}
