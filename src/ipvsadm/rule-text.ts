// The pieces of text ipvsadm 1.31 prints for a service and a real server, shared by
// the save format (`ipvsadm -Sn`), the list format (`ipvsadm -Ln`) and the dry-run
// of `kipvs restore`. Each function names the ipvsadm.c routine whose output it matches.
import type { AddressFamily } from '../net/ip-address.js';
import { inetNtoa } from './inet-aton.js';
import { hasSchedulerFlags, schedulerFlagNames } from '../ipvs/scheduler-flags.js';
import { isFwmarkKey, type RealServer, type ServiceKey, type VirtualServer } from '../ipvs/types.js';

/** addrport_to_anyname with -n: "10.0.0.1:80", "[2001:db8::1]:80". */
export function hostPort(family: AddressFamily, address: string, port: number): string {
  return family === 'inet6' ? `[${address}]:${port}` : `${address}:${port}`;
}

/** ipvsadm prints a fwmark with %d: marks above 2^31-1 come out negative. */
function signedFwmark(fwmark: number): number {
  return fwmark | 0;
}

const PROTOCOL_OPTION = { tcp: '-t', udp: '-u', sctp: '--sctp-service' } as const;
const PROTOCOL_NAME = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;

/** The service as ipvsadm -S names it: "-t 10.0.0.1:80", "-f 5 -6". */
export function serviceOption(key: ServiceKey): string {
  if (isFwmarkKey(key)) return `-f ${signedFwmark(key.fwmark)}${key.family === 'inet6' ? ' -6' : ''}`;
  return `${PROTOCOL_OPTION[key.protocol]} ${hostPort(key.family, key.address, key.port)}`;
}

/** The service as ipvsadm -L names it: "TCP  10.0.0.1:80", "FWM  5 IPv6". */
export function serviceLabel(key: ServiceKey): string {
  if (isFwmarkKey(key)) return `FWM  ${signedFwmark(key.fwmark)}${key.family === 'inet6' ? ' IPv6' : ''}`;
  return `${PROTOCOL_NAME[key.protocol].padEnd(4)} ${hostPort(key.family, key.address, key.port)}`;
}

/** The persistence granularity when it is not one client address: a dotted IPv4 netmask or an IPv6 prefix length. */
function persistenceMask(service: VirtualServer): string | undefined {
  if (service.key.family === 'inet6') return service.netmask === 128 ? undefined : String(service.netmask);
  return service.netmask >>> 0 === 0xffffffff ? undefined : inetNtoa(service.netmask);
}

/** The options of a -A line after the service: "-s rr -p 300 -M 255.255.255.0 --pe sip -o -b sh-port". */
export function serviceRuleOptions(service: VirtualServer): string {
  let text = `-s ${service.scheduler}`;
  if (service.flags.persistent) {
    text += ` -p ${service.timeout}`;
    const mask = persistenceMask(service);
    if (mask !== undefined) text += ` -M ${mask}`;
  }
  if (service.persistenceEngine) text += ` --pe ${service.persistenceEngine}`;
  if (service.flags.onePacket) text += ' -o';
  if (hasSchedulerFlags(service.flags)) text += ` -b ${schedulerFlagNames(service.scheduler, service.flags)}`;
  return text;
}

/** What follows the service label on an ipvsadm -L line: "rr (sh-port) persistent 300 mask 255.255.255.0 pe sip ops". */
export function serviceListDetails(service: VirtualServer): string {
  let text = service.scheduler;
  if (hasSchedulerFlags(service.flags)) text += ` (${schedulerFlagNames(service.scheduler, service.flags)})`;
  if (service.flags.persistent) {
    text += ` persistent ${service.timeout}`;
    const mask = persistenceMask(service);
    if (mask !== undefined) text += ` mask ${mask}`;
    // Unlike -S, -L shows the persistence engine only on persistent services.
    if (service.persistenceEngine) text += ` pe ${service.persistenceEngine}`;
  }
  if (service.flags.onePacket) text += ' ops';
  return text;
}

/**
 * fwd_switch and fwd_name. Local delivery is saved as -g, as ipvsadm does. ipvsadm has no
 * name for the bypass method and passes a NULL pointer to printf, which glibc prints as "(null)".
 */
const FORWARDING = {
  masquerade: { option: '-m', name: 'Masq' },
  local: { option: '-g', name: 'Local' },
  tunnel: { option: '-i', name: 'Tunnel' },
  route: { option: '-g', name: 'Route' },
  bypass: { option: '(null)', name: '(null)' },
} as const;

export function forwardingName(realServer: RealServer): string {
  return FORWARDING[realServer.forwarding].name;
}

/** IP_VS_TUNNEL_ENCAP_FLAG_* 0, 1, 2 as the ipvsadm options and as -L --tun-info abbreviates them. */
const TUNNEL_FLAGS: ReadonlyArray<{ readonly option: string; readonly short: string }> = [
  { option: '--tun-nocsum', short: '-c' },
  { option: '--tun-csum', short: '+c' },
  { option: '--tun-remcsum', short: 'r+c' },
];

/** ipvsadm indexes its table with the kernel's value unchecked; for values it has no entry for we print the number. */
function tunnelFlag(flags: number): { readonly option: string; readonly short: string } {
  return TUNNEL_FLAGS[flags] ?? { option: String(flags), short: String(flags) };
}

/** A tunnel real server without tunnel attributes (kernels before 5.2) is plain IPIP. */
function tunnelOf(realServer: RealServer): NonNullable<RealServer['tunnel']> {
  return realServer.tunnel ?? { type: 'ipip', port: 0, flags: 0 };
}

/** print_tunnel_rule's tail: " --tun-type gue --tun-port 6080 --tun-csum". */
function tunnelRuleOptions(realServer: RealServer): string {
  if (realServer.forwarding !== 'tunnel') return '';
  const tunnel = tunnelOf(realServer);
  switch (tunnel.type) {
    case 'ipip':
      return ' --tun-type ipip';
    case 'gue':
      return ` --tun-type gue --tun-port ${tunnel.port} ${tunnelFlag(tunnel.flags).option}`;
    case 'gre':
      return ` --tun-type gre ${tunnelFlag(tunnel.flags).option}`;
  }
}

/** The options of an -a line after the service: "-r 10.1.0.1:8080 -m -w 1". */
export function realServerRuleOptions(realServer: RealServer): string {
  const { option } = FORWARDING[realServer.forwarding];
  return `-r ${hostPort(realServer.family, realServer.address, realServer.port)} ${option} -w ${realServer.weight}${tunnelRuleOptions(realServer)}`;
}

/** fwd_tun_info: "gue:6080:+c", "gre:-c", "ipip"; undefined (printed "n/a") when not a tunnel. */
export function tunnelInfo(realServer: RealServer): string | undefined {
  if (realServer.forwarding !== 'tunnel') return undefined;
  const tunnel = tunnelOf(realServer);
  switch (tunnel.type) {
    case 'ipip':
      return 'ipip';
    case 'gue':
      return `gue:${tunnel.port}:${tunnelFlag(tunnel.flags).short}`;
    case 'gre':
      return `gre:${tunnelFlag(tunnel.flags).short}`;
  }
}
