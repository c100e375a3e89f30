// A small pure model of the kernel state a plan changes, for the diff's tests:
// applying a plan to a LiveState gives the LiveState the kernel would then
// report. It follows the kernel's rules that matter for a plan's order and
// shape, and throws where the kernel would refuse: adding what exists
// (EEXIST), changing what does not (ENOENT), a real server without its
// service, a member of a missing set, destroying a set iptables rules use
// (IPSET_ERR_BUSY), a rule appended to an undeclared chain.
import type { LiveFamilyState, LiveIptablesTable, LiveState } from '../../../src/kernel/live-state.js';
import type { IpsetOperation, LiveIpset } from '../../../src/ipset/types.js';
import type { IpvsOperation, LiveRealServer, LiveService, Stats } from '../../../src/ipvs/types.js';
import type { IpFamily } from '../../../src/net/ip-address.js';
import { entryText } from '../../../src/reconcile/ipset-diff.js';
import { virtualServerKeyText } from '../../../src/reconcile/keys.js';
import type { AddressChange, ConntrackDeletion, IptablesRewrite, Plan } from '../../../src/reconcile/plan.js';

export const ZERO_STATS: Stats = { connections: 0n, inPackets: 0n, outPackets: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export class KernelRefusal extends Error {}

/** Mutable copies of one family's state while a plan is applied. */
interface FamilyDraft {
  readonly family: IpFamily;
  readonly services: Map<string, { service: LiveService['service']; realServers: Map<string, LiveRealServer> }>;
  readonly addresses: Map<string, number>;
  readonly sets: Map<string, { header: LiveIpset['header']; entries: Map<string, LiveIpset['entries'][number]> }>;
  readonly tables: Record<'nat' | 'filter', Map<string, string[]>>;
}

function draftOf(f: LiveFamilyState): FamilyDraft {
  const copyTable = (t: LiveIptablesTable) => new Map([...t.chains].map(([name, rules]) => [name, [...rules]]));
  return {
    family: f.family,
    services: new Map(
      f.virtualServers.map((s) => [virtualServerKeyText(s.service.key), { service: s.service, realServers: new Map(s.realServers.map((r) => [`${r.address}|${r.port}`, r])) }]),
    ),
    addresses: new Map(f.linkAddresses.map((a) => [a.address, a.prefixLength])),
    sets: new Map(f.ipsets.map((s) => [s.header.name, { header: s.header, entries: new Map(s.entries.map((e) => [entryText(e), e])) }])),
    tables: { nat: copyTable(f.iptables.nat), filter: copyTable(f.iptables.filter) },
  };
}

/** iptables-restore --noflush of `text` into `tables`: a declared user chain is created or flushed. */
export function applyRestore(tables: Record<'nat' | 'filter', Map<string, string[]>>, text: string): void {
  let table: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line === 'COMMIT' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      const name = line.slice(1);
      if (name !== 'nat' && name !== 'filter') throw new KernelRefusal(`no table ${name}`);
      table = tables[name];
      continue;
    }
    if (!table) throw new KernelRefusal(`rule outside a table: ${line}`);
    const declared = /^:(\S+) /.exec(line);
    if (declared?.[1] !== undefined) {
      const chain = declared[1];
      if (!BUILTIN.has(chain) || !table.has(chain)) table.set(chain, []);
      continue;
    }
    const rule = /^-([AI]) (\S+) (.*)$/.exec(line);
    const chain = rule?.[2];
    const rules = chain === undefined ? undefined : table.get(chain);
    if (!rule || chain === undefined || !rules) throw new KernelRefusal(`bad or undeclared: ${line}`);
    const saved = `-A ${chain} ${rule[3] ?? ''}`;
    if (rule[1] === 'A') rules.push(saved);
    else rules.unshift(saved);
  }
}

/** Rules matching a set, as the kernel counts a set's references. */
function references(draft: FamilyDraft, set: string): number {
  const needle = `--match-set ${set} `;
  return [draft.tables.nat, draft.tables.filter].reduce((n, t) => n + [...t.values()].flat().filter((line) => line.includes(needle)).length, 0);
}

function applyIpvs(drafts: ReadonlyMap<string, FamilyDraft>, op: IpvsOperation): void {
  const familyOf = (family: IpFamily): FamilyDraft => {
    const draft = drafts.get(family);
    if (!draft) throw new KernelRefusal(`no ${family} state`);
    return draft;
  };
  switch (op.op) {
    case 'add-service': {
      const services = familyOf(op.service.key.family).services;
      const key = virtualServerKeyText(op.service.key);
      if (services.has(key)) throw new KernelRefusal(`EEXIST service ${key}`);
      // ip_vs_svc_hash sets IP_VS_SVC_F_HASHED on every service the table holds.
      services.set(key, { service: { ...op.service, flags: { ...op.service.flags, hashed: true }, stats: ZERO_STATS }, realServers: new Map() });
      return;
    }
    case 'edit-service': {
      const found = familyOf(op.service.key.family).services.get(virtualServerKeyText(op.service.key));
      if (!found) throw new KernelRefusal('ENOENT edit-service');
      found.service = { ...op.service, flags: { ...op.service.flags, hashed: true }, stats: found.service.stats };
      return;
    }
    case 'delete-service':
      if (!familyOf(op.key.family).services.delete(virtualServerKeyText(op.key))) throw new KernelRefusal('ENOENT delete-service');
      return;
    case 'add-real-server':
    case 'edit-real-server':
    case 'delete-real-server': {
      const found = familyOf(op.service.family).services.get(virtualServerKeyText(op.service));
      if (!found) throw new KernelRefusal(`ESRCH ${op.op} without its service`);
      const id = `${op.realServer.address}|${op.realServer.port}`;
      const existing = found.realServers.get(id);
      if (op.op === 'delete-real-server') {
        if (!existing) throw new KernelRefusal('ENOENT delete-real-server');
        found.realServers.delete(id);
        return;
      }
      if ((op.op === 'add-real-server') === (existing !== undefined)) throw new KernelRefusal(`${op.op} ${id}: ${existing ? 'EEXIST' : 'ENOENT'}`);
      const counters = existing ?? { activeConnections: 0, inactiveConnections: 0, persistentConnections: 0, stats: ZERO_STATS };
      found.realServers.set(id, { ...op.realServer, activeConnections: counters.activeConnections, inactiveConnections: counters.inactiveConnections, persistentConnections: counters.persistentConnections, stats: counters.stats });
      return;
    }
    default:
      throw new KernelRefusal(`a diff plans no ${op.op}`);
  }
}

function applyIpset(draft: FamilyDraft, op: IpsetOperation): void {
  switch (op.op) {
    case 'create-set': {
      const spec = op.set;
      const existing = draft.sets.get(spec.name);
      const family = spec.type === 'bitmap:port' ? undefined : spec.family;
      if (existing) {
        if (op.exist && existing.header.type === spec.type && existing.header.family === family) return;
        throw new KernelRefusal(`IPSET_ERR_EXIST ${spec.name}`);
      }
      const header = { name: spec.name, type: spec.type, revision: 0, ...(family ? { family } : {}), options: spec.options, comments: false, references: 0, memorySize: 0, entryCount: 0 };
      draft.sets.set(spec.name, { header, entries: new Map() });
      return;
    }
    case 'destroy-set':
      if (references(draft, op.set) > 0) throw new KernelRefusal(`IPSET_ERR_BUSY ${op.set}`);
      if (!draft.sets.delete(op.set) && !op.exist) throw new KernelRefusal(`ENOENT ${op.set}`);
      return;
    case 'add-entry':
    case 'delete-entry': {
      const set = draft.sets.get(op.set);
      if (!set) throw new KernelRefusal(`no set ${op.set}`);
      const text = entryText(op.entry);
      if (op.op === 'add-entry') {
        if (set.entries.has(text) && !op.exist) throw new KernelRefusal('IPSET_ERR_EXIST');
        set.entries.set(text, op.entry);
      } else if (!set.entries.delete(text) && !op.exist) {
        throw new KernelRefusal('IPSET_ERR_EXIST');
      }
      return;
    }
    default:
      throw new KernelRefusal(`a diff plans no ${op.op}`);
  }
}

function applyAddress(draft: FamilyDraft, change: AddressChange): void {
  if (change.op === 'add-address') {
    if (draft.addresses.has(change.address)) throw new KernelRefusal(`EEXIST ${change.address}`);
    draft.addresses.set(change.address, change.prefixLength);
  } else if (draft.addresses.get(change.address) !== change.prefixLength || !draft.addresses.delete(change.address)) {
    throw new KernelRefusal(`EADDRNOTAVAIL ${change.address}/${change.prefixLength}`);
  }
}

function familyOfAddress(address: string): IpFamily {
  return address.includes(':') ? 'inet6' : 'inet';
}

/** Which set a member change goes to: the family whose draft holds a set of that name. */
function draftWithSet(drafts: ReadonlyMap<string, FamilyDraft>, op: IpsetOperation): FamilyDraft {
  const name = 'set' in op && typeof op.set === 'string' ? op.set : op.op === 'create-set' ? op.set.name : '';
  const v6 = /^KUBE-6-/.test(name);
  const draft = drafts.get(v6 ? 'inet6' : 'inet');
  if (!draft) throw new KernelRefusal(`no family for set ${name}`);
  return draft;
}

export interface AppliedPlan {
  readonly live: LiveState;
  readonly conntrack: readonly ConntrackDeletion[];
}

/** The live state after `plan`, phase by phase, change by change, as the kernel would take them. */
export function applyPlan(live: LiveState, plan: Plan): AppliedPlan {
  const drafts = new Map(live.families.map((f) => [f.family, draftOf(f)]));
  const conntrack: ConntrackDeletion[] = [];
  const link = live.link ?? (plan.createLink ? { index: 7, up: false } : undefined);
  const rewrite = (r: IptablesRewrite): void => {
    const draft = drafts.get(r.family);
    if (!draft) throw new KernelRefusal(`no ${r.family} tables`);
    applyRestore(draft.tables, r.restore);
  };
  for (const phase of plan.phases) {
    if (phase.kind === 'iptables') phase.rewrites.forEach(rewrite);
    else if (phase.kind === 'ipvs') phase.changes.forEach((c) => applyIpvs(drafts, c.op));
    else if (phase.kind === 'ipset') phase.changes.forEach((c) => applyIpset(draftWithSet(drafts, c.op), c.op));
    else if (phase.kind === 'conntrack') phase.changes.forEach((c) => conntrack.push(c.op));
    else
      phase.changes.forEach((c) => {
        const draft = drafts.get(familyOfAddress(c.op.address));
        if (!link) throw new KernelRefusal('ENODEV: no kube-ipvs0');
        if (!draft) throw new KernelRefusal(`no family for ${c.op.address}`);
        applyAddress(draft, c.op);
      });
  }
  const families = live.families.map((f): LiveFamilyState => {
    const d = drafts.get(f.family) ?? draftOf(f);
    const table = (t: Map<string, string[]>): LiveIptablesTable => ({ chains: t });
    return {
      family: f.family,
      virtualServers: [...d.services.values()].map((s) => ({ service: s.service, realServers: [...s.realServers.values()] })),
      linkAddresses: [...d.addresses].map(([address, prefixLength]) => ({ address, prefixLength })),
      ipsets: [...d.sets.values()].map((s) => ({ header: { ...s.header, references: references(d, s.header.name), entryCount: s.entries.size }, entries: [...s.entries.values()] })),
      iptables: { nat: table(d.tables.nat), filter: table(d.tables.filter) },
    };
  });
  const timeouts = plan.ipvsTimeouts;
  const ipvsTimeouts = timeouts
    ? { tcp: timeouts.tcp || live.ipvsTimeouts.tcp, tcpFin: timeouts.tcpFin || live.ipvsTimeouts.tcpFin, udp: timeouts.udp || live.ipvsTimeouts.udp }
    : live.ipvsTimeouts;
  return { live: { ...(link ? { link } : {}), families, ipvsTimeouts }, conntrack };
}
