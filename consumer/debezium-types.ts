// The values of a Debezium JSON record: an exact JSON value model (int64 stays bigint, decimals keep their
// digits) and Kafka Connect's schema types mapped to cdclake's columns, with each value converted exactly.

import { daysFromCivil } from '../core/civil-date.ts';
import { MAX_DECIMAL_PRECISION } from '../core/events/avro-schema.ts';
import { bytesToUnscaled, unscaledToDecimal } from '../core/events/decimal.ts';
import type { ColumnDef, ColumnType, ColumnValue } from '../core/events/types.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';

/** A JSON number literal that is not an integer (`1.5`, `1e3`), kept as written so nothing is rounded. */
export class JsonNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * A JSON value read exactly: integer literals are bigint, other numbers JsonNumber, objects Maps (their
 * order kept, and a member named `__proto__` is data like any other).
 */
export type Json = null | boolean | string | bigint | JsonNumber | Json[] | JsonObject;
export type JsonObject = Map<string, Json>;

/** Compact JSON text of a value, numbers as they were written. */
export function stringifyJson(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  const members: string[] = [];
  for (const [name, member] of value) members.push(`${JSON.stringify(name)}:${stringifyJson(member)}`);
  return `{${members.join(',')}}`;
}

/** Where a value was read, so an error names the table and the column. */
export interface Where {
  table: string;
  column: string;
}

/** A column of a record: its cdclake type and how a non-null JSON value of it becomes a ColumnValue. */
export interface ColumnReader {
  column: ColumnDef;
  read(value: Json, where: Where): ColumnValue;
}

type Read = ColumnReader['read'];
type Mapped = { type: ColumnType; read: Read };

// Debezium's marker for a value PostgreSQL did not send (an unchanged TOASTed value), in each shape its
// PostgreSQL connector gives it: text, bytes (base64 in JSON, or hex with binary.handling.mode=hex), a
// text array holding it, an int array of its bytes. Only the default `unavailable.value.placeholder` is known.
const UNAVAILABLE = '__debezium_unavailable_value';
const UNAVAILABLE_BYTES = Buffer.from(UNAVAILABLE, 'utf8');
const UNAVAILABLE_TEXTS = new Set([
  UNAVAILABLE,
  UNAVAILABLE_BYTES.toString('base64'),
  UNAVAILABLE_BYTES.toString('hex'),
]);

/** Whether a JSON value is Debezium's placeholder for a value the source did not send. */
export function isUnavailable(value: Json): boolean {
  if (typeof value === 'string') return value.length >= 28 && UNAVAILABLE_TEXTS.has(value);
  if (!Array.isArray(value)) return false;
  if (value.length === 1) return value[0] === UNAVAILABLE;
  return (
    value.length === UNAVAILABLE_BYTES.length &&
    value.every((element, i) => element === BigInt(UNAVAILABLE_BYTES[i] as number))
  );
}

function invalidValue(where: Where, value: Json, expected: string): CdcError {
  const text = stringifyJson(value);
  const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return new CdcError(
    ErrorCode.INVALID_VALUE,
    `table ${where.table} column ${where.column}: value ${shown} is not ${expected}`,
  );
}

function unsupported(where: Where, type: string, advice: string): CdcError {
  return new CdcError(
    ErrorCode.UNSUPPORTED_TYPE,
    `table ${where.table} column ${where.column}: Kafka Connect type ${type} is not supported: ${advice}`,
  );
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function int64(value: Json, where: Where): bigint {
  if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX)
    throw invalidValue(where, value, 'an int64');
  return value;
}

function integerIn(bits: number, expected: string): Read {
  const max = 2n ** BigInt(bits - 1);
  return (value, where) => {
    if (typeof value !== 'bigint' || value < -max || value >= max) throw invalidValue(where, value, expected);
    return Number(value);
  };
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

const float: Read = (value, where) => {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof JsonNumber) return Number(value.text);
  // Jackson writes NaN and the infinities as strings.
  if (typeof value === 'string' && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value] as number;
  throw invalidValue(where, value, 'a number');
};

const bool: Read = (value, where) => {
  if (typeof value !== 'boolean') throw invalidValue(where, value, 'a boolean');
  return value;
};

const text: Read = (value, where) => {
  if (typeof value !== 'string') throw invalidValue(where, value, 'a string');
  return value;
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(value: Json, where: Where): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) throw invalidValue(where, value, 'base64 bytes');
  return Buffer.from(value, 'base64');
}

/** Structs, arrays and maps: the JSON text of the value, numbers as written. */
const jsonText: Read = (value) => stringifyJson(value);

/** Debezium's Json is a string of JSON text; a structured value (not from Debezium) is written out. */
const json: Read = (value) => (typeof value === 'string' ? value : stringifyJson(value));

/** An int64 count of `unit` since the epoch (or midnight) as microseconds; nanoseconds floor. */
function micros(unit: 'ms' | 'us' | 'ns'): Read {
  return (value, where) => {
    const n = int64(value, where);
    if (unit === 'ms') return n * 1000n;
    if (unit === 'us') return n;
    const truncated = n / 1000n; // bigint division truncates toward zero
    return n < 0n && truncated * 1000n !== n ? truncated - 1n : truncated;
  };
}

const int32: Read = integerIn(32, 'an int32');

/** An int32 count of milliseconds since midnight as int8 microseconds. */
const millisOfDay: Read = (value, where) => BigInt(int32(value, where) as number) * 1000n;

const date: Read = integerIn(32, 'an int32 number of days');

/** numeric(p,s) from a Connect Decimal: base64 of the unscaled integer, or a JSON number (decimal.format=NUMERIC). */
function decimal(precision: number, scale: number, connectScale: number): Read {
  const limit = 10n ** BigInt(precision);
  const widen = 10n ** BigInt(scale - connectScale);
  const expected = `a decimal of numeric(${precision},${scale})`;
  return (value, where) => {
    let unscaled: bigint | undefined;
    if (typeof value === 'string') unscaled = bytesToUnscaled(base64(value, where)) * widen;
    else if (typeof value === 'bigint') unscaled = value * 10n ** BigInt(scale);
    else if (value instanceof JsonNumber) unscaled = unscaledAt(value.text, scale);
    if (unscaled === undefined || unscaled <= -limit || unscaled >= limit)
      throw invalidValue(where, value, expected);
    return unscaledToDecimal(unscaled, scale);
  };
}

/** The unscaled integer of a JSON number literal at `scale`, or undefined when it is not exact there. */
function unscaledAt(literal: string, scale: number): bigint | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (match === null) return undefined;
  const fraction = match[3] ?? '';
  const digits = `${match[2]}${fraction}`;
  const shift = Number(match[4] ?? '0') - fraction.length + scale;
  // Beyond 80 places no decimal of precision 38 fits anyway; refusing keeps 10n ** shift small.
  if (shift > 80) return /^0+$/.test(digits) ? 0n : undefined;
  let unscaled: bigint;
  if (shift >= 0) unscaled = BigInt(digits) * 10n ** BigInt(shift);
  else {
    const kept = digits.length + shift;
    if (!/^0*$/.test(digits.slice(Math.max(kept, 0)))) return undefined;
    unscaled = kept > 0 ? BigInt(digits.slice(0, kept)) : 0n;
  }
  return match[1] === '-' ? -unscaled : unscaled;
}

/** ISO-8601 with an offset, as Debezium's ZonedTimestamp writes it (`2026-01-01T10:00:00.123456+02:00`). */
const ZONED =
  /^([+-]?\d{4,6})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)$/;

const zonedTimestamp: Read = (value, where) => {
  const match = typeof value === 'string' ? ZONED.exec(value) : null;
  const expected = 'an ISO-8601 timestamp with an offset';
  if (match === null) throw invalidValue(where, value, expected);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  const offsetSeconds = match[11] === undefined ? 0 : Number(match[11]);
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 18 &&
    offsetMinutes <= 59 &&
    offsetSeconds <= 59;
  if (!valid) throw invalidValue(where, value, expected);
  const offset = (match[8] === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60 + offsetSeconds);
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  // Digits beyond the microsecond are dropped: the fraction counts forward in time, so that is a floor.
  const fraction = match[7] === undefined ? 0 : Number(match[7].padEnd(6, '0').slice(0, 6));
  // Exact as a number within 285 years of 1970 (below 2^53); beyond that, in bigint.
  const micros = seconds * 1_000_000 + fraction;
  if (Number.isSafeInteger(micros)) return BigInt(micros);
  return BigInt(seconds) * 1_000_000n + BigInt(fraction);
};

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Kafka Connect's physical types, when no logical type says more. */
const PHYSICAL: Record<string, Mapped> = {
  int8: { type: { kind: 'int2' }, read: integerIn(8, 'an int8') },
  int16: { type: { kind: 'int2' }, read: integerIn(16, 'an int16') },
  int32: { type: { kind: 'int4' }, read: int32 },
  int64: { type: { kind: 'int8' }, read: int64 },
  float32: { type: { kind: 'float4' }, read: float },
  float64: { type: { kind: 'float8' }, read: float },
  boolean: { type: { kind: 'bool' }, read: bool },
  string: { type: { kind: 'text' }, read: text },
  bytes: { type: { kind: 'bytea' }, read: base64 },
  struct: { type: { kind: 'json' }, read: jsonText },
  array: { type: { kind: 'json' }, read: jsonText },
  map: { type: { kind: 'json' }, read: jsonText },
};

/** Time of day: cdclake has no time type; it lands as int8 microseconds since midnight, exactly. */
const TIME_OF_DAY: Mapped['type'] = { kind: 'int8' };

/**
 * Logical types by schema name, each with the physical type it must have. Names not listed land as their
 * physical type (io.debezium.data.Xml, EnumSet, Ltree, Bits, io.debezium.time.Year, ZonedTime, Interval),
 * as Kafka Connect's own sinks write them: the value is kept exactly, only its meaning is left to silver.
 */
const LOGICAL: Record<string, { physical: string; mapped: Mapped }> = {
  'io.debezium.time.MicroTimestamp': {
    physical: 'int64',
    mapped: { type: { kind: 'timestamp' }, read: micros('us') },
  },
  'io.debezium.time.Timestamp': {
    physical: 'int64',
    mapped: { type: { kind: 'timestamp' }, read: micros('ms') },
  },
  'io.debezium.time.NanoTimestamp': {
    physical: 'int64',
    mapped: { type: { kind: 'timestamp' }, read: micros('ns') },
  },
  'org.apache.kafka.connect.data.Timestamp': {
    physical: 'int64',
    mapped: { type: { kind: 'timestamp' }, read: micros('ms') },
  },
  'io.debezium.time.ZonedTimestamp': {
    physical: 'string',
    mapped: { type: { kind: 'timestamptz' }, read: zonedTimestamp },
  },
  'io.debezium.time.Date': { physical: 'int32', mapped: { type: { kind: 'date' }, read: date } },
  'org.apache.kafka.connect.data.Date': { physical: 'int32', mapped: { type: { kind: 'date' }, read: date } },
  'io.debezium.time.MicroTime': { physical: 'int64', mapped: { type: TIME_OF_DAY, read: micros('us') } },
  'io.debezium.time.NanoTime': { physical: 'int64', mapped: { type: TIME_OF_DAY, read: micros('ns') } },
  'io.debezium.time.Time': {
    physical: 'int32',
    mapped: { type: TIME_OF_DAY, read: millisOfDay },
  },
  'org.apache.kafka.connect.data.Time': {
    physical: 'int32',
    mapped: { type: TIME_OF_DAY, read: millisOfDay },
  },
  'io.debezium.data.Uuid': { physical: 'string', mapped: { type: { kind: 'uuid' }, read: text } },
  'io.debezium.data.Json': { physical: 'string', mapped: { type: { kind: 'json' }, read: json } },
  'io.debezium.data.Enum': { physical: 'string', mapped: { type: { kind: 'text' }, read: text } },
};

/** A Kafka Connect field schema as the JSON converter writes it: `{type, optional, field, name?, parameters?}`. */
export function connectColumn(table: string, name: string, field: JsonObject): ColumnReader {
  const where: Where = { table, column: name };
  const physical = field.get('type');
  const logical = field.get('name');
  const nullable = field.get('optional') === true;
  if (typeof physical !== 'string') {
    throw new CdcError(ErrorCode.DECODE, `table ${table} column ${name}: the field schema has no type`);
  }
  let mapped: Mapped | undefined;
  if (logical === 'org.apache.kafka.connect.data.Decimal' && physical === 'bytes') {
    mapped = decimalColumn(where, field.get('parameters'));
  } else if (logical === 'io.debezium.data.VariableScaleDecimal') {
    // Every value carries its own scale, so no numeric(p,s) holds them all: refused like cdclake's own
    // source refuses an unbounded numeric, rather than rounding or failing values later.
    throw unsupported(
      where,
      String(logical),
      'a numeric column without precision and scale has no exact decimal type in the lake; declare it ' +
        'numeric(p,s) in the source, or set the connector to decimal.handling.mode=string to carry it as text',
    );
  } else if (typeof logical === 'string' && Object.hasOwn(LOGICAL, logical)) {
    const known = LOGICAL[logical] as (typeof LOGICAL)[string];
    if (known.physical !== physical)
      throw unsupported(where, `${logical} on ${physical}`, `expected ${logical} on ${known.physical}`);
    mapped = known.mapped;
  } else {
    mapped = Object.hasOwn(PHYSICAL, physical) ? PHYSICAL[physical] : undefined;
  }
  if (mapped === undefined) throw unsupported(where, physical, 'not a Kafka Connect type cdclake knows');
  return { column: { name, type: mapped.type, nullable }, read: mapped.read };
}

function decimalColumn(where: Where, parameters: Json | undefined): Mapped {
  const param = (key: string): Json | undefined =>
    parameters instanceof Map ? parameters.get(key) : undefined;
  const scaleText = param('scale');
  const precisionText = param('connect.decimal.precision') ?? '38';
  const connectScale = typeof scaleText === 'string' && /^-?\d+$/.test(scaleText) ? Number(scaleText) : NaN;
  const declared =
    typeof precisionText === 'string' && /^\d+$/.test(precisionText) ? Number(precisionText) : NaN;
  // As for cdclake's own source: a negative scale becomes scale 0 with more digits, a scale above the
  // precision widens the precision; both exact.
  const scale = Math.max(connectScale, 0);
  const precision = connectScale < 0 ? declared - connectScale : Math.max(declared, connectScale);
  const type = `Decimal(scale ${String(scaleText)}, precision ${String(precisionText)})`;
  if (Number.isNaN(precision) || Number.isNaN(scale))
    throw new CdcError(
      ErrorCode.DECODE,
      `table ${where.table} column ${where.column}: ${type} has no valid scale or precision`,
    );
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION)
    throw unsupported(where, type, `the lake's decimals hold 1 to ${MAX_DECIMAL_PRECISION} digits`);
  return { type: { kind: 'numeric', precision, scale }, read: decimal(precision, scale, connectScale) };
}

/**
 * A column of a record without an embedded schema, typed from its value: integer int8, other number
 * float8, boolean bool, string text, object or array json (a null says nothing: readImage leaves its column
 * out, and here it is typed text only for a caller that asks). Every inferred column is nullable. Decimals arrive as base64 text and timestamps as plain integers, so they
 * land as text and int8: enable the converter's schemas for exact types.
 */
export function inferredColumn(where: Where, value: Json): { column: ColumnDef; value: ColumnValue } {
  if (value === null) return { column: inferred(where, 'text'), value: null };
  if (typeof value === 'boolean') return { column: inferred(where, 'bool'), value };
  if (typeof value === 'string') return { column: inferred(where, 'text'), value };
  if (typeof value === 'bigint') return { column: inferred(where, 'int8'), value: int64(value, where) };
  if (value instanceof JsonNumber) return { column: inferred(where, 'float8'), value: Number(value.text) };
  return { column: inferred(where, 'json'), value: stringifyJson(value) };
}

function inferred(where: Where, kind: Exclude<ColumnType['kind'], 'numeric'>): ColumnDef {
  return { name: where.column, type: { kind }, nullable: true };
}
