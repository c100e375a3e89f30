// kipvs configuration: kube-proxy's KubeProxyConfiguration and command line,
// resolved into one validated configuration, and the API server credentials
// checked before use. The rest of kipvs imports from here.
export { Duration } from './duration.js';
export { ConfigError, renderProblem, type ConfigProblem } from './problems.js';
export type { KubeProxyConfiguration } from './schema/kube-proxy-configuration.js';
export { applyKubeProxyDefaults, applyPlatformDefaults, defaultKubeProxyConfiguration } from './defaults.js';
export { decodeKubeProxyConfiguration } from './decode.js';
export { validateKubeProxyConfiguration } from './validation.js';
export { resolveProxyConfig, type ValidatedProxyConfig } from './resolve.js';
export { formatKubeProxyConfiguration, writeKubeProxyConfiguration } from './write.js';
export { systemErrorText } from './system-error.js';
export { PROXY_FLAGS, type FlagSpec } from './flags/table.js';
export type { FlagOccurrences } from './flags/parse.js';
export { readCheckedFile, type FileRole } from './file-safety.js';
export { resolveApiServerConnection } from './credentials/resolve-connection.js';
export { describeConnection, type ApiServerConnection } from './credentials/connection.js';
