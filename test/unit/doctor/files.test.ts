// The configuration file, the kubeconfig and the credentials: owner and mode of real files
// (the tests run as root, so "another user" is a chown to an unused uid).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { configText, hostTree, kubeconfigText, preparedNode, writeCredentials, type Credentials } from './host-tree.js';
import { finding, findingsFor } from './run-doctor.js';

const tree = hostTree();
let creds: Credentials;
let n = 0;
/** [title, mode]: test titles show modes the way chmod takes them. */
const octalRow = (mode: number): [string, number] => [`0${mode.toString(8)}`, mode];

beforeAll(() => {
  preparedNode(tree);
  creds = writeCredentials(tree);
});
afterAll(() => tree.remove());

/** A kubeconfig verified against the CA, authenticating with the token file. */
const safeKubeconfig = (): string =>
  kubeconfigText(
    `{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`,
    `{tokenFile: ${creds.tokenFile}}`,
  );
const writeKubeconfig = (text: string, mode = 0o600): string => tree.write(`etc/kipvs/kubeconfig-${n++}`, text, mode);
const writeConfig = (kubeconfig: string, mode = 0o644, uid?: number): string =>
  tree.write(`etc/kipvs/config-${n++}.conf`, configText(kubeconfig), mode, uid);

describe('the configuration file', () => {
  it.each([0o644, 0o600, 0o400].map(octalRow))('PASSes at mode %s owned by root', async (_, mode) => {
    const config = writeConfig(writeKubeconfig(safeKubeconfig()), mode);
    expect(finding(await findingsFor(tree.root, { config }), 'config-file')).toEqual({
      check: 'config-file',
      status: 'PASS',
      message: `configuration file ${config}: mode 0${mode.toString(8)}, owner root`,
      fix: null,
    });
  });

  it.each([
    ['0664', 0o664, 'its group'],
    ['0646', 0o646, 'others'],
    ['0666', 0o666, 'group and others'],
  ])('FAILs at mode %s, writable by %s, and leaves out the checks that need it', async (_, mode, who) => {
    const config = writeConfig(writeKubeconfig(safeKubeconfig()), mode);
    const findings = await findingsFor(tree.root, { config });
    expect(finding(findings, 'config-file')).toEqual({
      check: 'config-file',
      status: 'FAIL',
      message: `configuration file ${config}: configuration file is writable by ${who} (mode 0${mode.toString(8)}); run chmod go-w on it (0600 or 0644)`,
      fix: `chown root:root ${config} && chmod 0644 ${config}`,
    });
    expect(finding(findings, 'configuration').status).toBe('FAIL');
    expect(findings.has('metrics-bind-address')).toBe(false);
    expect(findings.has('kubeconfig-file')).toBe(false);
    // The node's own checks do not depend on the configuration.
    expect(finding(findings, 'capabilities').status).toBe('PASS');
  });

  it('FAILs when owned by another user, PASSes when owned by the user kipvs runs as', async () => {
    const config = writeConfig(writeKubeconfig(safeKubeconfig()), 0o644, 4321);
    expect(finding(await findingsFor(tree.root, { config }), 'config-file')).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining('owned by uid 4321'),
    });
    expect(finding(await findingsFor(tree.root, { config }, { uid: 4321 }), 'config-file')).toMatchObject({
      status: 'PASS',
      message: `configuration file ${config}: mode 0644, owner uid 4321`,
    });
  });

  it('FAILs naming a missing file', async () => {
    const config = `${tree.root}/etc/kipvs/no-such.conf`;
    expect(finding(await findingsFor(tree.root, { config }), 'config-file')).toEqual({
      check: 'config-file',
      status: 'FAIL',
      message: `configuration file ${config}: cannot read configuration file: no such file`,
      fix: `create ${config} (mode 0644, owner root), or correct the flag or field that names it`,
    });
  });

  it('is not needed: without --config the flags and defaults apply', async () => {
    const kubeconfig = writeKubeconfig(safeKubeconfig());
    const findings = await findingsFor(tree.root, {
      kubeconfig,
      'cluster-cidr': '10.244.0.0/16',
      'nodeport-addresses': 'primary',
    });
    expect(finding(findings, 'config-file').status).toBe('PASS');
    expect(finding(findings, 'configuration')).toMatchObject({ status: 'PASS', message: 'configuration: valid' });
  });

  it('FAILs the configuration kipvs proxy would refuse, naming the field', async () => {
    const config = tree.write(
      `etc/kipvs/config-${n++}.conf`,
      configText(writeKubeconfig(safeKubeconfig()), 'ipvs: {scheduler: fastest}\n'),
    );
    const result = finding(await findingsFor(tree.root, { config }), 'configuration');
    expect(result.status).toBe('FAIL');
    expect(result.message).toContain('ipvs.scheduler');
  });
});

describe('the kubeconfig', () => {
  it('PASSes at 0600', async () => {
    const kubeconfig = writeKubeconfig(safeKubeconfig(), 0o600);
    expect(finding(await findingsFor(tree.root, { config: writeConfig(kubeconfig) }), 'kubeconfig-file')).toMatchObject(
      { status: 'PASS', message: `kubeconfig ${kubeconfig}: mode 0600, owner root` },
    );
  });

  it.each([
    ['0644', 0o644, 'its group and all users'],
    ['0640', 0o640, 'its group'],
    ['0604', 0o604, 'all users'],
  ])('WARNs at %s (readable by %s) when it only names credential files', async (_, mode, who) => {
    const kubeconfig = writeKubeconfig(safeKubeconfig(), mode);
    expect(finding(await findingsFor(tree.root, { config: writeConfig(kubeconfig) }), 'kubeconfig-file')).toEqual({
      check: 'kubeconfig-file',
      status: 'WARN',
      message: `kubeconfig ${kubeconfig}: mode 0${mode.toString(8)}, owner root; readable by ${who}; the hardening guide recommends 0600`,
      fix: `chmod 0600 ${kubeconfig}`,
    });
  });

  it('FAILs when readable by others and it embeds the token itself', async () => {
    const kubeconfig = writeKubeconfig(
      kubeconfigText(
        `{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`,
        '{token: embedded-secret}',
      ),
      0o644,
    );
    const result = finding(await findingsFor(tree.root, { config: writeConfig(kubeconfig) }), 'kubeconfig-file');
    expect(result).toMatchObject({
      status: 'FAIL',
      message: `kubeconfig ${kubeconfig}: mode 0644, owner root; readable by its group and all users, and it holds a credential`,
    });
    expect(JSON.stringify(result)).not.toContain('embedded-secret');
  });

  it('FAILs when writable by others, and does not resolve the connection from it', async () => {
    const kubeconfig = writeKubeconfig(safeKubeconfig(), 0o666);
    const findings = await findingsFor(tree.root, { config: writeConfig(kubeconfig) });
    expect(finding(findings, 'kubeconfig-file')).toMatchObject({
      status: 'FAIL',
      fix: `chown root:root ${kubeconfig} && chmod 0600 ${kubeconfig}`,
    });
    expect(findings.has('api-server-tls')).toBe(false);
    expect(findings.has('api-server-credentials')).toBe(false);
  });
});

describe('the credential files the kubeconfig names', () => {
  const withToken = async (mode: number) => {
    const tokenFile = tree.write(`etc/kipvs/token-${n++}`, 'a-token\n', mode);
    const kubeconfig = writeKubeconfig(
      kubeconfigText(
        `{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`,
        `{tokenFile: ${tokenFile}}`,
      ),
    );
    return { tokenFile, findings: await findingsFor(tree.root, { config: writeConfig(kubeconfig) }) };
  };

  it.each([0o600, 0o400].map(octalRow))('PASS: a token file at %s', async (_, mode) => {
    const { tokenFile, findings } = await withToken(mode);
    expect(finding(findings, 'token-file')).toMatchObject({
      status: 'PASS',
      message: `token file ${tokenFile}: mode 0${mode.toString(8)}, owner root`,
    });
  });

  it.each([0o644, 0o640].map(octalRow))('FAIL: a token file readable beyond its owner (%s)', async (_, mode) => {
    const { tokenFile, findings } = await withToken(mode);
    expect(finding(findings, 'token-file')).toMatchObject({ status: 'FAIL', fix: `chmod 0600 ${tokenFile}` });
  });

  it.each([
    ['0600', 0o600, 'PASS'],
    ['0640', 0o640, 'FAIL'],
  ])('a client key at %s: %s', async (_, mode, status) => {
    const dir = `${tree.root}/etc/kipvs`;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '30',
        '-keyout',
        `${dir}/client.pem.key`,
        '-out',
        `${dir}/client.pem`,
        '-subj',
        '/O=system:node-proxier/CN=system:kube-proxy',
      ],
      { stdio: 'ignore' },
    );
    const cert = tree.write(`etc/kipvs/client-${n++}.crt`, readFileSync(`${dir}/client.pem`, 'utf8'), 0o644);
    const key = tree.write(`etc/kipvs/client-${n++}.key`, readFileSync(`${dir}/client.pem.key`, 'utf8'), mode);
    const kubeconfig = writeKubeconfig(
      kubeconfigText(
        `{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`,
        `{client-certificate: ${cert}, client-key: ${key}}`,
      ),
    );
    const findings = await findingsFor(tree.root, { config: writeConfig(kubeconfig) });
    expect(finding(findings, 'client-key-file')).toMatchObject({
      status,
      message: expect.stringMatching(new RegExp(`^client key ${key}: mode ${_}, owner root`)),
    });
    expect(finding(findings, 'api-server-tls').message).toContain(
      'client certificate "O=system:node-proxier, CN=system:kube-proxy"',
    );
  });

  it('FAIL: a token file others can write makes kipvs proxy refuse the credentials', async () => {
    const { tokenFile, findings } = await withToken(0o622);
    expect(finding(findings, 'api-server-credentials')).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining(`${tokenFile}: token file is writable by group and others`),
    });
    expect(findings.has('token-file')).toBe(false);
  });
});
