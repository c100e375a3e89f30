// Run by the kernel-*.test.ts files inside a fresh network namespace (Node cannot
// switch namespaces, so the kernel layer runs as a child process there), with the
// iptables tools of this boot's backend (test/uml/iptables-backend.ts):
//
//   node build/test/kernel/kernel-layer-child.js read inet,inet6
//   node build/test/kernel/kernel-layer-child.js apply < plan.json
//
// Prints one JSON document: the live state in the tools' own notations (so the
// test compares it with ipvsadm, ip, ipset and iptables-save), or the apply report.
import type { LiveIptablesTable } from '../../src/contracts/live-state.js';
import { TEST_IPTABLES } from '../uml/iptables-backend.js';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { describeEntry } from '../../src/ipset/index.js';
import { formatSave } from '../../src/ipvsadm/save-format.js';
import { KernelClients, applyPlan, readLiveState } from '../../src/kernel/index.js';
import type { AddressFamily } from '../../src/net/ip-address.js';
import type { Plan } from '../../src/contracts/plan.js';

export interface ReadOutput {
  /** How long readLiveState took. */
  readonly elapsedMs: number;
  readonly link?: { readonly index: number; readonly up: boolean };
  readonly ipvsTimeouts: { readonly tcp: number; readonly tcpFin: number; readonly udp: number };
  readonly families: readonly {
    readonly family: AddressFamily;
    /** The family's virtual servers as ipvsadm -Sn lines. */
    readonly ipvsSave: string;
    readonly linkAddresses: readonly string[];
    /** "add SET ENTRY" as ipset save prints entries. */
    readonly ipsetEntries: readonly string[];
    readonly ipsetNames: readonly string[];
    readonly nat: Record<string, readonly string[]>;
    readonly filter: Record<string, readonly string[]>;
  }[];
}

export interface ApplyOutput {
  readonly changes: readonly {
    readonly description: string;
    readonly reason: string;
    readonly error?: string;
    readonly errorKind?: string;
  }[];
  readonly failed: number;
  readonly netlink: { readonly sendCalls: number; readonly messagesSent: number };
  /** How long applyPlan took. */
  readonly elapsedMs: number;
}

const tools = TEST_IPTABLES;
const chains = (table: LiveIptablesTable): Record<string, readonly string[]> => Object.fromEntries(table.chains);

const clients = await KernelClients.open();
try {
  const [command, argument = 'inet'] = process.argv.slice(2);
  if (command === 'read') {
    const started = performance.now();
    const state = await readLiveState(clients, {
      families: argument.split(',') as AddressFamily[],
      linkName: 'kube-ipvs0',
      iptables: tools,
    });
    const output: ReadOutput = {
      elapsedMs: performance.now() - started,
      ...(state.link && { link: state.link }),
      ipvsTimeouts: state.ipvsTimeouts,
      families: state.families.map((f) => ({
        family: f.family,
        ipvsSave: formatSave(f.virtualServers),
        linkAddresses: f.linkAddresses.map((a) => `${a.address}/${a.prefixLength}`),
        ipsetNames: f.ipsets.map((set) => set.header.name),
        ipsetEntries: f.ipsets.flatMap((set) =>
          set.entries.map((entry) => `add ${set.header.name} ${describeEntry(entry)}`),
        ),
        nat: chains(f.iptables.nat),
        filter: chains(f.iptables.filter),
      })),
    };
    process.stdout.write(JSON.stringify(output));
  } else if (command === 'apply') {
    const plan = JSON.parse(readFileSync(0, 'utf8')) as Plan;
    const started = performance.now();
    const report = await applyPlan(plan, { clients, linkName: 'kube-ipvs0', iptables: tools });
    const output: ApplyOutput = {
      elapsedMs: performance.now() - started,
      changes: report.changes.map((c) => ({
        description: c.description,
        reason: c.cause.reason,
        ...(!c.result.ok && {
          error: c.result.error.userMessage,
          errorKind: 'kind' in c.result.error ? c.result.error.kind : c.result.error.code,
        }),
      })),
      failed: report.failed,
      netlink: report.netlink,
    };
    process.stdout.write(JSON.stringify(output));
  } else {
    throw new Error(`unknown command ${String(command)}`);
  }
} finally {
  clients.close();
}
