// A Kafka broker of a test's own that asks clients to prove who they are: a SASL_SSL listener (SCRAM-SHA-512
// and PLAIN users) and an SSL listener that requires a client certificate, with certificates made by openssl.

import fs from 'node:fs';
import path from 'node:path';
import { kafkaReady, startKafka, stopKafka } from '../../scripts/services/kafka.ts';
import { choosePort } from '../../scripts/services/processes.ts';
import { newKafkaHome } from './extra-kafka.ts';
import {
  createAuthority,
  issueCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
} from './test-certificates.ts';

export interface SecureKafka {
  /** SASL over TLS: SCRAM-SHA-512 for `scramUser`, PLAIN for `plainUser`. */
  saslSsl: string;
  /** TLS with ssl.client.auth=required: a certificate signed by `ca` is the client's identity. */
  mutualTls: string;
  /** Plain TCP, for the test's own set-up. */
  plaintext: string;
  ca: CertificateAuthority;
  client: IssuedCertificate;
  clientKeyPassword: string;
  /** A CA the broker does not know, and a client certificate of it. */
  strangerCa: CertificateAuthority;
  scramUser: { username: string; password: string };
  /** A SCRAM-SHA-256 user, beside the SCRAM-SHA-512 one. */
  scram256User: { username: string; password: string };
  plainUser: { username: string; password: string };
  remove(): Promise<void>;
}

export async function startSecureKafka(): Promise<SecureKafka> {
  const home = newKafkaHome();
  const dir = home.dir('certificates');
  const [ca, strangerCa] = await Promise.all([
    createAuthority(dir, 'cdclake-test-ca'),
    createAuthority(dir, 'stranger-ca'),
  ]);
  const clientKeyPassword = 'client-key-secret';
  const [server, client] = await Promise.all([
    issueCertificate(ca, dir, 'broker', { altNames: 'IP:127.0.0.1,DNS:localhost' }),
    issueCertificate(ca, dir, 'cdclake-client', { keyPassword: clientKeyPassword }),
  ]);
  const scramUser = { username: 'cdclake', password: 'scram-secret-5e1f' };
  const scram256User = { username: 'cdclake256', password: 'scram256-secret-9a2c' };
  const plainUser = { username: 'cdclake-plain', password: 'plain-secret-77c2' };

  const taken = new Set<number>();
  const base = 31092 + Math.floor(Math.random() * 1000);
  const port = await choosePort(base, taken);
  const controllerPort = await choosePort(port + 1, taken);
  const saslPort = await choosePort(port + 2, taken);
  const mtlsPort = await choosePort(port + 3, taken);
  await startKafka(home, port, controllerPort, {
    listeners: [
      { name: 'SASL_SSL', port: saslPort, protocol: 'SASL_SSL' },
      { name: 'MTLS', port: mtlsPort, protocol: 'SSL' },
    ],
    properties: [
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${server.keystore}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.location=${ca.cert}`,
      'listener.name.mtls.ssl.client.auth=required',
      'listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=' +
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=' +
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.plain.sasl.jaas.config=' +
        'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
        `user_${plainUser.username}="${plainUser.password}";`,
    ],
    formatArgs: [
      '--add-scram',
      `SCRAM-SHA-512=[name=${scramUser.username},password=${scramUser.password}]`,
      '--add-scram',
      `SCRAM-SHA-256=[name=${scram256User.username},password=${scram256User.password}]`,
    ],
  });
  try {
    await kafkaReady(port, 90_000);
  } catch (error: unknown) {
    const log = path.join(home.root, 'logs', 'kafka.log');
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : '';
    await stopKafka(home);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`, { cause: error });
  }
  return {
    saslSsl: `127.0.0.1:${saslPort}`,
    mutualTls: `127.0.0.1:${mtlsPort}`,
    plaintext: `127.0.0.1:${port}`,
    ca,
    client,
    clientKeyPassword,
    strangerCa,
    scramUser,
    scram256User,
    plainUser,
    remove: async () => {
      await stopKafka(home);
      fs.rmSync(home.root, { recursive: true, force: true });
    },
  };
}
