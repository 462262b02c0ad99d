// Certificates for a test's own TLS server, made with openssl in a temporary folder: a CA, a server
// certificate for 127.0.0.1 and localhost, a client certificate, and a second CA nobody trusts.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  /** A client certificate (CN = `clientName`) and its key, issued by `ca`. */
  clientCert: string;
  clientKey: string;
  /** A CA that issued nothing the server presents. */
  otherCa: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A P-256 key and a CSR for `subject`. */
function request(dir: string, name: string, subject: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
}

function selfSignedCa(dir: string, name: string, subject: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    subject,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    `${name}.pem`,
  ]);
}

function issue(dir: string, name: string, extensions: string): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

export function makeTestCertificates(clientName: string): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdclake-tls-'));
  selfSignedCa(dir, 'ca', '/CN=cdclake test CA');
  selfSignedCa(dir, 'other-ca', '/CN=cdclake untrusted CA');
  request(dir, 'server', '/CN=cdclake test server');
  issue(
    dir,
    'server',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  request(dir, 'client', `/CN=${clientName}`);
  issue(dir, 'client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  // libpq refuses a client key that others may read.
  fs.chmodSync(path.join(dir, 'client.key'), 0o600);
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    ca: file('ca.pem'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCa: file('other-ca.pem'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
