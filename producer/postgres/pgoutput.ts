// Decoding of pgoutput (protocol version 1) messages into plain records with the column values as
// PostgreSQL's text, so cdclake converts them itself with exact types. An unchanged TOASTed value is
// kept apart from null.

import { CdcError, ErrorCode } from '../../core/errors.ts';

export type TupleValue = { kind: 'null' } | { kind: 'unchanged' } | { kind: 'text'; text: string };

export interface RelationColumn {
  name: string;
  /** Part of the replica identity (the key) when true. */
  isKey: boolean;
  typeOid: number;
  typeMod: number;
}

export interface Relation {
  oid: number;
  schema: string;
  name: string;
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  columns: RelationColumn[];
}

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTimeMicros: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTimeMicros: bigint }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relationOid: number; after: TupleValue[] }
  | {
      tag: 'update';
      relationOid: number;
      before: TupleValue[] | null;
      beforeIsKeyOnly: boolean;
      after: TupleValue[];
    }
  | { tag: 'delete'; relationOid: number; before: TupleValue[]; beforeIsKeyOnly: boolean }
  | { tag: 'truncate'; relationOids: number[] }
  /** A logical decoding message (`pg_logical_emit_message`): cdclake's snapshot watermarks and requests. */
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer }
  | { tag: 'other'; code: string };

const IDENTITY = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;
/** PostgreSQL timestamps count from 2000-01-01; these are microseconds since 1970-01-01. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;

class Reader {
  private offset = 0;
  private readonly buffer: Buffer;
  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }
  u8(): number {
    return this.buffer.readUInt8(this.offset++);
  }
  i16(): number {
    const v = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32(): number {
    const v = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  i64(): bigint {
    const v = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  cstring(): string {
    const end = this.buffer.indexOf(0, this.offset);
    const text = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }
  bytes(length: number): Buffer {
    const v = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }
}

function readTuple(reader: Reader): TupleValue[] {
  const count = reader.i16();
  const values: TupleValue[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const kind = reader.u8();
    if (kind === 0x6e) values[i] = { kind: 'null' };
    else if (kind === 0x75) values[i] = { kind: 'unchanged' };
    else if (kind === 0x74) {
      const length = reader.i32();
      values[i] = { kind: 'text', text: reader.bytes(length).toString('utf8') };
    } else
      throw new CdcError(
        ErrorCode.SOURCE_STREAM,
        `pgoutput: unexpected tuple value kind ${String.fromCharCode(kind)}`,
      );
  }
  return values;
}

export function parsePgoutput(buffer: Buffer): PgoutputMessage {
  const reader = new Reader(buffer);
  const tag = String.fromCharCode(reader.u8());
  switch (tag) {
    case 'B':
      return {
        tag: 'begin',
        finalLsn: reader.u64(),
        commitTimeMicros: reader.i64() + PG_EPOCH_MICROS,
        xid: reader.i32(),
      };
    case 'C': {
      reader.u8(); // flags, unused
      return {
        tag: 'commit',
        commitLsn: reader.u64(),
        endLsn: reader.u64(),
        commitTimeMicros: reader.i64() + PG_EPOCH_MICROS,
      };
    }
    case 'R': {
      const oid = reader.i32();
      const schema = reader.cstring();
      const name = reader.cstring();
      const identity = String.fromCharCode(reader.u8()) as keyof typeof IDENTITY;
      const count = reader.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const flags = reader.u8();
        columns.push({
          isKey: (flags & 1) === 1,
          name: reader.cstring(),
          typeOid: reader.i32(),
          typeMod: reader.i32(),
        });
      }
      return {
        tag: 'relation',
        relation: { oid, schema, name, replicaIdentity: IDENTITY[identity], columns },
      };
    }
    case 'I': {
      const relationOid = reader.i32();
      reader.u8(); // 'N'
      return { tag: 'insert', relationOid, after: readTuple(reader) };
    }
    case 'U': {
      const relationOid = reader.i32();
      let marker = String.fromCharCode(reader.u8());
      let before: TupleValue[] | null = null;
      const beforeIsKeyOnly = marker === 'K';
      if (marker === 'K' || marker === 'O') {
        before = readTuple(reader);
        marker = String.fromCharCode(reader.u8());
      }
      if (marker !== 'N')
        throw new CdcError(ErrorCode.SOURCE_STREAM, `pgoutput: update without new tuple (${marker})`);
      return { tag: 'update', relationOid, before, beforeIsKeyOnly, after: readTuple(reader) };
    }
    case 'D': {
      const relationOid = reader.i32();
      const marker = String.fromCharCode(reader.u8());
      return { tag: 'delete', relationOid, beforeIsKeyOnly: marker === 'K', before: readTuple(reader) };
    }
    case 'T': {
      const count = reader.i32();
      reader.u8(); // options
      const relationOids: number[] = [];
      for (let i = 0; i < count; i++) relationOids.push(reader.i32());
      return { tag: 'truncate', relationOids };
    }
    case 'M': {
      const transactional = (reader.u8() & 1) === 1;
      const lsn = reader.u64();
      const prefix = reader.cstring();
      const length = reader.i32();
      return { tag: 'message', transactional, lsn, prefix, content: Buffer.from(reader.bytes(length)) };
    }
    default:
      return { tag: 'other', code: tag };
  }
}

/** `16/B374D848` as a number. */
export function lsnToBigInt(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high ?? '0'}`) << 32n) | BigInt(`0x${low ?? '0'}`);
}

export function bigIntToLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
