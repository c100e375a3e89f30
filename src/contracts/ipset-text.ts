// Sets as `ipset save` (ipset 7) prints them: per set a `create` line, then one `add`
// line per member, members spelled as ipset spells them. The text is also valid
// `ipset restore` input. Two things differ from a live `ipset save` by nature, so a
// comparison must allow for them: the kernel adds "bucketsize N initval 0x..." to
// every hash set's create line (initval is random), and a hash set lists its members
// in hash order, where this text keeps the model's sorted order.
import type { DesiredIpset, DesiredIpsetEntry } from './desired-state.js';

/** ipset's own text for a member ("10.0.0.1,tcp:80", "8080", ...), its identity in a set. */
export function formatIpSetEntry(entry: DesiredIpsetEntry): string {
  if (!('ip' in entry)) return String(entry.port);
  if (!('protocol' in entry)) return entry.ip;
  const base = `${entry.ip},${entry.protocol}:${entry.port}`;
  if ('ip2' in entry) return `${base},${entry.ip2}`;
  if ('net' in entry) return `${base},${entry.net}`;
  return base;
}

/** The create options kube-proxy passes (pkg/proxy/ipvs/ipset createSet), in ipset's order. */
export function formatIpSetCreate(set: DesiredIpset): string {
  const { options } = set;
  const parameters =
    options.kind === 'bitmap'
      ? `range ${options.portFrom}-${options.portTo}`
      : `family ${set.family} hashsize ${options.hashSize} maxelem ${options.maxElem}`;
  return `create ${set.name} ${set.type} ${parameters}`;
}

/** A host-sized network ("/32", "/128") is printed by ipset as the bare address. */
function withoutHostPrefix(net: string): string {
  const [address = net, prefix] = net.split('/');
  return prefix === (address.includes(':') ? '128' : '32') ? address : net;
}

/** A member as `ipset save` prints it: "10.96.0.1,tcp:443", "203.0.113.7,tcp:80,10.0.0.0/8", "30080". */
export function formatIpSetMember(entry: DesiredIpsetEntry): string {
  return formatIpSetEntry('net' in entry ? { ...entry, net: withoutHostPrefix(entry.net) } : entry);
}

export function formatIpSetSave(sets: readonly DesiredIpset[]): string {
  const lines: string[] = [];
  for (const set of sets) {
    lines.push(formatIpSetCreate(set));
    for (const entry of set.entries) lines.push(`add ${set.name} ${formatIpSetMember(entry)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
