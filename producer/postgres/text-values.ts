// PostgreSQL's text output of a value, converted to cdclake's exact JavaScript value for its column type.
// Sessions run with TimeZone=UTC and DateStyle=ISO, so timestamps arrive as `YYYY-MM-DD HH:MM:SS[.ffffff][+00]`.

import { daysFromCivil } from '../../core/civil-date.ts';
import type { ColumnType, ColumnValue } from '../../core/events/types.ts';
import { CdcError, ErrorCode } from '../../core/errors.ts';

const DAY_MICROS = 86_400_000_000n;

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
  const days = BigInt(daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])));
  const seconds = BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]));
  const fraction = BigInt((m[7] ?? '').padEnd(6, '0'));
  let micros = days * DAY_MICROS + seconds * 1_000_000n + fraction;
  if (m[8] !== undefined) {
    const offsetSeconds = BigInt(Number(m[9]) * 3600 + Number(m[10] ?? '0') * 60 + Number(m[11] ?? '0'));
    micros += (m[8] === '+' ? -1n : 1n) * offsetSeconds * 1_000_000n;
  }
  return micros;
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
