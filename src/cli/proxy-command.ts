// `kipvs proxy`: kube-proxy's command line in, a validated configuration and a
// checked API server connection out, handed to the proxier. Nothing starts
// unless everything is valid. As in kube-proxy, --version prints and exits
// first, --write-config-to writes the effective configuration and exits 0
// without contacting the API server, and --cleanup needs no credentials.
import type { Command } from 'commander';
// Imported, not read at run time: the bundle in build/cli carries it inline.
import packageJson from '../../package.json' with { type: 'json' };
import {
  describeConnection,
  resolveApiServerConnection,
  resolveProxyConfig,
  writeKubeProxyConfiguration,
  type ApiServerConnection,
  type ValidatedProxyConfig,
} from '../config/index.js';
import { parseProxyFlags } from '../config/flags/parse.js';
import { UserFacingError } from './exit.js';
import { addProxyFlags, flagOccurrences, PflagCommand } from './proxy-flags.js';

/**
 * Runs the proxier. `connection` is undefined only for --cleanup, which (as in
 * kube-proxy) removes local state without talking to the API server.
 */
export type ProxyRun = (config: ValidatedProxyConfig, connection: ApiServerConnection | undefined) => Promise<void>;

export function registerProxyCommand(program: Command, run: ProxyRun): Command {
  const cmd = new PflagCommand('proxy')
    .description('Run the service proxy: kube-proxy --proxy-mode=ipvs, same flags and --config file')
    .helpOption('-h, --help', 'Show this help.')
    .allowExcessArguments(false);
  addProxyFlags(cmd);
  cmd.action(async () => {
    const occurrences = flagOccurrences(cmd);
    if (parseProxyFlags(occurrences).options.version) {
      process.stdout.write(`kipvs ${packageVersion()}\n`);
      return;
    }
    const config = await resolveProxyConfig({ flags: occurrences });
    warn(config.warnings);
    if (config.options.writeConfigTo !== undefined) {
      await writeKubeProxyConfiguration(config.options.writeConfigTo, config.configuration);
      process.stderr.write(`kipvs: wrote the configuration to ${config.options.writeConfigTo}\n`);
      return;
    }
    if (config.options.cleanup) {
      await run(config, undefined);
      return;
    }
    const { connection, warnings } = await resolveApiServerConnection({
      clientConnection: config.configuration.clientConnection,
      allowInsecureApiserver: config.options.allowInsecureApiserver,
      ...(config.options.master !== undefined ? { master: config.options.master } : {}),
    });
    warn(warnings);
    process.stderr.write(`kipvs: ${describeConnection(connection)}\n`);
    await run(config, connection);
  });
  program.addCommand(cmd);
  return cmd;
}

/** The `run` main.ts passes until the proxier exists: show what would run, then stop. */
export const proxierNotBuiltYet: ProxyRun = async (config, connection) => {
  process.stdout.write(`${summarizeProxyConfig(config, connection).join('\n')}\n`);
  throw new UserFacingError('the IPVS proxier is not built yet; the configuration above is valid but nothing was started');
};

export function summarizeProxyConfig(config: ValidatedProxyConfig, connection: ApiServerConnection | undefined): string[] {
  const c = config.configuration;
  const s = config.ipvs;
  return [
    `node: ${config.nodeName}`,
    `mode: ${c.mode}, scheduler ${s.scheduler}, sync every ${s.syncPeriod} (at most every ${s.minSyncPeriod}), strict ARP ${s.strictARP}`,
    `masquerade: all ${s.masqueradeAll}, mark bit ${s.masqueradeBit}; local traffic by ${s.detectLocalMode}${s.clusterCIDRs.length ? ` (${s.clusterCIDRs.join(', ')})` : ''}`,
    `node ports on: ${s.nodePortAddresses.length ? s.nodePortAddresses.join(', ') : 'all local addresses'}; exclude CIDRs: ${s.excludeCIDRs.length ? s.excludeCIDRs.join(', ') : 'none'}`,
    `healthz: ${c.healthzBindAddress || 'disabled'}, metrics: ${c.metricsBindAddress}`,
    connection ? describeConnection(connection) : 'cleanup only: no API server connection',
  ];
}

function warn(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`kipvs: warning: ${w}\n`);
}

function packageVersion(): string {
  return packageJson.version;
}
