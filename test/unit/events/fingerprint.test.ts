import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { AvroSchema } from '../../../core/events/avro-schema.ts';
import {
  canonicalForm,
  fingerprint64,
  fingerprintOf,
  fingerprintToBytes,
  fingerprintToHex,
  schemaFingerprint,
  writerSchema,
} from '../../../core/events/fingerprint.ts';

interface Vector {
  name: string;
  source: 'avro' | 'hand' | 'cdclake';
  schema: AvroSchema;
  canonicalForm: string;
  fingerprint: string;
  fingerprintHex: string;
}

/** Computed by make-vectors.py with fastavro and the specification's reference algorithm. */
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/avro/vectors.json', import.meta.url), 'utf8'),
) as Vector[];

describe('Parsing Canonical Form and CRC-64-AVRO', () => {
  test("the independent vectors cover Avro's own examples, logical types and cdclake's envelopes", () => {
    const sources = new Set(vectors.map((vector) => vector.source));
    expect(sources).toEqual(new Set(['avro', 'hand', 'cdclake']));
    expect(vectors.map((vector) => vector.name)).toContain('allTypesTable.envelope');
  });

  test.each(vectors.map((vector) => [vector.name, vector] as const))(
    'canonical form of %s equals the independent implementation',
    (_name, vector) => {
      expect(canonicalForm(vector.schema)).toBe(vector.canonicalForm);
    },
  );

  test.each(vectors.map((vector) => [vector.name, vector] as const))(
    'fingerprint of %s equals the independent implementation',
    (_name, vector) => {
      expect(schemaFingerprint(vector.schema)).toBe(BigInt(vector.fingerprint));
      expect(fingerprintToHex(schemaFingerprint(vector.schema))).toBe(vector.fingerprintHex);
    },
  );

  test('"int" has the fingerprint the Avro project publishes (8247732601305521295)', () => {
    expect(fingerprint64('"int"')).toBe(8247732601305521295n);
    // Java publishes signed longs; the bits are the same.
    expect(schemaFingerprint('boolean')).toBe(BigInt.asUintN(64, -6970731678124411036n));
  });

  test('the fingerprint travels as 8 little-endian bytes and prints as the big-endian value', () => {
    const fingerprint = fingerprint64('"int"');
    expect(fingerprintToBytes(fingerprint).toString('hex')).toBe('8f5c393f1ad57572');
    expect(fingerprintToHex(fingerprint)).toBe('7275d51a3f395c8f');
    expect(fingerprintOf('7275d51a3f395c8f')).toBe(fingerprint);
    expect(fingerprintOf(-1n)).toBe((1n << 64n) - 1n);
    expect(() => fingerprintOf('not hex')).toThrow(/not a 64-bit hex fingerprint/);
  });

  test('logical types, docs, defaults and custom attributes do not change the fingerprint', () => {
    const plain: AvroSchema = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'bytes' }] };
    const decorated: AvroSchema = {
      type: 'record',
      name: 'R',
      doc: 'money',
      fields: [
        {
          name: 'a',
          type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2, 'cdclake.type': 'x' },
          default: '',
        },
      ],
    };
    expect(schemaFingerprint(decorated)).toBe(schemaFingerprint(plain));
  });

  test('a short reference resolves to the enclosing namespace, or to the null namespace when defined there', () => {
    const schema: AvroSchema = {
      type: 'record',
      name: 'Top',
      fields: [
        { name: 'a', type: { type: 'fixed', name: 'Hash', size: 4 } },
        {
          name: 'b',
          type: { type: 'record', name: 'Inner', namespace: 'n', fields: [{ name: 'h', type: 'Hash' }] },
        },
      ],
    };
    expect(canonicalForm(schema)).toBe(
      '{"name":"Top","type":"record","fields":[{"name":"a","type":{"name":"Hash","type":"fixed","size":4}},' +
        '{"name":"b","type":{"name":"n.Inner","type":"record","fields":[{"name":"h","type":"Hash"}]}}]}',
    );
  });

  test('writerSchema publishes the full JSON (logical types kept) beside the canonical form', () => {
    const schema: AvroSchema = { type: 'long', logicalType: 'timestamp-micros' };
    const published = writerSchema(schema);
    expect(JSON.parse(published.json)).toEqual(schema);
    expect(published.canonicalForm).toBe('"long"');
    expect(published.fingerprint).toBe(schemaFingerprint('long'));
  });
});
