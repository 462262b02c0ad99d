// An S3 request that failed, as a CdcError naming the object, the attempts the SDK made and the settings
// that bound them. A store that stopped answering or failed on its side is retriable; a refusal is not.

import type { Config } from './config.ts';
import { CdcError, ErrorCode } from './errors.ts';

interface SdkFailure {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number; totalRetryDelay?: number };
}

/** `action` as the log reads it: "upload of", "listing of". */
export function s3Failure(
  error: unknown,
  action: string,
  target: { bucket: string; key: string },
  config: Pick<Config, 'S3_REQUEST_TIMEOUT_MS' | 'S3_CONNECT_TIMEOUT_MS' | 'S3_MAX_ATTEMPTS'>,
  startedAt: number,
): CdcError {
  if (error instanceof CdcError) return error;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SdkFailure;
  const status = failure.$metadata?.httpStatusCode;
  const attempts = failure.$metadata?.attempts ?? 1;
  const seconds = (performance.now() - startedAt) / 1000;
  const timedOut = failure.name === 'TimeoutError';
  const unavailable = timedOut || status === undefined || status >= 500 || failure.$fault === 'server';
  const bound = timedOut
    ? ` S3 stopped answering: each attempt is abandoned after S3_REQUEST_TIMEOUT_MS=${config.S3_REQUEST_TIMEOUT_MS} ms ` +
      `without a byte (S3_CONNECT_TIMEOUT_MS=${config.S3_CONNECT_TIMEOUT_MS} ms to connect), S3_MAX_ATTEMPTS=${config.S3_MAX_ATTEMPTS}.`
    : '';
  const reason = failure.message ?? String(error);
  return new CdcError(
    unavailable ? ErrorCode.S3_UNAVAILABLE : ErrorCode.S3_REQUEST,
    `${action} s3://${target.bucket}/${target.key} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
      `in ${seconds.toFixed(1)} s: ${reason}${bound}`,
    {
      cause: error,
      retriable: unavailable,
      facts: {
        bucket: target.bucket,
        key: target.key,
        attempts,
        seconds,
        ...(status === undefined ? {} : { status }),
      },
    },
  );
}
