// PostgreSQL's text output of a value, converted to cdclake's exact JavaScript value for its column type.
// Sessions run with TimeZone=UTC and DateStyle=ISO, so timestamps arrive as `YYYY-MM-DD HH:MM:SS[.ffffff][+00]`.

import { daysFromCivil } from '../../core/civil-date.ts';
import type { ColumnType, ColumnValue } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

const DATE = /^(\d{4,})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

export function dateToDays(text: string): number {
  const m = DATE.exec(text);
  if (m === null) throw new CdcError(ErrorCode.INVALID_VALUE, `not an ISO date: ${text}`);
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function timestampToMicros(text: string): bigint {
  const m = TIMESTAMP.exec(text);
  if (m === null) throw new CdcError(ErrorCode.INVALID_VALUE, `not an ISO timestamp: ${text}`);
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const offset =
    m[8] === undefined
      ? 0
      : (m[8] === '+' ? 1 : -1) * (Number(m[9]) * 3600 + Number(m[10] ?? '0') * 60 + Number(m[11] ?? '0'));
  const seconds = days * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) - offset;
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  // Exact as a number within 285 years of 1970 (every step stays below 2^53); beyond that, in bigint.
  const micros = seconds * 1_000_000 + fraction;
  if (Number.isSafeInteger(micros)) return BigInt(micros);
  return BigInt(seconds) * 1_000_000n + BigInt(fraction);
}

function float(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Throws a plain Error naming the value; the caller adds table and column. */
export function fromText(type: ColumnType, text: string): ColumnValue {
  switch (type.kind) {
    case 'int2':
    case 'int4':
      return Number.parseInt(text, 10);
    case 'int8':
      return BigInt(text);
    case 'float4':
    case 'float8':
      return float(text);
    case 'bool':
      return text === 't' || text === 'true';
    case 'text':
    case 'uuid':
    case 'json':
      return text;
    case 'bytea':
      if (!text.startsWith('\\x'))
        throw new CdcError(ErrorCode.INVALID_VALUE, 'bytea not in hex output format');
      return Buffer.from(text.slice(2), 'hex');
    case 'numeric':
      if (!/^-?\d+(\.\d+)?$/.test(text))
        throw new CdcError(
          ErrorCode.INVALID_VALUE,
          `numeric value ${text} cannot be carried (NaN or infinity)`,
        );
      return text;
    case 'date':
      return dateToDays(text);
    case 'timestamp':
    case 'timestamptz':
      return timestampToMicros(text);
  }
}
