// Both iptables backends' rules, read with their own save tools (which need
// CAP_NET_ADMIN, and iptables-legacy-save CAP_NET_RAW as well).
import { execFile } from 'node:child_process';
import { countKubeChains } from './check-iptables-backend.js';
import type { IptablesBackend, IptablesSaveFacts } from './facts.js';

const BACKENDS: readonly IptablesBackend[] = ['legacy', 'nft'];
/** A save of many thousand rules takes well under a second; a hung one must not hang doctor. */
const TIMEOUT_MS = 10_000;

function readBackend(backend: IptablesBackend, searchPath: string): Promise<IptablesSaveFacts> {
  const command = `iptables-${backend}-save`;
  return new Promise((resolve) => {
    execFile(command, [], { env: { PATH: searchPath }, timeout: TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && 'code' in err && err.code === 'ENOENT') resolve({ backend, state: 'absent' });
      else if (err) resolve({ backend, state: 'failed', message: stderr.trim().split('\n')[0] || err.message });
      else resolve({ backend, state: 'read', kubeChains: countKubeChains(stdout) });
    });
  });
}

/** `searchPath`: the directories searched for the tools, as PATH. */
export function readIptablesBackends(searchPath: string): Promise<IptablesSaveFacts[]> {
  return Promise.all(BACKENDS.map((backend) => readBackend(backend, searchPath)));
}
