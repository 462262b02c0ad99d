// The producers' incremental snapshots in progress, as kept on the state topic (`cdclake status`).

import type { Config } from '../../core/config.ts';
import { createKafka } from '../../core/kafka/client.ts';
import { readEntries } from '../../core/kafka/compacted-topic.ts';
import { producerStateTopic, tableTopic } from '../../core/kafka/topics.ts';
import type { SnapshotState } from './incremental-snapshot.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

export interface SnapshotInProgress {
  /** The table's topic, so status can put the snapshot beside its bronze table. */
  topic: string;
  /** `schema.table` */
  table: string;
  /** e.g. `initial: 12000 rows sent`, `ddl: queued`, with `, then reconciled` for a re-snapshot. */
  text: string;
}

/** Every snapshot queued or running, from every producer of this topic prefix; empty when nothing runs. */
export async function snapshotsInProgress(config: Config, timeoutMs = 10_000): Promise<SnapshotInProgress[]> {
  const read = readEntries(createKafka(config), producerStateTopic(config));
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () =>
        reject(
          new CdcError(ErrorCode.KAFKA_UNAVAILABLE, `no answer from Kafka in ${timeoutMs} ms`, {
            retriable: true,
          }),
        ),
      timeoutMs,
    ).unref(),
  );
  const entries = await Promise.race([read, timeout]);
  const out: SnapshotInProgress[] = [];
  for (const [key, value] of entries) {
    if (!key.endsWith('/snapshot')) continue;
    let state: SnapshotState;
    try {
      state = JSON.parse(value) as SnapshotState;
    } catch {
      continue;
    }
    for (const t of state.queue ?? []) {
      const progress = t.after === null && t.rows === 0 ? 'queued' : `${t.rows} rows sent`;
      out.push({
        topic: tableTopic(config, t.schema, t.name),
        table: t.table,
        text: `${t.reason}: ${progress}${t.reconcileSince !== null ? ', then reconciled' : ''}`,
      });
    }
  }
  return out;
}
