// One connection at start that proves Kafka accepts cdclake's credentials and certificates, so a wrong
// password or an untrusted CA stops a command at once rather than after kafkajs's retries (about 40 s).

import kafkajs from 'kafkajs';
import type { Config } from '../config.ts';
import type { CdcError } from '../errors.ts';
import { kafkaAccessError } from './access-errors.ts';
import { kafkajsSecurity } from './security.ts';

/**
 * Throws CDC_KAFKA_AUTH or CDC_KAFKA_TLS when a broker refuses this client. A broker that does not answer is
 * no error here: the clients' own retries wait for it as before. Nothing to prove with PLAINTEXT.
 */
export async function checkKafkaAccess(config: Config): Promise<void> {
  if (config.KAFKA_SECURITY_PROTOCOL === 'PLAINTEXT') return;
  const admin = new kafkajs.Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}-access-check`,
    brokers: config.KAFKA_BROKERS,
    ...kafkajsSecurity(config),
    // kafkajs retries TLS failures as if the broker were down; one attempt tells the two apart.
    retry: { retries: 0 },
    // The clear error thrown below says what kafkajs would log at ERROR level here.
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  let refused: CdcError | undefined;
  try {
    await admin.connect();
  } catch (error: unknown) {
    refused = kafkaAccessError(error, config);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (refused !== undefined) throw refused;
}
