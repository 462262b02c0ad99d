import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../../core/config.ts';
import { kafkaAccessError } from '../../../core/kafka/access-errors.ts';

const sasl = {
  KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
  KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
  KAFKA_SASL_USERNAME: 'alice',
  KAFKA_SASL_PASSWORD: 'hunter2-secret',
};

describe('Kafka refusals told plainly', () => {
  const config = resolveConfig({ ...sasl, KAFKA_BROKERS: 'kafka-1:9096' });

  test("kafkajs's SASL error becomes CDC_KAFKA_AUTH naming user, mechanism and broker, without the password", () => {
    const inner = Object.assign(
      new Error('SASL SCRAM SHA256 authentication failed: bad password hunter2-secret'),
      {
        name: 'KafkaJSSASLAuthenticationError',
      },
    );
    const outer = Object.assign(new Error('wrapped'), { name: 'KafkaJSNonRetriableError', cause: inner });
    const error = kafkaAccessError(outer, config);
    expect(error?.code).toBe('CDC_KAFKA_AUTH');
    expect(error?.retriable).toBe(false);
    expect(error?.message).toMatch(
      /^Kafka SASL authentication failed for user alice \(mechanism SCRAM-SHA-256\) at kafka-1:9096: /,
    );
    expect(error?.message).not.toContain('hunter2');
  });

  test("an untrusted certificate inside @platformatic/kafka's aggregate becomes CDC_KAFKA_TLS at its broker", () => {
    const tlsError = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const network = Object.assign(new Error('Connection to kafka-2:9096 failed.'), { cause: tlsError });
    const error = kafkaAccessError(new AggregateError([network], 'Cannot connect to any broker.'), config);
    expect(error?.code).toBe('CDC_KAFKA_TLS');
    expect(error?.message).toContain('Kafka TLS: certificate of kafka-2:9096 not trusted by');
  });

  test('a broker that is down is not a refusal', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9096'), { code: 'ECONNREFUSED' });
    expect(kafkaAccessError(down, config)).toBeUndefined();
  });
});
