// The configuration side of doctor's facts: the files kipvs proxy would read
// and the configuration and API server connection it would resolve from them,
// by the same code (src/config) and so with the same verdicts.
import { promises as fs } from 'node:fs';
import {
  ConfigError,
  readCheckedFile,
  resolveApiServerConnection,
  resolveProxyConfig,
  type FileRole,
  type ValidatedProxyConfig,
} from '../config/index.js';
import { parseProxyFlags, type FlagOccurrences } from '../config/flags/parse.js';
import type { ConfigurationFacts, ConnectionFacts, FileFacts } from './facts.js';

export interface ConfigInput {
  /** The proxy flags as given on doctor's command line. */
  readonly flags: FlagOccurrences;
  /** The uid kipvs runs as (process.getuid() by default): its own files are trusted. */
  readonly uid?: number;
}

export interface ConfigSideFacts {
  readonly configFile?: FileFacts;
  readonly configuration: ConfigurationFacts;
  readonly kubeconfigFile?: FileFacts;
  readonly connection?: ConnectionFacts;
}

/** A file's mode and owner, and what src/config/file-safety.ts says about it. */
export async function gatherFile(path: string, role: FileRole, uid?: number): Promise<FileFacts> {
  const checked = await readCheckedFile(path, role, uid === undefined ? {} : { uid });
  try {
    const { mode, uid: owner } = await fs.stat(path);
    return { path, role, stat: { mode, uid: owner }, problems: checked.problems };
  } catch {
    return { path, role, problems: checked.problems };
  }
}

/** Throws the ConfigError of a command line kipvs proxy would refuse (unknown flag, bad value). */
export async function gatherConfigFacts(input: ConfigInput): Promise<ConfigSideFacts> {
  const files = input.uid === undefined ? {} : { uid: input.uid };
  const parsed = parseProxyFlags(input.flags);
  if (parsed.problems.length > 0) throw new ConfigError('flags', parsed.problems);
  const { configFile: configPath, master } = parsed.options;
  const configFile =
    configPath === undefined ? undefined : await gatherFile(configPath, 'configuration file', input.uid);
  const withConfigFile = configFile ? { configFile } : {};
  if (configFile && configFile.problems.length > 0)
    return { ...withConfigFile, configuration: { state: 'file-refused' } };

  let config: ValidatedProxyConfig;
  try {
    config = await resolveProxyConfig({ flags: input.flags, files });
  } catch (err) {
    if (err instanceof ConfigError)
      return { ...withConfigFile, configuration: { state: 'invalid', problems: err.problems } };
    throw err;
  }
  const { configuration: cfg, ipvs } = config;
  const configuration: ConfigurationFacts = {
    state: 'resolved',
    settings: {
      healthzBindAddress: cfg.healthzBindAddress,
      metricsBindAddress: cfg.metricsBindAddress,
      scheduler: ipvs.scheduler,
      strictARP: ipvs.strictARP,
      iptablesBackend: config.options.iptablesBackend,
      warnings: config.warnings,
    },
  };

  const kubeconfigPath = cfg.clientConnection.kubeconfig;
  const kubeconfigFile = kubeconfigPath === '' ? undefined : await gatherFile(kubeconfigPath, 'kubeconfig', input.uid);
  const resolved = { ...withConfigFile, configuration, ...(kubeconfigFile ? { kubeconfigFile } : {}) };
  if (kubeconfigFile && kubeconfigFile.problems.length > 0)
    return { ...resolved, connection: { state: 'file-refused' } };
  try {
    // Insecure transport let through: doctor names it (check-connection.ts) instead of stopping there.
    const { connection } = await resolveApiServerConnection({
      clientConnection: cfg.clientConnection,
      ...(master === undefined ? {} : { master }),
      allowInsecureApiserver: true,
      files,
    });
    const credentials: [string | undefined, FileRole][] = [
      [connection.auth.tokenFile, 'token file'],
      [connection.auth.clientKeyFile, 'client key'],
    ];
    const credentialFiles = await Promise.all(
      credentials.flatMap(([path, role]) => (path === undefined ? [] : [gatherFile(path, role, input.uid)])),
    );
    return { ...resolved, connection: { state: 'resolved', connection, credentialFiles } };
  } catch (err) {
    if (err instanceof ConfigError) return { ...resolved, connection: { state: 'refused', problems: err.problems } };
    throw err;
  }
}
