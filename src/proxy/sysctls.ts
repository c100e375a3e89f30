// The sysctls kube-proxy's IPVS mode sets at start-up, as desired values.
import type { Sysctl } from '../contracts/desired-state.js';

/** [major, minor] of a kernel release such as "6.8.0-45-generic"; undefined if it does not start so. */
function kernelVersion(release: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(release);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function atLeast(version: [number, number], major: number, minor: number): boolean {
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

/**
 * conn_reuse_mode 0 stops IPVS from rescheduling a reused client port to another real
 * server, but before 5.9 that came with a 1 s stall on reuse of a removed server's
 * connection (kubernetes#93297), and kernels before 4.1 lack the sysctl: kube-proxy sets
 * it to 0 only on 4.1 up to 5.8 and leaves it alone elsewhere. An unknown kernel counts
 * as recent.
 */
function connReuseMode(kernelRelease: string | undefined): Sysctl[] {
  const version = kernelRelease === undefined ? undefined : kernelVersion(kernelRelease);
  if (!version || !atLeast(version, 4, 1) || atLeast(version, 5, 9)) return [];
  return [{ name: 'net/ipv4/vs/conn_reuse_mode', value: 0 }];
}

export function desiredSysctls(strictARP: boolean, kernelRelease: string | undefined): Sysctl[] {
  const sysctls: Sysctl[] = [
    // IPVS keeps conntrack entries, which the iptables masquerade rules need.
    { name: 'net/ipv4/vs/conntrack', value: 1 },
    ...connReuseMode(kernelRelease),
    // Connections to a deleted real server are expired instead of black-holed...
    { name: 'net/ipv4/vs/expire_nodest_conn', value: 1 },
    // ...and so are persistence templates pointing at a weight-0 (draining) one.
    { name: 'net/ipv4/vs/expire_quiescent_template', value: 1 },
    { name: 'net/ipv4/ip_forward', value: 1 },
    // strictARP: do not answer ARP for the service addresses bound to kube-ipvs0 (MetalLB, kube-vip).
    ...(strictARP
      ? [
          { name: 'net/ipv4/conf/all/arp_ignore', value: 1 },
          { name: 'net/ipv4/conf/all/arp_announce', value: 2 },
        ]
      : []),
  ];
  return sysctls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
