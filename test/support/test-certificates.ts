// Certificates a test makes for itself with openssl: a CA, a server certificate for 127.0.0.1 and localhost,
// a client certificate for mutual TLS (its key encrypted), all PEM, in a folder of the test's own.

import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../scripts/services/tools.ts';

export interface CertificateAuthority {
  cert: string;
  key: string;
}

export interface IssuedCertificate {
  cert: string;
  key: string;
  /** The key, then the certificate: what Kafka's PEM keystore (ssl.keystore.type=PEM) reads. */
  keystore: string;
}

const openssl = (args: string[]): Promise<string> => run('openssl', args, { what: `openssl ${args[0]}` });

export async function createAuthority(dir: string, name: string): Promise<CertificateAuthority> {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/**
 * A certificate signed by `ca`. `keyPassword`: the key is written as encrypted PKCS#8, as a client's key
 * often is; `altNames` (e.g. `IP:127.0.0.1,DNS:localhost`) make it a server certificate for those names.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  dir: string,
  name: string,
  options: { altNames?: string; keyPassword?: string } = {},
): Promise<IssuedCertificate> {
  const plainKey = path.join(dir, `${name}.plain.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const extensions = path.join(dir, `${name}.ext`);
  fs.writeFileSync(
    extensions,
    options.altNames === undefined
      ? 'extendedKeyUsage=clientAuth\n'
      : `subjectAltName=${options.altNames}\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  await openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    plainKey,
    '-out',
    csr,
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    extensions,
    '-out',
    cert,
  ]);
  let key = plainKey;
  if (options.keyPassword !== undefined) {
    key = path.join(dir, `${name}.key`);
    await openssl([
      'pkcs8',
      '-topk8',
      '-v2',
      'aes-256-cbc',
      '-in',
      plainKey,
      '-passout',
      `pass:${options.keyPassword}`,
      '-out',
      key,
    ]);
  }
  const keystore = path.join(dir, `${name}.keystore.pem`);
  fs.writeFileSync(keystore, fs.readFileSync(plainKey, 'utf8') + fs.readFileSync(cert, 'utf8'));
  return { cert, key, keystore };
}
