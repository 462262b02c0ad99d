// avsc types that read and write cdclake's JavaScript values (types.ts): every long as an exact bigint,
// decimals as plain decimal text. All Avro work of core/events goes through these two factories.

import avsc from 'avsc';
import type { AvroSchema } from './avro-schema.ts';
import { BIGINT_LONG } from './bigint-long.ts';
import { bytesToDecimal, decimalToBytes, widenScale } from './decimal.ts';
import { CdcError, ErrorCode } from '../errors.ts';

/** Every long, with or without a logical type (timestamps), becomes the bigint long. */
function bigintLongHook(schema: unknown): avsc.Type | undefined {
  if (schema === 'long') return BIGINT_LONG;
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) {
    const object = schema as { type?: unknown; logicalType?: unknown };
    if (object.type === 'long' && object.logicalType !== 'decimal') return BIGINT_LONG;
  }
  return undefined;
}

/** The decimal logical type on bytes: JS values are decimal text at the schema's scale ("-12.50"). */
class DecimalType extends avsc.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(attributes: avsc.Schema, options?: unknown) {
    super(attributes, options);
    const schema = attributes as { precision?: unknown; scale?: unknown };
    const precision = Number(schema.precision);
    const scale = schema.scale === undefined ? 0 : Number(schema.scale);
    if (
      !Number.isInteger(precision) ||
      precision < 1 ||
      !Number.isInteger(scale) ||
      scale < 0 ||
      scale > precision
    ) {
      // avsc then falls back to the underlying bytes, as the specification asks for an invalid logical type.
      throw new CdcError(
        ErrorCode.INVALID_VALUE,
        `invalid decimal precision ${String(schema.precision)} or scale ${String(schema.scale)}`,
      );
    }
    if (this.underlyingType.typeName !== 'bytes')
      throw new CdcError(ErrorCode.INVALID_VALUE, 'cdclake reads decimals on bytes only');
    this.precision = precision;
    this.scale = scale;
  }

  protected override _fromValue(bytes: Buffer): string {
    return bytesToDecimal(bytes, this.scale);
  }

  protected override _toValue(text: string): Buffer {
    return decimalToBytes(text, this.precision, this.scale);
  }

  /** Reads a writer decimal whose every value fits exactly: same or smaller scale, no fewer integer digits. */
  protected override _resolve(writer: avsc.Type): ((text: string) => string) | undefined {
    if (!(writer instanceof DecimalType)) return undefined;
    if (writer.scale > this.scale || writer.precision - writer.scale > this.precision - this.scale)
      return undefined;
    const from = writer.scale;
    const to = this.scale;
    return (text) => widenScale(text, from, to);
  }

  protected override _export(schema: avsc.Schema): void {
    const attributes = schema as Record<string, unknown>;
    attributes.precision = this.precision;
    attributes.scale = this.scale;
  }
}

function forSchema(schema: AvroSchema, logicalTypes: Record<string, typeof DecimalType>): avsc.Type {
  return avsc.Type.forSchema(schema as avsc.schema.AvroSchema, {
    typeHook: bigintLongHook,
    logicalTypes,
    wrapUnions: 'auto',
    // Decoded records are plain data (Row), without avsc's clone/toBuffer methods on their prototype.
    omitRecordMethods: true,
  });
}

/** A type reading and writing cdclake values: longs as bigint, decimals as text. */
export function avroType(schema: AvroSchema): avsc.Type {
  return forSchema(schema, { decimal: DecimalType });
}

/**
 * A type writing decimals as ready-made bytes: for a caller that has already converted and checked
 * every value itself, with the table and column at hand for its errors (TableCodec).
 */
export function avroTypeWithRawDecimals(schema: AvroSchema): avsc.Type {
  return forSchema(schema, {});
}
