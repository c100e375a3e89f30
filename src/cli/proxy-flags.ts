// kube-proxy's flags on a commander command. kube-proxy parses its command
// line with spf13/pflag, so kipvs accepts what pflag accepts: --flag=value and
// --flag value, bare booleans (--masquerade-all) and --masquerade-all=false,
// -v=4, -v 4, -v4 and --v=4. commander does the parsing and the help; a small
// rewrite first puts pflag's forms into the one form commander reads the same
// way (--flag=value). The flag list itself is src/config/flags/table.ts, so
// `plan` and `diff` can register the same flags with addProxyFlags().
import { Command, Option, type Help } from 'commander';
import { PROXY_FLAGS, type FlagOccurrences, type FlagSpec } from '../config/index.js';

/**
 * pflag's spellings to "--name=value". A value flag takes the next argument
 * whatever it looks like (as pflag does); a bare boolean means true.
 */
export function normalizePflagArgs(args: readonly string[], flags: readonly FlagSpec[] = PROXY_FLAGS): string[] {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byShorthand = new Map(flags.flatMap((f) => (f.shorthand ? [[f.shorthand, f] as const] : [])));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      spec = byName.get(arg.slice(2, eq < 0 ? undefined : eq));
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length > 1) {
      spec = byShorthand.get(arg.slice(1, 2));
      const rest = arg.slice(2);
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest;
    }
    if (!spec) {
      out.push(arg);
    } else if (inline !== undefined) {
      out.push(`--${spec.name}=${inline}`);
    } else if (spec.type === 'bool') {
      out.push(`--${spec.name}=true`);
    } else if (i + 1 < args.length) {
      out.push(`--${spec.name}=${args[++i] ?? ''}`);
    } else {
      out.push(`--${spec.name}`); // commander reports the missing value
    }
  }
  return out;
}

/** A command whose options are spelled the pflag way. */
export class PflagCommand extends Command {
  constructor(
    name: string,
    private readonly flags: readonly FlagSpec[] = PROXY_FLAGS,
  ) {
    super(name);
  }
  override parseOptions(argv: string[]): ReturnType<Command['parseOptions']> {
    return super.parseOptions(normalizePflagArgs(argv, this.flags));
  }
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** How pflag's help names a flag's value. */
const VALUE_NAMES: Record<string, string> = {
  string: 'string',
  int32: 'int32',
  float32: 'float32',
  duration: 'duration',
  stringSlice: 'strings',
  mapStringBool: 'mapStringBool',
  ip: 'ip',
  ipPort: 'ipport',
  portRange: 'port-range',
  level: 'level',
  vmodule: 'pattern=N,...',
  quantity: 'quantity',
};

/**
 * Register `flags` on `cmd`, every value collected raw, with pflag-style help, listed under
 * `heading` after the command's own options.
 */
export function addProxyFlags(
  cmd: Command,
  flags: readonly FlagSpec[] = PROXY_FLAGS,
  heading: string | 'hidden' = "kube-proxy's flags:",
): Command {
  const specs = new Map<string, FlagSpec>();
  for (const spec of flags) {
    const names = spec.shorthand ? `-${spec.shorthand}, --${spec.name}` : `--${spec.name}`;
    const option = new Option(`${names} <value>`, describeFlag(spec)).argParser(collect);
    cmd.addOption(heading === 'hidden' ? option.hideHelp() : option.helpGroup(heading));
    specs.set(option.attributeName(), spec);
  }
  cmd.configureHelp({
    ...cmd.configureHelp(),
    optionTerm: (option: Option): string => {
      const spec = specs.get(option.attributeName());
      if (!spec) return option.flags;
      const names = spec.shorthand ? `-${spec.shorthand}, --${spec.name}` : `    --${spec.name}`;
      return spec.type === 'bool' ? names : `${names} ${VALUE_NAMES[spec.type] ?? 'value'}`;
    },
    sortOptions: false,
  } satisfies Partial<Help>);
  return cmd;
}

function describeFlag(spec: FlagSpec): string {
  let text = spec.usage;
  if (spec.defaultText !== undefined) text += ` (default ${spec.defaultText})`;
  if (spec.deprecated) text += ` (DEPRECATED: ${spec.deprecated})`;
  if (spec.withConfig === 'ignored') text += ' [ignored with --config]';
  return text;
}

/** The raw values of each flag given on `cmd`'s command line. */
export function flagOccurrences(cmd: Command, flags: readonly FlagSpec[] = PROXY_FLAGS): FlagOccurrences {
  const occurrences = new Map<string, readonly string[]>();
  const values = cmd.opts<Record<string, string[] | undefined>>();
  for (const option of cmd.options) {
    const spec = flags.find((f) => option.long === `--${f.name}`);
    const raw = values[option.attributeName()];
    if (spec && raw !== undefined) occurrences.set(spec.name, raw);
  }
  return occurrences;
}
