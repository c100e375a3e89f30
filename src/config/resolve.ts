// The one configuration kipvs runs with, from the command line and the
// --config file, following kube-proxy's precedence (cmd/kube-proxy/app
// options.go, Options.Complete and processV1Alpha1Flags):
//
//  - Without --config, flags are applied over kube-proxy's defaults and are not
//    defaulted again (an explicit --healthz-bind-address="" stays empty). The
//    defaults are those of kube-proxy's internal configuration, whose minimum
//    sync period comes from the iptables section: `--proxy-mode=ipvs` alone runs
//    with a 1s ipvs minSyncPeriod, and so does kipvs. The deprecated
//    --healthz-port/--metrics-port are folded into the bind addresses.
//  - With --config, the file (defaulted) is the configuration. Flags mapped to
//    configuration fields are ignored (kipvs warns about each); the logging
//    flags override the file's logging section; --hostname-override, --master,
//    --cleanup, --init-only and --write-config-to apply as given.
//  - --hostname-override, when not blank, is trimmed and lower-cased and wins
//    over hostnameOverride.
//  - Finally, as kube-proxy's platform defaulting does, an empty mode becomes
//    "ipvs" (kipvs's only mode) and an empty detectLocalMode "ClusterCIDR".
// Any problem anywhere stops the whole resolution: there is no partial result.
import { hostname as osHostname } from 'node:os';
import { byPosition, decodeKubeProxyConfiguration, decodeOverlay } from './decode.js';
import {
  appendPortIfNeeded,
  applyKubeProxyDefaults,
  applyPlatformDefaults,
  HEALTHZ_PORT,
  METRICS_PORT,
} from './defaults.js';
import { readCheckedFile, type FileSafetyContext } from './file-safety.js';
import { parseProxyFlags, type FieldFromFlag, type FlagOccurrences, type ProxyOptions } from './flags/parse.js';
import { findFlag } from './flags/table.js';
import { ipvsSettings, type IpvsSettings } from './ipvs-settings.js';
import { ConfigError, type ConfigProblem, type SourcePosition } from './problems.js';
import type { KubeProxyConfiguration, KubeProxyConfigurationOverlay } from './schema/kube-proxy-configuration.js';
import { validateKubeProxyConfiguration } from './validation.js';
import { configurationWarnings } from './warnings.js';

export interface ValidatedProxyConfig {
  /** The complete v1alpha1 configuration, as --write-config-to writes it. */
  readonly configuration: KubeProxyConfiguration;
  /** The same, read the way the ipvs proxier needs it. */
  readonly ipvs: IpvsSettings;
  /** The Node name: the hostname override or the machine's hostname, trimmed and lower-cased. */
  readonly nodeName: string;
  /** Settings that are not configuration fields (--master, --cleanup, ...). */
  readonly options: ProxyOptions;
  /** Things worth a log line at start-up; never a reason not to start. */
  readonly warnings: readonly string[];
}

export interface ResolveInput {
  /** Raw values per flag name, as the command line gave them. */
  readonly flags: FlagOccurrences;
  readonly files?: FileSafetyContext;
  /** The machine hostname (os.hostname by default). */
  readonly hostname?: () => string;
}

export async function resolveProxyConfig(input: ResolveInput): Promise<ValidatedProxyConfig> {
  const flags = parseProxyFlags(input.flags);
  if (flags.problems.length > 0) throw new ConfigError('flags', flags.problems);
  const { options } = flags;
  const start =
    options.configFile === undefined
      ? fromFlagDefaults(flags.fields)
      : await fromFile(options.configFile, flags.fields, input);
  const { cfg, applied, problems, warnings } = start;
  for (const name of input.flags.keys()) {
    const spec = findFlag(name);
    if (spec?.deprecated) warnings.push(`--${name} is deprecated: ${spec.deprecated}`);
    if (spec && options.configFile !== undefined && spec.withConfig === 'ignored') {
      const where =
        'config' in spec.target ? `; set ${spec.target.config.join('.')} in ${options.configFile} instead` : '';
      warnings.push(`--${name} is ignored because --config is given (kube-proxy ignores it too)${where}`);
    }
  }

  const overlay = decodeOverlay(plainOverlay(applied));
  if (!overlay.ok)
    throw new ConfigError(
      'flags',
      overlay.problems.map((p) => renameToFlag(p, applied)),
    );
  applyFlagFields(cfg, overlay.value, applied, options.configFile !== undefined);
  if (options.configFile === undefined) {
    // kube-proxy's addressFromDeprecatedFlags: port 0 disables, another port is appended if missing.
    cfg.healthzBindAddress = addressWithPort(cfg.healthzBindAddress, options.healthzPort ?? HEALTHZ_PORT);
    cfg.metricsBindAddress = addressWithPort(cfg.metricsBindAddress, options.metricsPort ?? METRICS_PORT);
  }
  if (options.hostnameOverride !== undefined) {
    const name = options.hostnameOverride.trim();
    if (name === '') problems.push({ path: '--hostname-override', message: 'must not be blank' });
    else cfg.hostnameOverride = name.toLowerCase();
  }

  const reported = new Set(problems.map((p) => p.path));
  for (const problem of validateKubeProxyConfiguration(cfg)) {
    if (reported.has(problem.path)) continue;
    const renamed = renameToFlag(problem, applied);
    const position = renamed === problem ? start.locate(problem.path) : undefined;
    problems.push(position ? { ...renamed, position } : renamed);
  }
  // nodeutil.GetHostname: the override, else the hostname, trimmed and lower-cased.
  const nodeName = (cfg.hostnameOverride === '' ? (input.hostname ?? osHostname)() : cfg.hostnameOverride)
    .trim()
    .toLowerCase();
  if (nodeName === '') {
    problems.push({
      path: 'hostnameOverride',
      message:
        cfg.hostnameOverride === '' ? 'the machine hostname is empty; set --hostname-override' : 'must not be blank',
    });
  }
  if (problems.length > 0)
    throw new ConfigError('config', problems.sort(byPosition), options.configFile ?? 'command line');

  applyPlatformDefaults(cfg);
  warnings.push(...configurationWarnings(cfg));
  return { configuration: cfg, ipvs: ipvsSettings(cfg), nodeName, options, warnings };
}

interface StartingPoint {
  readonly cfg: KubeProxyConfiguration;
  /** The flags whose values are applied over `cfg`. */
  readonly applied: readonly FieldFromFlag[];
  /** Problems already found (in the file); validation adds the rest, so one run names every bad field. */
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
  readonly locate: (path: string) => SourcePosition | undefined;
}

/** No --config: kube-proxy's internal defaults, every flag applies. */
function fromFlagDefaults(fields: readonly FieldFromFlag[]): StartingPoint {
  const cfg = applyKubeProxyDefaults({});
  cfg.ipvs.minSyncPeriod = cfg.iptables.minSyncPeriod;
  return { cfg, applied: fields, problems: [], warnings: [], locate: () => undefined };
}

/** --config: the file, defaulted; only the flags kube-proxy still honours apply. */
async function fromFile(path: string, fields: readonly FieldFromFlag[], input: ResolveInput): Promise<StartingPoint> {
  const file = await readCheckedFile(path, 'configuration file', input.files);
  if (file.text === undefined) throw new ConfigError('config', file.problems, path);
  const decoded = decodeKubeProxyConfiguration(file.text, path);
  if (!decoded.document) throw new ConfigError('config', decoded.problems, path);
  return {
    cfg: applyKubeProxyDefaults(decoded.document),
    applied: fields.filter((f) => f.spec.withConfig === 'applies'),
    problems: [...decoded.problems],
    warnings: [...file.warnings],
    locate: decoded.locate,
  };
}

/** The flags' values as a nested plain object, for the configuration schema to decode. */
function plainOverlay(fields: readonly FieldFromFlag[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { path, value } of fields) {
    let node = root;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next && typeof next === 'object') node = next as Record<string, unknown>;
      else {
        const child: Record<string, unknown> = {};
        node[key] = child;
        node = child;
      }
    }
    const last = path[path.length - 1];
    if (last !== undefined) node[last] = value;
  }
  return root;
}

/** Set each flag's field; vmodule entries from flags go before the file's (copyLogsFromFlags). */
function applyFlagFields(
  cfg: KubeProxyConfiguration,
  overlay: KubeProxyConfigurationOverlay,
  fields: readonly FieldFromFlag[],
  withFile: boolean,
): void {
  for (const { path } of fields) {
    const value = getIn(overlay, path);
    if (value === undefined) continue;
    const previous = getIn(cfg, path);
    const merged =
      withFile && path.join('.') === 'logging.vmodule' && Array.isArray(value) && Array.isArray(previous)
        ? [...value, ...previous]
        : value;
    setIn(cfg, path, merged);
  }
}

function getIn(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setIn(root: object, path: readonly string[], value: unknown): void {
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function addressWithPort(address: string, port: number): string {
  return port === 0 ? '' : appendPortIfNeeded(address, port);
}

/** A problem with a field the command line set is reported against the flag. */
function renameToFlag(problem: ConfigProblem, fields: readonly FieldFromFlag[]): ConfigProblem {
  const field = fields.find(({ path }) => {
    const name = path.join('.');
    return problem.path === name || problem.path.startsWith(`${name}.`) || problem.path.startsWith(`${name}[`);
  });
  return field ? { ...problem, path: `--${field.spec.name}` } : problem;
}
