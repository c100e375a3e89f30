// The kernel modules kube-proxy's IPVS mode requires before it starts (its
// CanUseIPVSProxier check): IPVS with the rr, wrr and sh schedulers, conntrack, and the
// module of the configured scheduler. A module counts as present when it is loaded
// (/proc/modules) or built into the kernel (/sys/module/NAME, which built-in modules
// with parameters have, or a line of /lib/modules/RELEASE/modules.builtin).
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/** The required modules that are neither loaded nor built in, each with its fix. */
export async function checkKernelModules(options: ModuleCheckOptions): Promise<MissingModule[]> {
  const loaded = new Set(
    (await readOrEmpty(options.procModules ?? '/proc/modules')).split('\n').map((line) => canonical(line.split(' ', 1)[0] ?? '')),
  );
  const builtin = new Set(
    (await readOrEmpty(join(options.modulesDir ?? '/lib/modules', options.kernelRelease, 'modules.builtin')))
      .split('\n')
      .map((path) => canonical(path.slice(path.lastIndexOf('/') + 1).replace(/\.ko$/, ''))),
  );
  const sysModuleDir = options.sysModuleDir ?? '/sys/module';
  const missing: MissingModule[] = [];
  for (const module of requiredModules(options.scheduler, options.kernelRelease)) {
    if (loaded.has(module) || builtin.has(module) || (await exists(join(sysModuleDir, module)))) continue;
    missing.push({ module, userMessage: `the kernel module ${module} is not loaded: modprobe ${module} (or enable the chart's node-init container)` });
  }
  return missing;
}
