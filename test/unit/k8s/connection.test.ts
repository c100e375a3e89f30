// Reaching the API server as the checked connection says, and no other way:
// refused credentials and unverifiable certificates are typed errors (never
// a silent fallback), a rotated token file is picked up, and secrets stay out
// of everything that could be printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { Secret } from '../../../src/config/credentials/connection.js';
import { resolveApiServerConnection } from '../../../src/config/credentials/resolve-connection.js';
import { applyKubeProxyDefaults } from '../../../src/config/defaults.js';
import { ConnectionCredentials } from '../../../src/k8s/connection-credentials.js';
import { kubeConfigFor } from '../../../src/k8s/kube-config.js';
import { generateCertificates } from '../../support/fake-apiserver/certificates.js';
import { FakeApiServer } from '../../support/fake-apiserver/server.js';
import {
  connectionFor,
  eventually,
  names,
  service,
  watchCluster,
  watching,
  type WatchedCluster,
} from './fake-cluster.js';

let server: FakeApiServer;
let dir: string;
let otherCa: string;

beforeAll(async () => {
  server = await FakeApiServer.start({ token: 'the-right-token' });
  server.apply(service('web'));
  dir = await mkdtemp(join(tmpdir(), 'kipvs-k8s-connection-'));
  otherCa = (await generateCertificates(dir, 'other')).caFile;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function failing(
  cluster: WatchedCluster,
): Promise<NonNullable<ReturnType<WatchedCluster['watch']['health']>['lastError']>> {
  try {
    await eventually(() => cluster.watch.health().lastError !== undefined, 10_000, 'a failure');
    const failure = cluster.watch.health().lastError;
    if (!failure) throw new Error('no failure');
    return failure;
  } finally {
    await cluster.watch.stop();
  }
}

describe('refused and unverifiable', () => {
  it('a wrong token is an "unauthorized" ApiError with the status, and nothing is synced', async () => {
    const cluster = watchCluster(
      connectionFor(server, (c) => ({ ...c, auth: { token: new Secret('a-wrong-token') } })),
    );
    const { error } = await failing(cluster);
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.request).toBe('list');
    expect(error.message).toMatch(
      /^listing (Services|EndpointSlices|the Node): the API server refused the credentials \(401 Unauthorized\).*\(HTTP 401: Unauthorized\)$/,
    );
    expect(cluster.watch.hasSynced()).toBe(false);
    expect(cluster.watch.snapshot()).toEqual({ services: [], endpointSlices: [] });
  });

  it('a server certificate from another CA is a "tls" ApiError', async () => {
    const fresh = await FakeApiServer.start();
    const cluster = watchCluster(
      connectionFor(fresh, (c) => ({ ...c, tls: { caFile: otherCa, insecureSkipVerify: false } })),
    );
    const { error } = await failing(cluster).finally(() => fresh.close());
    expect(error.kind).toBe('tls');
    expect(error.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    expect(error.message).toContain("the API server's certificate did not verify");
    expect(cluster.watch.hasSynced()).toBe(false);
    // No request got as far as HTTP.
    expect(fresh.requests).toEqual([]);
  });

  // Node's TLS reads the variable from its own process.env, which Jest's sandbox does not
  // share: the client runs in a child process with the variable set.
  it.each([
    ['the right CA', () => server.certificates.caFile, { synced: true }],
    ['another CA', () => otherCa, { synced: false, kind: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }],
  ])(
    'NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment does not turn verification off (%s)',
    async (_name, ca, outcome) => {
      const child = spawn(
        process.execPath,
        [fileURLToPath(new URL('./first-outcome.js', import.meta.url)), server.url, ca(), server.token],
        {
          env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_OPTIONS: '' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise((resolve) => child.on('exit', resolve));
      expect(JSON.parse(output)).toEqual(outcome);
    },
  );

  it('a server name the certificate does not carry fails verification', async () => {
    const cluster = watchCluster(
      connectionFor(server, (c) => ({ ...c, tls: { ...c.tls, serverName: 'api.example.com' } })),
    );
    const { error } = await failing(cluster);
    expect(error.kind).toBe('tls');
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('only insecureSkipVerify (which the configuration refuses without --allow-insecure-apiserver) skips verification', async () => {
    const cluster = watchCluster(connectionFor(server, (c) => ({ ...c, tls: { insecureSkipVerify: true } })));
    try {
      await cluster.watch.whenSynced();
      expect(names(cluster.watch.snapshot().services)).toEqual(['web']);
    } finally {
      await cluster.watch.stop();
    }
  });

  it('a token file that cannot be read is a "credentials" ApiError naming it', async () => {
    const missing = join(dir, 'no-such-token');
    const cluster = watchCluster(connectionFor(server, (c) => ({ ...c, auth: { tokenFile: missing } })));
    const { error } = await failing(cluster);
    expect(error.kind).toBe('credentials');
    expect(error.code).toBe('ENOENT');
    expect(error.message).toContain(missing);
  });
});

describe('credentials from files', () => {
  it('uses a rotated token file at the next request, as client-go does', async () => {
    const rotating = await FakeApiServer.start({ token: 'token-one' });
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'token-one\n', { mode: 0o600 });
    const cluster = watchCluster(connectionFor(rotating, (c) => ({ ...c, auth: { tokenFile } })));
    try {
      await cluster.watch.whenSynced();
      await watching(rotating);
      rotating.setToken('token-two');
      await writeFile(tokenFile, 'token-two\n');
      await rotating.pause();
      rotating.apply(service('after-rotation'));
      await rotating.resume();
      await eventually(() => cluster.watch.snapshot().services.length === 1, 10_000, 'the watch with the new token');
      expect(rotating.requests.filter((r) => r.status === 401)).toEqual([]);
    } finally {
      await cluster.watch.stop();
      await rotating.close();
    }
  });

  it('reads the kubeconfig the fake server writes, through the same checks as kipvs proxy', async () => {
    const kubeconfig = await server.writeKubeconfig(join(dir, 'kubeconfig'), {
      tokenFile: join(dir, 'kubeconfig-token'),
    });
    const config = applyKubeProxyDefaults({});
    const { connection } = await resolveApiServerConnection({
      clientConnection: { ...config.clientConnection, kubeconfig },
      allowInsecureApiserver: false,
    });
    expect(connection.auth.tokenFile).toBe(join(dir, 'kubeconfig-token'));
    const cluster = watchCluster(connection);
    try {
      await cluster.watch.whenSynced();
      expect(names(cluster.watch.snapshot().services)).toEqual(['web']);
    } finally {
      await cluster.watch.stop();
    }
  });

  it('hands the client the CA, client certificate and key, and re-reads a file when it changes', async () => {
    const certs = await generateCertificates(dir, 'client');
    const caFile = join(dir, 'rotating-ca.crt');
    await writeFile(caFile, certs.caPem);
    const credentials = new ConnectionCredentials(
      connectionFor(server, (c) => ({
        ...c,
        tls: { caFile, insecureSkipVerify: false, serverName: 'localhost' },
        auth: { clientCertificateData: certs.certPem, clientKeyData: new Secret(certs.keyPem) },
      })),
      'kipvs-test',
    );
    const first: import('node:https').RequestOptions = {};
    await credentials.applyAuthentication({ name: 'kipvs' }, first);
    expect(first).toEqual({
      rejectUnauthorized: true,
      servername: 'localhost',
      ca: certs.caPem,
      cert: certs.certPem,
      key: certs.keyPem,
      headers: { Accept: 'application/json', 'User-Agent': 'kipvs-test' },
    });
    const renewed = await generateCertificates(dir, 'renewed');
    await writeFile(caFile, renewed.caPem);
    const second: import('node:https').RequestOptions = {};
    await credentials.applyAuthentication({ name: 'kipvs' }, second);
    expect(second.ca).toBe(renewed.caPem);
  });
});

describe('through a proxy', () => {
  it("tunnels to the API server through the connection's HTTP proxy (CONNECT), still verifying the server", async () => {
    const tunnels: string[] = [];
    const sockets: Duplex[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
      tunnels.push(req.url ?? '');
      sockets.push(client);
      const [host = '', port = ''] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    const proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const through = watchCluster(connectionFor(server, (c) => ({ ...c, proxyUrl })));
      try {
        await through.watch.whenSynced();
        expect(names(through.watch.snapshot().services)).toEqual(['web']);
        expect(tunnels.length).toBeGreaterThanOrEqual(3);
        expect(new Set(tunnels)).toEqual(new Set([`127.0.0.1:${server.port}`]));
      } finally {
        await through.watch.stop();
      }
      const { error } = await failing(
        watchCluster(
          connectionFor(server, (c) => ({ ...c, proxyUrl, tls: { caFile: otherCa, insecureSkipVerify: false } })),
        ),
      );
      expect(error.kind).toBe('tls');
    } finally {
      // Tunnels are no longer HTTP connections: the server's closeAllConnections() does not see them.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('secrets', () => {
  it('never appear in the KubeConfig, its export or its inspection', () => {
    const config = kubeConfigFor(connectionFor(server), 'kipvs');
    const printed = [
      JSON.stringify(config.getClusters()),
      JSON.stringify(config.getUsers()),
      config.exportConfig(),
      inspect(config, { depth: 10 }),
    ];
    for (const text of printed) expect(text).not.toContain('the-right-token');
  });
});
