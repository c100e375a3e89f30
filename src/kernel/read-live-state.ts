// One read of everything a sync may change (the LiveState contract, live-state.ts): one
// IPVS dump for all families, the link and its addresses, kube-proxy's sets that exist,
// the nat and filter tables of each family, and the IPVS timeouts. The reads are
// independent, so they run at once: the netlink ones on their own sockets, the
// iptables-save ones as child processes.
import { kubeProxySetNames } from '../contracts/ipset-names.js';
import type { LiveIpset } from '../ipset/index.js';
import type { LinkAddress } from '../rtnl/index.js';
import type { AddressFamily } from '../net/ip-address.js';
import type { KernelClients } from './clients.js';
import { runCommand, type CommandRunner } from './command.js';
import { parseIptablesSave } from './iptables-save-parse.js';
import type { IptablesToolset } from './iptables-tools.js';
import type { LiveStateQuery } from '../contracts/kernel-port.js';
import type { LiveFamilyState, LiveIptablesTable, LiveState } from '../contracts/live-state.js';

/** The built-in chains of the tables kipvs reads (iptables-save lists them in this order). */
const BUILTIN_CHAINS = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
} as const;

/** The contract's query, and how this layer reaches the kernel for it. */
export interface LiveStateReadOptions extends Omit<LiveStateQuery, 'setNames'> {
  /** kube-ipvs0. */
  readonly linkName: string;
  /** The set names to look for in each family; default kubeProxySetNames. */
  readonly setNames?: LiveStateQuery['setNames'];
  readonly iptables: IptablesToolset;
  readonly runCommand?: CommandRunner;
  /** Per iptables-save run. */
  readonly commandTimeoutMs?: number;
}

export async function readLiveState(clients: KernelClients, query: LiveStateReadOptions): Promise<LiveState> {
  const run = query.runCommand ?? runCommand;
  const setNames = query.setNames ?? kubeProxySetNames;
  // One iptables-save of every table per family: each process start is dear (a fork of this
  // whole process, which in UML blocks the event loop for seconds), and the tables it adds
  // (mangle, raw) are small. It prints only the tables in use; one not in use yet is what the
  // kernel makes on first use: its built-in chains, empty.
  const saveTables = async (family: AddressFamily): Promise<LiveFamilyState['iptables']> => {
    const tables = parseIptablesSave(
      await run(
        [query.iptables[family].save],
        query.commandTimeoutMs === undefined ? {} : { timeoutMs: query.commandTimeoutMs },
      ),
    );
    const table = (name: keyof typeof BUILTIN_CHAINS): LiveIptablesTable =>
      tables.get(name) ?? { chains: new Map(BUILTIN_CHAINS[name].map((chain) => [chain, []])) };
    return { nat: table('nat'), filter: table('filter') };
  };
  const existingSets = clients.ipset.listSetNames().then((names) => new Set(names));
  const readSets = async (family: AddressFamily): Promise<LiveIpset[]> => {
    const existing = await existingSets;
    const sets = await Promise.all(
      setNames(family)
        .filter((name) => existing.has(name))
        .map((name) => clients.ipset.getSet(name)),
    );
    // A set destroyed between the listing and its read is simply not there.
    return sets.filter((set): set is LiveIpset => set !== undefined);
  };
  const readLink = async (): Promise<Pick<LiveState, 'link'> & { addresses: LinkAddress[] }> => {
    const link = await clients.route.getLink(query.linkName);
    if (link === undefined) return { addresses: [] };
    return { link: { index: link.index, up: link.up }, addresses: await clients.route.listAddresses(link.index) };
  };
  const readFamily = async (
    family: AddressFamily,
  ): Promise<Omit<LiveFamilyState, 'virtualServers' | 'linkAddresses'>> => {
    const [iptables, ipsets] = await Promise.all([saveTables(family), readSets(family)]);
    return { family, ipsets, iptables };
  };

  const [virtualServers, ipvsTimeouts, { link, addresses }, families] = await Promise.all([
    clients.ipvs.dump(),
    clients.ipvs.getTimeouts(),
    readLink(),
    Promise.all(query.families.map(readFamily)),
    // Awaited here too, so that its failure is reported even when no family reads it.
    existingSets,
  ]);
  return {
    ...(link && { link }),
    families: families.map((state) => ({
      ...state,
      virtualServers: virtualServers.filter((vs) => vs.service.key.family === state.family),
      linkAddresses: addresses
        .filter((a) => a.family === state.family)
        .map(({ address, prefixLength }) => ({ address, prefixLength })),
    })),
    ipvsTimeouts,
  };
}
