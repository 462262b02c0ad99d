// How cdclake reaches a secured Kafka: KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* turned into the
// TLS and SASL options of both Kafka clients (kafkajs, @platformatic/kafka), here and nowhere else.

import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import type tls from 'node:tls';
import type { ConnectionOptions as PlatformaticConnectionOptions } from '@platformatic/kafka';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { Config } from '../config.ts';
import { CdcError, ErrorCode } from '../errors.ts';

export type SaslMechanism = NonNullable<Config['KAFKA_SASL_MECHANISM']>;

/** What both clients are given: TLS options (undefined: plain TCP) and SASL credentials (undefined: none). */
export interface KafkaSecurity {
  tls: tls.ConnectionOptions | undefined;
  sasl: { mechanism: SaslMechanism; username: string; password: string } | undefined;
}

/** The TLS and SASL options of the configuration; PEM files are read on first use and kept. */
export function kafkaSecurity(config: Config): KafkaSecurity {
  const protocol = config.KAFKA_SECURITY_PROTOCOL;
  const useTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const useSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  return {
    tls: useTls ? tlsOptions(config) : undefined,
    sasl: useSasl
      ? {
          // The configuration's cross-field check makes all three present with a SASL protocol.
          mechanism: config.KAFKA_SASL_MECHANISM ?? 'PLAIN',
          username: config.KAFKA_SASL_USERNAME ?? '',
          password: config.KAFKA_SASL_PASSWORD ?? '',
        }
      : undefined,
  };
}

/** kafkajs's `ssl` and `sasl` options. */
export function kafkajsSecurity(config: Config): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls: ssl, sasl } = kafkaSecurity(config);
  return {
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined ? {} : { sasl: kafkajsSasl(sasl) }),
  };
}

/** @platformatic/kafka's `tls` and `sasl` connection options. */
export function platformaticSecurity(config: Config): Pick<PlatformaticConnectionOptions, 'tls' | 'sasl'> {
  const { tls: options, sasl } = kafkaSecurity(config);
  return {
    ...(options === undefined ? {} : { tls: options }),
    ...(sasl === undefined ? {} : { sasl }),
  };
}

function kafkajsSasl(sasl: NonNullable<KafkaSecurity['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

function tlsOptions(config: Config): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = {};
  // Without a CA file Node's bundled public CAs are trusted, as for a managed Kafka (MSK, Confluent Cloud).
  if (config.KAFKA_SSL_CA_LOCATION !== undefined)
    options.ca = readPem('KAFKA_SSL_CA_LOCATION', config.KAFKA_SSL_CA_LOCATION, 'CERTIFICATE');
  if (config.KAFKA_SSL_CERTIFICATE_LOCATION !== undefined && config.KAFKA_SSL_KEY_LOCATION !== undefined) {
    options.cert = readPem(
      'KAFKA_SSL_CERTIFICATE_LOCATION',
      config.KAFKA_SSL_CERTIFICATE_LOCATION,
      'CERTIFICATE',
    );
    options.key = readPem('KAFKA_SSL_KEY_LOCATION', config.KAFKA_SSL_KEY_LOCATION, 'PRIVATE KEY');
    if (config.KAFKA_SSL_KEY_PASSWORD !== undefined) options.passphrase = config.KAFKA_SSL_KEY_PASSWORD;
    checkKey(config.KAFKA_SSL_KEY_LOCATION, options.key, config.KAFKA_SSL_KEY_PASSWORD);
  }
  // `none` still checks the chain against the CA, only not that the certificate names the host dialled.
  if (config.KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM === 'none')
    options.checkServerIdentity = () => undefined;
  return options;
}

const pemFiles = new Map<string, Buffer>();

/** A PEM file's bytes, read once per process: a rotated file is picked up on restart, as by Kafka's clients. */
function readPem(variable: string, file: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): Buffer {
  const known = pemFiles.get(file);
  if (known !== undefined) return known;
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CdcError(ErrorCode.CONFIG_INVALID, `${variable}=${file}: cannot read the file (${reason})`, {
      facts: { variable, file },
      cause: error,
    });
  }
  // "BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY", "BEGIN ENCRYPTED PRIVATE KEY", "BEGIN EC PRIVATE KEY".
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(content.toString('latin1')))
    throw new CdcError(ErrorCode.CONFIG_INVALID, `${variable}=${file}: expected a PEM file with a ${label}`, {
      facts: { variable, file },
    });
  pemFiles.set(file, content);
  return content;
}

/** A wrong KAFKA_SSL_KEY_PASSWORD is said at start, not as an OpenSSL "bad decrypt" at every connection. */
function checkKey(file: string, key: Buffer, passphrase: string | undefined): void {
  try {
    createPrivateKey(passphrase === undefined ? { key } : { key, passphrase });
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint =
      passphrase === undefined
        ? 'an encrypted key needs KAFKA_SSL_KEY_PASSWORD'
        : 'is KAFKA_SSL_KEY_PASSWORD the password of this key?';
    throw new CdcError(
      ErrorCode.CONFIG_INVALID,
      `KAFKA_SSL_KEY_LOCATION=${file}: cannot load the private key (${reason}; ${hint})`,
      { facts: { variable: 'KAFKA_SSL_KEY_LOCATION', file }, cause: error },
    );
  }
}
