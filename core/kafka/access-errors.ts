// Kafka refusing cdclake (SASL credentials, TLS trust) told as one CdcError, whichever client failed: kafkajs
// and @platformatic/kafka bury the reason in causes and nested errors, and retry some of them for ever.

import type { Config } from '../config.ts';
import { CdcError, ErrorCode } from '../errors.ts';

/** Node's codes for a broker certificate that did not verify: retrying cannot help. */
const UNTRUSTED_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The broker refused this client's certificate, or asked for one and got none (TLS alerts). */
const CLIENT_CERT_CODES = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

/** The listener does not speak TLS (plain Kafka answered the handshake). */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

interface Found {
  kind: 'auth' | 'untrusted' | 'client-cert' | 'not-tls';
  reason: string;
  code?: string;
}

/**
 * The CDC_KAFKA_AUTH or CDC_KAFKA_TLS error `error` amounts to, or undefined when it is something else (a
 * broker down, a timeout), which the clients' own retries are for. Never carries the password.
 */
export function kafkaAccessError(error: unknown, config: Config, broker?: string): CdcError | undefined {
  if (
    error instanceof CdcError &&
    (error.code === ErrorCode.KAFKA_AUTH || error.code === ErrorCode.KAFKA_TLS)
  )
    return error;
  let named = broker;
  let found: Found | undefined;
  visit(error, (e) => {
    named ??= brokerOf(e);
    found ??= classify(e);
  });
  if (found === undefined) return undefined;
  const at = named ?? config.KAFKA_BROKERS.join(',');
  const facts = { broker: at, ...(found.code === undefined ? {} : { tlsCode: found.code }) };
  const reason = redact(found.reason, config);
  switch (found.kind) {
    case 'auth': {
      const mechanism = config.KAFKA_SASL_MECHANISM ?? 'none';
      const user = config.KAFKA_SASL_USERNAME ?? '(none)';
      return new CdcError(
        ErrorCode.KAFKA_AUTH,
        `Kafka SASL authentication failed for user ${user} (mechanism ${mechanism}) at ${at}: ${reason}; ` +
          'check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM',
        { facts: { ...facts, user, mechanism } },
      );
    }
    case 'untrusted': {
      const trusted =
        config.KAFKA_SSL_CA_LOCATION === undefined
          ? "Node's public CAs (set KAFKA_SSL_CA_LOCATION to the CA that signed the broker's certificate)"
          : `KAFKA_SSL_CA_LOCATION=${config.KAFKA_SSL_CA_LOCATION}`;
      const what =
        found.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? `certificate of ${at} does not name the host dialled (KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM=none skips this check)`
          : `certificate of ${at} not trusted by ${trusted}`;
      return new CdcError(ErrorCode.KAFKA_TLS, `Kafka TLS: ${what} (${reason})`, { facts });
    }
    case 'client-cert':
      return new CdcError(
        ErrorCode.KAFKA_TLS,
        `Kafka TLS: ${at} refused the client certificate (${reason}); ` +
          (config.KAFKA_SSL_CERTIFICATE_LOCATION === undefined
            ? 'the listener requires one: set KAFKA_SSL_CERTIFICATE_LOCATION and KAFKA_SSL_KEY_LOCATION'
            : `is KAFKA_SSL_CERTIFICATE_LOCATION=${config.KAFKA_SSL_CERTIFICATE_LOCATION} signed by a CA the broker trusts?`),
        { facts },
      );
    case 'not-tls':
      return new CdcError(
        ErrorCode.KAFKA_TLS,
        `Kafka TLS: ${at} does not answer TLS (${reason}); is KAFKA_SECURITY_PROTOCOL=` +
          `${config.KAFKA_SECURITY_PROTOCOL} the protocol of that listener?`,
        { facts },
      );
  }
}

function classify(e: object): Found | undefined {
  const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(e);
  if (name === 'KafkaJSSASLAuthenticationError' || code === 'PLT_KFK_AUTHENTICATION')
    return { kind: 'auth', reason: deepestMessage(e) };
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED_CODES.has(code)) return { kind: 'untrusted', reason: stripPrefix(reason), code };
  if (CLIENT_CERT_CODES.has(code))
    return { kind: 'client-cert', reason: tlsAlert(reason) ?? stripPrefix(reason), code };
  if (NOT_TLS_CODES.has(code)) return { kind: 'not-tls', reason: stripPrefix(reason), code };
  return undefined;
}

/** kafkajs puts the broker on its connection errors; @platformatic/kafka in the message. */
function brokerOf(e: object): string | undefined {
  const { broker, message } = e as { broker?: unknown; message?: unknown };
  if (typeof broker === 'string' && broker.length > 0) return broker;
  if (typeof message !== 'string') return undefined;
  return /Connection to (\S+:\d+) failed/.exec(message)?.[1];
}

/** Every error reachable through `cause`, `errors` (aggregates) and kafkajs's `originalError`. */
function visit(root: unknown, each: (e: object) => void): void {
  const seen = new Set<object>();
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    each(e);
    const { cause, errors, originalError } = e as {
      cause?: unknown;
      errors?: unknown;
      originalError?: unknown;
    };
    queue.push(cause, originalError);
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
}

/** The innermost message of an error's chain: the broker's own words on why it refused, when it sent any. */
function deepestMessage(e: object): string {
  let deepest = String(e);
  visit(e, (inner) => {
    const { message, serverErrorMessage } = inner as { message?: unknown; serverErrorMessage?: unknown };
    const said =
      typeof serverErrorMessage === 'string' && serverErrorMessage !== '' ? serverErrorMessage : message;
    if (typeof said === 'string' && said !== '') deepest = said;
  });
  return deepest;
}

/** OpenSSL's "...:ssl3_read_bytes:sslv3 alert bad certificate:../deps/..." -> "TLS alert bad certificate". */
function tlsAlert(message: string): string | undefined {
  const alert = /alert ([a-z0-9 ]+?)(?::|$)/m.exec(message)?.[1];
  return alert === undefined ? undefined : `TLS alert ${alert}`;
}

/** kafkajs: "Connection error: self-signed certificate in certificate chain" -> the reason alone. */
function stripPrefix(message: string): string {
  return message.replace(/^Connection error: /, '');
}

/** A broker or library may echo what it was given; the password never reaches a log or a terminal. */
function redact(text: string, config: Config): string {
  let out = text;
  for (const secret of [config.KAFKA_SASL_PASSWORD, config.KAFKA_SSL_KEY_PASSWORD])
    if (secret !== undefined && secret.length > 0) out = out.split(secret).join('<hidden>');
  return out;
}
