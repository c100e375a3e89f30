// `kipvs config validate FILE` checks a KubeProxyConfiguration file exactly as
// `kipvs proxy --config FILE` would load it, without starting anything
// (optionally its API server credentials too); `kipvs config defaults` prints
// the complete configuration an empty file yields.
import type { Command } from 'commander';
import {
  defaultKubeProxyConfiguration,
  describeConnection,
  formatKubeProxyConfiguration,
  resolveApiServerConnection,
  resolveProxyConfig,
} from '../config/index.js';

export function registerConfigCommand(program: Command): Command {
  const config = program.command('config').description('Check and show kube-proxy configuration files');

  config
    .command('validate')
    .description('Check a KubeProxyConfiguration file as `kipvs proxy --config FILE` would; exit 1 on any problem')
    .argument('<file>', 'KubeProxyConfiguration file (kubeproxy.config.k8s.io/v1alpha1)')
    .option('--credentials', 'also check the kubeconfig (or in-cluster service account) it names')
    .option(
      '--allow-insecure-apiserver',
      'with --credentials: accept http:// or insecure-skip-tls-verify, as `kipvs proxy` would with this flag',
    )
    .action(async (file: string, opts: { credentials?: boolean; allowInsecureApiserver?: boolean }) => {
      const resolved = await resolveProxyConfig({ flags: new Map([['config', [file]]]) });
      const lines = [`${file}: valid`, ...resolved.warnings.map((w) => `warning: ${w}`)];
      if (opts.credentials) {
        const { connection, warnings } = await resolveApiServerConnection({
          clientConnection: resolved.configuration.clientConnection,
          allowInsecureApiserver: opts.allowInsecureApiserver === true,
        });
        lines.push(...warnings.map((w) => `warning: ${w}`), describeConnection(connection));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  config
    .command('defaults')
    .description('Print the complete default configuration (what an empty --config file gives) as YAML')
    .action(() => {
      process.stdout.write(formatKubeProxyConfiguration(defaultKubeProxyConfiguration()));
    });

  return config;
}
