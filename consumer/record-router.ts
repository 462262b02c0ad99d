// Where each Kafka record goes, before any batch is touched:
//
//   value null or empty ─────────────────────────────► tombstone (skipped: the delete event came before it)
//   cdclake Avro, a writer schema the fast path covers ► direct (the row image read straight from the bytes)
//   cdclake Avro otherwise, or Debezium JSON ─────────► decoded change (avro-change.ts, debezium-json.ts),
//                                                       or nothing to write (a record that carries no change)
//   anything the decoders refuse ─────────────────────► dead letter, with the decoder's code and reason
//
// A direct record that its batch cannot take (the batch has other columns) is decoded as well: `decode`
// takes every record `direct` takes.

import { AvroChangeDecoder } from './avro-change.ts';
import { decodeDebeziumJson, looksLikeDebeziumJson } from './debezium-json.ts';
import { CdcError, ErrorCode } from '../core/errors.ts';
import type { DecodedChange } from './decoded-change.ts';
import type { DirectRecord } from './direct-events.ts';

export type { DirectRecord } from './direct-events.ts';

export type DecodedRecord =
  | { kind: 'change'; change: DecodedChange }
  | { kind: 'none' }
  | { kind: 'dead'; code: string; reason: string };

const NONE: DecodedRecord = { kind: 'none' };

export function isTombstone(value: Buffer | null): value is null {
  return value === null || value.length === 0;
}

export class RecordRouter {
  private readonly decoder: AvroChangeDecoder;

  constructor(decoder: AvroChangeDecoder) {
    this.decoder = decoder;
  }

  /** The fast path's reading of one of cdclake's own events; undefined when the record needs `decode`. */
  direct(key: Buffer | null, value: Buffer): DirectRecord | undefined {
    if (!AvroChangeDecoder.handles(value)) return undefined;
    return this.decoder.direct(key, value);
  }

  /** The full decoding; a promise only when a writer schema must be read from the schemas topic first. */
  decode(key: Buffer | null, value: Buffer): DecodedRecord | Promise<DecodedRecord> {
    try {
      const decoded = this.decodeAny(key, value);
      if (decoded instanceof Promise) return decoded.then(routed, refused);
      return routed(decoded);
    } catch (error: unknown) {
      return refused(error);
    }
  }

  private decodeAny(key: Buffer | null, value: Buffer): DecodedChange | null | Promise<DecodedChange | null> {
    if (AvroChangeDecoder.handles(value)) return this.decoder.decode(key, value);
    if (looksLikeDebeziumJson(value)) return decodeDebeziumJson(key, value);
    throw new CdcError(ErrorCode.DECODE, 'neither cdclake Avro (single-object encoding) nor Debezium JSON');
  }
}

function routed(change: DecodedChange | null): DecodedRecord {
  return change === null ? NONE : { kind: 'change', change };
}

function refused(error: unknown): DecodedRecord {
  return {
    kind: 'dead',
    code: error instanceof CdcError ? error.code : ErrorCode.DECODE,
    reason: error instanceof Error ? error.message : String(error),
  };
}
