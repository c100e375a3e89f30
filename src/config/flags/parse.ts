// From the raw values of each flag given (in command-line order) to typed
// options and configuration-field values, collecting every syntax problem
// rather than stopping at the first. A flag given twice behaves as in pflag:
// the last value wins, except that list and map flags accumulate.
import type { ConfigProblem } from '../problems.js';
import { findFlag, type FlagSpec } from './table.js';
import { parseFlagValue } from './values.js';

/** Raw occurrences per flag name (without dashes), as the command line gave them. */
export type FlagOccurrences = ReadonlyMap<string, readonly string[]>;

/** The settings that are not KubeProxyConfiguration fields. */
export interface ProxyOptions {
  readonly configFile?: string;
  readonly writeConfigTo?: string;
  readonly cleanup: boolean;
  readonly initOnly: boolean;
  readonly version: boolean;
  readonly master?: string;
  readonly hostnameOverride?: string;
  readonly healthzPort?: number;
  readonly metricsPort?: number;
  readonly allowInsecureApiserver: boolean;
  /** Where the audit trail (one JSON line per kernel change) goes: a file, or "-" for stdout. */
  readonly auditLogPath: string;
  /** Which iptables to program: detected as kube-proxy's images do ("auto"), or forced. */
  readonly iptablesBackend: IptablesBackendChoice;
}

export const IPTABLES_BACKEND_CHOICES = ['auto', 'nft', 'legacy'] as const;
export type IptablesBackendChoice = (typeof IPTABLES_BACKEND_CHOICES)[number];

function isBackendChoice(value: unknown): value is IptablesBackendChoice {
  return (IPTABLES_BACKEND_CHOICES as readonly unknown[]).includes(value);
}

export interface FieldFromFlag {
  readonly spec: FlagSpec;
  readonly path: readonly string[];
  readonly value: unknown;
}

export interface ParsedFlags {
  readonly options: ProxyOptions;
  readonly fields: readonly FieldFromFlag[];
  readonly problems: readonly ConfigProblem[];
}

const ACCUMULATING = new Set(['stringSlice', 'mapStringBool', 'vmodule']);

export function parseProxyFlags(occurrences: FlagOccurrences): ParsedFlags {
  const problems: ConfigProblem[] = [];
  const fields: FieldFromFlag[] = [];
  const options: Record<string, unknown> = {
    cleanup: false,
    initOnly: false,
    version: false,
    allowInsecureApiserver: false,
  };

  for (const [name, raws] of occurrences) {
    const spec = findFlag(name);
    if (!spec) {
      problems.push({ path: `--${name}`, message: 'unknown flag' });
      continue;
    }
    const values: unknown[] = [];
    for (const raw of raws) {
      const parsed = parseFlagValue(spec.type, raw);
      if (parsed.ok) values.push(parsed.value);
      else problems.push({ path: `--${spec.name}`, message: parsed.message });
    }
    if (spec.name === 'iptables-backend' && !values.every(isBackendChoice)) {
      problems.push({ path: '--iptables-backend', message: `must be one of ${IPTABLES_BACKEND_CHOICES.join(', ')}` });
      continue;
    }
    if (values.length !== raws.length || values.length === 0) continue;
    const value = ACCUMULATING.has(spec.type) ? combine(spec.type, values) : values[values.length - 1];
    if ('config' in spec.target) fields.push({ spec, path: spec.target.config, value });
    else options[spec.target.option] = value;
  }

  return { options: toOptions(options), fields, problems };
}

function combine(type: string, values: unknown[]): unknown {
  if (type === 'mapStringBool') return Object.assign({}, ...(values as Record<string, boolean>[]));
  return (values as unknown[][]).flat();
}

function toOptions(raw: Record<string, unknown>): ProxyOptions {
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const options: { -readonly [K in keyof ProxyOptions]: ProxyOptions[K] } = {
    cleanup: raw['cleanup'] === true,
    initOnly: raw['initOnly'] === true,
    version: raw['version'] === true,
    allowInsecureApiserver: raw['allowInsecureApiserver'] === true,
    auditLogPath: str(raw['auditLogPath']) ?? '-',
    iptablesBackend: isBackendChoice(raw['iptablesBackend']) ? raw['iptablesBackend'] : 'auto',
  };
  const configFile = str(raw['configFile']);
  if (configFile !== undefined) options.configFile = configFile;
  const writeConfigTo = str(raw['writeConfigTo']);
  if (writeConfigTo !== undefined) options.writeConfigTo = writeConfigTo;
  const master = str(raw['master']);
  if (master !== undefined) options.master = master;
  // kube-proxy keeps --hostname-override as given and judges it later; an
  // empty value counts as not given.
  const hostname = str(raw['hostnameOverride']);
  if (hostname !== undefined) options.hostnameOverride = hostname;
  const healthzPort = num(raw['healthzPort']);
  if (healthzPort !== undefined) options.healthzPort = healthzPort;
  const metricsPort = num(raw['metricsPort']);
  if (metricsPort !== undefined) options.metricsPort = metricsPort;
  return options;
}
