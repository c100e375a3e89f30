// The node side of doctor's facts, read from files under a root directory:
// "/" on the node itself, "/host" in a `kubectl debug node` pod, or a
// temporary tree in the tests. Nothing here judges; a file that cannot be read
// is an absent fact, which the checks report. The module lookup is the
// daemon's (src/kernel/kernel-modules.ts), pointed at the root.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { availableSchedulers, checkKernelModules, requiredModules } from '../kernel/index.js';
import { desiredSysctls } from '../proxy/sysctls.js';
import { parseCapabilitySet } from './capabilities.js';
import type { CapabilityFacts, ModuleFacts, ProcessFacts, SysctlFacts } from './facts.js';

async function readText(root: string, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

async function listDir(root: string, path: string): Promise<string[] | undefined> {
  try {
    return await fs.readdir(join(root, path));
  } catch {
    return undefined;
  }
}

/** /proc/sys/kernel/osrelease, e.g. "6.1.0-28-amd64". */
export async function readKernelRelease(root: string): Promise<string | undefined> {
  return (await readText(root, 'proc/sys/kernel/osrelease'))?.trim();
}

export async function readCapabilities(root: string): Promise<CapabilityFacts | undefined> {
  const status = await readText(root, 'proc/self/status');
  const lastCap = Number((await readText(root, 'proc/sys/kernel/cap_last_cap'))?.trim());
  const effective = status === undefined ? undefined : parseCapabilitySet(status, 'CapEff');
  return effective === undefined || !Number.isInteger(lastCap) ? undefined : { effective, lastCap };
}

/** kube-proxy's required modules that are neither loaded nor built in, read as the daemon reads them. */
export async function readModules(root: string, scheduler: string, release: string | undefined): Promise<ModuleFacts> {
  const kernelRelease = release ?? '';
  const lookup = {
    kernelRelease,
    procModules: join(root, 'proc/modules'),
    sysModuleDir: join(root, 'sys/module'),
    modulesDir: join(root, 'lib/modules'),
  };
  const missing = await checkKernelModules({ scheduler, ...lookup });
  return {
    required: requiredModules(scheduler, kernelRelease),
    missing: missing.map((m) => m.module),
    schedulers: await availableSchedulers(lookup),
  };
}

/** The sysctls IPVS mode sets for this configuration and kernel, with their values on the node. */
export async function readSysctls(
  root: string,
  strictARP: boolean,
  release: string | undefined,
): Promise<SysctlFacts[]> {
  return Promise.all(
    desiredSysctls(strictARP, release).map(async ({ name, value }) => {
      const actual = (await readText(root, join('proc/sys', name)))?.trim();
      return actual === undefined ? { name, desired: value } : { name, desired: value, actual };
    }),
  );
}

export async function readRouteLocalnet(root: string): Promise<string | undefined> {
  return (await readText(root, 'proc/sys/net/ipv4/conf/all/route_localnet'))?.trim();
}

/** Every process /proc lists, with its command name and first argument; undefined when /proc cannot be listed. */
export async function readProcesses(root: string): Promise<ProcessFacts[] | undefined> {
  const entries = await listDir(root, 'proc');
  if (!entries) return undefined;
  const pids = entries.filter((entry) => /^[0-9]+$/.test(entry));
  const processes = await Promise.all(
    pids.map(async (pid): Promise<ProcessFacts | undefined> => {
      const comm = await readText(root, join('proc', pid, 'comm'));
      if (comm === undefined) return undefined; // exited while we looked
      const cmdline = (await readText(root, join('proc', pid, 'cmdline'))) ?? '';
      return { pid: Number(pid), comm: comm.trim(), argv0: cmdline.split('\0')[0] ?? '' };
    }),
  );
  return processes.filter((p) => p !== undefined);
}
