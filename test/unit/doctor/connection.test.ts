// The API server connection of the kubeconfig, resolved by src/config/credentials as kipvs
// proxy resolves it: https, a certificate authority, no insecure-skip-tls-verify.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { configText, hostTree, kubeconfigText, preparedNode, writeCredentials, type Credentials } from './host-tree.js';
import { finding, findingsFor } from './run-doctor.js';

const tree = hostTree();
let creds: Credentials;
let n = 0;

beforeAll(() => {
  preparedNode(tree);
  creds = writeCredentials(tree);
});
afterAll(() => tree.remove());

async function tlsFinding(cluster: string, flags: Record<string, string> = {}) {
  const kubeconfig = tree.write(
    `etc/kipvs/kubeconfig-${n++}`,
    kubeconfigText(cluster, `{tokenFile: ${creds.tokenFile}}`),
    0o600,
  );
  const config = tree.write(`etc/kipvs/config-${n++}.conf`, configText(kubeconfig));
  return { kubeconfig, result: finding(await findingsFor(tree.root, { config, ...flags }), 'api-server-tls') };
}

describe('API server TLS', () => {
  it('PASS: https with a CA file, naming the server, identity and trust', async () => {
    const { kubeconfig, result } = await tlsFinding(
      `{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`,
    );
    expect(result).toEqual({
      check: 'api-server-tls',
      status: 'PASS',
      message: `API server https://192.0.2.10:6443 as user "u": bearer token file ${creds.tokenFile} (kubeconfig ${kubeconfig}, context "ctx"; CA ${creds.caFile})`,
      fix: null,
    });
  });

  it('PASS: https with CA data', async () => {
    const { result } = await tlsFinding(
      `{server: "https://192.0.2.10:6443", certificate-authority-data: ${creds.caData}}`,
    );
    expect(result.status).toBe('PASS');
    expect(result.message).toContain('CA from kubeconfig data');
  });

  it('FAIL: no certificate authority (the system roots would be trusted)', async () => {
    const { kubeconfig, result } = await tlsFinding('{server: "https://192.0.2.10:6443"}');
    expect(result).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining(
        "no certificate authority: any certificate the system's roots trust is accepted",
      ),
      fix: `set certificate-authority (or certificate-authority-data) to the cluster's CA in ${kubeconfig}`,
    });
  });

  it('FAIL: insecure-skip-tls-verify, although kipvs proxy would run with --allow-insecure-apiserver', async () => {
    const { result } = await tlsFinding('{server: "https://192.0.2.10:6443", insecure-skip-tls-verify: true}', {
      'allow-insecure-apiserver': 'true',
    });
    expect(result.status).toBe('FAIL');
    expect(result.message).toContain('insecure-skip-tls-verify: any server certificate is accepted');
    expect(result.fix).toContain('remove insecure-skip-tls-verify');
  });

  it('FAIL: plain http, every flaw named once', async () => {
    const { result } = await tlsFinding(`{server: "http://192.0.2.10:8080", certificate-authority: ${creds.caFile}}`);
    expect(result.status).toBe('FAIL');
    expect(result.message).toMatch(/: not https:\/\/: requests, token included, travel in clear text$/);
  });

  it('FAIL: --master replaces the kubeconfig server, as in kipvs proxy', async () => {
    const { result } = await tlsFinding(`{server: "https://192.0.2.10:6443", certificate-authority: ${creds.caFile}}`, {
      master: 'http://192.0.2.99:8080',
    });
    expect(result.status).toBe('FAIL');
    expect(result.message).toContain('API server http://192.0.2.99:8080');
  });
});
