// The live state a plan leaves behind, computed instead of read: after a plan the kernel
// applied without a failure, the kernel holds the previous live state with the plan applied,
// so the next sync can diff against this value instead of dumping the whole table again
// (src/sync/kept-live-state.ts). Pure: no I/O, no clock.
//
// It follows the kernel's rules as far as a plan's changes can see them: a service is hashed
// once added (ip_vs_svc_hash sets IP_VS_SVC_F_HASHED), new services and real servers start
// without connections or traffic, an edit keeps the counters, a real server needs its service,
// iptables-restore --noflush creates or flushes every declared user chain and is all or nothing
// per table, a set iptables rules use cannot be destroyed (IPSET_ERR_BUSY). What the kernel
// would refuse is left unchanged and reported as a refusal instead of thrown: the caller of a
// real sync only gets here when the kernel refused nothing, so a refusal means this model and
// the kernel disagree and the state must be read again.
//
// Only what changes is copied: at 10,000 services an endpoint change copies one service's real
// servers and the list of pointers to the services, not the table; services are found by key
// through the list's index (live-index.ts), which moves on to the list this makes.
import type { IpsetEntry, IpsetOperation, LiveIpset } from '../ipset/types.js';
import type { IpvsOperation, LiveRealServer, LiveService } from '../ipvs/types.js';
import type { LiveFamilyState, LiveIptablesTable, LiveState } from '../contracts/live-state.js';
import type { AddressFamily } from '../net/ip-address.js';
import { entryText } from './ipset-diff.js';
import { virtualServerKeyText } from './keys.js';
import { liveServiceAt, withLiveServices } from './live-index.js';
import type { AddressChange, Plan } from '../contracts/plan.js';

const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export type IptablesTableName = 'nat' | 'filter';
/** A family's nat and filter chains: chain name → its rules as iptables-save prints them. */
export type IptablesChains = Readonly<Record<IptablesTableName, ReadonlyMap<string, readonly string[]>>>;

export interface AppliedToLive {
  readonly live: LiveState;
  /** What the kernel would have refused, in the plan's order; empty for a plan the kernel takes whole. */
  readonly refusals: readonly string[];
}

export interface ApplyToLiveOptions {
  /** kube-ipvs0 as the kernel created it, when the plan created it (its index is the kernel's choice). */
  readonly createdLink?: NonNullable<LiveState['link']>;
}

/**
 * iptables-restore --noflush of `text` into `chains`: a declared user chain is created or
 * flushed, rules are appended (-A) or inserted (-I) as iptables-save prints them. All or
 * nothing, as iptables-restore commits a table whole: the chains it would leave, or why not.
 */
export function restoreIptables(
  chains: IptablesChains,
  text: string,
): { readonly chains: IptablesChains } | { readonly refusal: string } {
  const tables = { nat: new Map(chains.nat), filter: new Map(chains.filter) };
  // Chains whose array is this restore's own (the others are shared with `chains`).
  const own = { nat: new Set<string>(), filter: new Set<string>() };
  let table: IptablesTableName | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line === 'COMMIT' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      const name = line.slice(1);
      if (name !== 'nat' && name !== 'filter') return { refusal: `no table ${name}` };
      table = name;
      continue;
    }
    if (table === undefined) return { refusal: `rule outside a table: ${line}` };
    const declared = /^:(\S+) /.exec(line)?.[1];
    if (declared !== undefined) {
      if (!BUILTIN_CHAINS.has(declared) || !tables[table].has(declared)) {
        tables[table].set(declared, []);
        own[table].add(declared);
      }
      continue;
    }
    const rule = /^-([AI]) (\S+) (.*)$/.exec(line);
    const chain = rule?.[2];
    const rules = chain === undefined ? undefined : tables[table].get(chain);
    if (rule === null || chain === undefined || rules === undefined)
      return { refusal: `iptables-restore: bad or undeclared: ${line}` };
    const mine = own[table].has(chain) ? (rules as string[]) : [...rules];
    tables[table].set(chain, mine);
    own[table].add(chain);
    const saved = `-A ${chain} ${rule[3] ?? ''}`;
    if (rule[1] === 'A') mine.push(saved);
    else mine.unshift(saved);
  }
  return { chains: tables };
}

/** A set while a plan changes it: its entries are copied into a Map on the first change. */
interface SetDraft {
  header: LiveIpset['header'];
  readonly original: readonly IpsetEntry[];
  entries?: Map<string, IpsetEntry>;
}

/** One family's state while a plan is applied; each part is copied the first time a change touches it. */
class FamilyDraft {
  /** The virtual servers a change touched, by key text (undefined: deleted); the others are the original's. */
  private readonly services = new Map<string, LiveService | undefined>();
  /** Services whose real-server array is this draft's own copy, changed in place. */
  private readonly ownRealServers = new Set<string>();
  private addresses?: Map<string, number>;
  private sets?: Map<string, SetDraft>;
  private chains?: IptablesChains;

  constructor(private readonly original: LiveFamilyState) {}

  service(key: string): LiveService | undefined {
    return this.services.has(key) ? this.services.get(key) : liveServiceAt(this.original.virtualServers, key);
  }

  setService(key: string, service: LiveService | undefined): void {
    this.services.set(key, service);
  }

  /** The real servers of the service `key` (found by `service`), as an array this draft may change. */
  realServersOf(key: string, found: LiveService): LiveRealServer[] {
    if (this.ownRealServers.has(key)) return found.realServers as LiveRealServer[];
    const realServers = [...found.realServers];
    this.services.set(key, { service: found.service, realServers });
    this.ownRealServers.add(key);
    return realServers;
  }

  addressMap(): Map<string, number> {
    this.addresses ??= new Map(this.original.linkAddresses.map((a) => [a.address, a.prefixLength]));
    return this.addresses;
  }

  setMap(): Map<string, SetDraft> {
    this.sets ??= new Map(this.original.ipsets.map((s) => [s.header.name, { header: s.header, original: s.entries }]));
    return this.sets;
  }

  entriesOf(set: SetDraft): Map<string, IpsetEntry> {
    set.entries ??= new Map(set.original.map((e) => [entryText(e), e]));
    return set.entries;
  }

  get iptables(): IptablesChains {
    return this.chains ?? { nat: this.original.iptables.nat.chains, filter: this.original.iptables.filter.chains };
  }

  set iptables(chains: IptablesChains) {
    this.chains = chains;
  }

  /** Rules matching a set, as the kernel counts a set's references. */
  references(set: string): number {
    const needle = `--match-set ${set} `;
    let count = 0;
    for (const table of [this.iptables.nat, this.iptables.filter]) {
      for (const rules of table.values()) count += rules.filter((line) => line.includes(needle)).length;
    }
    return count;
  }

  result(): LiveFamilyState {
    const { original, services, addresses, sets, chains } = this;
    const table = (rules: ReadonlyMap<string, readonly string[]>): LiveIptablesTable => ({ chains: rules });
    return {
      family: original.family,
      virtualServers: withLiveServices(original.virtualServers, services),
      linkAddresses: addresses
        ? [...addresses].map(([address, prefixLength]) => ({ address, prefixLength }))
        : original.linkAddresses,
      // Rewritten rules change every set's reference count; a changed set its entry count.
      ipsets:
        sets === undefined && chains === undefined
          ? original.ipsets
          : [...this.setMap().values()].map((s) => ({
              header: {
                ...s.header,
                references: chains ? this.references(s.header.name) : s.header.references,
                entryCount: s.entries?.size ?? s.header.entryCount,
              },
              entries: s.entries ? [...s.entries.values()] : s.original,
            })),
      iptables: chains ? { nat: table(chains.nat), filter: table(chains.filter) } : original.iptables,
    };
  }
}

type Refuse = (reason: string) => void;

function applyIpvs(
  draftOf: (family: AddressFamily) => FamilyDraft | undefined,
  op: IpvsOperation,
  refuse: Refuse,
): void {
  switch (op.op) {
    case 'add-service':
    case 'edit-service': {
      const draft = draftOf(op.service.key.family);
      const key = virtualServerKeyText(op.service.key);
      const found = draft?.service(key);
      if (!draft || (op.op === 'add-service') === (found !== undefined))
        return refuse(`${op.op} ${key}: ${found ? 'EEXIST' : 'ESRCH'}`);
      const stats = found?.service.stats;
      const service = {
        ...op.service,
        flags: { ...op.service.flags, hashed: true },
        ...(stats === undefined ? {} : { stats }),
      };
      draft.setService(key, { service, realServers: found?.realServers ?? [] });
      return;
    }
    case 'delete-service': {
      const key = virtualServerKeyText(op.key);
      const draft = draftOf(op.key.family);
      if (!draft?.service(key)) return refuse(`delete-service ${key}: ESRCH`);
      draft.setService(key, undefined);
      return;
    }
    case 'add-real-server':
    case 'edit-real-server':
    case 'delete-real-server': {
      const draft = draftOf(op.service.family);
      const key = virtualServerKeyText(op.service);
      const found = draft?.service(key);
      const id = `${op.realServer.address}|${op.realServer.port}`;
      if (!draft || !found) return refuse(`${op.op} ${key}>${id}: ESRCH (no such service)`);
      const at = found.realServers.findIndex(
        (r) => r.address === op.realServer.address && r.port === op.realServer.port,
      );
      const existing = found.realServers[at];
      if ((op.op === 'add-real-server') === (existing !== undefined))
        return refuse(`${op.op} ${key}>${id}: ${existing ? 'EEXIST' : 'ENOENT'}`);
      const realServers = draft.realServersOf(key, found);
      if (op.op === 'delete-real-server') {
        realServers.splice(at, 1);
        return;
      }
      // An added real server is the plan's object itself (the desired state's): no copy per
      // real server in the kept state, and no connections until a read says otherwise. An
      // edited one keeps what the kernel last said of its connections and counters.
      if (!existing) {
        realServers.push(op.realServer);
        return;
      }
      const { activeConnections, inactiveConnections, persistentConnections, stats } = existing;
      realServers[at] = {
        ...op.realServer,
        ...(activeConnections === undefined ? {} : { activeConnections }),
        ...(inactiveConnections === undefined ? {} : { inactiveConnections }),
        ...(persistentConnections === undefined ? {} : { persistentConnections }),
        ...(stats === undefined ? {} : { stats }),
      };
      return;
    }
    default:
      refuse(`a diff plans no ${op.op}`);
  }
}

function applyIpset(draft: FamilyDraft, op: IpsetOperation, refuse: Refuse): void {
  const sets = draft.setMap();
  switch (op.op) {
    case 'create-set': {
      const spec = op.set;
      const existing = sets.get(spec.name);
      const family = spec.type === 'bitmap:port' ? undefined : spec.family;
      if (existing) {
        if (!op.exist || existing.header.type !== spec.type || existing.header.family !== family)
          refuse(`create-set ${spec.name}: IPSET_ERR_EXIST`);
        return;
      }
      const header = {
        name: spec.name,
        type: spec.type,
        revision: 0,
        ...(family ? { family } : {}),
        options: spec.options,
        comments: spec.comments ?? false,
        references: 0,
        memorySize: 0,
        entryCount: 0,
      };
      sets.set(spec.name, { header, original: [] });
      return;
    }
    case 'destroy-set':
      if (draft.references(op.set) > 0) return refuse(`destroy-set ${op.set}: IPSET_ERR_BUSY`);
      if (!sets.delete(op.set) && !op.exist) refuse(`destroy-set ${op.set}: ENOENT`);
      return;
    case 'add-entry':
    case 'delete-entry': {
      const set = sets.get(op.set);
      if (!set) return refuse(`${op.op} ${op.set}: no such set`);
      const entries = draft.entriesOf(set);
      const text = entryText(op.entry);
      if (op.op === 'add-entry') {
        if (entries.has(text) && !op.exist) return refuse(`add-entry ${op.set} ${text}: IPSET_ERR_EXIST`);
        entries.set(text, op.entry);
      } else if (!entries.delete(text) && !op.exist) {
        refuse(`delete-entry ${op.set} ${text}: IPSET_ERR_EXIST`);
      }
      return;
    }
    default:
      refuse(`a diff plans no ${op.op}`);
  }
}

function applyAddress(draft: FamilyDraft, change: AddressChange, refuse: Refuse): void {
  const addresses = draft.addressMap();
  if (change.op === 'add-address') {
    if (addresses.has(change.address)) return refuse(`add-address ${change.address}: EEXIST`);
    addresses.set(change.address, change.prefixLength);
  } else if (addresses.get(change.address) !== change.prefixLength || !addresses.delete(change.address)) {
    refuse(`delete-address ${change.address}/${change.prefixLength}: EADDRNOTAVAIL`);
  }
}

/** kube-proxy names its IPv6 sets "KUBE-6-..." (pkg/proxy/ipvs/ipset.go), IPv4 ones "KUBE-...". */
function setFamily(op: IpsetOperation): AddressFamily {
  const name = op.op === 'create-set' ? op.set.name : op.set;
  return name.startsWith('KUBE-6-') ? 'inet6' : 'inet';
}

/** The live state after `plan`, phase by phase, change by change, as the kernel would take them. */
export function applyPlanToLive(live: LiveState, plan: Plan, options: ApplyToLiveOptions = {}): AppliedToLive {
  const drafts = new Map(live.families.map((f) => [f.family, new FamilyDraft(f)]));
  const refusals: string[] = [];
  const refuse: Refuse = (reason) => {
    refusals.push(reason);
  };
  const draftOf = (family: AddressFamily): FamilyDraft | undefined => drafts.get(family);
  const link = live.link ?? (plan.createLink ? options.createdLink : undefined);
  if (plan.createLink && !link) refuse('create-link: the created link was not given');
  for (const phase of plan.phases) {
    switch (phase.kind) {
      case 'iptables':
        for (const rewrite of phase.rewrites) {
          const draft = draftOf(rewrite.family);
          const restored = draft
            ? restoreIptables(draft.iptables, rewrite.restore)
            : { refusal: `no ${rewrite.family} tables` };
          if ('refusal' in restored) refuse(restored.refusal);
          else if (draft) draft.iptables = restored.chains;
        }
        break;
      case 'ipvs':
        for (const change of phase.changes) applyIpvs(draftOf, change.op, refuse);
        break;
      case 'ipset':
        for (const change of phase.changes) {
          const draft = draftOf(setFamily(change.op));
          if (draft) applyIpset(draft, change.op, refuse);
          else refuse(`${change.op.op}: no ${setFamily(change.op)} state`);
        }
        break;
      case 'address':
        for (const change of phase.changes) {
          const draft = draftOf(change.op.address.includes(':') ? 'inet6' : 'inet');
          if (!link) refuse(`${change.op.op} ${change.op.address}: ENODEV (no kube-ipvs0)`);
          else if (!draft) refuse(`${change.op.op} ${change.op.address}: no family state`);
          else applyAddress(draft, change.op, refuse);
        }
        break;
      case 'conntrack':
        // Flows are not part of the live state.
        break;
    }
  }
  const timeouts = plan.ipvsTimeouts;
  // A 0 leaves the kernel's value (IPVS_CMD_SET_CONFIG).
  const ipvsTimeouts = timeouts
    ? {
        tcp: timeouts.tcp || live.ipvsTimeouts.tcp,
        tcpFin: timeouts.tcpFin || live.ipvsTimeouts.tcpFin,
        udp: timeouts.udp || live.ipvsTimeouts.udp,
      }
    : live.ipvsTimeouts;
  const families = live.families.map((f) => drafts.get(f.family)?.result() ?? f);
  return { live: { ...(link ? { link } : {}), families, ipvsTimeouts }, refusals };
}
