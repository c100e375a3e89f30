// API server credentials, checked with real files, modes, owners and
// certificates (made with openssl in a temporary directory).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describeConnection, Secret } from '../../../src/config/credentials/connection.js';
import {
  resolveApiServerConnection,
  type ConnectionInput,
} from '../../../src/config/credentials/resolve-connection.js';
import { applyKubeProxyDefaults } from '../../../src/config/defaults.js';
import { ConfigError } from '../../../src/config/problems.js';
import { tempDir } from './files.js';
import { GUIDE_KUBECONFIG_AS_PRINTED, guideKubeconfig } from './seed.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const SUBJECT = 'system:serviceaccount:kube-system:kube-proxy';
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const TOKEN = `${b64url({ alg: 'RS256' })}.${b64url({ sub: SUBJECT, iss: 'kubernetes' })}.c2lnbmF0dXJlLXNlY3JldA`;

let ca = '';
let clientCert = '';
let clientKey = '';
let otherKey = '';
let tokenFile = '';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: tmp.dir, stdio: 'ignore' });
}

beforeAll(() => {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=kipvs-test-ca');
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'client.pem.key',
    '-out',
    'client.pem',
    '-subj',
    '/O=system:node-proxier/CN=system:kube-proxy',
  );
  openssl('req', '-x509', ...ec, '-keyout', 'other.pem.key', '-out', 'other.pem', '-subj', '/CN=other');
  const read = (name: string): string => readFileSync(`${tmp.dir}/${name}`, 'utf8');
  ca = tmp.file('ca.crt', read('ca.pem'), 0o644);
  clientCert = tmp.file('client.crt', read('client.pem'), 0o644);
  clientKey = tmp.file('client.key', read('client.pem.key'), 0o600);
  otherKey = tmp.file('other.key', read('other.pem.key'), 0o600);
  tokenFile = tmp.file('token', TOKEN, 0o600);
});

let n = 0;
const kubeconfigFile = (text: string, mode = 0o600, uid?: number): string =>
  tmp.file(`kubeconfig-${n++}`, text, mode, uid);

/** A kubeconfig with one cluster, one user and one context. */
const kubeconfig = (cluster: string, user: string, extra = ''): string => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
${indent(cluster, 4)}
users:
- name: u
  user:
${indent(user, 4)}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
${extra}`;
const indent = (text: string, by: number): string =>
  text
    .split('\n')
    .map((l) => ' '.repeat(by) + l)
    .join('\n');

const connect = (kubeconfigPath: string, more: Partial<ConnectionInput> = {}) =>
  resolveApiServerConnection({
    clientConnection: { ...applyKubeProxyDefaults({}).clientConnection, kubeconfig: kubeconfigPath },
    allowInsecureApiserver: false,
    ...more,
  });

async function refusal(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConfigError) {
      expect(err.kind).toBe('credentials');
      return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
    throw err;
  }
  throw new Error('credentials were accepted');
}

describe('the hardening guide kubeconfig', () => {
  it('(indented as intended) gives an https connection with the CA and the service-account token file', async () => {
    const path = kubeconfigFile(guideKubeconfig(ca, tokenFile));
    const { connection, warnings } = await connect(path);
    expect(warnings).toEqual([]);
    expect(connection).toMatchObject({
      source: 'kubeconfig',
      server: 'https://controlplane:6443',
      kubeconfig: { path, context: 'default', cluster: 'default', user: 'default' },
      tls: { caFile: ca, insecureSkipVerify: false },
      auth: { tokenFile },
      identity: `user "default": ${SUBJECT} (token file ${tokenFile})`,
      client: { qps: 5, burst: 10, contentType: 'application/vnd.kubernetes.protobuf', acceptContentTypes: '' },
    });
    expect(describeConnection(connection)).toBe(
      `API server https://controlplane:6443 as user "default": ${SUBJECT} (token file ${tokenFile}) (kubeconfig ${path}, context "default"; CA ${ca})`,
    );
  });

  it('(as printed) is refused: the top-level name key is duplicated', async () => {
    const path = kubeconfigFile(GUIDE_KUBECONFIG_AS_PRINTED);
    expect(await refusal(connect(path))).toEqual([`${path}: YAML syntax error: Map keys must be unique`]);
  });

  it('(as printed, without the duplicate) names the misplaced user field', async () => {
    const path = kubeconfigFile(GUIDE_KUBECONFIG_AS_PRINTED.replace(/^name: default\ncontexts:/m, 'contexts:'));
    expect(await refusal(connect(path))).toEqual(
      expect.arrayContaining([
        `${path}: user: unknown field "user" here; did you mean users[].user or contexts[].context.user? (check the indentation)`,
      ]),
    );
  });
});

describe('file permissions', () => {
  it('refuses a kubeconfig others can write', async () => {
    const path = kubeconfigFile(guideKubeconfig(ca, tokenFile), 0o666);
    expect(await refusal(connect(path))).toEqual([
      `${path}: kubeconfig is writable by group and others (mode 0666); run chmod go-w on it (0600 or 0644)`,
    ]);
  });

  it('refuses a kubeconfig owned by another user', async () => {
    const path = kubeconfigFile(guideKubeconfig(ca, tokenFile), 0o600, 4321);
    expect(await refusal(connect(path))).toEqual([
      `${path}: kubeconfig is owned by uid 4321, not by root or by the user kipvs runs as (uid 0); chown it`,
    ]);
  });

  it('warns about a kubeconfig (644) and token file readable by all', async () => {
    const token = tmp.file('token-644', TOKEN, 0o644);
    const path = kubeconfigFile(guideKubeconfig(ca, token), 0o644);
    const { warnings } = await connect(path);
    expect(warnings).toEqual([
      `kubeconfig ${path} is readable by all users (mode 0644); 0600 is recommended`,
      `token file ${token} is readable by all users (mode 0644); 0600 is recommended`,
    ]);
  });

  it('refuses a token file or client key others can write, or that another user owns', async () => {
    const token = tmp.file('token-664', TOKEN, 0o664);
    const key = tmp.file('client-key-foreign', readFileSync(clientKey, 'utf8'), 0o600, 4321);
    const path = kubeconfigFile(
      kubeconfig(
        `server: https://k:6443\ncertificate-authority: ${ca}`,
        `tokenFile: ${token}\nclient-certificate: ${clientCert}\nclient-key: ${key}`,
      ),
    );
    expect(await refusal(connect(path))).toEqual([
      `${token}: token file is writable by its group (mode 0664); run chmod go-w on it (0600 or 0644)`,
      `${key}: client key is owned by uid 4321, not by root or by the user kipvs runs as (uid 0); chown it`,
    ]);
  });

  it('refuses a certificate authority others can write', async () => {
    const loose = tmp.file('ca-666.crt', readFileSync(ca, 'utf8'), 0o666);
    const path = kubeconfigFile(
      kubeconfig(`server: https://k:6443\ncertificate-authority: ${loose}`, `tokenFile: ${tokenFile}`),
    );
    expect(await refusal(connect(path))).toEqual([
      `${loose}: certificate authority is writable by group and others (mode 0666); run chmod go-w on it (0600 or 0644)`,
    ]);
  });

  it('refuses an empty token file', async () => {
    const empty = tmp.file('token-empty', '\n', 0o600);
    const path = kubeconfigFile(kubeconfig(`server: https://k:6443`, `tokenFile: ${empty}`));
    expect(await refusal(connect(path))).toEqual([`${empty}: token file is empty`]);
  });
});

describe('TLS', () => {
  it('refuses a server that is not https://', async () => {
    const path = kubeconfigFile(kubeconfig('server: http://k:8080', `tokenFile: ${tokenFile}`));
    expect(await refusal(connect(path))).toEqual([
      'server: http://k:8080 is not https://; refusing plain HTTP (pass --allow-insecure-apiserver to accept it)',
    ]);
  });

  it('accepts plain HTTP with --allow-insecure-apiserver, with a warning', async () => {
    const path = kubeconfigFile(kubeconfig('server: http://k:8080', `tokenFile: ${tokenFile}`));
    const { connection, warnings } = await connect(path, { allowInsecureApiserver: true });
    expect(connection.server).toBe('http://k:8080');
    expect(warnings).toEqual([
      'INSECURE: the API server http://k:8080 is reached over plain HTTP (--allow-insecure-apiserver)',
    ]);
  });

  it('refuses a server without a scheme, and other schemes', async () => {
    for (const server of ['controlplane:6443', 'ftp://k']) {
      const path = kubeconfigFile(kubeconfig(`server: ${server}`, `tokenFile: ${tokenFile}`));
      expect(await refusal(connect(path, { allowInsecureApiserver: true }))).toEqual([
        `server: "${server}" must start with https://`,
      ]);
    }
  });

  it('refuses insecure-skip-tls-verify unless allowed, then warns', async () => {
    const path = kubeconfigFile(
      kubeconfig('server: https://k:6443\ninsecure-skip-tls-verify: true', `tokenFile: ${tokenFile}`),
    );
    expect(await refusal(connect(path))).toEqual([
      'insecure-skip-tls-verify: true disables server certificate checks; refusing (pass --allow-insecure-apiserver to accept it)',
    ]);
    const { connection, warnings } = await connect(path, { allowInsecureApiserver: true });
    expect(connection.tls.insecureSkipVerify).toBe(true);
    expect(warnings).toEqual([
      'INSECURE: the API server certificate of https://k:6443 is not verified (insecure-skip-tls-verify, --allow-insecure-apiserver)',
    ]);
    expect(describeConnection(connection)).toMatch(/TLS NOT VERIFIED/);
  });

  it('refuses insecure-skip-tls-verify together with a CA, as client-go does', async () => {
    const path = kubeconfigFile(
      kubeconfig(
        `server: https://k:6443\ninsecure-skip-tls-verify: true\ncertificate-authority: ${ca}`,
        `tokenFile: ${tokenFile}`,
      ),
    );
    expect(await refusal(connect(path, { allowInsecureApiserver: true }))).toEqual([
      'insecure-skip-tls-verify: cannot be combined with a certificate authority (client-go refuses it too)',
    ]);
  });

  it('reads certificate-authority-data and refuses what is not PEM', async () => {
    const data = Buffer.from(readFileSync(ca)).toString('base64');
    const ok = kubeconfigFile(
      kubeconfig(`server: https://k:6443\ncertificate-authority-data: ${data}`, `tokenFile: ${tokenFile}`),
    );
    expect((await connect(ok)).connection.tls.caData).toBe(readFileSync(ca, 'utf8'));
    const bad = kubeconfigFile(
      kubeconfig(
        `server: https://k:6443\ncertificate-authority-data: ${Buffer.from('nope').toString('base64')}`,
        `tokenFile: ${tokenFile}`,
      ),
    );
    expect(await refusal(connect(bad))).toEqual([
      'cluster "c" certificate-authority-data: certificate authority holds no PEM certificate',
    ]);
    const notPem = tmp.file('not-a-ca.crt', 'hello', 0o644);
    const badFile = kubeconfigFile(
      kubeconfig(`server: https://k:6443\ncertificate-authority: ${notPem}`, `tokenFile: ${tokenFile}`),
    );
    expect(await refusal(connect(badFile))).toEqual([`${notPem}: certificate authority holds no PEM certificate`]);
  });

  it('resolves relative paths against the kubeconfig directory, as clientcmd does', async () => {
    const path = kubeconfigFile(
      kubeconfig('server: https://k:6443\ncertificate-authority: ca.crt', 'tokenFile: ./token'),
    );
    const { connection } = await connect(path);
    expect(connection.tls.caFile).toBe(ca);
    expect(connection.auth.tokenFile).toBe(tokenFile);
  });
});

describe('client certificates', () => {
  it('accepts a matching certificate and key from files and names the subject', async () => {
    const path = kubeconfigFile(
      kubeconfig(
        `server: https://k:6443\ncertificate-authority: ${ca}`,
        `client-certificate: ${clientCert}\nclient-key: ${clientKey}`,
      ),
    );
    const { connection } = await connect(path);
    expect(connection.auth).toEqual({ clientCertificateFile: clientCert, clientKeyFile: clientKey });
    expect(connection.identity).toBe('user "u": client certificate "O=system:node-proxier, CN=system:kube-proxy"');
  });

  it('accepts embedded data, keeping the key a Secret that never prints', async () => {
    const certData = Buffer.from(readFileSync(clientCert)).toString('base64');
    const keyPem = readFileSync(clientKey, 'utf8');
    const path = kubeconfigFile(
      kubeconfig(
        'server: https://k:6443',
        `client-certificate-data: ${certData}\nclient-key-data: ${Buffer.from(keyPem).toString('base64')}`,
      ),
    );
    const { connection } = await connect(path);
    expect(connection.auth.clientKeyData).toBeInstanceOf(Secret);
    expect(connection.auth.clientKeyData?.reveal()).toBe(keyPem);
    const printed = [
      JSON.stringify(connection),
      inspect(connection, { depth: 10 }),
      String(connection.auth.clientKeyData),
      describeConnection(connection),
    ].join('\n');
    expect(printed).not.toContain('PRIVATE KEY');
    expect(printed).toContain('[redacted]');
  });

  it('refuses a key that belongs to another certificate', async () => {
    const path = kubeconfigFile(
      kubeconfig('server: https://k:6443', `client-certificate: ${clientCert}\nclient-key: ${otherKey}`),
    );
    expect(await refusal(connect(path))).toEqual([
      `${otherKey}: client key does not belong to the client certificate O=system:node-proxier, CN=system:kube-proxy`,
    ]);
  });

  it('refuses an expired certificate', async () => {
    const path = kubeconfigFile(
      kubeconfig('server: https://k:6443', `client-certificate: ${clientCert}\nclient-key: ${clientKey}`),
    );
    const problems = await refusal(connect(path, { now: new Date(Date.now() + 365 * 86400_000) }));
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(`^${clientCert}: client certificate O=system:node-proxier, CN=system:kube-proxy expired on `),
      ),
    ]);
  });

  it('refuses half a pair, and a key that is not a key', async () => {
    const certOnly = kubeconfigFile(kubeconfig('server: https://k:6443', `client-certificate: ${clientCert}`));
    expect(await refusal(connect(certOnly))).toEqual([
      'user "u": client-certificate needs client-key or client-key-data',
    ]);
    const junkKey = tmp.file('junk.key', 'not a key', 0o600);
    const junk = kubeconfigFile(
      kubeconfig('server: https://k:6443', `client-certificate: ${clientCert}\nclient-key: ${junkKey}`),
    );
    expect(await refusal(connect(junk))).toEqual([`${junkKey}: client key is not a readable PEM private key`]);
  });
});

describe('kubeconfig structure', () => {
  it.each<[string, string, string]>([
    [
      'exec plugins',
      'exec: {command: get-token, apiVersion: client.authentication.k8s.io/v1}',
      'user "u": exec credential plugins are not supported by kipvs; use tokenFile or a client certificate',
    ],
    [
      'auth providers',
      'auth-provider: {name: oidc}',
      'user "u": auth-provider plugins are not supported by kipvs; use tokenFile or a client certificate',
    ],
    [
      'basic auth',
      'username: admin\npassword: hunter2',
      'user "u": basic authentication (username/password) is not supported; Kubernetes removed it in 1.19',
    ],
    [
      'impersonation',
      'token: abc\nas: admin',
      'user "u": impersonation (as, as-uid, as-groups, as-user-extra) is not supported by kipvs',
    ],
    ['token and tokenFile', `token: abc\ntokenFile: TOKENFILE`, 'user "u": sets both token and tokenFile; keep one'],
  ])('refuses %s', async (_name, user, message) => {
    const path = kubeconfigFile(kubeconfig('server: https://k:6443', user.replace('TOKENFILE', tokenFile)));
    expect(await refusal(connect(path))).toEqual([message]);
  });

  it('refuses unknown fields by name, without showing secret values', async () => {
    const path = kubeconfigFile(
      kubeconfig('server: https://k:6443\ncertificate-authorty: /x', 'token: 123456789\ntokenfile: /t'),
    );
    const problems = await refusal(connect(path));
    expect(problems).toEqual([
      `${path}: clusters[0].cluster.certificate-authorty: unknown field "certificate-authorty"`,
      `${path}: users[0].user.token: expected a string (value not shown)`,
      `${path}: users[0].user.tokenfile: unknown field "tokenfile"; field names are case-sensitive, did you mean users[].user.tokenFile?`,
    ]);
    expect(problems.join('\n')).not.toContain('123456789');
  });

  it.each<[string, string, string]>([
    ['no current-context', 'current-context: ""', 'current-context is not set'],
    ['an unknown current-context', 'current-context: nope', 'current-context "nope" is not among the contexts'],
  ])('refuses %s', async (_name, replacement, message) => {
    const path = kubeconfigFile(
      kubeconfig('server: https://k:6443', `tokenFile: ${tokenFile}`).replace('current-context: ctx', replacement),
    );
    expect(await refusal(connect(path))).toEqual([`${path}: ${message}`]);
  });

  it('refuses a context naming a missing cluster or user, or a cluster without server', async () => {
    const noCluster = kubeconfigFile(
      kubeconfig('server: https://k:6443', `tokenFile: ${tokenFile}`).replace('{cluster: c,', '{cluster: x,'),
    );
    expect(await refusal(connect(noCluster))).toEqual([
      `${noCluster}: context "ctx" names cluster "x", which is not among the clusters`,
    ]);
    const noUser = kubeconfigFile(
      kubeconfig('server: https://k:6443', `tokenFile: ${tokenFile}`).replace('user: u}', 'user: x}'),
    );
    expect(await refusal(connect(noUser))).toEqual([
      `${noUser}: context "ctx" names user "x", which is not among the users`,
    ]);
    const noServer = kubeconfigFile(kubeconfig('tls-server-name: k', `tokenFile: ${tokenFile}`));
    expect(await refusal(connect(noServer))).toEqual([`${noServer}: cluster "c" has no server`]);
  });

  it('keeps an inline token secret and names its subject', async () => {
    const path = kubeconfigFile(kubeconfig(`server: https://k:6443\ncertificate-authority: ${ca}`, `token: ${TOKEN}`));
    const { connection } = await connect(path);
    expect(connection.auth.token?.reveal()).toBe(TOKEN);
    expect(connection.identity).toBe(`user "u": service account ${SUBJECT} (token in the kubeconfig)`);
    expect(JSON.stringify(connection)).not.toContain(TOKEN.split('.')[2]);
  });

  it('passes proxy-url, tls-server-name and disable-compression through', async () => {
    const path = kubeconfigFile(
      kubeconfig(
        'server: https://k:6443\ntls-server-name: kubernetes\nproxy-url: http://proxy:3128\ndisable-compression: true',
        `tokenFile: ${tokenFile}`,
      ),
    );
    const { connection } = await connect(path);
    expect(connection).toMatchObject({
      proxyUrl: 'http://proxy:3128',
      tls: { serverName: 'kubernetes' },
      disableCompression: true,
    });
  });
});

describe('--master', () => {
  it('replaces the kubeconfig server', async () => {
    const path = kubeconfigFile(guideKubeconfig(ca, tokenFile));
    const { connection } = await connect(path, { master: 'https://10.0.0.1:6443' });
    expect(connection.server).toBe('https://10.0.0.1:6443');
    expect(connection.auth.tokenFile).toBe(tokenFile);
  });

  it('alone connects anonymously, with a warning', async () => {
    const { connection, warnings } = await connect('', { master: 'https://10.0.0.1:6443' });
    expect(connection).toMatchObject({
      source: 'master-flag',
      server: 'https://10.0.0.1:6443',
      identity: 'anonymous',
      auth: {},
    });
    expect(warnings).toEqual([expect.stringMatching(/^--master without a kubeconfig/)]);
  });

  it('must be https:// too', async () => {
    expect(await refusal(connect('', { master: 'http://10.0.0.1:8080' }))).toEqual([
      'server: http://10.0.0.1:8080 is not https://; refusing plain HTTP (pass --allow-insecure-apiserver to accept it)',
    ]);
  });
});

describe('in-cluster service account', () => {
  const serviceAccount = (withCa: boolean, tokenMode = 0o600): string => {
    const dir = `sa-${n++}`;
    mkdirSync(`${tmp.dir}/${dir}`);
    tmp.file(`${dir}/token`, TOKEN, tokenMode);
    if (withCa) tmp.file(`${dir}/ca.crt`, readFileSync(ca, 'utf8'), 0o644);
    return `${tmp.dir}/${dir}`;
  };

  it('is used when there is neither a kubeconfig nor --master', async () => {
    const dir = serviceAccount(true);
    const { connection, warnings } = await connect('', {
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: dir,
    });
    expect(warnings).toEqual([]);
    expect(connection).toMatchObject({
      source: 'in-cluster',
      server: 'https://10.96.0.1:443',
      tls: { caFile: `${dir}/ca.crt` },
      auth: { tokenFile: `${dir}/token` },
    });
    expect(connection.identity).toBe(`${SUBJECT} (token file ${dir}/token)`);
  });

  it('brackets an IPv6 service host', async () => {
    const { connection } = await connect('', {
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: serviceAccount(true),
    });
    expect(connection.server).toBe('https://[fd00::1]:443');
  });

  it('goes on without ca.crt, as client-go does, with a warning', async () => {
    const dir = serviceAccount(false);
    const { connection, warnings } = await connect('', {
      env: { KUBERNETES_SERVICE_HOST: 'k', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: dir,
    });
    expect(connection.tls.caFile).toBeUndefined();
    expect(warnings).toEqual([
      `no ${dir}/ca.crt: the API server's certificate is checked against the system's trusted roots`,
    ]);
  });

  it('refuses outside a pod', async () => {
    expect(await refusal(connect('', { env: {}, serviceAccountDir: serviceAccount(true) }))).toEqual([
      'clientConnection.kubeconfig: no kubeconfig and no --master, and not in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset); set --kubeconfig or clientConnection.kubeconfig',
    ]);
  });

  it('refuses a token others can write, and a missing token', async () => {
    const dir = serviceAccount(true, 0o646);
    expect(
      await refusal(
        connect('', { env: { KUBERNETES_SERVICE_HOST: 'k', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: dir }),
      ),
    ).toEqual([`${dir}/token: token file is writable by others (mode 0646); run chmod go-w on it (0600 or 0644)`]);
    expect(
      await refusal(
        connect('', {
          env: { KUBERNETES_SERVICE_HOST: 'k', KUBERNETES_SERVICE_PORT: '443' },
          serviceAccountDir: `${tmp.dir}/none`,
        }),
      ),
    ).toEqual([`${tmp.dir}/none/token: cannot read token file: no such file`]);
  });
});
