// Kafka security on a broker of the test's own (SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, SSL with required
// client certificates), with certificates made by openssl: both clients connect through every protocol, and
// a wrong password, an untrusted CA or a missing client certificate end at once in an error that says so.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../../core/config.ts';
import { CdcError } from '../../../core/errors.ts';
import { checkKafkaAccess } from '../../../core/kafka/access-check.ts';
import { kafkaAccessError } from '../../../core/kafka/access-errors.ts';
import { DEFAULT_MESSAGE_MAX_BYTES, readMessageMaxBytes } from '../../../core/kafka/broker-limits.ts';
import { createKafka } from '../../../core/kafka/client.ts';
import { ensureTopics } from '../../../core/kafka/topics.ts';
import { Publisher } from '../../../producer/publisher.ts';
import { testConfig, uniqueId } from '../../support/fixtures.ts';
import { readTopic } from '../../support/kafka-read.ts';
import { startCdclake } from '../../support/processes.ts';
import { rawOffsetCounts } from '../../support/raw-layer.ts';
import { startSecureKafka, type SecureKafka } from '../../support/secure-kafka.ts';

let kafka: SecureKafka;

beforeAll(async () => {
  kafka = await startSecureKafka();
}, 120_000);

afterAll(async () => {
  await kafka?.remove();
});

function scram(overrides: Record<string, string> = {}): Config {
  return testConfig({
    KAFKA_BROKERS: kafka.saslSsl,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: kafka.scramUser.username,
    KAFKA_SASL_PASSWORD: kafka.scramUser.password,
    KAFKA_SSL_CA_LOCATION: kafka.ca.cert,
    ...overrides,
  });
}

function mutualTls(overrides: Record<string, string> = {}): Config {
  return testConfig({
    KAFKA_BROKERS: kafka.mutualTls,
    KAFKA_SECURITY_PROTOCOL: 'SSL',
    KAFKA_SSL_CA_LOCATION: kafka.ca.cert,
    KAFKA_SSL_CERTIFICATE_LOCATION: kafka.client.cert,
    KAFKA_SSL_KEY_LOCATION: kafka.client.key,
    KAFKA_SSL_KEY_PASSWORD: kafka.clientKeyPassword,
    ...overrides,
  });
}

/** Publishes `count` records through the Publisher (@platformatic/kafka) and reads them back with kafkajs. */
async function roundTrip(config: Config, count: number): Promise<string[]> {
  const topic = `${uniqueId('sec')}.public.items`;
  await ensureTopics(createKafka(config), [{ topic, partitions: 3 }]);
  const publisher = new Publisher(config, 'security-test');
  await publisher.connect();
  try {
    await publisher.publish(
      Array.from({ length: count }, (_, i) => ({
        topic,
        key: Buffer.from(`k${i}`),
        value: Buffer.from(`v${i}`),
      })),
    );
    await publisher.flush();
  } finally {
    await publisher.disconnect();
  }
  const records = await readTopic(config, topic);
  return records.map((r) => String(r.value)).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** The error `attempt` ends in, within `withinMs`: a refusal must not wait out any retries. */
async function refusal(attempt: () => Promise<unknown>, withinMs = 5_000): Promise<CdcError> {
  const started = Date.now();
  const error = await attempt().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(withinMs);
  expect(error).toBeInstanceOf(CdcError);
  return error as CdcError;
}

async function publisherConnect(config: Config): Promise<void> {
  const publisher = new Publisher(config, 'security-test');
  try {
    await publisher.connect();
  } finally {
    await publisher.disconnect().catch(() => undefined);
  }
}

describe('a secured Kafka', () => {
  test('over SASL_SSL with SCRAM-SHA-512, what the Publisher sends the kafkajs reader reads, and the admin reads the broker limits', async () => {
    const config = scram();
    const values = await roundTrip(config, 500);
    expect(values).toEqual(Array.from({ length: 500 }, (_, i) => `v${i}`));
    expect(await readMessageMaxBytes(config)).toBe(DEFAULT_MESSAGE_MAX_BYTES);
  });

  test('over SASL_SSL with SCRAM-SHA-256, records go through both clients', async () => {
    const config = scram({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: kafka.scram256User.username,
      KAFKA_SASL_PASSWORD: kafka.scram256User.password,
    });
    await checkKafkaAccess(config);
    expect(await roundTrip(config, 20)).toHaveLength(20);
  });

  test('over SASL_SSL with PLAIN, records go through both clients', async () => {
    const config = scram({
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: kafka.plainUser.username,
      KAFKA_SASL_PASSWORD: kafka.plainUser.password,
    });
    expect(await roundTrip(config, 20)).toHaveLength(20);
  });

  test('over mutual TLS, a client certificate (its key encrypted) lets both clients in', async () => {
    expect(await roundTrip(mutualTls(), 20)).toHaveLength(20);
  });

  test('over mutual TLS, no client certificate is refused at once by both clients, saying the listener wants one', async () => {
    const config = mutualTls({
      KAFKA_SSL_CERTIFICATE_LOCATION: '',
      KAFKA_SSL_KEY_LOCATION: '',
      KAFKA_SSL_KEY_PASSWORD: '',
    });
    for (const error of [
      await refusal(() => checkKafkaAccess(config)),
      await refusal(() => publisherConnect(config)),
    ]) {
      expect(error.code).toBe('CDC_KAFKA_TLS');
      expect(error.message).toContain(`Kafka TLS: ${kafka.mutualTls} refused the client certificate`);
      expect(error.message).toContain('set KAFKA_SSL_CERTIFICATE_LOCATION and KAFKA_SSL_KEY_LOCATION');
    }
  });

  test('a wrong password is refused at once by both clients, naming user, mechanism and broker, never the password', async () => {
    const wrong = 'not-the-password-31d';
    const config = scram({ KAFKA_SASL_PASSWORD: wrong });
    for (const error of [
      await refusal(() => checkKafkaAccess(config)),
      await refusal(() => publisherConnect(config)),
      // kafkajs refuses at once by itself (a non-retriable error); the CLI tells it in these words.
      await refusal(() =>
        readMessageMaxBytes(config).catch((e: unknown) => {
          throw kafkaAccessError(e, config) ?? e;
        }),
      ),
    ]) {
      expect(error.code).toBe('CDC_KAFKA_AUTH');
      expect(error.message).toContain(
        `Kafka SASL authentication failed for user cdclake (mechanism SCRAM-SHA-512) at ${kafka.saslSsl}`,
      );
      expect(JSON.stringify({ message: error.message, facts: error.facts })).not.toContain(wrong);
    }
  });

  test('a broker certificate from a CA not in KAFKA_SSL_CA_LOCATION is refused at once by both clients', async () => {
    const config = scram({ KAFKA_SSL_CA_LOCATION: kafka.strangerCa.cert });
    for (const error of [
      await refusal(() => checkKafkaAccess(config)),
      await refusal(() => publisherConnect(config)),
    ]) {
      expect(error.code).toBe('CDC_KAFKA_TLS');
      expect(error.message).toBe(
        `Kafka TLS: certificate of ${kafka.saslSsl} not trusted by ` +
          `KAFKA_SSL_CA_LOCATION=${kafka.strangerCa.cert} (unable to verify the first certificate)`,
      );
    }
  });
});

describe('the cdclake command against a secured Kafka', () => {
  test('produce and consume --until-idle carry generated changes to the raw layer over SASL_SSL', async () => {
    const prefix = uniqueId('secure');
    const config = scram({ CDC_TOPIC_PREFIX: prefix, METRICS_PORT: '0' });
    const produce = startCdclake(
      config,
      ['produce', '--source', 'generator', '--target', 'kafka', '--orders', '50'],
      { LOG_LEVEL: 'info' },
    );
    expect({ code: await produce.exited, output: produce.output() }).toMatchObject({ code: 0 });
    const events = Number(/"events":(\d+)/.exec(produce.output())?.[1] ?? NaN);
    const consume = startCdclake(config, ['consume', '--until-idle']);
    expect({ code: await consume.exited, output: consume.output() }).toMatchObject({ code: 0 });
    expect(await rawOffsetCounts(config, prefix)).toEqual({ rows: events, distinct_offsets: events });
  });

  test('a wrong password ends consume with exit 1 and one line naming the refusal, not the password', async () => {
    const wrong = 'not-the-password-77a';
    const consume = startCdclake(scram({ KAFKA_SASL_PASSWORD: wrong, METRICS_PORT: '0' }), [
      'consume',
      '--until-idle',
    ]);
    const started = Date.now();
    expect(await consume.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(consume.output()).toContain(
      `cdclake: Kafka SASL authentication failed for user cdclake (mechanism SCRAM-SHA-512) at ${kafka.saslSsl}`,
    );
    expect(consume.output()).toContain('[CDC_KAFKA_AUTH]');
    expect(consume.output()).not.toContain(wrong);
  });
});
