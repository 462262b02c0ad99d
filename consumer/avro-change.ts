// Decodes cdclake's Avro single-object change events: the writer schema is resolved by fingerprint from
// the schemas topic (re-read when an unknown fingerprint shows up), the column types come from it.

import type { KafkaClient } from '../core/kafka/client.ts';
import type { Logger } from '../core/logger.ts';
import { SchemaStore } from '../core/events/schema-store.ts';
import { isSingleObject, readFingerprint, sameFingerprint } from '../core/events/single-object.ts';
import type { ColumnDef, ColumnType } from '../core/events/types.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import { readEntries } from '../core/kafka/compacted-topic.ts';
import type { DecodedChange } from './decoded-change.ts';
import { DirectPlan, type DirectRecord } from './direct-events.ts';
import { checkColumnName, checkTableName } from './identifiers.ts';

type AvroType =
  | string
  | {
      type: string | AvroType;
      logicalType?: string;
      precision?: number;
      scale?: number;
      [k: string]: unknown;
    }
  | AvroType[];

function columnType(type: AvroType): { type: ColumnType; nullable: boolean } | undefined {
  if (Array.isArray(type)) {
    const inner = type.filter((t) => t !== 'null');
    const found = inner.length === 1 ? columnType(inner[0] as AvroType) : undefined;
    return found === undefined ? undefined : { type: found.type, nullable: type.includes('null') };
  }
  if (typeof type === 'string') {
    const simple: Record<string, ColumnType['kind']> = {
      int: 'int4',
      long: 'int8',
      float: 'float4',
      double: 'float8',
      boolean: 'bool',
      string: 'text',
      bytes: 'bytea',
    };
    const kind = simple[type];
    return kind === undefined ? undefined : { type: { kind } as ColumnType, nullable: false };
  }
  const base = typeof type.type === 'string' ? type.type : undefined;
  if (type.logicalType === 'decimal' && base === 'bytes') {
    return {
      type: { kind: 'numeric', precision: type.precision ?? 38, scale: type.scale ?? 0 },
      nullable: false,
    };
  }
  if (type.logicalType === 'date' && base === 'int') return { type: { kind: 'date' }, nullable: false };
  if (type.logicalType === 'local-timestamp-micros' && base === 'long')
    return { type: { kind: 'timestamp' }, nullable: false };
  if (type.logicalType === 'timestamp-micros' && base === 'long')
    return { type: { kind: 'timestamptz' }, nullable: false };
  if (type.logicalType === 'uuid' && base === 'string') return { type: { kind: 'uuid' }, nullable: false };
  if (type['cdclake.type'] === 'json' && base === 'string')
    return { type: { kind: 'json' }, nullable: false };
  if (base !== undefined) return columnType(base);
  return columnType(type.type as AvroType);
}

interface WriterInfo {
  columns: ColumnDef[];
}

/** How long a record whose writer schema is not on the schemas topic yet waits for it (below the session timeout). */
const SCHEMA_WAIT_MS = 20_000;
const SCHEMA_RETRY_MS = 250;

/**
 * What becomes of a record whose writer schema was not known: decoded once the schema is known; a dead
 * letter only once a complete read of the schemas topic, after the record has waited `patienceMs`, still
 * lacks it. While the topic cannot be read (a broker restarting), nothing can say the schema is missing:
 * the record waits.
 */
export function schemaVerdict(
  known: boolean,
  read: boolean,
  waitedMs: number,
  patienceMs: number,
): 'decode' | 'dead' | 'wait' {
  if (known) return 'decode';
  return read && waitedMs >= patienceMs ? 'dead' : 'wait';
}

export class AvroChangeDecoder {
  private readonly store = new SchemaStore();
  private readonly writers = new Map<bigint, WriterInfo>();
  /** Per writer fingerprint, the fast path's plan; null when the schema is not one it covers. */
  private readonly plans = new Map<bigint, DirectPlan | null>();
  /** Table and schema names already checked as plain identifiers. */
  private readonly checkedNames = new Set<string>();
  /** A key schema's column names: the same for every key it wrote, so decoded once per fingerprint. */
  private readonly keyColumns = new Map<bigint, string[]>();
  private readonly kafka: KafkaClient;
  private readonly schemasTopic: string;
  private lastRefresh = 0;
  private refreshing: Promise<boolean> | undefined;
  private readonly log: Logger | undefined;
  private readonly missing = new Set<bigint>();

  constructor(kafka: KafkaClient, schemasTopic: string, log?: Logger) {
    this.kafka = kafka;
    this.schemasTopic = schemasTopic;
    this.log = log;
  }

  static handles(value: Buffer): boolean {
    return isSingleObject(value);
  }

  /**
   * Reads the schemas topic again; calls made while a read runs share it. False when it could not be read
   * to its end (the schemas known so far stay known).
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        const entries = await readEntries(this.kafka, this.schemasTopic);
        for (const schema of entries.values()) this.store.add(schema);
        return true;
      } catch (error: unknown) {
        this.log?.warn(
          { err: error, topic: this.schemasTopic },
          'the schemas topic could not be read; records of a writer schema not known yet wait for it',
        );
        return false;
      } finally {
        this.lastRefresh = Date.now();
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /**
   * The change, at once when its writer schemas are known; a promise when the schemas topic must be read
   * again first (a new writer schema). The producer publishes a schema before the first event that uses it,
   * but a consumer may read the event before the schemas topic shows it: an unknown schema is waited for
   * (the topic read again, at most every SCHEMA_RETRY_MS) for up to SCHEMA_WAIT_MS, and only then is the
   * record a dead letter (CDC_UNKNOWN_SCHEMA).
   */
  decode(key: Buffer | null, value: Buffer, images = false): DecodedChange | Promise<DecodedChange> {
    if (!this.known(key, value)) return this.waitForSchemas(key, value, images);
    return this.decodeKnown(key, value, images);
  }

  private known(key: Buffer | null, value: Buffer): boolean {
    if (!this.store.has(readFingerprint(value))) return false;
    if (key === null || !isSingleObject(key)) return true;
    const keyFingerprint = readFingerprint(key);
    return this.keyColumns.has(keyFingerprint) || this.store.has(keyFingerprint);
  }

  private async waitForSchemas(key: Buffer | null, value: Buffer, images: boolean): Promise<DecodedChange> {
    // A schema waited for in vain is not waited for again: one complete read without it decides.
    const fingerprint = readFingerprint(value);
    const patienceMs = this.missing.has(fingerprint) ? 0 : SCHEMA_WAIT_MS;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const wait = this.lastRefresh + SCHEMA_RETRY_MS - Date.now();
      if (attempt > 0 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const read = await this.refresh();
      const verdict = schemaVerdict(this.known(key, value), read, Date.now() - started, patienceMs);
      if (verdict === 'dead') this.missing.add(fingerprint);
      if (verdict !== 'wait') return this.decodeKnown(key, value, images);
    }
  }

  /**
   * The fast path (direct-events.ts): the event's parts and the plan that appends its row image, or
   * undefined when the full decoder must take the message (new schemas, unchanged columns, any error).
   */
  direct(key: Buffer | null, value: Buffer): DirectRecord | undefined {
    if (key === null || !isSingleObject(key) || !isSingleObject(value)) return undefined;
    // Consecutive records mostly share their schemas: the fingerprints are compared as two numbers each
    // against the last ones, and only a new one is read as a bigint and looked up.
    const last = this.lastDirect;
    if (!sameFingerprint(key, last.keyLow, last.keyHigh)) {
      // A key schema not learned yet is not remembered: the full decoder learns it, then this finds it.
      const found = this.keyColumns.get(readFingerprint(key));
      if (found === undefined) return undefined;
      last.keyColumns = found;
      last.keyLow = key.readUInt32LE(2);
      last.keyHigh = key.readUInt32LE(6);
    }
    const keyColumns = last.keyColumns;
    if (keyColumns === undefined || keyColumns.length === 0) return undefined;
    if (!sameFingerprint(value, last.valueLow, last.valueHigh)) {
      const found = this.planOf(readFingerprint(value));
      if (found === undefined) return undefined;
      last.plan = found;
      last.valueLow = value.readUInt32LE(2);
      last.valueHigh = value.readUInt32LE(6);
    }
    const plan = last.plan;
    if (plan === null || plan === undefined) return undefined;
    const event = plan.read(value);
    if (event === undefined) return undefined;
    if (!this.checkedName(event.table) || !this.checkedName(event.schema)) return undefined;
    return plan.record(event, keyColumns);
  }

  private readonly lastDirect: {
    keyLow: number;
    keyHigh: number;
    keyColumns: string[] | undefined;
    valueLow: number;
    valueHigh: number;
    plan: DirectPlan | null | undefined;
  } = { keyLow: -1, keyHigh: -1, keyColumns: undefined, valueLow: -1, valueHigh: -1, plan: undefined };

  /** The fast path's plan of a writer schema: null when the path does not cover it, undefined when unknown. */
  private planOf(fingerprint: bigint): DirectPlan | null | undefined {
    let plan = this.plans.get(fingerprint);
    if (plan === undefined) {
      const json = this.store.get(fingerprint);
      if (json === undefined) return undefined;
      try {
        plan = DirectPlan.compile(json, this.columnsOf(fingerprint, 'table')) ?? null;
      } catch {
        plan = null;
      }
      this.plans.set(fingerprint, plan);
    }
    return plan;
  }

  private checkedName(name: string): boolean {
    if (this.checkedNames.has(name)) return true;
    try {
      checkTableName('table', name);
    } catch {
      return false;
    }
    this.checkedNames.add(name);
    return true;
  }

  private decodeKnown(key: Buffer | null, value: Buffer, images = false): DecodedChange {
    const fingerprint = readFingerprint(value);
    try {
      const event = this.store.decodeEvent(value);
      const table = checkTableName('table', event.source.table);
      const schema = checkTableName('schema', event.source.schema);
      const columns = this.columnsOf(fingerprint, table);
      let keyColumns: string[] = [];
      if (key !== null && isSingleObject(key)) {
        const keyFingerprint = readFingerprint(key);
        const known = this.keyColumns.get(keyFingerprint);
        if (known !== undefined) keyColumns = known;
        else {
          keyColumns = Object.keys(this.store.decodeKey(key));
          this.keyColumns.set(keyFingerprint, keyColumns);
        }
      }
      // A truncate is keyless and carries no row image: the merge needs only its table and position.
      const truncate = event.op === 't';
      const row = truncate ? {} : event.op === 'd' ? event.before : event.after;
      if (row === null)
        throw new CdcError(ErrorCode.NO_KEY, `table ${table}: a ${event.op} event without a row image`);
      if (!truncate && keyColumns.length === 0)
        throw new CdcError(ErrorCode.NO_KEY, `table ${table}: the record has no key`);
      const change: DecodedChange = {
        table,
        schema,
        op: event.op,
        pos: event.pos,
        tsMs: event.ts_ms,
        row,
        columns,
        key: truncate ? [] : keyColumns,
        unchanged: truncate ? [] : event.unchanged,
      };
      if (images) change.images = { before: event.before, after: event.after, sourceMs: event.source.ts_ms };
      return change;
    } catch (error: unknown) {
      if (error instanceof CdcError) throw error;
      throw new CdcError(ErrorCode.DECODE, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
  }

  private columnsOf(fingerprint: bigint, table: string): ColumnDef[] {
    const known = this.writers.get(fingerprint);
    if (known !== undefined) return known.columns;
    const schema = JSON.parse(this.store.get(fingerprint) as string) as {
      fields: { name: string; type: AvroType }[];
    };
    // The row record is defined where it first appears (`before`) and referred to by name after that.
    const record = schema.fields
      .filter((f) => f.name === 'before' || f.name === 'after')
      .flatMap((f) => (Array.isArray(f.type) ? f.type : [f.type]))
      .find((t) => typeof t === 'object' && !Array.isArray(t) && (t as { type?: unknown }).type === 'record');
    const fields = (record as { fields?: { name: string; type: AvroType }[] } | undefined)?.fields ?? [];
    const columns: ColumnDef[] = fields.map((field) => {
      const mapped = columnType(field.type);
      if (mapped === undefined)
        throw new CdcError(
          ErrorCode.DECODE,
          `table ${table}: column ${field.name} has an Avro type cdclake does not read`,
        );
      return { name: checkColumnName(table, field.name), type: mapped.type, nullable: mapped.nullable };
    });
    this.writers.set(fingerprint, { columns });
    return columns;
  }
}
