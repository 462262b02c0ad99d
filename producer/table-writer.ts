// One table's side of the events contract, for both producers (the PostgreSQL source and the generator): its
// topic, its codec and writer schemas, the envelope of each change, and the Kafka records a change becomes
// (keyed by the row's key, a tombstone after a delete, a key change as a delete and a create, a truncate
// keyless on partition 0). Nothing else in producer/ builds an envelope or a record of a change.

import type { Config } from '../core/config.ts';
import { TableCodec } from '../core/events/envelope-codec.ts';
import { Op } from '../core/events/types.ts';
import type { ChangeEvent, Row, SourceInfo, TableDef } from '../core/events/types.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { tableTopic } from '../core/kafka/topics.ts';
import type { OutgoingRecord } from './publisher.ts';
import type { SchemaPublication } from './schema-publication.ts';

/** Where a change was read: the parts of the source block that are not the table's. */
export type ChangeOrigin = Omit<SourceInfo, 'schema' | 'table'>;

export class TableWriter {
  readonly table: TableDef;
  readonly topic: string;
  readonly codec: TableCodec;

  /** The table's writer schemas are added to `schemas`, published before any event written with them. */
  constructor(config: Config, table: TableDef, schemas: Pick<SchemaPublication, 'add'>) {
    this.table = table;
    this.topic = tableTopic(config, table.schema, table.name);
    this.codec = new TableCodec(table);
    schemas.add([this.codec.key, this.codec.value]);
  }

  /** The envelope of a change of this table; `ts_ms` is when it was made, unless given. */
  event(
    op: Op,
    before: Row | null,
    after: Row | null,
    origin: ChangeOrigin,
    pos: bigint,
    unchanged: string[] = [],
    nowMs: bigint = BigInt(Date.now()),
  ): ChangeEvent {
    return changeEvent(this.table, op, before, after, origin, pos, unchanged, nowMs);
  }

  /**
   * The records of one row's change, appended to `out`: the event keyed by the row's key (`after`'s, or
   * `before`'s for a delete), then a tombstone for that key after a delete. Refuses, naming the table and the
   * key, an event larger than `maxBytes`.
   */
  change(out: OutgoingRecord[], event: ChangeEvent, maxBytes: number): void {
    const keyRow = (event.after ?? event.before) as Row;
    const key = this.codec.encodeKey(keyRow);
    const value = this.codec.encodeEvent(event);
    if (key.length + value.length > maxBytes) throw this.tooLarge(keyRow, value.length, maxBytes);
    out.push({ topic: this.topic, key, value });
    if (event.op === Op.delete) out.push({ topic: this.topic, key, value: null });
  }

  /** Whether an update moves its row to another key (the key columns' encodings differ). */
  keyChanged(before: Row, after: Row): boolean {
    return !this.codec.encodeKey(before).equals(this.codec.encodeKey(after));
  }

  /** A truncate: keyless, on partition 0, so it sits in one place in the topic's order. */
  truncate(event: ChangeEvent): OutgoingRecord {
    return { topic: this.topic, key: null, partition: 0, value: this.codec.encodeEvent(event) };
  }

  private tooLarge(keyRow: Row, bytes: number, limit: number): CdcError {
    const table = `${this.table.schema}.${this.table.name}`;
    const shownKey = this.table.key.map((k) => `${k}=${String(keyRow[k])}`).join(',');
    return new CdcError(
      ErrorCode.RECORD_TOO_LARGE,
      `table ${table} key ${shownKey}: the change event is ${bytes} bytes, more than the ${limit} bytes the ` +
        "topic accepts (raise the topic's max.message.bytes or the broker's message.max.bytes, and " +
        'KAFKA_MAX_RECORD_BYTES)',
      { facts: { table, key: shownKey, bytes } },
    );
  }
}

/** The envelope of a change: the one place an event's fields are put together. */
export function changeEvent(
  table: Pick<TableDef, 'schema' | 'name'>,
  op: Op,
  before: Row | null,
  after: Row | null,
  origin: ChangeOrigin,
  pos: bigint,
  unchanged: string[],
  nowMs: bigint,
): ChangeEvent {
  return {
    before,
    after,
    op,
    ts_ms: nowMs,
    source: {
      connector: origin.connector,
      db: origin.db,
      schema: table.schema,
      table: table.name,
      lsn: origin.lsn,
      txId: origin.txId,
      ts_ms: origin.ts_ms,
      snapshot: origin.snapshot,
    },
    pos,
    unchanged,
  };
}
