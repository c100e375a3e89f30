// The sync engine on a real IPVS (a fresh namespace, the sync engine in a child process there):
// from a stale table, one endpoint change through the kept live state (O(1) netlink
// messages, no read), drift repaired by the next periodic resync, a half-failed batch
// repaired by the next sync, and a restart that adopts the table with an empty plan.
// The kernel state is checked with ipvsadm, ip, ipset and iptables-save (of this boot's backend).
import type { SyncTrigger } from '../../src/sync/sync-trigger.js';
import { TEST_IPTABLES, testIptablesCommand } from '../uml/iptables-backend.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { ClusterObjects } from '../../src/proxy/index.js';
import { endpoint, endpointSlice, port, service } from '../fixtures/proxy/objects.js';
import { freshNetnsPerFile } from '../uml/jest-netns.js';
import { repoRoot } from '../uml/netns.js';
import type { SyncChildAnswer, SyncChildRequest } from './sync-child.js';

/** One ClusterIP Service: its port, protocol, target port and endpoint addresses. */
interface ServiceSpec {
  readonly name: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly targetPort: number;
  readonly endpoints: readonly string[];
}

const WEB: ServiceSpec = {
  name: 'web',
  clusterIP: '10.96.0.10',
  port: 80,
  protocol: 'TCP',
  targetPort: 8080,
  endpoints: ['10.244.1.1', '10.244.1.2', '10.244.1.3'],
};
const DNS: ServiceSpec = {
  name: 'dns',
  clusterIP: '10.96.0.20',
  port: 53,
  protocol: 'UDP',
  targetPort: 5353,
  endpoints: ['10.244.2.1', '10.244.2.2'],
};

function objectsOf(specs: readonly ServiceSpec[]): ClusterObjects {
  return {
    services: specs.map((s) =>
      service(s.name, {
        clusterIP: s.clusterIP,
        type: 'ClusterIP',
        ports: [{ ...port('p', s.port, s.protocol), targetPort: s.targetPort }],
      }),
    ),
    endpointSlices: specs.map((s) =>
      endpointSlice(
        s.name,
        [port('p', s.targetPort, s.protocol)],
        s.endpoints.map((e) => endpoint(e, { ready: true })),
      ),
    ),
  };
}

/** The `ipvsadm -Sn` lines kube-proxy's IPVS mode gives these Services (rr, masquerading, weight 1), sorted. */
function ipvsLines(specs: readonly ServiceSpec[], weights: Readonly<Record<string, number>> = {}): string[] {
  return specs
    .flatMap((s) => {
      const flag = s.protocol === 'TCP' ? '-t' : '-u';
      const vip = `${s.clusterIP}:${s.port}`;
      return [
        `-A ${flag} ${vip} -s rr`,
        ...s.endpoints.map((e) => `-a ${flag} ${vip} -r ${e}:${s.targetPort} -m -w ${weights[e] ?? 1}`),
      ];
    })
    .sort();
}

/** The sync engine child in the namespace, one request and answer at a time. */
class SyncChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private readonly reader: Interface;
  private stderr = '';

  constructor(netns: string) {
    this.child = spawn('ip', ['netns', 'exec', netns, process.execPath, 'build/test/kernel/sync-child.js'], {
      cwd: repoRoot,
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.reader = createInterface({ input: this.child.stdout });
    this.lines = this.reader[Symbol.asyncIterator]();
  }

  private async ask(request: SyncChildRequest): Promise<string> {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    const next = await this.lines.next();
    if (next.done === true) throw new Error(`the sync child ended: ${this.stderr}`);
    return next.value;
  }

  async sync(specs: readonly ServiceSpec[], trigger: SyncTrigger): Promise<SyncChildAnswer> {
    return JSON.parse(await this.ask({ op: 'sync', trigger, objects: objectsOf(specs) })) as SyncChildAnswer;
  }

  async restart(): Promise<void> {
    await this.ask({ op: 'restart' });
  }

  close(): void {
    this.child.stdin.end();
    this.reader.close();
  }
}

const FOREIGN = '-A -t 10.1.2.3:80 -s wlc';

describe('The sync engine with the kept live state, on a real IPVS', () => {
  const netns = freshNetnsPerFile('sync-cache');
  let child: SyncChild;
  const run = (program: string, ...args: string[]) => netns().run(program, args);
  const ipvs = async (): Promise<string[]> =>
    (await netns().ipvsSave())
      .split('\n')
      .filter((l) => l !== '' && l !== FOREIGN)
      .sort();
  const addresses = async (): Promise<string[]> =>
    [...(await run('ip', '-o', '-4', 'addr', 'show', 'dev', 'kube-ipvs0')).stdout.matchAll(/inet (\S+)/g)]
      .map((m) => m[1] ?? '')
      .sort();
  const clusterIpMembers = async (): Promise<string[]> =>
    (await run('ipset', 'save', 'KUBE-CLUSTER-IP')).stdout
      .split('\n')
      .filter((l) => l.startsWith('add '))
      .map((l) => l.split(' ')[2] ?? '')
      .sort();
  const natRules = async (): Promise<string> => (await run(TEST_IPTABLES.inet.save, '-t', 'nat')).stdout;

  /** Everything the two Services need, checked with the kernel's own tools. */
  async function expectProgrammed(
    specs: readonly ServiceSpec[],
    weights: Readonly<Record<string, number>> = {},
  ): Promise<void> {
    expect(await ipvs()).toEqual(ipvsLines(specs, weights));
    expect(await addresses()).toEqual(specs.map((s) => `${s.clusterIP}/32`).sort());
    expect(await clusterIpMembers()).toEqual(
      specs.map((s) => `${s.clusterIP},${s.protocol.toLowerCase()}:${s.port}`).sort(),
    );
    expect(await natRules()).toMatch(/-A KUBE-SERVICES .*--match-set KUBE-CLUSTER-IP dst,dst/);
  }

  beforeAll(() => {
    child = new SyncChild(netns().name);
  });
  afterAll(() => child.close());

  test('the first sync reads the kernel whole, removes a stale Service and leaves a foreign one', async () => {
    // What an earlier kube-proxy left: a Service address bound to kube-ipvs0 with its virtual server.
    await run('ip', 'link', 'add', 'kube-ipvs0', 'type', 'dummy');
    await run('ip', 'addr', 'add', '10.96.0.99/32', 'dev', 'kube-ipvs0');
    await run('ipvsadm', '-A', '-t', '10.96.0.99:80', '-s', 'rr');
    await run('ipvsadm', '-a', '-t', '10.96.0.99:80', '-r', '10.244.9.9:8080', '-m');
    await run('ipvsadm', '-A', '-t', '10.1.2.3:80', '-s', 'wlc');

    const first = await child.sync([WEB, DNS], 'requested');
    expect(first.source).toBe('full: first sync');
    expect(first.failures).toEqual([]);
    expect(first.changes).toContain('ipvs:delete-service');
    await expectProgrammed([WEB, DNS]);
    expect(await netns().ipvsSave()).toContain(`${FOREIGN}\n`);
  });

  test('a periodic resync of a table in sync reads it whole and changes nothing', async () => {
    const again = await child.sync([WEB, DNS], 'periodic');
    expect(again).toMatchObject({ source: 'full: periodic resync', changes: [], failures: [] });
    expect(again.readMessages).toBeGreaterThan(3);
  });

  test('one endpoint change through the kept state sends O(1) netlink messages', async () => {
    const moved = { ...WEB, endpoints: ['10.244.1.1', '10.244.1.2', '10.244.1.4'] };
    const change = await child.sync([moved, DNS], 'requested');
    // The one service losing a real server is read again (one GET_DEST dump) for its connection counts.
    expect(change).toMatchObject({
      source: 'kept, 1 read again',
      changes: ['ipvs:add-real-server', 'ipvs:delete-real-server'],
      failures: [],
      readMessages: 1,
    });
    // Then two messages, one sendmsg per plan phase: additions come before deletions (plan.ts).
    expect(change.messagesSent).toBe(3);
    expect(change.sendCalls).toBe(3);
    await expectProgrammed([moved, DNS]);
    // And back, for the tests below.
    expect((await child.sync([WEB, DNS], 'requested')).changes).toHaveLength(2);
    await expectProgrammed([WEB, DNS]);
  });

  test('drift behind kipvs is not seen through the kept state, and is repaired by the next periodic resync', async () => {
    await run('ipvsadm', '-C');
    await run('ip', 'addr', 'del', '10.96.0.20/32', 'dev', 'kube-ipvs0');
    await run('ipset', 'del', 'KUBE-CLUSTER-IP', '10.96.0.10,tcp:80');
    await run(testIptablesCommand('inet'), '-t', 'nat', '-F', 'KUBE-SERVICES');

    expect(await child.sync([WEB, DNS], 'requested')).toMatchObject({
      source: 'kept, 0 read again',
      changes: [],
      messagesSent: 0,
    });
    const repair = await child.sync([WEB, DNS], 'periodic');
    expect(repair).toMatchObject({ source: 'full: periodic resync', failures: [] });
    expect(repair.changes).toEqual(
      expect.arrayContaining([
        'ipvs:add-service',
        'ipvs:add-real-server',
        'address:add-address',
        'ipset:add-entry',
        'iptables',
      ]),
    );
    await expectProgrammed([WEB, DNS]);
  });

  test('a half-failed batch makes the next sync read the kernel whole and repair what failed', async () => {
    // Created behind kipvs's back after its last read: its own add of this real server fails (EEXIST).
    await run('ipvsadm', '-a', '-t', '10.96.0.10:80', '-r', '10.244.1.9:8080', '-m', '-w', '5');
    const grown = { ...WEB, endpoints: [...WEB.endpoints, '10.244.1.8', '10.244.1.9'] };
    const failed = await child.sync([grown, DNS], 'requested');
    expect(failed.source).toBe('kept, 0 read again');
    expect(failed.changes).toEqual(['ipvs:add-real-server', 'ipvs:add-real-server']);
    expect(failed.failures).toHaveLength(1);
    expect(failed.failures[0]).toContain('10.244.1.9');
    await expectProgrammed([grown, DNS], { '10.244.1.9': 5 });

    const repaired = await child.sync([grown, DNS], 'requested');
    expect(repaired).toMatchObject({ source: 'full: failed sync', changes: ['ipvs:edit-real-server'], failures: [] });
    await expectProgrammed([grown, DNS]);
  });

  test('a restarted sync engine adopts the table with an empty plan', async () => {
    const before = await netns().ipvsSave();
    await child.restart();
    const adopted = await child.sync(
      [{ ...WEB, endpoints: [...WEB.endpoints, '10.244.1.8', '10.244.1.9'] }, DNS],
      'requested',
    );
    expect(adopted).toMatchObject({ source: 'full: first sync', changes: [], failures: [] });
    expect(await netns().ipvsSave()).toBe(before);
  });

  test('a real server with connections that leaves is drained, not deleted, through the kept state', async () => {
    // Connections from this namespace to the Service: IPVS schedules them (rr) and counts them
    // while their SYN goes nowhere (the pod network is a dummy link), for a minute (SYN_RECV).
    await run('ip', 'link', 'add', 'pods', 'type', 'dummy');
    await run('ip', 'addr', 'add', '10.244.0.254/16', 'dev', 'pods');
    await run('ip', 'link', 'set', 'pods', 'up');
    const grown = { ...WEB, endpoints: [...WEB.endpoints, '10.244.1.8', '10.244.1.9'] };
    for (const _ of grown.endpoints)
      await netns().run('timeout', ['1', 'bash', '-c', ': > /dev/tcp/10.96.0.10/80'], { allowFailure: true });
    const listing = (await run('ipvsadm', '-Ln', '-t', '10.96.0.10:80')).stdout;
    // "  -> 10.244.1.1:8080  Masq  1  1  0": weight, active connections (a SYN_RECV one counts), inactive ones.
    const busy = [...listing.matchAll(/-> (\S+):8080\s+Masq\s+1\s+(\d+)\s+(\d+)/g)].find(
      (m) => Number(m[2]) + Number(m[3]) > 0,
    )?.[1];
    expect(busy).toBeDefined();
    const without = { ...grown, endpoints: grown.endpoints.filter((e) => e !== busy) };

    const drained = await child.sync([without, DNS], 'requested');
    expect(drained).toMatchObject({ source: 'kept, 1 read again', changes: ['ipvs:edit-real-server'], failures: [] });
    expect(await ipvs()).toEqual([...ipvsLines([without, DNS]), `-a -t 10.96.0.10:80 -r ${busy}:8080 -m -w 0`].sort());
    // Still connected: the next sync reads that service again and waits.
    expect(await child.sync([without, DNS], 'requested')).toMatchObject({
      source: 'kept, 1 read again',
      changes: [],
      failures: [],
    });
  });
});
