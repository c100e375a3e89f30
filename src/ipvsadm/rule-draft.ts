// Reading the options of one rules-file line into the state ipvsadm builds
// from them (parse_options in ipvsadm 1.31), in the order they are written:
// a -r without a port takes the service's port as known at that point, and -M
// before -t is read as an IPv4 netmask. Values are checked as ipvsadm checks
// them, plus scheduler and persistence engine names (a typo is a line error
// before anything is applied), and a negative -f, which is how ipvsadm -S
// prints marks above 2^31-1, reads as that mark. Weights go up to 2147483647
// (Debian's ipvsadm 1.31 patch; upstream stops at 65535).
import type { AddressFamily } from '../net/ip-address.js';
import { SCHEDULERS, type ForwardingMethod, type Protocol, type TunnelType } from '../ipvs/types.js';
import { cDecimal, parseEndpoint } from './endpoint.js';
import { inetAton } from './inet-aton.js';
import type { GivenOption } from './rule-options.js';
import { number, refuse } from './rule-problem.js';

const PERSISTENCE_ENGINES = ['sip'];
/** MAX_TIMEOUT in ipvsadm.c: 31 days. */
export const MAX_TIMEOUT = 86400 * 31;
/** IPVS_SVC_PERSISTENT_TIMEOUT in libipvs.h. */
const DEFAULT_PERSISTENT_TIMEOUT = 360;
const INT_MAX = 2147483647;

/** IP_VS_TUNNEL_ENCAP_FLAG_* of each checksum option. */
const TUNNEL_FLAG: Readonly<Record<string, number>> = { 'tun-nocsum': 0, 'tun-csum': 1, 'tun-remcsum': 2 };

const FORWARDING: Readonly<Record<string, ForwardingMethod>> = {
  masquerading: 'masquerade',
  ipip: 'tunnel',
  gatewaying: 'route',
};
const PROTOCOL: Readonly<Record<string, Protocol>> = {
  'tcp-service': 'tcp',
  'udp-service': 'udp',
  'sctp-service': 'sctp',
};

/** The state ipvsadm builds while reading a line's options (struct ipvs_command_entry). */
export interface Draft {
  command?: GivenOption;
  readonly seen: Map<string, GivenOption>;
  service: { family: AddressFamily; protocol: Protocol; address: string; port: number; fwmark: number };
  scheduler?: string;
  persistent: boolean;
  onePacket: boolean;
  timeout: number;
  netmask: number;
  persistenceEngine?: string;
  schedulerFlags?: GivenOption;
  realServer: { family: AddressFamily; address: string; port: number };
  forwarding: ForwardingMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  tunnelType: TunnelType;
  tunnelPort: number;
  tunnelFlags: number;
}

export function newDraft(): Draft {
  return {
    seen: new Map(),
    service: { family: 'inet', protocol: 'tcp', address: '0.0.0.0', port: 0, fwmark: 0 },
    persistent: false,
    onePacket: false,
    timeout: 0,
    netmask: 0xffffffff,
    realServer: { family: 'inet', address: '0.0.0.0', port: 0 },
    forwarding: 'route',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    tunnelType: 'ipip',
    tunnelPort: 0,
    tunnelFlags: 0,
  };
}

function endpointOf(given: GivenOption, what: string) {
  const parsed = parseEndpoint(given.value ?? '');
  if (!parsed.ok) refuse('value', `invalid ${what} "${given.value ?? ''}" for ${given.written}: ${parsed.reason}`);
  return parsed.endpoint;
}

/** Applies one option to the draft, in line order (parse_options' loop). */
export function applyOption(draft: Draft, given: GivenOption): void {
  const { spec } = given;
  if (spec.command !== undefined) {
    if (draft.command !== undefined)
      refuse('syntax', `more than one command (${draft.command.written} and ${given.written})`);
    draft.command = given;
    return;
  }
  if (spec.group !== undefined) {
    const earlier = draft.seen.get(spec.group);
    if (earlier !== undefined)
      refuse('combination', `more than one ${spec.group} option (${earlier.written} and ${given.written})`);
    draft.seen.set(spec.group, given);
  }
  switch (spec.long) {
    case 'tcp-service':
    case 'udp-service':
    case 'sctp-service': {
      const endpoint = endpointOf(given, 'service address');
      const protocol = PROTOCOL[spec.long] ?? 'tcp';
      draft.service = {
        family: endpoint.family,
        protocol,
        address: endpoint.address,
        port: endpoint.port ?? 0,
        fwmark: 0,
      };
      if (endpoint.family === 'inet6') draft.netmask = 128;
      return;
    }
    case 'fwmark-service': {
      // ipvsadm -S prints marks above 2^31-1 as negative numbers (printf %d) but ipvsadm -R
      // refuses them; kipvs reads them back as the mark they stand for.
      const signed = cDecimal(given.value ?? '', -0x80000000, 0xffffffff);
      if (signed === undefined || signed === 0)
        refuse('value', `invalid firewall mark "${given.value ?? ''}" for ${given.written} (expected 1-4294967295)`);
      draft.service = { ...draft.service, family: 'inet', fwmark: signed >>> 0 };
      return;
    }
    case 'ipv6':
      if (draft.service.fwmark === 0)
        refuse('combination', `${given.written} must follow -f (it makes a fwmark service IPv6)`);
      draft.service = { ...draft.service, family: 'inet6' };
      draft.netmask = 128;
      return;
    case 'scheduler': {
      const name = given.value ?? '';
      if (!(SCHEDULERS as readonly string[]).includes(name)) refuse('value', `unknown scheduler "${name}"`);
      draft.scheduler = name;
      return;
    }
    case 'persistent':
      draft.persistent = true;
      draft.timeout =
        given.value === undefined ? DEFAULT_PERSISTENT_TIMEOUT : number(given, 'persistence timeout', 1, MAX_TIMEOUT);
      return;
    case 'netmask':
      draft.netmask = netmaskOf(draft.service.family, given);
      return;
    case 'real-server': {
      const endpoint = endpointOf(given, 'real server address');
      draft.realServer = {
        family: endpoint.family,
        address: endpoint.address,
        port: endpoint.port ?? draft.service.port,
      };
      return;
    }
    case 'masquerading':
    case 'ipip':
    case 'gatewaying':
      draft.forwarding = FORWARDING[spec.long] ?? 'route';
      return;
    case 'weight':
      draft.weight = number(given, 'weight', 0, INT_MAX);
      return;
    case 'u-threshold':
      draft.upperThreshold = number(given, 'upper threshold', 0, INT_MAX);
      return;
    case 'l-threshold':
      draft.lowerThreshold = number(given, 'lower threshold', 0, INT_MAX);
      return;
    case 'ops':
      draft.onePacket = true;
      return;
    case 'pe': {
      const name = given.value ?? '';
      if (!PERSISTENCE_ENGINES.includes(name)) refuse('value', `unknown persistence engine "${name}"`);
      draft.persistenceEngine = name;
      return;
    }
    case 'sched-flags':
      // Read after all options, when the scheduler is known.
      draft.schedulerFlags = given;
      return;
    case 'tun-type': {
      const type = given.value ?? '';
      if (type !== 'ipip' && type !== 'gue' && type !== 'gre')
        refuse('value', `unknown tunnel type "${type}" (expected ipip, gue or gre)`);
      draft.tunnelType = type;
      return;
    }
    case 'tun-port':
      draft.tunnelPort = number(given, 'tunnel port', 1, 65535);
      return;
    case 'tun-nocsum':
    case 'tun-csum':
    case 'tun-remcsum':
      draft.tunnelFlags |= TUNNEL_FLAG[spec.long] ?? 0;
      return;
    default:
      // --sort is accepted and ignored; the list and daemon options are refused by the command check.
      return;
  }
}

/** -M: an IPv4 netmask in inet_aton syntax, or for an IPv6 service a prefix length 1-128 (read with atoi). */
function netmaskOf(family: AddressFamily, given: GivenOption): number {
  const text = given.value ?? '';
  if (family === 'inet6') {
    const atoi = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(text);
    const prefix = atoi === null ? 0 : Number(atoi[1]);
    if (prefix < 1 || prefix > 128)
      refuse('value', `invalid IPv6 persistence prefix length "${text}" for ${given.written} (expected 1-128)`);
    return prefix;
  }
  return inetAton(text) ?? refuse('value', `invalid persistence netmask "${text}" for ${given.written}`);
}
