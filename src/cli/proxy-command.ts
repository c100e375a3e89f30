// `kipvs proxy`: kube-proxy's command line in, a validated configuration and a
// checked API server connection out, handed to the proxier. Nothing starts
// unless everything is valid. As in kube-proxy, --version prints and exits
// first, --write-config-to writes the effective configuration and exits 0
// without contacting the API server, and --cleanup and --init-only need no credentials.
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
import { addProxyFlags, flagOccurrences, PflagCommand } from './proxy-flags.js';

/**
 * Runs the proxier. `connection` is undefined only for --cleanup and --init-only, which (as in
 * kube-proxy) work on this node alone, without the API server.
 */
export type ProxyRun = (config: ValidatedProxyConfig, connection: ApiServerConnection | undefined) => Promise<void>;

export function registerProxyCommand(program: Command, run: ProxyRun): Command {
  const cmd = new PflagCommand('proxy')
    .description('Run the service proxy: kube-proxy --proxy-mode=ipvs, same flags and --config file')
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
    if (config.options.cleanup || config.options.initOnly) {
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

function warn(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`kipvs: warning: ${w}\n`);
}

function packageVersion(): string {
  return packageJson.version;
}
