// Random damage to a live state, for the property tests: a kernel that drifted
// from the model in every way the diff must repair, plus state that is not
// kipvs's (foreign, fwmark and excluded virtual servers) that it must leave alone.
import fc from 'fast-check';
import type { LiveFamilyState, LiveState } from '../../../src/contracts/live-state.js';
import type { IpsetEntry, LiveIpset } from '../../../src/ipset/types.js';
import type { LiveService } from '../../../src/ipvs/types.js';
import { liveReal, liveServer, realServer, virtualServer } from './states.js';

/** Address ranges no generated Service uses; 10.97.0.0/24 is the tests' excludeCIDRs. */
export const FOREIGN_PREFIX = '172.16.0.';
export const EXCLUDED_PREFIX = '10.97.0.';

const KINDS = [
  'connections',
  'weight0',
  'dropRealServer',
  'extraRealServer',
  'scheduler',
  'dropService',
  'foreign',
  'fwmark',
  'excluded',
  'staleOwned',
  'dropAddress',
  'extraAddress',
  'dropEntry',
  'extraEntry',
  'dropSet',
  'retypeSet',
  'dropRule',
  'extraRule',
  'dropChain',
  'noLink',
  'timeouts',
] as const;
export type DamageKind = (typeof KINDS)[number];
export interface Damage {
  readonly kind: DamageKind;
  readonly a: number;
  readonly b: number;
}

export const damages: fc.Arbitrary<Damage[]> = fc.array(
  fc.record({ kind: fc.constantFrom(...KINDS), a: fc.nat(1000), b: fc.nat(1000) }),
  { maxLength: 12 },
);

function at<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function replaceAt<T>(items: readonly T[], index: number, change: (item: T) => T | undefined): T[] {
  const i = index % Math.max(1, items.length);
  return items.flatMap((item, j) => (j === i ? (change(item) ?? []) : [item]));
}

/** A member of the set's type that no model set holds. */
function strayEntry(set: LiveIpset, n: number): IpsetEntry | undefined {
  const ip = set.header.family === 'inet6' ? `fd00:99::${n.toString(16)}` : `10.99.0.${n % 250}`;
  switch (set.header.type) {
    case 'bitmap:port':
      return { port: 40000 + (n % 1000) };
    case 'hash:ip':
      return { ip };
    case 'hash:ip,port':
      return { ip, protocol: 'tcp', port: n };
    case 'hash:ip,port,ip':
      return { ip, protocol: 'udp', port: n, ip2: ip };
    default:
      return undefined;
  }
}

function damageFamily(f: LiveFamilyState, { kind, a, b }: Damage): LiveFamilyState {
  const v6 = f.family === 'inet6';
  const services = (change: (s: LiveService) => LiveService | undefined): LiveFamilyState => ({
    ...f,
    virtualServers: replaceAt(f.virtualServers, a, change),
  });
  const realServers = (
    change: (rs: LiveService['realServers'][number]) => LiveService['realServers'][number] | undefined,
  ) => services((s) => ({ ...s, realServers: replaceAt(s.realServers, b, change) }));
  const extraService = (address: string, port: number, protocol: 'tcp' | 'udp'): LiveService =>
    liveServer(virtualServer(address, port, protocol), [
      liveReal(realServer(v6 ? 'fd00:244::99' : '10.244.9.9', 8080, 1 + (b % 3)), b % 2),
    ]);
  switch (kind) {
    case 'connections':
      return realServers((rs) => ({ ...rs, activeConnections: b % 3, inactiveConnections: (b >> 2) % 2 }));
    case 'weight0':
      return realServers((rs) => ({ ...rs, weight: 0, activeConnections: b % 2 }));
    case 'dropRealServer':
      return realServers(() => undefined);
    case 'extraRealServer':
      return services((s) => ({
        ...s,
        realServers: [
          ...s.realServers.filter((r) => r.port !== 7000 + (b % 3)),
          liveReal(realServer(v6 ? 'fd00:244::77' : '10.244.7.7', 7000 + (b % 3)), b % 3, b % 2),
        ],
      }));
    case 'scheduler':
      return services((s) => ({
        ...s,
        service: { ...s.service, scheduler: 'wrr', timeout: b % 2 ? 30 : s.service.timeout },
      }));
    case 'dropService':
      return services(() => undefined);
    case 'foreign':
      return v6
        ? f
        : {
            ...f,
            virtualServers: [
              ...f.virtualServers,
              extraService(`${FOREIGN_PREFIX}${a % 4}`, 80 + (b % 3), b % 2 ? 'udp' : 'tcp'),
            ],
          };
    case 'fwmark': {
      const marked = liveServer(
        { ...virtualServer(v6 ? 'fd00::1' : '10.0.0.1', 0), key: { family: f.family, fwmark: 1 + (a % 5) } },
        [liveReal(realServer(v6 ? 'fd00:244::5' : '10.244.5.5', 80), b % 2)],
      );
      return f.virtualServers.some((s) => 'fwmark' in s.service.key && s.service.key.fwmark === 1 + (a % 5))
        ? f
        : { ...f, virtualServers: [...f.virtualServers, marked] };
    }
    case 'excluded': {
      if (v6) return f;
      const address = `${EXCLUDED_PREFIX}${a % 4}`;
      const bound = f.linkAddresses.some((l) => l.address === address)
        ? f.linkAddresses
        : [...f.linkAddresses, { address, prefixLength: 32 }];
      return {
        ...f,
        linkAddresses: bound,
        virtualServers: [
          ...f.virtualServers.filter((s) => !('address' in s.service.key && s.service.key.address === address)),
          extraService(address, 80, 'tcp'),
        ],
      };
    }
    case 'staleOwned': {
      const address = at(f.linkAddresses, a)?.address;
      if (!address) return f;
      const others = f.virtualServers.filter(
        (s) => !('address' in s.service.key && s.service.key.address === address && s.service.key.port === 9999),
      );
      return { ...f, virtualServers: [...others, extraService(address, 9999, b % 2 ? 'udp' : 'tcp')] };
    }
    case 'dropAddress':
      return { ...f, linkAddresses: replaceAt(f.linkAddresses, a, () => undefined) };
    case 'extraAddress': {
      const address = v6 ? `fd00:96::${(a % 9) + 100}` : `10.96.1.${a % 9}`;
      return f.linkAddresses.some((l) => l.address === address)
        ? f
        : { ...f, linkAddresses: [...f.linkAddresses, { address, prefixLength: v6 ? 128 : 32 }] };
    }
    case 'dropEntry':
      return {
        ...f,
        ipsets: replaceAt(f.ipsets, a, (s) => ({ ...s, entries: replaceAt(s.entries, b, () => undefined) })),
      };
    case 'extraEntry':
      return {
        ...f,
        ipsets: replaceAt(f.ipsets, a, (s) => {
          const entry = strayEntry(s, b);
          return entry ? { ...s, entries: [...s.entries, entry] } : s;
        }),
      };
    case 'dropSet':
      return { ...f, ipsets: replaceAt(f.ipsets, a, () => undefined) };
    case 'retypeSet':
      return {
        ...f,
        ipsets: replaceAt(f.ipsets, a, (s) => ({
          header: { ...s.header, type: s.header.type === 'hash:ip' ? 'hash:ip,port' : 'hash:ip', family: f.family },
          entries: [],
        })),
      };
    case 'dropRule':
    case 'extraRule':
    case 'dropChain': {
      const table = b % 2 ? 'nat' : 'filter';
      const chains = new Map(f.iptables[table].chains);
      const name = at([...chains.keys()], a);
      if (name === undefined) return f;
      const rules = chains.get(name) ?? [];
      // Built-in chains always exist: dropping one only empties it.
      if (kind === 'dropChain') {
        if (name.startsWith('KUBE-')) chains.delete(name);
        else chains.set(name, []);
      } else if (kind === 'dropRule')
        chains.set(
          name,
          replaceAt(rules, b, () => undefined),
        );
      else chains.set(name, [...rules, `-A ${name} -s 10.0.0.${b % 250}/32 -j ACCEPT`]);
      return { ...f, iptables: { ...f.iptables, [table]: { chains } } };
    }
    default:
      return f;
  }
}

/** `state` with one damage done. */
function damageState(state: LiveState, d: Damage): LiveState {
  if (d.kind === 'noLink') {
    // Without kube-ipvs0 there is no address on it either.
    const { link: _gone, ...rest } = state;
    return { ...rest, families: rest.families.map((f) => ({ ...f, linkAddresses: [] })) };
  }
  if (d.kind === 'timeouts') return { ...state, ipvsTimeouts: { tcp: d.a, tcpFin: d.b, udp: 5 } };
  return { ...state, families: replaceAt(state.families, d.a >> 3, (f) => damageFamily(f, d)) };
}

export function damage(live: LiveState, list: readonly Damage[]): LiveState {
  return list.reduce(damageState, live);
}
