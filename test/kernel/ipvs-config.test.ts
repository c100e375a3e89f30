// Global timeouts, IPVS info and counters through our client, checked with ipvsadm.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IpvsTimeouts } from '../../src/ipvs/types.js';
import { ownNetns } from '../uml/netns.js';
import { ipvsadm, ipvsClientPerFile, realServer, service, udp } from './ipvs-support.js';

const client = ipvsClientPerFile();

/** `ipvsadm -L --timeout`: "Timeout (tcp tcpfin udp): 900 120 300". */
async function ipvsadmTimeouts(): Promise<IpvsTimeouts> {
  const match = /Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)/.exec(await ipvsadm('-L', '--timeout'));
  if (!match) throw new Error('unexpected ipvsadm --timeout output');
  return { tcp: Number(match[1]), tcpFin: Number(match[2]), udp: Number(match[3]) };
}

describe('timeouts', () => {
  let original: IpvsTimeouts;
  beforeAll(async () => {
    original = await ipvsadmTimeouts();
  });
  afterAll(async () => {
    await ipvsadm('--set', String(original.tcp), String(original.tcpFin), String(original.udp));
  });

  test('getTimeouts reads what ipvsadm --set wrote', async () => {
    await ipvsadm('--set', '901', '121', '301');
    expect(await client().getTimeouts()).toEqual({ tcp: 901, tcpFin: 121, udp: 301 });
  });

  test('setTimeouts writes what ipvsadm reads; 0 leaves a timeout as it is', async () => {
    await client().setTimeouts({ tcp: 1000, tcpFin: 100, udp: 200 });
    expect(await ipvsadmTimeouts()).toEqual({ tcp: 1000, tcpFin: 100, udp: 200 });
    await client().setTimeouts({ tcp: 0, tcpFin: 0, udp: 250 });
    expect(await ipvsadmTimeouts()).toEqual({ tcp: 1000, tcpFin: 100, udp: 250 });
  });
});

test('info: the version and connection table size ipvsadm prints', async () => {
  const match = /IP Virtual Server version (\d+)\.(\d+)\.(\d+) \(size=(\d+)\)/.exec(await ipvsadm('-Ln'));
  if (!match) throw new Error('unexpected ipvsadm -Ln header');
  const [, major, minor, patch, size] = match.map(Number);
  expect(await client().info()).toEqual({
    version: ((major ?? 0) << 16) | ((minor ?? 0) << 8) | (patch ?? 0),
    connectionTableSize: size,
  });
});

describe('counters and zero', () => {
  // A local VIP: IPVS schedules locally sent packets too (its LOCAL_OUT hook).
  const link = 'kipvs-zero0';
  const first = udp('10.0.0.1', 53);
  const second = udp('10.0.0.1', 54);
  beforeAll(async () => {
    const own = ownNetns();
    await own.run('ip', ['link', 'add', link, 'type', 'dummy']);
    await own.run('ip', ['link', 'set', link, 'up']);
    await own.run('ip', ['addr', 'add', '10.0.0.1/32', 'dev', link]);
  });
  afterAll(async () => {
    await ownNetns().run('ip', ['link', 'del', link]);
  });

  async function send(port: number, datagrams: number): Promise<void> {
    const socket = createSocket('udp4');
    for (let i = 0; i < datagrams; i++) {
      await new Promise<void>((resolve, reject) =>
        socket.send(Buffer.alloc(10), port, '10.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    }
    socket.close();
  }

  /** `ipvsadm -Ln --stats --exact` as service -> [conns, inpkts]. */
  async function ipvsadmStats(): Promise<Map<string, [number, number]>> {
    const rows = (await ipvsadm('-Ln', '--stats', '--exact')).split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM) /.test(l));
    return new Map(
      rows.map((row) => {
        const [, address = '', conns = '', inPackets = ''] = row.split(/\s+/);
        return [address, [Number(conns), Number(inPackets)]];
      }),
    );
  }

  test('zero one service, then all', async () => {
    for (const key of [first, second]) {
      await client().addService(service(key));
      await client().addRealServer(key, realServer('10.1.0.1', 8053));
    }
    await send(53, 3);
    await send(54, 2);
    // Linux 6.1 publishes counters when its rate estimator runs, every 2 seconds.
    await eventually(async () =>
      expect(await ipvsadmStats()).toEqual(
        new Map([
          ['10.0.0.1:53', [1, 3]],
          ['10.0.0.1:54', [1, 2]],
        ]),
      ),
    );
    // 10 bytes of payload + 8 of UDP + 20 of IPv4
    expect((await client().getService(first)).stats).toMatchObject({
      connections: 1n,
      inPackets: 3n,
      inBytes: 3n * 38n,
    });
    const [dest] = await client().listRealServers(first);
    expect(dest?.stats).toMatchObject({ connections: 1n, inPackets: 3n });

    await client().zero(first);
    expect(await ipvsadmStats()).toEqual(
      new Map([
        ['10.0.0.1:53', [0, 0]],
        ['10.0.0.1:54', [1, 2]],
      ]),
    );
    expect((await client().getService(first)).stats.inPackets).toBe(0n);

    await client().zero();
    expect(await ipvsadmStats()).toEqual(
      new Map([
        ['10.0.0.1:53', [0, 0]],
        ['10.0.0.1:54', [0, 0]],
      ]),
    );
  });
});

/** Retries an assertion for up to 6 seconds. */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    try {
      return await check();
    } catch (err) {
      if (waited >= 6000) throw err;
      await sleep(200);
    }
  }
}
