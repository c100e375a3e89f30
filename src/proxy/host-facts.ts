// The node IPs kube-proxy works with, found the way cmd/kube-proxy finds them:
// from the Node's status.addresses (utilnode.GetNodeHostIPs), then overridden
// for one family by a specified --bind-address (detectNodeIPs). Pure: the
// caller hands in the Node object and the configured bind address.
import { ipBytes, parseIp } from './ip.js';

interface NodeAddress {
  readonly type: string;
  readonly address: string;
}

function nodeAddresses(node: unknown): NodeAddress[] {
  const status: unknown =
    typeof node === 'object' && node !== null ? (node as Record<string, unknown>)['status'] : undefined;
  const addresses: unknown =
    typeof status === 'object' && status !== null ? (status as Record<string, unknown>)['addresses'] : undefined;
  if (!Array.isArray(addresses)) return [];
  return addresses.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { type, address } = entry as Record<string, unknown>;
    return typeof type === 'string' && typeof address === 'string' ? [{ type, address }] : [];
  });
}

/**
 * GetNodeHostIPs: the Node's InternalIPs, then its ExternalIPs (unparsable ones skipped);
 * the first of them, followed by the first of the other family if there is one.
 */
export function nodeHostIPs(node: unknown): string[] {
  const addresses = nodeAddresses(node);
  const ips = ['InternalIP', 'ExternalIP'].flatMap((type) =>
    addresses.filter((a) => a.type === type).flatMap((a) => parseIp(a.address) ?? []),
  );
  const [first] = ips;
  if (!first) return [];
  const other = ips.find((ip) => ip.family !== first.family);
  return other ? [first.text, other.text] : [first.text];
}

/**
 * detectNodeIPs: a bind address that is a specified IP (not 0.0.0.0 or ::) becomes the
 * node IP of its family, placed first so that it is the one the model takes.
 */
export function withBindAddress(nodeIPs: readonly string[], bindAddress: string): string[] {
  const bind = parseIp(bindAddress);
  if (!bind || ipBytes(bind).every((b) => b === 0)) return [...nodeIPs];
  return [bind.text, ...nodeIPs.filter((text) => parseIp(text)?.family !== bind.family)];
}
