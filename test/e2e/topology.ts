// The end-to-end topology: three network namespaces wired like a node of a cluster.
//
//   outside                        node                                   pods
//   eth0 192.168.50.2/24 ----- eth0 192.168.50.1/24   pods0 10.244.1.1/24 ----- eth0 10.244.1.N/32
//        fd00:50::2/64              fd00:50::1/64           fd00:244:1::1/64          fd00:244:1::N/128
//   default via the node      (IPVS, kube-ipvs0, iptables:            default via the node
//                              where kipvs runs; forwards)
//
// - node: where the proxy runs. Its eth0 address is the node IP NodePorts are reached on. It
//   forwards between its links, and IPVS NAT's connection tracking is on.
// - pods: every pod address is bound on one veth (the backends helper adds and removes them), the
//   node's side being their gateway, so replies from pods go back through the node, where IPVS
//   rewrites them (masquerade forwarding needs the reply path through the director).
// - outside: a client off the node. Its default route is the node, so externalIPs and
//   LoadBalancer IPs (any address the node answers for) are routed to it, as a router would.
import { createFreshNetns, ownNetns, type FreshNetns } from '../uml/netns.js';

export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];

export interface FamilyAddresses {
  /** The node's address on the outside link: the node IP NodePorts are reached on. */
  readonly nodeIp: string;
  /** The outside client's own address. */
  readonly outsideIp: string;
  /** The node's address on the pods' link: the pods' gateway. */
  readonly podGateway: string;
  /** The pod network on the node's link to the pods. */
  readonly podCidr: string;
}

/** The topology's addresses, by family. */
export const ADDRESSES: { readonly [F in Family]: FamilyAddresses } = {
  ipv4: { nodeIp: '192.168.50.1', outsideIp: '192.168.50.2', podGateway: '10.244.1.1', podCidr: '10.244.1.0/24' },
  ipv6: { nodeIp: 'fd00:50::1', outsideIp: 'fd00:50::2', podGateway: 'fd00:244:1::1', podCidr: 'fd00:244:1::/64' },
};

/** The prefix length of both links' networks (the outside link's and the pod network). */
const LINK_PREFIX: { readonly [F in Family]: number } = { ipv4: 24, ipv6: 64 };

/** Link names: each namespace calls its link towards the node (or the outside) eth0. */
export const LINKS = {
  /** In node: towards outside. In pods and outside: towards node. */
  uplink: 'eth0',
  /** In node: towards the pods. */
  pods: 'pods0',
} as const;

/** The address of pod number `index` (2 to 254; 1 is the gateway) in the pod network. */
export function podAddress(family: Family, index: number): string {
  if (!Number.isInteger(index) || index < 2 || index > 254) throw new RangeError(`pod index ${index}: 2 to 254`);
  return family === 'ipv4' ? `10.244.1.${index}` : `fd00:244:1::${index.toString(16)}`;
}

/** The address family of an address as text. */
export function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

/** The prefix length a single address is bound with (/32, /128). */
export function hostPrefix(family: Family): number {
  return family === 'ipv4' ? 32 : 128;
}

/** Something that runs in the topology's namespaces and must end before they go (a helper). */
export interface Closable {
  close(): Promise<void>;
}

/** The topology's namespaces by role. */
export type Role = 'node' | 'pods' | 'outside';

export interface Topology {
  /** Where the proxy runs: IPVS, kube-ipvs0, iptables, the node IP. */
  readonly node: FreshNetns;
  /** Where the pods' servers run (test/e2e/backends). */
  readonly pods: FreshNetns;
  /** A client off the node. */
  readonly outside: FreshNetns;
  /**
   * Closes `resource` when the topology is deleted, before the namespaces go: a process inside a
   * namespace keeps it (its links, addresses, IPVS table) alive after `ip netns delete`.
   */
  adopt(resource: Closable): void;
  /** Closes what it adopted, then deletes the three namespaces (links, addresses, IPVS tables). */
  delete(): Promise<void>;
}

// IPv6 duplicate address detection keeps a new address "tentative" (unusable for binding) for a
// second or more; every address here is unique by construction, so it is switched off before the
// links exist (a link takes net.ipv6.conf.default when it is created).
const NO_DAD = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];

// The node routes between its links (a node of a cluster does; kube-proxy does not set these).
// net.ipv4.vs.conntrack=1: IPVS keeps netfilter connection tracking for its connections, as
// kube-proxy's IPVS mode sets it (its masquerade rules match on conntrack state).
const NODE_SYSCTLS = [...NO_DAD, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.vs.conntrack=1'];

/** `ip -batch` lines for one namespace: addresses and routes, links up. */
function nodeConfig(): string[] {
  return [
    ...FAMILIES.flatMap((f) => [
      `address add ${ADDRESSES[f].nodeIp}/${LINK_PREFIX[f]} dev ${LINKS.uplink}`,
      `address add ${ADDRESSES[f].podGateway}/${LINK_PREFIX[f]} dev ${LINKS.pods}`,
    ]),
    `link set ${LINKS.uplink} up`,
    `link set ${LINKS.pods} up`,
  ];
}

function podsConfig(): string[] {
  // No address yet: the gateway is reached through an on-link host route, so that the default
  // route exists before the first pod does. Pod addresses are host addresses (/32, /128): removing
  // one never takes others along (an IPv4 primary address's removal deletes its secondaries).
  return [
    `link set ${LINKS.uplink} up`,
    ...FAMILIES.flatMap((f) => [
      `route add ${ADDRESSES[f].podGateway}/${hostPrefix(f)} dev ${LINKS.uplink}`,
      `route add default via ${ADDRESSES[f].podGateway} dev ${LINKS.uplink}`,
    ]),
  ];
}

function outsideConfig(): string[] {
  return [
    ...FAMILIES.map((f) => `address add ${ADDRESSES[f].outsideIp}/${LINK_PREFIX[f]} dev ${LINKS.uplink}`),
    `link set ${LINKS.uplink} up`,
    ...FAMILIES.map((f) => `route add default via ${ADDRESSES[f].nodeIp} dev ${LINKS.uplink}`),
  ];
}

async function sysctl(netns: FreshNetns, settings: readonly string[]): Promise<void> {
  await netns.run('sysctl', ['-q', '-w', ...settings]);
}

/** Runs `ip` commands in one process (`ip [-n NS] -batch -`), in `netns` or in our own. */
async function ipBatch(netns: FreshNetns | undefined, lines: readonly string[]): Promise<void> {
  const where = netns === undefined ? [] : ['-n', netns.name];
  await ownNetns().run('ip', [...where, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** Waits for every one of `tasks`, then throws the first failure, if any; returns the successes. */
async function settleAll<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/** Creates the three namespaces and wires them; `label` names them (kipvs-<label>-node-...). */
export async function createTopology(label: string): Promise<Topology> {
  const created: FreshNetns[] = [];
  const adopted: Closable[] = [];
  // Every one of them, even when one fails; the first failure is reported.
  const remove = async (): Promise<void> => {
    try {
      await settleAll(adopted.splice(0).map((resource) => resource.close()));
    } finally {
      await settleAll(created.splice(0).map((netns) => netns.delete()));
    }
  };
  try {
    const roles = ['node', 'pods', 'outside'].map(async (role) => {
      const netns = await createFreshNetns(`${label}-${role}`);
      created.push(netns);
      return netns;
    });
    const [node, pods, outside] = (await settleAll(roles)) as [FreshNetns, FreshNetns, FreshNetns];
    await Promise.all([sysctl(node, NODE_SYSCTLS), sysctl(pods, NO_DAD), sysctl(outside, NO_DAD)]);
    // veth pairs created straight into their namespaces (no renaming or moving afterwards)
    await ipBatch(undefined, [
      `link add name ${LINKS.uplink} netns ${node.name} type veth peer name ${LINKS.uplink} netns ${outside.name}`,
      `link add name ${LINKS.pods} netns ${node.name} type veth peer name ${LINKS.uplink} netns ${pods.name}`,
    ]);
    await Promise.all([ipBatch(node, nodeConfig()), ipBatch(pods, podsConfig()), ipBatch(outside, outsideConfig())]);
    const adopt = (resource: Closable): void => {
      adopted.push(resource);
    };
    return { node, pods, outside, adopt, delete: remove };
  } catch (err) {
    await remove().catch(() => undefined);
    throw err;
  }
}
