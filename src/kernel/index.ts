// The kernel layer's public surface: one live-state read and one plan apply over the
// IPVS, rtnetlink and ipset clients and the iptables tools, and the host checks
// (sysctls, modules) kube-proxy's IPVS mode makes.
export { Applied, appliedChange, applyPlan } from './apply-plan.js';
export { KernelClients } from './clients.js';
export { CommandError, runCommand, type CommandErrorKind, type CommandRunner } from './command.js';
export { CommandLauncher } from './command-launcher.js';
export type { ConntrackFlowDeleter } from './conntrack-port.js';
export { describeChange } from './describe-change.js';
export { KernelAccessError } from './errors.js';
export { IptablesSaveParseError, parseIptablesSave } from './iptables-save-parse.js';
export {
  chooseIptablesBackend,
  detectIptablesBackend,
  iptablesTools,
  IptablesBackendError,
  probeBackend,
  probeWrite,
  type BackendChoice,
  type BackendProbe,
  type IptablesBackend,
  type IptablesToolset,
} from './iptables-tools.js';
export { availableSchedulers, checkKernelModules, requiredModules } from './kernel-modules.js';
export { NetlinkKernel } from './netlink-kernel.js';
export { readLiveState } from './read-live-state.js';
export { applySysctls, sysctlDottedName, type SysctlReport } from './sysctls.js';
