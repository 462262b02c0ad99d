// How `cdclake tail` shows one change event: a JSON object per line (for jq and scripts), or a line of text
// for people. Values are shown by their column's type, exactly: int8 as a JSON number with all its digits,
// numeric as its decimal text, timestamps as ISO-8601 text with microseconds, dates as YYYY-MM-DD, bytea as
// PostgreSQL's hex (\x...).

import type { ColumnDef, ColumnType, ColumnValue, Row } from '../core/events/types.ts';
import type { DecodedChange } from '../consumer/decoded-change.ts';

export interface TailedEvent {
  topic: string;
  partition: number;
  offset: bigint;
  change: DecodedChange;
}

const MICROS_PER_DAY = 86_400_000_000n;

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

/** Days since 1970-01-01 as YYYY-MM-DD (proleptic Gregorian; years past 9999 or before 1 keep a sign). */
export function dateText(days: number): string {
  // Howard Hinnant's civil_from_days.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const yearText =
    year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 4)}`;
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Microseconds since the epoch as ISO-8601 text, `Z` for UTC; the fraction as long as it needs (up to 6). */
export function timestampText(micros: bigint, utc: boolean): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    days -= 1n;
    rest += MICROS_PER_DAY;
  }
  const seconds = rest / 1_000_000n;
  const fraction = rest % 1_000_000n;
  const time = `${pad(seconds / 3600n, 2)}:${pad((seconds / 60n) % 60n, 2)}:${pad(seconds % 60n, 2)}`;
  const fractionText = fraction === 0n ? '' : `.${pad(fraction, 6).replace(/0+$/, '')}`;
  return `${dateText(Number(days))}T${time}${fractionText}${utc ? 'Z' : ''}`;
}

/** A value as JSON text, by its column's type. */
export function valueJson(type: ColumnType | undefined, value: ColumnValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') {
    if (type?.kind === 'timestamptz') return JSON.stringify(timestampText(value, true));
    if (type?.kind === 'timestamp') return JSON.stringify(timestampText(value, false));
    return value.toString();
  }
  if (typeof value === 'number') {
    if (type?.kind === 'date') return JSON.stringify(dateText(value));
    // JSON has no NaN or infinities: they are given as PostgreSQL writes them.
    return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  }
  if (Buffer.isBuffer(value)) return JSON.stringify(`\\x${value.toString('hex')}`);
  return JSON.stringify(value);
}

function rowJson(columns: Map<string, ColumnType>, row: Row | null): string {
  if (row === null) return 'null';
  const members: string[] = [];
  for (const name of Object.keys(row))
    members.push(`${JSON.stringify(name)}:${valueJson(columns.get(name), row[name])}`);
  return `{${members.join(',')}}`;
}

const TYPES = new WeakMap<ColumnDef[], Map<string, ColumnType>>();

function typesOf(columns: ColumnDef[]): Map<string, ColumnType> {
  let types = TYPES.get(columns);
  if (types === undefined) {
    types = new Map(columns.map((c) => [c.name, c.type]));
    TYPES.set(columns, types);
  }
  return types;
}

function keyRow(change: DecodedChange): Row | null {
  if (change.key.length === 0) return null;
  const row: Row = {};
  for (const name of change.key) row[name] = change.row[name] ?? null;
  return row;
}

/**
 * One event as a line of JSON: where it is in Kafka, the table, op, position, the source's time, the key,
 * both images (null where the event has none) and the columns the source did not send.
 */
export function eventJson(event: TailedEvent): string {
  const { change } = event;
  const types = typesOf(change.columns);
  const images = change.images ?? {
    before: change.op === 'd' ? change.row : null,
    after: change.op === 'd' || change.op === 't' ? null : change.row,
    sourceMs: null,
  };
  const sourceTime =
    images.sourceMs === null ? 'null' : JSON.stringify(new Date(Number(images.sourceMs)).toISOString());
  return (
    `{"topic":${JSON.stringify(event.topic)},"partition":${event.partition},"offset":${event.offset},` +
    `"table":${JSON.stringify(`${change.schema}.${change.table}`)},"op":"${change.op}",` +
    `"position":"${change.pos}","source_time":${sourceTime},` +
    `"key":${rowJson(types, keyRow(change))},"before":${rowJson(types, images.before)},` +
    `"after":${rowJson(types, images.after)},"unchanged":${JSON.stringify(change.unchanged)}}`
  );
}

function plain(type: ColumnType | undefined, value: ColumnValue | undefined): string {
  const json = valueJson(type, value);
  return json.startsWith('"') ? (JSON.parse(json) as string) : json;
}

function pairs(types: Map<string, ColumnType>, row: Row, names: string[]): string {
  return names.map((name) => `${name}=${plain(types.get(name), row[name])}`).join(' ');
}

/**
 * One event as a line of text: source time (or Kafka's), op, table, key, then the row: for an update with its
 * before image, only the columns that changed (`column=old->new`); otherwise every column.
 */
export function eventText(event: TailedEvent, kafkaMs: number): string {
  const { change } = event;
  const types = typesOf(change.columns);
  const images = change.images;
  const time = new Date(Number(images?.sourceMs ?? BigInt(kafkaMs))).toISOString();
  const key = keyRow(change);
  const head = `${time}  ${change.op}  ${change.schema}.${change.table}  ${key === null ? '-' : pairs(types, key, change.key)}`;
  if (change.op === 't') return `${head}  (every row)`;
  const before = images?.before ?? null;
  const after = images?.after ?? null;
  if (change.op === 'u' && before !== null && after !== null) {
    const changed = Object.keys(after).filter(
      (name) => valueJson(types.get(name), before[name]) !== valueJson(types.get(name), after[name]),
    );
    const diff = changed.map(
      (name) => `${name}=${plain(types.get(name), before[name])}->${plain(types.get(name), after[name])}`,
    );
    return `${head}  ${diff.join(' ')}`;
  }
  const unkeyed = Object.keys(change.row).filter((name) => !change.key.includes(name));
  return `${head}  ${pairs(types, change.row, unkeyed)}`;
}
