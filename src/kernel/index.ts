// The kernel layer's public surface: one live-state read and one plan apply over the
// IPVS, rtnetlink and ipset clients and the iptables tools, and the host checks
// (sysctls, modules) kube-proxy's IPVS mode makes.
export { applyPlan, type ApplyContext, type ChangeFailure, type KernelApplyReport } from './apply-plan.js';
export { KernelClients } from './clients.js';
export { CommandError, runCommand, type CommandErrorKind, type CommandOptions, type CommandRunner } from './command.js';
export type { ConntrackFlowDeleter, ConntrackFlowFailure } from './conntrack-port.js';
export { describeChange } from './describe-change.js';
export { KernelAccessError, KernelChangeError, type KernelAccessKind, type KernelChangeErrorKind } from './errors.js';
export { IptablesSaveParseError, parseIptablesSave } from './iptables-save-parse.js';
export {
  chooseIptablesBackend,
  detectIptablesBackend,
  iptablesTools,
  probeBackend,
  type BackendChoice,
  type BackendProbe,
  type IptablesBackend,
  type IptablesToolset,
} from './iptables-tools.js';
export { checkKernelModules, requiredModules, type MissingModule, type ModuleCheckOptions } from './kernel-modules.js';
export { NetlinkKernel, type NetlinkKernelOptions } from './netlink-kernel.js';
export { readLiveState, type LiveStateReadOptions } from './read-live-state.js';
export { applySysctls, sysctlDottedName, type SysctlProblem, type SysctlProblemKind, type SysctlReport } from './sysctls.js';
