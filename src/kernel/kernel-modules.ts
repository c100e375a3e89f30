// The kernel modules kube-proxy's IPVS mode requires before it starts (its
// CanUseIPVSProxier check): IPVS with the rr, wrr and sh schedulers, conntrack, and the
// module of the configured scheduler. A module counts as present when it is loaded
// (/proc/modules) or built into the kernel (/sys/module/NAME, which built-in modules
// with parameters have, or a line of /lib/modules/RELEASE/modules.builtin).
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCHEDULERS } from '../ipvs/types.js';

export interface ModuleCheckOptions {
  /** The configured IPVS scheduler ("rr", "wrr", "lc", ...). */
  readonly scheduler: string;
  /** `uname -r`: picks modules.builtin, and conntrack's module name before 4.19. */
  readonly kernelRelease: string;
  readonly procModules?: string;
  readonly sysModuleDir?: string;
  readonly modulesDir?: string;
}

export interface MissingModule {
  readonly module: string;
  readonly userMessage: string;
}

/**
 * Before Linux 4.19, IPv4 conntrack was its own module, nf_conntrack_ipv4 (merged into
 * nf_conntrack in 4.19); kube-proxy asks for that one on older kernels.
 */
function conntrackModule(kernelRelease: string): string {
  const match = /^(\d+)\.(\d+)/.exec(kernelRelease);
  const older = match !== null && (Number(match[1]) < 4 || (Number(match[1]) === 4 && Number(match[2]) < 19));
  return older ? 'nf_conntrack_ipv4' : 'nf_conntrack';
}

export function requiredModules(scheduler: string, kernelRelease: string): string[] {
  const modules = ['ip_vs', 'ip_vs_rr', 'ip_vs_wrr', 'ip_vs_sh', conntrackModule(kernelRelease), `ip_vs_${scheduler}`];
  return [...new Set(modules)];
}

/** Module names as the kernel lists them: "-" and "_" are the same (modules use "_"). */
const canonical = (name: string): string => name.replaceAll('-', '_');

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The module names a modules.builtin or modules.dep lists, one path per line ("kernel/net/.../ip_vs_rr.ko[.xz][: deps]"). */
function moduleNamesIn(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.split(':', 1)[0] ?? '')
      .map((path) => canonical(path.slice(path.lastIndexOf('/') + 1).replace(/\.ko(\.[a-z]+)?$/, ''))),
  );
}

type ModuleLookup = Pick<ModuleCheckOptions, 'kernelRelease' | 'procModules' | 'sysModuleDir' | 'modulesDir'>;

/** Whether a module is loaded or built in, read once per lookup. */
async function presentModules(options: ModuleLookup): Promise<(module: string) => Promise<boolean>> {
  const loaded = new Set(
    (await readOrEmpty(options.procModules ?? '/proc/modules'))
      .split('\n')
      .map((line) => canonical(line.split(' ', 1)[0] ?? '')),
  );
  const builtin = moduleNamesIn(
    await readOrEmpty(join(options.modulesDir ?? '/lib/modules', options.kernelRelease, 'modules.builtin')),
  );
  const sysModuleDir = options.sysModuleDir ?? '/sys/module';
  return async (module) => loaded.has(module) || builtin.has(module) || (await exists(join(sysModuleDir, module)));
}

/** The required modules that are neither loaded nor built in, each with its fix. */
export async function checkKernelModules(options: ModuleCheckOptions): Promise<MissingModule[]> {
  const present = await presentModules(options);
  const missing: MissingModule[] = [];
  for (const module of requiredModules(options.scheduler, options.kernelRelease)) {
    if (await present(module)) continue;
    missing.push({
      module,
      userMessage: `the kernel module ${module} is not loaded: modprobe ${module} (or enable the chart's node-init container)`,
    });
  }
  return missing;
}

/**
 * The IPVS schedulers this kernel can run: module loaded, built in, or installed (listed in
 * modules.dep), since the kernel loads an installed scheduler's module itself when a
 * virtual server first asks for it (ip_vs_sched_getbyname's request_module). Undefined when
 * modules.dep cannot be read: which ones are installed is then unknown.
 */
export async function availableSchedulers(options: ModuleLookup): Promise<string[] | undefined> {
  const dep = await readOrEmpty(join(options.modulesDir ?? '/lib/modules', options.kernelRelease, 'modules.dep'));
  if (dep === '') return undefined;
  const installed = moduleNamesIn(dep);
  const present = await presentModules(options);
  const available: string[] = [];
  for (const scheduler of SCHEDULERS) {
    const module = `ip_vs_${scheduler}`;
    if (installed.has(module) || (await present(module))) available.push(scheduler);
  }
  return available;
}
