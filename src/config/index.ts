// kipvs configuration: kube-proxy's KubeProxyConfiguration and command line,
// resolved into one validated configuration, and the API server credentials
// checked before use. The rest of kipvs imports from here.
export { Duration, parseGoDuration } from './duration.js';
export { ConfigError, renderProblem, type ConfigProblem, type SourcePosition } from './problems.js';
export {
  API_VERSION,
  KIND,
  KubeProxyConfigurationSchema,
  KubeProxyConfigurationDocumentSchema,
  type KubeProxyConfiguration,
  type KubeProxyConfigurationDocument,
} from './schema/kube-proxy-configuration.js';
export { applyKubeProxyDefaults, applyPlatformDefaults, defaultKubeProxyConfiguration } from './defaults.js';
export { decodeKubeProxyConfiguration } from './decode.js';
export { validateKubeProxyConfiguration } from './validation.js';
export { resolveProxyConfig, type ValidatedProxyConfig, type ResolveInput } from './resolve.js';
export { ipvsSettings, type IpvsSettings } from './ipvs-settings.js';
export { formatKubeProxyConfiguration, writeKubeProxyConfiguration } from './write.js';
export { systemErrorText } from './system-error.js';
export { PROXY_FLAGS, findFlag, type FlagSpec, type FlagType } from './flags/table.js';
export type { FlagOccurrences, ProxyOptions } from './flags/parse.js';
export { readCheckedFile, type FileRole } from './file-safety.js';
export { resolveApiServerConnection, SERVICE_ACCOUNT_DIR, type ConnectionInput, type ResolvedConnection } from './credentials/resolve-connection.js';
export { ApiServerConnectionSchema, Secret, describeConnection, type ApiServerConnection } from './credentials/connection.js';
