import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../core/config.ts';
import { CdcError } from '../../../core/errors.ts';
import { kafkajsSecurity, platformaticSecurity } from '../../../core/kafka/security.ts';

const sasl = {
  KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
  KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
  KAFKA_SASL_USERNAME: 'alice',
  KAFKA_SASL_PASSWORD: 'hunter2-secret',
};

function configError(env: Record<string, string>): string {
  try {
    resolveConfig(env);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(CdcError);
    return (error as CdcError).message;
  }
  throw new Error('the configuration was accepted');
}

describe('Kafka security configuration', () => {
  test('plain TCP without credentials is the default, and gives the clients no TLS and no SASL', () => {
    const config = resolveConfig({});
    expect(config.KAFKA_SECURITY_PROTOCOL).toBe('PLAINTEXT');
    expect(config.KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM).toBe('https');
    expect(kafkajsSecurity(config)).toEqual({});
    expect(platformaticSecurity(config)).toEqual({});
  });

  test('a SASL protocol without its mechanism, user or password names each missing variable', () => {
    const message = configError({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' });
    for (const variable of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'])
      expect(message).toContain(
        `${variable} unset: expected to be set with KAFKA_SECURITY_PROTOCOL=SASL_SSL`,
      );
  });

  test('credentials or certificates the protocol would not use are an error, the password hidden', () => {
    const message = configError({
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: 'hunter2-secret',
      KAFKA_SSL_CA_LOCATION: '/etc/ca.pem',
    });
    expect(message).toContain('KAFKA_SASL_USERNAME="alice": expected KAFKA_SECURITY_PROTOCOL=SASL_SSL');
    expect(message).toContain('KAFKA_SASL_PASSWORD=<hidden>: expected KAFKA_SECURITY_PROTOCOL=SASL_SSL');
    expect(message).toContain(
      'KAFKA_SSL_CA_LOCATION="/etc/ca.pem": expected KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL',
    );
    expect(message).not.toContain('hunter2');
  });

  test('a client certificate needs its key, a key its certificate, a key password its key', () => {
    expect(
      configError({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERTIFICATE_LOCATION: '/c.pem' }),
    ).toContain("KAFKA_SSL_KEY_LOCATION unset: expected the client certificate's private key");
    expect(configError({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_KEY_LOCATION: '/k.pem' })).toContain(
      'KAFKA_SSL_CERTIFICATE_LOCATION unset: expected the client certificate (PEM)',
    );
    const message = configError({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_KEY_PASSWORD: 'p4ss-word' });
    expect(message).toContain(
      'KAFKA_SSL_KEY_PASSWORD=<hidden>: expected KAFKA_SSL_KEY_LOCATION to be set too',
    );
    expect(message).not.toContain('p4ss-word');
  });

  test('unknown protocols and mechanisms are refused', () => {
    expect(configError({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toContain('KAFKA_SECURITY_PROTOCOL="TLS"');
    expect(configError({ ...sasl, KAFKA_SASL_MECHANISM: 'GSSAPI' })).toContain(
      'KAFKA_SASL_MECHANISM="GSSAPI"',
    );
  });

  test("SASL credentials reach both clients in each one's spelling of the mechanism", () => {
    const config = resolveConfig(sasl);
    expect(kafkajsSecurity(config)).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'hunter2-secret' },
    });
    expect(platformaticSecurity(config)).toEqual({
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'hunter2-secret' },
    });
  });

  test('SSL without a CA file trusts the public CAs; endpoint identification none skips only the host check', () => {
    const config = resolveConfig({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM: 'none',
    });
    const { ssl } = kafkajsSecurity(config) as { ssl: Record<string, unknown> };
    expect(ssl['ca']).toBeUndefined();
    expect(ssl['rejectUnauthorized']).toBeUndefined();
    expect(typeof ssl['checkServerIdentity']).toBe('function');
    expect(Object.keys(platformaticSecurity(config).tls ?? {})).toEqual(['checkServerIdentity']);
  });

  test('a CA file that cannot be read names the variable and the path', () => {
    const config = resolveConfig({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_LOCATION: '/no/such/ca.pem',
    });
    expect(() => kafkajsSecurity(config)).toThrow(
      /^KAFKA_SSL_CA_LOCATION=\/no\/such\/ca.pem: cannot read the file \(ENOENT/,
    );
  });
});
