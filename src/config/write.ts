// A configuration as YAML, the way kube-proxy's --write-config-to writes it:
// every field, keys in alphabetical order, durations in Go's notation. Strings
// that YAML 1.1 would read as something else ("yes", "0644") are quoted, so
// kube-proxy and kipvs both read the file back to the same configuration.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { encodeKubeProxyConfiguration } from './decode.js';
import type { KubeProxyConfiguration } from './schema/kube-proxy-configuration.js';

export function formatKubeProxyConfiguration(cfg: KubeProxyConfiguration): string {
  return stringify(encodeKubeProxyConfiguration(cfg), { version: '1.1', sortMapEntries: true, lineWidth: 0 });
}

/** Write (or replace) `path`; the file holds no secret, so 0644 like kube-proxy's. */
export async function writeKubeProxyConfiguration(path: string, cfg: KubeProxyConfiguration): Promise<void> {
  await writeFile(path, formatKubeProxyConfiguration(cfg), { mode: 0o644 });
}
