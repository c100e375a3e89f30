// From gathered facts to findings, in the order an operator fixes things:
// the files and configuration, the API server connection, the servers, then
// the node (capabilities, kernel, iptables, other proxies). Pure: no I/O.
import { renderProblem } from '../config/index.js';
import { checkHealthzBindAddress, checkMetricsBindAddress } from './check-bind-addresses.js';
import { checkCapabilities } from './check-capabilities.js';
import { checkConnection, kubeconfigReadership } from './check-connection.js';
import { checkFile } from './check-files.js';
import { checkIptablesBackend } from './check-iptables-backend.js';
import { checkKernelModules, checkSchedulers } from './check-kernel-modules.js';
import { checkKubeProxy } from './check-kube-proxy.js';
import { checkRouteLocalnet, checkSysctl } from './check-sysctls.js';
import type { ConfigurationFacts, DoctorFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

export interface DiagnoseOptions {
  /** --allow-exposed-metrics: metrics beyond loopback are intended (WARN, not FAIL). */
  readonly allowExposedMetrics: boolean;
}

export function diagnose(facts: DoctorFacts, options: DiagnoseOptions): Finding[] {
  const findings: Finding[] = [
    facts.configFile
      ? checkFile(facts.configFile, 'anyone')
      : pass('config-file', "config file: none (no --config); the command line and kube-proxy's defaults apply"),
    ...checkConfiguration(facts.configuration),
  ];
  const { configuration } = facts;
  if (configuration.state === 'resolved') {
    const { settings } = configuration;
    if (facts.kubeconfigFile) findings.push(checkFile(facts.kubeconfigFile, kubeconfigReadership(facts.connection)));
    if (facts.connection) findings.push(...checkConnection(facts.connection));
    findings.push(
      checkHealthzBindAddress(settings.healthzBindAddress),
      checkMetricsBindAddress(settings.metricsBindAddress, options.allowExposedMetrics),
    );
    if (facts.modules) findings.push(checkKernelModules(facts.modules), checkSchedulers(facts.modules));
  }
  // Without the configuration, the backend kipvs would choose by itself.
  const iptablesBackend = configuration.state === 'resolved' ? configuration.settings.iptablesBackend : 'auto';
  findings.push(
    checkCapabilities(facts.capabilities, facts.iptables, iptablesBackend),
    ...facts.sysctls.map(checkSysctl),
    checkRouteLocalnet(facts.routeLocalnet),
    checkIptablesBackend(facts.iptables, iptablesBackend),
    checkKubeProxy(facts.processes),
  );
  return findings;
}

function checkConfiguration(facts: ConfigurationFacts): Finding[] {
  switch (facts.state) {
    case 'file-refused':
      return [
        fail(
          'configuration',
          'configuration: not read, the config file being refused (the checks that need it are left out)',
          'fix the config file first',
        ),
      ];
    case 'invalid':
      return [
        fail(
          'configuration',
          `configuration: kipvs proxy would refuse it: ${facts.problems.map(renderProblem).join('; ')} (the checks that need it are left out)`,
          'correct the fields named, in the --config file or on the command line',
        ),
      ];
    case 'resolved': {
      const { warnings } = facts.settings;
      return warnings.length === 0
        ? [pass('configuration', 'configuration: valid')]
        : [
            warn(
              'configuration',
              `configuration: valid, with warnings: ${warnings.join('; ')}`,
              'review the settings named',
            ),
          ];
    }
  }
}
