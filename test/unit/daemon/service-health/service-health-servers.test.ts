import { afterEach, describe, expect, it } from '@jest/globals';
import { connect, createServer, type Server } from 'node:net';
import { ServiceHealthServers } from '../../../../src/daemon/service-health/service-health-servers.js';
import type { HealthCheckService } from '../../../../src/proxy/health-check-node-ports.js';

/** A port free right now (the kernel's pick, released again). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

const web = (localEndpoints: number): HealthCheckService => ({ namespace: 'default', name: 'web', localEndpoints });

let servers: ServiceHealthServers | undefined;
let proxyHealthy = true;
const blockers: Server[] = [];

function manager(addresses: readonly string[] = ['127.0.0.1']): ServiceHealthServers {
  proxyHealthy = true;
  servers = new ServiceHealthServers({ addresses, isProxyHealthy: () => proxyHealthy });
  return servers;
}

afterEach(async () => {
  await servers?.close();
  servers = undefined;
  await Promise.all(blockers.splice(0).map((b) => new Promise((resolve) => b.close(resolve))));
});

async function probe(
  port: number,
  path = '/',
): Promise<{ status: number; body: string; type: string | null; weight: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get('content-type'),
    weight: response.headers.get('x-load-balancing-endpoint-weight'),
  };
}

describe('ServiceHealthServers', () => {
  it("answers 200 with kube-proxy's body while the node has local endpoints", async () => {
    const port = await freePort();
    expect(await manager().sync(new Map([[port, web(2)]]))).toEqual([]);
    const reply = await probe(port, '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.type).toBe('application/json');
    expect(reply.weight).toBe('2');
    expect(reply.body).toBe(
      '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}',
    );
  });

  it('answers 503 with no local endpoint, or when the proxier is unhealthy', async () => {
    const port = await freePort();
    const m = manager();
    await m.sync(new Map([[port, web(0)]]));
    expect(await probe(port)).toMatchObject({ status: 503, weight: '0' });
    expect(JSON.parse((await probe(port)).body)).toMatchObject({ localEndpoints: 0, serviceProxyHealthy: true });
    await m.sync(new Map([[port, web(1)]]));
    proxyHealthy = false;
    const reply = await probe(port);
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body)).toMatchObject({ localEndpoints: 1, serviceProxyHealthy: false });
  });

  it('updates counts without reopening, and closes ports no longer wanted', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const m = manager();
    await m.sync(
      new Map([
        [a, web(0)],
        [b, { namespace: 'shop', name: 'api', localEndpoints: 1 }],
      ]),
    );
    expect(m.ports).toEqual([a, b].sort((x, y) => x - y));
    // A connection made before the update is answered after it: the listener was not reopened.
    const socket = connect(a, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await m.sync(new Map([[a, web(3)]]));
    expect(m.ports).toEqual([a]);
    const answer = new Promise<string>((resolve) => socket.once('data', (data) => resolve(data.toString())));
    socket.end('GET / HTTP/1.1\r\nHost: node\r\nConnection: close\r\n\r\n');
    expect((await answer).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    await expect(fetch(`http://127.0.0.1:${b}/`)).rejects.toThrow();
  });

  it('reports a port it cannot bind, serves the others, and retries it on the next sync', async () => {
    const [taken, free] = [await freePort(), await freePort()];
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    const m = manager();
    const failures = await m.sync(
      new Map([
        [taken, web(1)],
        [free, web(1)],
      ]),
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      port: taken,
      service: web(1),
      error: { kind: 'listen-failed', code: 'EADDRINUSE' },
    });
    expect(m.ports).toEqual([free]);
    expect(await probe(free)).toMatchObject({ status: 200 });
    await new Promise((resolve) => blocker.close(resolve));
    blockers.length = 0;
    expect(
      await m.sync(
        new Map([
          [taken, web(1)],
          [free, web(1)],
        ]),
      ),
    ).toEqual([]);
    expect(await probe(taken)).toMatchObject({ status: 200 });
  });

  it('listens on every address when no NodePort address is given', async () => {
    const port = await freePort();
    await manager([]).sync(new Map([[port, web(1)]]));
    expect(await probe(port)).toMatchObject({ status: 200 });
  });

  it('opens nothing on an address that does not bind, and keeps no half-open port', async () => {
    const port = await freePort();
    // 192.0.2.1 (TEST-NET-1) is on no interface of this host.
    const m = manager(['127.0.0.1', '192.0.2.1']);
    const failures = await m.sync(new Map([[port, web(1)]]));
    expect(failures.map((f) => f.error.code)).toEqual(['EADDRNOTAVAIL']);
    expect(m.ports).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
