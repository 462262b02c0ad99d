import avsc from 'avsc';
import { describe, expect, test } from 'vitest';
import { CdcError } from '../../../core/errors.ts';
import type { AvroSchema } from '../../../core/events/avro-schema.ts';
import { fingerprintToBytes, schemaFingerprint } from '../../../core/events/fingerprint.ts';
import {
  encodeSingleObject,
  isSingleObject,
  readFingerprint,
  SINGLE_OBJECT_HEADER_LENGTH,
} from '../../../core/events/single-object.ts';

const schema: AvroSchema = {
  type: 'record',
  name: 'Sample',
  namespace: 'test',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'label', type: 'string' },
  ],
};

function decodeError(bytes: Buffer): CdcError {
  try {
    readFingerprint(bytes);
  } catch (error) {
    if (error instanceof CdcError) return error;
    throw error;
  }
  throw new Error('expected a CdcError');
}

describe('Avro single-object encoding', () => {
  test('a message is C3 01, the writer fingerprint in 8 little-endian bytes, then the Avro body', () => {
    const message = encodeSingleObject(schema, { id: 42n, label: 'x' });
    expect(message.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(message.subarray(2, 10)).toEqual(fingerprintToBytes(schemaFingerprint(schema)));
    expect(readFingerprint(message)).toBe(schemaFingerprint(schema));
    expect(isSingleObject(message)).toBe(true);
    // The body is plain Avro binary, readable by any implementation that has the schema.
    const body = message.subarray(SINGLE_OBJECT_HEADER_LENGTH);
    expect(avsc.Type.forSchema(schema as avsc.schema.AvroSchema).fromBuffer(body)).toEqual({
      id: 42,
      label: 'x',
    });
  });

  test('a body larger than the scratch buffer is encoded whole', () => {
    const label = 'é'.repeat(50_000);
    const message = encodeSingleObject(schema, { id: -1n, label });
    const body = avsc.Type.forSchema(schema as avsc.schema.AvroSchema).fromBuffer(
      message.subarray(SINGLE_OBJECT_HEADER_LENGTH),
    );
    expect(body.label).toBe(label);
    expect(readFingerprint(message)).toBe(schemaFingerprint(schema));
  });

  test('a buffer shorter than the header is refused with CDC_DECODE', () => {
    const error = decodeError(Buffer.from([0xc3, 0x01, 0x00]));
    expect(error.code).toBe('CDC_DECODE');
    expect(error.message).toContain('3 bytes');
  });

  test('a buffer without the magic (e.g. Debezium JSON) is refused with CDC_DECODE', () => {
    const json = Buffer.from('{"schema":null,"payload":{}}');
    expect(isSingleObject(json)).toBe(false);
    const error = decodeError(json);
    expect(error.code).toBe('CDC_DECODE');
    expect(error.message).toContain('not 0xc301');
  });
});
