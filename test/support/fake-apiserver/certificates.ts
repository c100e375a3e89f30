// A certificate authority and a server certificate for 127.0.0.1, made with the
// openssl binary at start so that no key material lives in the repository. The
// server certificate names the loopback address and "localhost" as subject
// alternative names: Node's TLS (like Go's) matches SANs, never the CN.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly certPem: string;
  readonly keyFile: string;
  readonly keyPem: string;
}

/** Short-lived P-256 keys: fast to make, and enough for a test run. */
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A fresh CA (named `name`) and a server certificate it signed, written into `dir`. */
export async function generateCertificates(dir: string, name = 'fake-apiserver'): Promise<CertificateFiles> {
  const caFile = join(dir, `${name}-ca.crt`);
  const caKey = join(dir, `${name}-ca.key`);
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  await run('openssl', [
    'req',
    '-x509',
    ...KEY,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    `/CN=${name} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...KEY, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  await writeFile(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    extensions,
  ]);
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(caFile, 'utf8'),
    readFile(certFile, 'utf8'),
    readFile(keyFile, 'utf8'),
  ]);
  return { caFile, caPem, certFile, certPem, keyFile, keyPem };
}
