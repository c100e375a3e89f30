// The end-to-end harness (test/e2e) proves itself with IPVS programmed by hand: ipvsadm, ip and
// sysctl instead of kipvs. A ClusterIP-like virtual server on an address of a dummy link in the
// node namespace, a NodePort-like one on the node IP and an externalIP-like one, masquerading to
// three pods in round robin, answer the client in the node namespace and the one outside; the
// pods' own address in every answer says which one served, and ipvsadm's connection table
// (an independent reader of the kernel) must agree with the clients' counts.
import { testIptablesCommand } from '../uml/iptables-backend.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackends, type Backends } from '../e2e/backends/backends.js';
import { POD_HTTP_PORT, POD_UDP_PORT, isPodAnswer } from '../e2e/backends/protocol.js';
import { targetName, type Target, type TargetReport, type TrafficReport } from '../e2e/traffic/protocol.js';
import { DEFAULT_TRAFFIC, reportFor, startTraffic, type TrafficClient } from '../e2e/traffic/traffic.js';
import {
  ADDRESSES,
  FAMILIES,
  LINKS,
  createTopology,
  familyOf,
  podAddress,
  type Family,
  type Topology,
} from '../e2e/topology.js';
import { assertKernelHasIpvs, ownNetns, type Netns } from '../uml/netns.js';
import { mutableRows } from '../support/each-rows.js';

/** What the hand-made "Services" look like, per family. */
const SERVICES = {
  ipv4: { clusterIp: '10.96.0.10', externalIp: '203.0.113.10' },
  ipv6: { clusterIp: 'fd00:96::10', externalIp: '2001:db8:113::10' },
} as const;
const SERVICE_PORT = 80;
const DNS_PORT = 53;
const NODE_PORT = 30080;

/** ipvsadm's form of an address and port: 10.0.0.1:80, [fd00::1]:80. */
function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const POD_INDEXES = [2, 3, 4];
const pods = (family: Family): string[] => POD_INDEXES.map((index) => podAddress(family, index));

const http = (address: string, port: number): Target => ({ protocol: 'http', address, port });
const udp = (address: string, port: number): Target => ({ protocol: 'udp', address, port });

/** The virtual servers of one family (ipvsadm's -t/-u form), each with its pods' port. */
function virtualServers(family: Family): { readonly service: string; readonly podPort: number }[] {
  const { clusterIp, externalIp } = SERVICES[family];
  const { nodeIp } = ADDRESSES[family];
  return [
    { service: `-t ${endpoint(clusterIp, SERVICE_PORT)}`, podPort: POD_HTTP_PORT },
    { service: `-u ${endpoint(clusterIp, DNS_PORT)}`, podPort: POD_UDP_PORT },
    { service: `-t ${endpoint(nodeIp, NODE_PORT)}`, podPort: POD_HTTP_PORT },
    { service: `-u ${endpoint(nodeIp, NODE_PORT)}`, podPort: POD_UDP_PORT },
    { service: `-t ${endpoint(externalIp, SERVICE_PORT)}`, podPort: POD_HTTP_PORT },
  ];
}

/** `ipvsadm -R` input: `verb` (-a, -d) for one pod as a real server of every virtual server. */
function realServerRules(family: Family, verb: '-a' | '-d', pod: string): string {
  return virtualServers(family)
    .map(
      ({ service, podPort }) => `${verb} ${service} -r ${endpoint(pod, podPort)}${verb === '-a' ? ' -m -w 1' : ''}\n`,
    )
    .join('');
}

/** Round robin, masquerade forwarding (-m), every pod of the family a real server. */
function ipvsRules(family: Family): string {
  const services = virtualServers(family).map(({ service }) => `-A ${service} -s rr\n`);
  return (
    services.join('') +
    pods(family)
      .map((pod) => realServerRules(family, '-a', pod))
      .join('')
  );
}

/** What the node's own client requests: the ClusterIP, over TCP and UDP. */
function nodeTargets(family: Family): Target[] {
  const { clusterIp } = SERVICES[family];
  return [http(clusterIp, SERVICE_PORT), udp(clusterIp, DNS_PORT)];
}

/** What the outside client requests: the NodePort on the node IP, and the externalIP. */
function outsideTargets(family: Family): Target[] {
  const { nodeIp } = ADDRESSES[family];
  return [http(nodeIp, NODE_PORT), udp(nodeIp, NODE_PORT), http(SERVICES[family].externalIp, SERVICE_PORT)];
}

/** Connection entries of `ipvsadm -Lnc` per real server, for one virtual address:port. */
async function connectionsByRealServer(netns: Netns, virtual: Target): Promise<Record<string, number>> {
  const { stdout } = await netns.run('ipvsadm', ['-Lnc']);
  const counts: Record<string, number> = {};
  const protocol = virtual.protocol === 'http' ? 'TCP' : 'UDP';
  // columns: pro expire state source virtual destination
  for (const line of stdout.split('\n')) {
    const [pro, , , , vip, destination] = line.trim().split(/\s+/);
    if (pro !== protocol || vip !== endpoint(virtual.address, virtual.port) || destination === undefined) continue;
    const address = destination.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    counts[address] = (counts[address] ?? 0) + 1;
  }
  return counts;
}

/**
 * Netfilter's connection tracking entries (`conntrack -L`) per reply source, for one TCP virtual
 * address:port: with net.ipv4.vs.conntrack=1 IPVS keeps conntrack for its connections, the reply
 * direction naming the real server (what kube-proxy's masquerade rules rely on).
 */
async function conntrackByReplySource(netns: Netns, family: Family, virtual: Target): Promise<Record<string, number>> {
  const args = [
    '-L',
    '-f',
    family,
    '-p',
    'tcp',
    '--orig-dst',
    virtual.address,
    '--orig-port-dst',
    String(virtual.port),
  ];
  const { stdout } = await netns.run('conntrack', args);
  const counts: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    // tcp 6 118 TIME_WAIT src=CLIENT dst=VIRTUAL sport= dport= src=REAL dst=CLIENT sport= dport= ...
    const replySource = [...line.matchAll(/\bsrc=(\S+)/g)][1]?.[1];
    if (replySource !== undefined) counts[replySource] = (counts[replySource] ?? 0) + 1;
  }
  return counts;
}

/** curl (an independent HTTP client) GETs a target once: the pod that answered. */
async function curlPod(netns: Netns, target: Target): Promise<string> {
  const { stdout } = await netns.run('curl', [
    '-sS',
    '-g',
    '--max-time',
    '3',
    `http://${endpoint(target.address, target.port)}/`,
  ]);
  const answer: unknown = JSON.parse(stdout);
  if (!isPodAnswer(answer)) throw new Error(`curl ${targetName(target)}: not a pod's answer: ${stdout}`);
  return answer.pod;
}

/** A target's counts as the tests compare them: failures by reason, and who answered (sorted). */
function outcome(counts: TargetReport): {
  target: string;
  failures: Readonly<Record<string, number>>;
  backends: string[];
} {
  return { target: counts.target, failures: counts.failures, backends: Object.keys(counts.backends).sort() };
}

/** What outcome() gives for a target answered by exactly `backends`, without a failure. */
function answeredOnlyBy(target: Target | string, backends: readonly string[]): ReturnType<typeof outcome> {
  return {
    target: typeof target === 'string' ? target : targetName(target),
    failures: {},
    backends: [...backends].sort(),
  };
}

/** Costs measured in this run, printed once at the end. */
const costs: Record<string, string> = {};
function measured(what: string, startMs: number, extra = ''): void {
  costs[what] = `${(performance.now() - startMs).toFixed(0)} ms${extra}`;
}

/** Processes running a script of test/e2e (the helpers), by /proc/PID/cmdline. */
function helperProcesses(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return argv.some((arg) => arg.includes('/test/e2e/')) ? [argv.join(' ')] : [];
      } catch {
        return []; // ended meanwhile
      }
    });
}

describe('the topology', () => {
  test('wires node, pods and outside, with forwarding and IPVS conntrack on the node, and tears down completely', async () => {
    assertKernelHasIpvs();
    const own = ownNetns();
    const linksBefore = (await own.run('ip', ['-o', 'link', 'show'])).stdout;
    let started = performance.now();
    const topology = await createTopology('e2e-wiring');
    measured('topology: 3 namespaces, 2 veth pairs, addresses, routes, sysctls', started);
    const { node, pods: podsNs, outside } = topology;
    try {
      // sysctl reads them back (the harness set them with sysctl -w)
      const sysctls = (
        await node.run('sysctl', ['-n', 'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.vs.conntrack'])
      ).stdout;
      expect(sysctls.split('\n').slice(0, 3)).toEqual(['1', '1', '1']);
      for (const family of FAMILIES) {
        const flag = family === 'ipv4' ? '-4' : '-6';
        const { nodeIp, podGateway } = ADDRESSES[family];
        // the kernel's own route choice, as `ip route get` reports it
        expect((await node.run('ip', [flag, 'route', 'get', podAddress(family, 7)])).stdout).toContain(
          `dev ${LINKS.pods}`,
        );
        expect((await podsNs.run('ip', [flag, 'route', 'get', SERVICES[family].clusterIp])).stdout).toContain(
          `via ${podGateway} dev ${LINKS.uplink}`,
        );
        expect((await outside.run('ip', [flag, 'route', 'get', SERVICES[family].externalIp])).stdout).toContain(
          `via ${nodeIp} dev ${LINKS.uplink}`,
        );
      }
      started = performance.now();
      await startBackends(topology);
      measured('one helper process started (backends)', started);
      expect(helperProcesses()).toHaveLength(1);
    } finally {
      started = performance.now();
      await topology.delete();
      measured('teardown: a helper closed, 3 namespaces deleted', started);
    }
    const namespaces = (await own.run('ip', ['netns', 'list'])).stdout;
    for (const netns of [node, podsNs, outside]) expect(namespaces).not.toContain(netns.name);
    expect((await own.run('ip', ['-o', 'link', 'show'])).stdout).toBe(linksBefore);
    expect(helperProcesses()).toEqual([]);
  });
});

describe('three pods behind hand-made IPVS virtual servers', () => {
  let topology: Topology | undefined;
  let backends: Backends | undefined;
  let nodeClient: TrafficClient | undefined;
  let outsideClient: TrafficClient | undefined;

  const the = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in beforeAll`);
    return value;
  };

  beforeAll(async () => {
    assertKernelHasIpvs();
    let started = performance.now();
    const made = await createTopology('e2e');
    topology = made;
    measured('topology (again, for the traffic tests)', started);

    // The node's services, by hand: kube-ipvs0 (a dummy link, left down as kube-proxy leaves it)
    // holding the ClusterIPs and externalIPs, and IPVS virtual servers.
    started = performance.now();
    const serviceAddresses = FAMILIES.flatMap((f) => [SERVICES[f].clusterIp, SERVICES[f].externalIp]);
    await ownNetns().run('ip', ['-n', made.node.name, '-batch', '-'], {
      input: [
        'link add kube-ipvs0 type dummy',
        ...serviceAddresses.map((a) => `address add ${a}/${a.includes(':') ? 128 : 32} dev kube-ipvs0`),
      ].join('\n'),
    });
    await made.node.run('ipvsadm', ['-R'], { input: FAMILIES.map(ipvsRules).join('') });
    // What kube-proxy's IPVS mode sets besides (and kipvs will): a packet of a connection whose real
    // server is gone is rescheduled, not dropped (a new UDP socket may reuse an old source port).
    await made.node.run('sysctl', ['-q', '-w', 'net.ipv4.vs.expire_nodest_conn=1']);
    // NodePort traffic masqueraded, as kube-proxy does for NodePorts (externalTrafficPolicy
    // Cluster); the ipvs match (xt_ipvs) picks packets IPVS scheduled to that virtual server.
    for (const [tool, family] of [
      [testIptablesCommand('inet'), 'ipv4'],
      [testIptablesCommand('inet6'), 'ipv6'],
    ] as const) {
      const nodePort = [
        '-m',
        'ipvs',
        '--vaddr',
        ADDRESSES[family].nodeIp,
        '--vport',
        String(NODE_PORT),
        '-j',
        'MASQUERADE',
      ];
      await made.node.run(tool, ['-t', 'nat', '-A', 'POSTROUTING', ...nodePort]);
    }
    measured(
      `kube-ipvs0, 10 virtual servers x 3 real servers, sysctl, masquerade (ip, ipvsadm -R, ${testIptablesCommand('inet')})`,
      started,
    );

    started = performance.now();
    [backends, nodeClient, outsideClient] = await Promise.all([
      startBackends(made),
      startTraffic(made, 'node'),
      startTraffic(made, 'outside'),
    ]);
    measured('3 helper processes started together (backends, 2 traffic clients)', started);

    started = performance.now();
    await backends.add(FAMILIES.flatMap((f) => pods(f).map((address) => ({ address }))));
    measured('6 pods added (addresses bound, HTTP and UDP listening)', started);
  });

  afterAll(async () => {
    const started = performance.now();
    await topology?.delete(); // the helpers first, then the namespaces
    measured('teardown: 3 helpers closed, 3 namespaces deleted', started);
    process.stdout.write(
      `e2e harness costs in this kernel:\n${Object.entries(costs)
        .map(([what, cost]) => `  ${what}: ${cost}`)
        .join('\n')}\n`,
    );
  });

  test('each pod answers directly with its own address (no IPVS involved)', async () => {
    const client = the(nodeClient, 'the node client');
    const targets = FAMILIES.flatMap((f) =>
      pods(f).flatMap((pod) => [http(pod, POD_HTTP_PORT), udp(pod, POD_UDP_PORT)]),
    );
    await client.start(targets, { intervalMs: 200, timeoutMs: 1_000 });
    await sleep(500);
    const report = await client.stop();
    for (const target of targets) {
      const counts = reportFor(report, target);
      expect(outcome(counts)).toEqual(answeredOnlyBy(target, [target.address]));
      expect(counts.answered).toBeGreaterThan(0);
      // the node's requests leave by its link to the pods, from its address there
      expect(Object.keys(counts.clients)).toEqual([ADDRESSES[familyOf(target.address)].podGateway]);
    }
  });

  test.each(mutableRows(FAMILIES.map((family) => [family] as const)))(
    '%s: ClusterIP from the node, NodePort and externalIP from outside, all answered by all 3 pods, as ipvsadm counts',
    async (family) => {
      const node = the(nodeClient, 'the node client');
      const outside = the(outsideClient, 'the outside client');
      const nodeNs = the(topology, 'the topology').node;
      const started = performance.now();
      await Promise.all([node.start(nodeTargets(family)), outside.start(outsideTargets(family))]);
      await sleep(2_000);
      const [fromNode, fromOutside] = await Promise.all([node.stop(), outside.stop()]);
      const seconds = (performance.now() - started) / 1000;
      const answered = [...fromNode.targets, ...fromOutside.targets].reduce((sum, t) => sum + t.answered, 0);
      measured(
        `${family}: 5 targets, one request each per ${DEFAULT_TRAFFIC.intervalMs} ms, 2 clients`,
        started,
        `, ${(answered / seconds).toFixed(0)} answers/s`,
      );

      for (const [report, targets] of [
        [fromNode, nodeTargets(family)],
        [fromOutside, outsideTargets(family)],
      ] as const) {
        for (const target of targets) {
          const counts = reportFor(report, target);
          expect(outcome(counts)).toEqual(answeredOnlyBy(target, pods(family)));
          // every HTTP request was a new connection: IPVS's own table and conntrack list each, at
          // the pod that answered it
          if (target.protocol === 'http') {
            expect(await connectionsByRealServer(nodeNs, target)).toEqual(counts.backends);
            expect(await conntrackByReplySource(nodeNs, family, target)).toEqual(counts.backends);
          }
        }
      }
      // who the pods saw: the outside client masqueraded to the node's pod-side address on the
      // NodePort (the iptables rule of beforeAll), kept as it is on the externalIP; the node's own
      // requests come from the ClusterIP itself (the source the kernel picks for a local address)
      const { podGateway, outsideIp } = ADDRESSES[family];
      const clients = (report: TrafficReport): Record<string, string[]> =>
        Object.fromEntries(report.targets.map((t) => [t.target, Object.keys(t.clients)]));
      expect({ ...clients(fromNode), ...clients(fromOutside) }).toEqual(
        Object.fromEntries([
          ...nodeTargets(family).map((t) => [targetName(t), [SERVICES[family].clusterIp]]),
          ...outsideTargets(family).map((t) => [targetName(t), [t.port === NODE_PORT ? podGateway : outsideIp]]),
        ]),
      );
      // and curl, an HTTP client of its own, is answered by a pod through both
      expect(pods(family)).toContain(await curlPod(nodeNs, http(SERVICES[family].clusterIp, SERVICE_PORT)));
      expect(pods(family)).toContain(
        await curlPod(the(topology, 'the topology').outside, http(ADDRESSES[family].nodeIp, NODE_PORT)),
      );
    },
  );

  test.each(mutableRows(FAMILIES.map((family) => [family] as const)))(
    '%s: a real server removed while traffic flows gets no new requests',
    async (family) => {
      const node = the(nodeClient, 'the node client');
      const outside = the(outsideClient, 'the outside client');
      const nodeNs = the(topology, 'the topology').node;
      const [kept1, kept2, removed] = pods(family) as [string, string, string];
      await Promise.all([node.start(nodeTargets(family)), outside.start(outsideTargets(family))]);
      await sleep(1_000);
      const before = await Promise.all([node.report(), outside.report()]);
      for (const report of before)
        for (const target of report.targets)
          expect(outcome(target)).toEqual(answeredOnlyBy(target.target, pods(family)));

      await nodeNs.run('ipvsadm', ['-R'], { input: realServerRules(family, '-d', removed) });
      expect(await nodeNs.ipvsSave()).not.toContain(removed);
      // requests sent before the deletion end within a timeout; a clean window starts after that
      await sleep(DEFAULT_TRAFFIC.timeoutMs);
      await Promise.all([node.report(), outside.report()]);
      await sleep(1_500);
      const after = await Promise.all([node.stop(), outside.stop()]);
      for (const report of after)
        for (const target of report.targets)
          expect(outcome(target)).toEqual(answeredOnlyBy(target.target, [kept1, kept2]));

      // back as it was, for the tests after this one
      await nodeNs.run('ipvsadm', ['-R'], { input: realServerRules(family, '-a', removed) });
    },
  );

  test('sustains twice its default rate per target (measured: the most one client gets through IPVS)', async () => {
    const client = the(nodeClient, 'the node client');
    const targets = nodeTargets('ipv4');
    const started = performance.now();
    await client.start(targets, { intervalMs: 2, timeoutMs: DEFAULT_TRAFFIC.timeoutMs });
    await sleep(2_000);
    const report = await client.stop();
    const seconds = (performance.now() - started) / 1000;
    for (const target of targets) {
      const counts = reportFor(report, target);
      const rate = counts.answered / seconds;
      measured(
        `one client, ${target.protocol} through IPVS, a request every 2 ms asked`,
        started,
        `: ${rate.toFixed(0)} answers/s, failures ${JSON.stringify(counts.failures)}`,
      );
      expect(rate).toBeGreaterThan((2 * 1000) / DEFAULT_TRAFFIC.intervalMs);
    }
  });

  test('a refusing pod is refused, a silent one times out, a removed one is unreachable; each serves again when told', async () => {
    const client = the(nodeClient, 'the node client');
    const pods4 = the(backends, 'the backends');
    const [refusing, silent, removed] = pods('ipv4') as [string, string, string];
    const targets = [refusing, silent, removed].flatMap((pod) => [http(pod, POD_HTTP_PORT), udp(pod, POD_UDP_PORT)]);
    const settings = { intervalMs: 250, timeoutMs: 500 };

    await pods4.setState([refusing], 'refusing');
    await pods4.setState([silent], 'silent');
    await pods4.remove([removed]);
    await client.start(targets, settings);
    await sleep(1_500);
    const broken = await client.stop();
    const reasons = (pod: string): string[][] =>
      [http(pod, POD_HTTP_PORT), udp(pod, POD_UDP_PORT)].map((target) =>
        Object.keys(reportFor(broken, target).failures),
      );
    expect({ refusing: reasons(refusing), silent: reasons(silent), removed: reasons(removed) }).toEqual({
      refusing: [['ECONNREFUSED'], ['ECONNREFUSED']],
      silent: [['timeout'], ['timeout']],
      // nobody answers ARP for it any more: the node gives up (EHOSTUNREACH) only after ~3 s
      removed: [['timeout'], ['timeout']],
    });
    for (const target of broken.targets) expect(target.answered).toBe(0);

    await pods4.setState([refusing, silent], 'serving');
    await pods4.add([{ address: removed }]);
    await client.start(targets, settings);
    await sleep(1_000);
    const healed = await client.stop();
    for (const target of targets) {
      const counts = reportFor(healed, target);
      expect(outcome(counts)).toEqual(answeredOnlyBy(target, [target.address]));
      expect(counts.answered).toBeGreaterThan(0);
    }
  });
});
