// kube-proxy's iptables rules of one family. kube-proxy rewrites its chains
// whole with iptables-restore --noflush on every sync (declaring a chain
// flushes it) and ensures each jump from a built-in chain exists, inserting it
// first when it does not (pkg/proxy/ipvs proxier.go syncProxyRules). kipvs
// writes the same input, but only for a table where the live rules differ:
// chain by chain, the live rules as iptables-save prints them against the
// model's rules in the same spelling (src/contracts/iptables-text.ts).
import { type IpFamily, addressFamilyOf } from '../net/ip-family.js';
import type { LiveFamilyState, LiveIptablesTable } from '../contracts/live-state.js';
import { formatIptablesRule } from '../contracts/iptables-text.js';

import type { BuiltinJump, IptablesRule, IptablesState } from '../contracts/desired-state.js';
import type { IptablesRewrite } from '../contracts/plan.js';

type TableName = IptablesRewrite['table'];

const TABLES: readonly TableName[] = ['nat', 'filter'];

/** A built-in chain's jump as the rule kube-proxy writes for it. */
export function jumpRule(jump: BuiltinJump): IptablesRule {
  return {
    chain: jump.chain,
    matches: [{ match: 'comment', comment: jump.comment }],
    target: { target: 'jump', chain: jump.target },
  };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/** The names of what differs, for the cause; empty when the table is in sync. */
function tableDrift(
  chains: readonly string[],
  lines: ReadonlyMap<string, readonly string[]>,
  missingJumps: readonly string[],
  live: LiveIptablesTable | undefined,
): string[] {
  const drifted = chains.filter((chain) => {
    const liveLines = live?.chains.get(chain);
    return liveLines === undefined || !sameLines(liveLines, lines.get(chain) ?? []);
  });
  return [
    ...(drifted.length > 0 ? [`drifted chains ${drifted.join(', ')}`] : []),
    ...(missingJumps.length > 0 ? [`missing jumps from ${[...new Set(missingJumps)].join(', ')}`] : []),
  ];
}

function diffTable(
  name: TableName,
  desired: IptablesState,
  family: IpFamily,
  live: LiveIptablesTable | undefined,
): IptablesRewrite | undefined {
  const table = desired[name];
  const lines = new Map<string, string[]>();
  const appends = table.rules.map((rule) => {
    const line = formatIptablesRule(rule, family);
    const chainLines = lines.get(rule.chain);
    if (chainLines) chainLines.push(line);
    else lines.set(rule.chain, [line]);
    return line;
  });
  const jumps = desired.jumps.filter((j) => j.table === name);
  const missing = jumps.filter(
    (j) => !(live?.chains.get(j.chain) ?? []).includes(formatIptablesRule(jumpRule(j), family)),
  );
  const drift = tableDrift(
    table.chains,
    lines,
    missing.map((j) => j.chain),
    live,
  );
  if (drift.length === 0) return undefined;
  // "-I CHAIN" puts each missing jump first, so later ones end up before earlier ones, as
  // with kube-proxy's one EnsureRule per jump.
  const inserts = missing.map((j) => formatIptablesRule(jumpRule(j), family).replace(/^-A /, '-I '));
  const restore = [
    `*${name}`,
    ...table.chains.map((chain) => `:${chain} - [0:0]`),
    ...appends,
    ...inserts,
    'COMMIT',
    '',
  ].join('\n');
  return { family: addressFamilyOf(family), table: name, restore, cause: { reason: drift.join('; ') } };
}

export function diffIptables(
  desired: IptablesState,
  family: IpFamily,
  live: LiveFamilyState['iptables'] | undefined,
): IptablesRewrite[] {
  return TABLES.map((name) => diffTable(name, desired, family, live?.[name])).filter(
    (r): r is IptablesRewrite => r !== undefined,
  );
}
