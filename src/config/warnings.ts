// Start-up warnings about a valid configuration: settings that are legal but
// probably not what was meant, or that have no effect in ipvs mode. kube-proxy
// logs most of these as "configuration may be incomplete or incorrect".
import type { KubeProxyConfiguration } from './schema/kube-proxy-configuration.js';

/** Gates kipvs itself reads (for logging options); others are carried but unused. */
const GATES_READ = new Set(['LoggingAlphaOptions', 'LoggingBetaOptions']);

export function configurationWarnings(cfg: KubeProxyConfiguration): string[] {
  const warnings: string[] = [];
  if ((cfg.detectLocalMode === 'ClusterCIDR' || cfg.detectLocalMode === '') && cfg.clusterCIDR === '') {
    warnings.push(
      'clusterCIDR is empty: with detectLocalMode ClusterCIDR, traffic from pods cannot be told apart from other traffic',
    );
  }
  if (cfg.nodePortAddresses.length === 0) {
    warnings.push(
      'nodePortAddresses is unset: NodePort services are served on every local IP; consider --nodeport-addresses=primary',
    );
  }
  if (cfg.nodePortAddresses.includes('localhost')) {
    warnings.push(
      'nodePortAddresses "localhost" has no effect in ipvs mode: NodePorts are never served on loopback addresses',
    );
  }
  if (cfg.portRange !== '') warnings.push('portRange has no effect (it configured the removed userspace proxy)');
  const unusedGates = Object.keys(cfg.featureGates).filter((gate) => !GATES_READ.has(gate));
  if (unusedGates.length > 0) {
    const which = unusedGates.length === 1 ? 'feature gate' : 'feature gates';
    warnings.push(
      `${which} ${unusedGates.join(', ')} ${unusedGates.length === 1 ? 'has' : 'have'} no effect in kipvs (it implements what they gate, or not at all)`,
    );
  }
  return warnings;
}
