// A configuration as YAML, the way kube-proxy's --write-config-to writes it:
// every field, keys in alphabetical order, durations in Go's notation. Strings
// that YAML 1.1 would read as something else ("yes", "0644") are quoted, so
// kube-proxy and kipvs both read the file back to the same configuration.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { encodeKubeProxyConfiguration } from './decode.js';
import type { KubeProxyConfiguration } from './schema/kube-proxy-configuration.js';
import { systemErrorText } from './system-error.js';

/** The file could not be written (a missing directory, a full disk, no permission): the machine's answer, not a bug. */
export class ConfigWriteError extends Error {
  constructor(
    readonly path: string,
    readonly reason: unknown,
  ) {
    super(`cannot write the configuration to ${path}: ${systemErrorText(reason)}`);
    this.name = 'ConfigWriteError';
  }

  /** Read by src/cli/exit.ts: printed as is, and the process exits 1. */
  get userMessage(): string {
    return this.message;
  }
}

export function formatKubeProxyConfiguration(cfg: KubeProxyConfiguration): string {
  return stringify(encodeKubeProxyConfiguration(cfg), { version: '1.1', sortMapEntries: true, lineWidth: 0 });
}

/** Write (or replace) `path`; the file holds no secret, so 0644 like kube-proxy's. */
export async function writeKubeProxyConfiguration(path: string, cfg: KubeProxyConfiguration): Promise<void> {
  try {
    await writeFile(path, formatKubeProxyConfiguration(cfg), { mode: 0o644 });
  } catch (err) {
    throw new ConfigWriteError(path, err);
  }
}
