// The kernel layer's public surface: one live-state read and one plan apply over the
// IPVS, rtnetlink and ipset clients and the iptables tools, and the host checks
// (sysctls, modules) kube-proxy's IPVS mode makes.
export { applyPlan, type AppliedChange, type ApplyContext, type ApplyReport, type ChangeFailure, type ChangeResult } from './apply-plan.js';
export { KernelClients, type NetlinkTraffic } from './clients.js';
export { CommandError, runCommand, type CommandErrorKind, type CommandOptions, type CommandRunner } from './command.js';
export type { ConntrackFlowDeleter, ConntrackFlowFailure } from './conntrack-port.js';
export { describeChange, type KernelChange } from './describe-change.js';
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
  type IptablesTools,
  type IptablesToolset,
} from './iptables-tools.js';
export { availableSchedulers, checkKernelModules, requiredModules, type MissingModule, type ModuleCheckOptions } from './kernel-modules.js';
export type * from './live-state.js';
export { desiredSetNames, kubeProxySetNames, readLiveState, type LiveStateQuery } from './read-live-state.js';
export { applySysctls, sysctlDottedName, type SysctlProblem, type SysctlProblemKind, type SysctlReport } from './sysctls.js';
