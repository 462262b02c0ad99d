// Errors of cdclake: one class, a stable code per failure kind, a retriable flag and the facts as properties.
// Retry loops read `retriable`; dead letters and logs record `code`.

export const ErrorCode = {
  CONFIG_INVALID: 'CDC_CONFIG_INVALID',
  TOOL_MISSING: 'CDC_TOOL_MISSING',
  SERVICE_START: 'CDC_SERVICE_START',
  SERVICE_NOT_READY: 'CDC_SERVICE_NOT_READY',
  EXTENSION_PROVISION: 'CDC_EXTENSION_PROVISION',
  INVALID_NAME: 'CDC_INVALID_NAME',
  INVALID_TABLE: 'CDC_INVALID_TABLE',
  UNSUPPORTED_TYPE: 'CDC_UNSUPPORTED_TYPE',
  INVALID_VALUE: 'CDC_INVALID_VALUE',
  DECODE: 'CDC_DECODE',
  NO_KEY: 'CDC_NO_KEY',
  UNSUPPORTED_OP: 'CDC_UNSUPPORTED_OP',
  UNKNOWN_SCHEMA: 'CDC_UNKNOWN_SCHEMA',
  SCHEMA_CONFLICT: 'CDC_SCHEMA_CONFLICT',
  SCHEMA_INCOMPATIBLE: 'CDC_SCHEMA_INCOMPATIBLE',
  KAFKA_PUBLISH: 'CDC_KAFKA_PUBLISH',
  KAFKA_AUTH: 'CDC_KAFKA_AUTH',
  KAFKA_TLS: 'CDC_KAFKA_TLS',
  SOURCE_NO_KEY: 'CDC_SOURCE_NO_KEY',
  SOURCE_TABLE_MISSING: 'CDC_SOURCE_TABLE_MISSING',
  SOURCE_SLOT: 'CDC_SOURCE_SLOT',
  SOURCE_SLOT_LOST: 'CDC_SOURCE_SLOT_LOST',
  SOURCE_STREAM: 'CDC_SOURCE_STREAM',
  RECORD_TOO_LARGE: 'CDC_RECORD_TOO_LARGE',
  RAW_METADATA: 'CDC_RAW_METADATA',
  MODEL: 'CDC_MODEL',
  LAKE_BUSY: 'CDC_LAKE_BUSY',
  KAFKA_RETENTION_GAP: 'CDC_KAFKA_RETENTION_GAP',
  S3_CREDENTIALS: 'CDC_S3_CREDENTIALS',
  S3_UNAVAILABLE: 'CDC_S3_UNAVAILABLE',
  S3_REQUEST: 'CDC_S3_REQUEST',
  POSTGRES_TLS: 'CDC_POSTGRES_TLS',
  POSTGRES_UNAVAILABLE: 'CDC_POSTGRES_UNAVAILABLE',
  LAKE_CATALOG: 'CDC_LAKE_CATALOG',
  KAFKA_UNAVAILABLE: 'CDC_KAFKA_UNAVAILABLE',
  /** A command line cdclake does not understand. */
  USAGE: 'CDC_USAGE',
  /** cdclake broke one of its own rules: a bug to report, not an input or a service at fault. */
  INTERNAL: 'CDC_INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What an error is about, where it applies: the facts logs and dead letters carry beside the message. */
export interface ErrorFacts {
  table?: string;
  topic?: string;
  partition?: number;
  offset?: string;
  [fact: string]: unknown;
}

export class CdcError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly facts: Readonly<ErrorFacts>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retriable?: boolean; facts?: ErrorFacts; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CdcError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.facts = options.facts ?? {};
  }
}

export function isRetriable(error: unknown): boolean {
  return error instanceof CdcError && error.retriable;
}
