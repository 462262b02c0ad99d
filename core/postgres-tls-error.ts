// A TLS failure on the way to PostgreSQL as one CDC_POSTGRES_TLS error: which server (host:port), why, and
// the setting to look at. Built from facts only: never the URL, so never its password.

import { CdcError, ErrorCode } from './errors.ts';

export interface TlsFailureContext {
  /** host:port */
  endpoint: string;
  /** The variable the connection comes from: PG_URL, LAKE_CATALOG. */
  variable: string;
  sslmode: string;
  /** The roots the server's chain is checked against: a file, 'system', or undefined when unchecked. */
  roots: string | undefined;
  /** Whether the attempt that failed asked for TLS. */
  tls: boolean;
}

/** OpenSSL's verdicts on a chain (Node's error codes for them). */
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'CERT_CHAIN_TOO_LONG',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'UNABLE_TO_GET_CRL',
  'CRL_HAS_EXPIRED',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** node-postgres's messages when the server answers an SSLRequest with anything but 'S'. */
const REFUSED = [
  'The server does not support SSL connections',
  'There was an error establishing an SSL connection',
];

/** `error` as CDC_POSTGRES_TLS when it is a TLS failure; any other error as it is. */
export function describeTlsFailure(error: unknown, context: TlsFailureContext): unknown {
  if (!context.tls || !(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const where = context.endpoint;
  const roots = rootsLabel(context.roots);
  if (REFUSED.includes(error.message))
    return tlsError(
      `${where} does not accept TLS connections (${error.message}), and ${context.variable} has sslmode=${context.sslmode}`,
      'SERVER_REFUSED_TLS',
      context,
      error,
    );
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH')
    return tlsError(
      `server certificate for ${where} does not name the host it was reached by (sslmode=verify-full): ${error.message}`,
      code,
      context,
      error,
    );
  if (OUT_OF_DATE.has(code))
    return tlsError(
      `server certificate for ${where} is not valid now: ${error.message}`,
      code,
      context,
      error,
    );
  if (UNTRUSTED.has(code))
    return tlsError(
      `server certificate for ${where} not trusted by ${roots}: ${error.message}`,
      code,
      context,
      error,
    );
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO')
    return tlsError(`handshake with ${where} failed: ${error.message}`, code, context, error);
  return error;
}

export function rootsLabel(roots: string | undefined): string {
  if (roots === 'system') return "the system's trusted roots (sslrootcert=system)";
  return roots === undefined ? 'no roots' : `sslrootcert=${roots}`;
}

export function tlsError(
  message: string,
  reason: string,
  context: TlsFailureContext,
  cause?: unknown,
): CdcError {
  return new CdcError(ErrorCode.POSTGRES_TLS, `PostgreSQL TLS: ${message}`, {
    facts: {
      endpoint: context.endpoint,
      variable: context.variable,
      sslmode: context.sslmode,
      ...(context.roots === undefined ? {} : { sslrootcert: context.roots }),
      reason,
    },
    cause,
  });
}

/** libpq's words for a TLS failure (as DuckDB's postgres extension passes them on); undefined for others. */
export function describeLibpqTlsFailure(reason: string, context: TlsFailureContext): CdcError | undefined {
  const where = context.endpoint;
  if (/certificate verify failed/i.test(reason))
    return tlsError(
      `server certificate for ${where} not trusted by ${rootsLabel(context.roots)}: ${reason}`,
      'CERTIFICATE_VERIFY_FAILED',
      context,
    );
  if (/does not match host name/i.test(reason))
    return tlsError(
      `server certificate for ${where} does not name the host it was reached by (sslmode=verify-full): ${reason}`,
      'HOSTNAME_MISMATCH',
      context,
    );
  if (/server does not support SSL/i.test(reason))
    return tlsError(
      `${where} does not accept TLS connections, and ${context.variable} has sslmode=${context.sslmode}`,
      'SERVER_REFUSED_TLS',
      context,
    );
  if (/\bSSL\b|certificate|\bTLS\b/i.test(reason))
    return tlsError(`connecting to ${where} (${context.variable}) failed: ${reason}`, 'LIBPQ_TLS', context);
  return undefined;
}
