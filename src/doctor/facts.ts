// Everything `kipvs doctor` judges, gathered once by ./gather.ts (the only
// part that does I/O) so that each check is a pure function of these values.
import type { ApiServerConnection, ConfigProblem, FileRole } from '../config/index.js';
import type { IptablesBackendChoice } from '../config/flags/parse.js';
import type { BackendProbe, CommandErrorKind, IptablesBackend } from '../kernel/index.js';

/** A file kipvs trusts, as src/config/file-safety.ts sees it, and its mode and owner. */
export interface FileFacts {
  readonly path: string;
  readonly role: FileRole;
  /** Absent when the file could not be examined (missing, unreadable). */
  readonly stat?: { readonly mode: number; readonly uid: number };
  /** readCheckedFile's refusals: missing, foreign owner, writable by others. */
  readonly problems: readonly ConfigProblem[];
}

/** What the proxy would run with: the parts of the resolved configuration the checks read. */
export interface DoctorSettings {
  readonly healthzBindAddress: string;
  readonly metricsBindAddress: string;
  /** The IPVS scheduler, "rr" when the configuration leaves it empty. */
  readonly scheduler: string;
  readonly strictARP: boolean;
  /** --iptables-backend. */
  readonly iptablesBackend: IptablesBackendChoice;
  /** Configuration warnings kipvs proxy would log at start. */
  readonly warnings: readonly string[];
}

export type ConfigurationFacts =
  | { readonly state: 'resolved'; readonly settings: DoctorSettings }
  /** The configuration file itself was refused; its own finding says why. */
  | { readonly state: 'file-refused' }
  | { readonly state: 'invalid'; readonly problems: readonly ConfigProblem[] };

export type ConnectionFacts =
  | {
      readonly state: 'resolved';
      readonly connection: ApiServerConnection;
      readonly credentialFiles: readonly FileFacts[];
    }
  /** The kubeconfig itself was refused; its own finding says why. */
  | { readonly state: 'file-refused' }
  | { readonly state: 'refused'; readonly problems: readonly ConfigProblem[] };

export interface CapabilityFacts {
  /** CapEff of /proc/self/status. */
  readonly effective: bigint;
  /** /proc/sys/kernel/cap_last_cap: the highest capability this kernel knows. */
  readonly lastCap: number;
}

/** kube-proxy's required modules for the configured scheduler, as src/kernel/kernel-modules.ts finds them. */
export interface ModuleFacts {
  readonly required: readonly string[];
  /** Neither loaded nor built in. */
  readonly missing: readonly string[];
  /** The IPVS schedulers the kernel can run (loaded, built in or installed); undefined without modules.dep. */
  readonly schedulers: readonly string[] | undefined;
}

export interface SysctlFacts {
  /** "net/ipv4/vs/conntrack", as under /proc/sys. */
  readonly name: string;
  readonly desired: number;
  /** The value read, trimmed; absent when the file does not exist. */
  readonly actual?: string;
}

/** One iptables backend as its save tools show it (src/kernel/iptables-tools.ts probeBackend). */
export interface IptablesBackendFacts {
  readonly backend: IptablesBackend;
  readonly probe: BackendProbe;
  /** Why its IPv4 save failed, when it did. */
  readonly failure?: { readonly kind: CommandErrorKind; readonly message: string };
}

export interface IptablesFacts {
  readonly nft: IptablesBackendFacts;
  readonly legacy: IptablesBackendFacts;
}

export interface ProcessFacts {
  readonly pid: number;
  /** /proc/PID/comm. */
  readonly comm: string;
  /** The first word of /proc/PID/cmdline. */
  readonly argv0: string;
}

export interface DoctorFacts {
  /** Absent without --config. */
  readonly configFile?: FileFacts;
  readonly configuration: ConfigurationFacts;
  /** Absent without a kubeconfig, or when the configuration could not be resolved. */
  readonly kubeconfigFile?: FileFacts;
  readonly connection?: ConnectionFacts;
  /** Absent when /proc/self/status or cap_last_cap cannot be read. */
  readonly capabilities?: CapabilityFacts;
  /** Absent when the configuration (and so the scheduler) is not known. */
  readonly modules?: ModuleFacts;
  /** The sysctls IPVS mode sets (src/proxy/sysctls.ts), when the configuration is known. */
  readonly sysctls: readonly SysctlFacts[];
  /** net.ipv4.conf.all.route_localnet; absent when it cannot be read. */
  readonly routeLocalnet?: string;
  readonly iptables: IptablesFacts;
  /** Absent when /proc cannot be listed. */
  readonly processes?: readonly ProcessFacts[];
}
