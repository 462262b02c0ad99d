// The replication slot a producer streams from, and the incremental snapshot queue that goes with it:
//
//   no slot ─────────────────────► a new slot, every table queued (initial)
//   the slot, its state kept ────► resume: the queue as saved, plus tables new (added) or changed (ddl)
//   the slot, no state yet ──────► every table queued (a run that stopped before it queued them)
//   dropped, or wal_status lost ─► refused with the cause and the fix; with --resnapshot (PG_SLOT_LOST=
//                                  resnapshot) a new slot, every table queued with a reconcile
//
// The slot's state is kept on the producer's state topic (`<db>/<slot>`: streaming), the queue beside it
// (`<db>/<slot>/snapshot`).

import type { KafkaClient } from '../../core/kafka/client.ts';
import type pg from 'pg';
import type { Config } from '../../core/config.ts';
import type { TableDef } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';
import { readEntries, writeEntries } from '../../core/kafka/compacted-topic.ts';
import { producerStateTopic } from '../../core/kafka/topics.ts';
import type { Logger } from '../../core/logger.ts';
import { sqlFile } from '../../core/sql-files.ts';
import {
  definitionKey,
  emptySnapshotState,
  type IncrementalSnapshot,
  type SnapshotState,
} from './incremental-snapshot.ts';
import { createSlotWithSnapshot, readSlot } from './publication.ts';

export interface SlotContext {
  admin: pg.Client;
  config: Config;
  kafka: KafkaClient;
  database: string;
  /** --resnapshot: a lost slot is replaced and every table snapshotted and reconciled. */
  resnapshot: boolean;
  log: Logger;
}

export function snapshotStateKey(database: string, slot: string): string {
  return `${database}/${slot}/snapshot`;
}

/**
 * The slot and the snapshot queue (incremental mode). A new slot: every table queued. A kept slot: its
 * queue resumed, and tables whose definition changed while the producer was away (DDL) or that are new
 * are queued. A lost slot (dropped, or wal_status lost): refused with the cause and the fix, or with
 * --resnapshot a new slot and every table snapshotted and then reconciled.
 */
export async function prepareSlot(
  context: SlotContext,
  tables: TableDef[],
  queueOf: (state: SnapshotState) => IncrementalSnapshot,
): Promise<{ queue: IncrementalSnapshot; confirmed: bigint }> {
  const { admin, config, kafka, database, log } = context;
  const slot = config.PG_SLOT;
  const slotKey = `${database}/${slot}`;
  const entries = await readEntries(kafka, producerStateTopic(config));
  const savedText = entries.get(snapshotStateKey(database, slot));
  const saved = savedText === undefined ? undefined : (JSON.parse(savedText) as SnapshotState);
  const known = entries.get(slotKey) === 'snapshot-completed' || entries.get(slotKey) === 'streaming';
  const existing = await readSlot(admin, slot, database);
  const lost = existing?.walStatus === 'lost' || (existing === undefined && known);
  if (lost && !context.resnapshot && config.PG_SLOT_LOST !== 'resnapshot')
    throw slotLostError(slot, existing === undefined ? 'dropped' : 'lost');
  const state = saved ?? emptySnapshotState();
  let confirmed: bigint;
  const queue = queueOf(state);
  if (lost || existing === undefined) {
    if (existing !== undefined) await admin.query(sqlFile('postgres/drop-slot.sql'), [slot]);
    const created = await createSlotWithSnapshot(config.PG_URL, slot, false, false);
    await created.release();
    for (const t of tables)
      queue.enqueue(
        t.schema,
        t.name,
        lost ? 'resnapshot' : 'initial',
        lost ? created.consistentPoint : undefined,
      );
    confirmed = created.consistentPoint;
    if (lost)
      log.warn(
        { slot, tables: tables.length },
        'replication slot was lost: a new slot, and every table snapshotted again, then reconciled',
      );
  } else {
    confirmed = existing.confirmedFlush;
    if (saved === undefined && !known) {
      // A slot made by a run that stopped before its snapshot was queued: snapshot every table.
      for (const t of tables) queue.enqueue(t.schema, t.name, 'initial');
    } else if (saved !== undefined) {
      for (const t of tables) {
        const name = `${t.schema}.${t.name}`;
        if (state.queue.some((q) => q.table === name)) continue;
        const before = state.defs[name];
        if (before === undefined) queue.enqueue(t.schema, t.name, 'added');
        else if (before !== definitionKey(t)) queue.enqueue(t.schema, t.name, 'ddl');
      }
    } else {
      // Kept by an earlier version (its snapshot complete): what the tables are now is the baseline.
      for (const t of tables) queue.recordDefinition(t);
    }
    log.info({ slot, confirmed: existing.confirmedFlush.toString() }, 'resuming from the replication slot');
  }
  return { queue, confirmed };
}

/**
 * Marks the slot as one this producer streams from. Only once the snapshot queue is saved: a crash before
 * leaves a slot without that mark, and the next start queues every table again rather than none.
 */
export async function markStreaming(context: SlotContext): Promise<void> {
  await writeEntries(context.kafka, producerStateTopic(context.config), [
    { key: `${context.database}/${context.config.PG_SLOT}`, value: 'streaming' },
  ]);
}

/** No slot and no state of one (or an exported snapshot cut short): the first load of this slot. */
export async function isFirstLoad(context: SlotContext): Promise<boolean> {
  const { admin, config, kafka, database } = context;
  const known = (await readEntries(kafka, producerStateTopic(config))).get(`${database}/${config.PG_SLOT}`);
  if (known === 'snapshot-started') return true;
  return known === undefined && (await readSlot(admin, config.PG_SLOT, database)) === undefined;
}

export function slotLostError(slot: string, how: 'dropped' | 'lost'): CdcError {
  const cause =
    how === 'lost'
      ? `replication slot ${slot} is lost (pg_replication_slots.wal_status = lost): PostgreSQL removed WAL it still ` +
        'needed, because the slot fell further behind than max_slot_wal_keep_size allows'
      : `replication slot ${slot} is gone although the producer streamed from it (was it dropped?)`;
  return new CdcError(
    ErrorCode.SOURCE_SLOT_LOST,
    `${cause}. The changes made meanwhile cannot be replayed, and rows deleted meanwhile would stay in the lake. ` +
      'Fix: run `cdclake produce --source postgres --resnapshot` once (or set PG_SLOT_LOST=resnapshot): a new ' +
      'slot, every table snapshotted incrementally, then the rows the snapshot did not see marked deleted in bronze',
    { facts: { slot, how } },
  );
}
