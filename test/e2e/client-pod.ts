// A client pod: a namespace of its own on the node, with an address in the cluster CIDR, for
// pod -> Service traffic. The backends' pods share one namespace, where a reply between two of
// them would never leave it (the kernel delivers it locally) and so would skip the node's IPVS;
// a client pod with its own link to the node sends and gets everything through the node, as a
// pod of a real node does through its veth.
//
//   node                                  client pod
//   cpod0 10.244.2.1/24 ---------------- eth0 10.244.2.2/24
//         fd00:244:2::1/64                    fd00:244:2::2/64   default route: the node
import { createFreshNetns, ownNetns, type FreshNetns } from '../uml/netns.js';
import { FAMILIES, LINKS, type Family, type Topology } from './topology.js';

/** The node's end of the client pod's link. */
const NODE_LINK = 'cpod0';

/** The client pod's own address, and the node's on its link, by family. */
export const CLIENT_POD: { readonly [F in Family]: { readonly address: string; readonly gateway: string } } = {
  ipv4: { address: '10.244.2.2', gateway: '10.244.2.1' },
  ipv6: { address: 'fd00:244:2::2', gateway: 'fd00:244:2::1' },
};
const PREFIX: { readonly [F in Family]: number } = { ipv4: 24, ipv6: 64 };

/** Creates the client pod's namespace, wired to the topology's node; deleted with the topology. */
export async function addClientPod(topology: Topology, label: string): Promise<FreshNetns> {
  const netns = await createFreshNetns(`${label}-client-pod`);
  topology.adopt({ close: () => netns.delete() });
  await netns.run('sysctl', ['-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
  const ip = (where: readonly string[], lines: readonly string[]): Promise<unknown> =>
    ownNetns().run('ip', [...where, '-batch', '-'], { input: `${lines.join('\n')}\n` });
  await ip(
    [],
    [`link add name ${NODE_LINK} netns ${topology.node.name} type veth peer name ${LINKS.uplink} netns ${netns.name}`],
  );
  await Promise.all([
    ip(
      ['-n', topology.node.name],
      [
        ...FAMILIES.map((f) => `address add ${CLIENT_POD[f].gateway}/${PREFIX[f]} dev ${NODE_LINK}`),
        `link set ${NODE_LINK} up`,
      ],
    ),
    ip(
      ['-n', netns.name],
      [
        ...FAMILIES.map((f) => `address add ${CLIENT_POD[f].address}/${PREFIX[f]} dev ${LINKS.uplink}`),
        `link set ${LINKS.uplink} up`,
        ...FAMILIES.map((f) => `route add default via ${CLIENT_POD[f].gateway} dev ${LINKS.uplink}`),
      ],
    ),
  ]);
  return netns;
}
