// The change-event contract and its codecs (Contract 1): what the producer writes and the consumer reads.
// Import from here; the files behind it are one concept each.

export * from './types.ts';
export {
  columnAvroSchema,
  columnTypeFromPostgres,
  envelopeSchemaOf,
  keySchemaOf,
  MAX_DECIMAL_PRECISION,
  tableNamespace,
  validateTable,
  type AvroField,
  type AvroRecordSchema,
  type AvroSchema,
  type AvroSchemaObject,
} from './avro-schema.ts';
export {
  canonicalForm,
  fingerprint64,
  fingerprintOf,
  fingerprintToBytes,
  fingerprintToHex,
  schemaFingerprint,
  writerSchema,
  type WriterSchema,
} from './fingerprint.ts';
export {
  bytesToDecimal,
  bytesToUnscaled,
  decimalToBytes,
  decimalToUnscaled,
  unscaledToBytes,
  unscaledToDecimal,
  type ValueContext,
} from './decimal.ts';
export {
  encodeSingleObject,
  isSingleObject,
  readFingerprint,
  SINGLE_OBJECT_HEADER_LENGTH,
  SINGLE_OBJECT_MAGIC,
  SingleObjectEncoder,
} from './single-object.ts';
export { avroType } from './avsc-types.ts';
export { TableCodec } from './envelope-codec.ts';
export { SchemaStore, type SchemaInput } from './schema-store.ts';
