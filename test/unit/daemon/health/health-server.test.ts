import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { startHealthServer } from '../../../../src/daemon/health/health-server.js';
import { ListenError, parseBindAddress, type RunningServer } from '../../../../src/daemon/health/listen.js';
import { ProxierHealth, TO_BE_DELETED_TAINT } from '../../../../src/daemon/health/proxier-health.js';

const START = Date.UTC(2024, 10, 23, 17, 40, 0, 0);
let now = START;
let running: RunningServer | undefined;
const probes: [string, number][] = [];

async function start(): Promise<{ health: ProxierHealth; url: string }> {
  now = START;
  probes.length = 0;
  const health = new ProxierHealth(60_000, () => now);
  running = await startHealthServer('127.0.0.1:0', { health, onProbe: (probe, code) => probes.push([probe, code]) });
  if (!running) throw new Error('server not started');
  return { health, url: `http://127.0.0.1:${running.port}` };
}

afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('the health server', () => {
  it('says in /healthz what is wrong with the API server while it lasts, with the status code kube-proxy would give', async () => {
    const { health, url } = await start();
    health.updated('IPv4');
    health.apiServerProblem(
      'listing EndpointSlices: the API server forbids it (403 Forbidden); kipvs\'s ClusterRole needs the rule "list endpointslices.discovery.k8s.io"',
    );
    const healthz = await fetch(`${url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(JSON.parse(await healthz.text())).toMatchObject({
      nodeEligible: true,
      apiServer: expect.stringMatching(/needs the rule "list endpointslices\.discovery\.k8s\.io"$/),
    });
    health.apiServerProblem(undefined);
    expect(await (await fetch(`${url}/healthz`)).text()).not.toContain('apiServer');
  });

  it('answers /healthz and /livez 200 with kube-proxy headers and bodies while healthy', async () => {
    const { health, url } = await start();
    health.updated('IPv4');
    now += 1500;
    const healthz = await fetch(`${url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(healthz.headers.get('content-type')).toBe('application/json');
    expect(healthz.headers.get('x-content-type-options')).toBe('nosniff');
    // Healthy: lastUpdated is the current time, as kube-proxy reports it.
    expect(await healthz.text()).toBe(
      '{"lastUpdated": "2024-11-23 17:40:01.5 +0000 UTC","currentTime": "2024-11-23 17:40:01.5 +0000 UTC", "nodeEligible": true}',
    );
    const livez = await fetch(`${url}/livez`);
    expect(livez.status).toBe(200);
    expect(await livez.text()).toBe(
      '{"lastUpdated": "2024-11-23 17:40:01.5 +0000 UTC","currentTime": "2024-11-23 17:40:01.5 +0000 UTC"}',
    );
    expect(probes).toEqual([
      ['healthz', 200],
      ['livez', 200],
    ]);
  });

  it('answers 503 with the last successful sync once a change waited too long', async () => {
    const { health, url } = await start();
    health.updated('IPv4');
    health.queuedUpdate('IPv4');
    now += 61_000;
    const healthz = await fetch(`${url}/healthz?verbose`);
    expect(healthz.status).toBe(503);
    expect(JSON.parse(await healthz.text())).toEqual({
      lastUpdated: '2024-11-23 17:40:00 +0000 UTC',
      currentTime: '2024-11-23 17:41:01 +0000 UTC',
      nodeEligible: true,
    });
    expect((await fetch(`${url}/livez`)).status).toBe(503);
    expect(probes).toEqual([
      ['healthz', 503],
      ['livez', 503],
    ]);
  });

  it('fails /healthz but not /livez for a Node the autoscaler is deleting', async () => {
    const { health, url } = await start();
    health.syncNode({ spec: { taints: [{ key: TO_BE_DELETED_TAINT }] } });
    const healthz = await fetch(`${url}/healthz`);
    expect(healthz.status).toBe(503);
    // Before any sync, an unhealthy reply shows Go's zero time.
    expect(JSON.parse(await healthz.text())).toEqual({
      lastUpdated: '0001-01-01 00:00:00 +0000 UTC',
      currentTime: '2024-11-23 17:40:00 +0000 UTC',
      nodeEligible: false,
    });
    expect((await fetch(`${url}/livez`)).status).toBe(200);
  });

  it("answers other paths with Go ServeMux's 404", async () => {
    const { url } = await start();
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('404 page not found\n');
    expect(probes).toEqual([]);
  });

  it('is disabled by an empty bind address', async () => {
    expect(await startHealthServer('', { health: new ProxierHealth(1, () => 0) })).toBeUndefined();
  });

  it('rejects with a ListenError when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const failure = await startHealthServer(`127.0.0.1:${port}`, { health: new ProxierHealth(1, () => 0) }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ListenError);
      expect(failure).toMatchObject({ kind: 'listen-failed', code: 'EADDRINUSE', address: `127.0.0.1:${port}` });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('parseBindAddress', () => {
  it.each([
    ['0.0.0.0:10256', { host: '0.0.0.0', port: 10256 }],
    ['[::]:10256', { host: '::', port: 10256 }],
    ['[fd00::1]:10249', { host: 'fd00::1', port: 10249 }],
    ['', undefined],
  ])('reads %p', (text, address) => {
    expect(parseBindAddress(text)).toEqual(address);
  });
});
