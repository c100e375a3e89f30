// The command-line options of ipvsadm 1.31 (its popt table) and how one line of
// a restore file splits into them. popt's rules, as ipvsadm -R applies them:
// - long options are exact names: "--weight 3" or "--weight=3";
// - short options may be clustered and may carry their value: "-mw 3", "-w3", "-w=3";
// - an option that needs a value takes the next word whatever it is ("-r -m"
//   makes "-m" the real server);
// - -p/--persistent has an optional value: it takes the next word only when
//   that word does not start with "-";
// - "--" ends the options; every other word is a positional argument.

export type ArgumentKind = 'none' | 'required' | 'optional';

/**
 * What an option does. Commands (the first option of a line) are those with a
 * `command` name; `group` is ipvsadm's name for the option in its checks, shared
 * by options that set the same thing (-t, -u, --sctp-service and -f are all the
 * service; -m, -i and -g the forwarding method).
 */
export interface OptionSpec {
  readonly long: string;
  readonly short?: string;
  readonly argument: ArgumentKind;
  readonly command?: string;
  readonly group?: string;
}

function option(long: string, short: string | undefined, argument: ArgumentKind, group?: string): OptionSpec {
  return { long, argument, ...(short === undefined ? {} : { short }), ...(group === undefined ? {} : { group }) };
}

function command(long: string, short: string | undefined, argument: ArgumentKind = 'none'): OptionSpec {
  return { ...option(long, short, argument), command: long };
}

export const OPTIONS: readonly OptionSpec[] = [
  command('add-service', 'A'),
  command('edit-service', 'E'),
  command('delete-service', 'D'),
  command('clear', 'C'),
  command('list', 'L'),
  command('list', 'l'),
  command('zero', 'Z'),
  command('add-server', 'a'),
  command('edit-server', 'e'),
  command('delete-server', 'd'),
  command('set', undefined),
  command('help', 'h'),
  command('version', 'v'),
  command('restore', 'R'),
  command('save', 'S'),
  command('start-daemon', undefined, 'required'),
  command('stop-daemon', undefined, 'required'),
  option('tcp-service', 't', 'required', 'service-address'),
  option('udp-service', 'u', 'required', 'service-address'),
  option('sctp-service', undefined, 'required', 'service-address'),
  option('fwmark-service', 'f', 'required', 'service-address'),
  option('scheduler', 's', 'required', 'scheduler'),
  option('persistent', 'p', 'optional', 'persistent'),
  option('netmask', 'M', 'required', 'netmask'),
  option('real-server', 'r', 'required', 'real-server'),
  option('masquerading', 'm', 'none', 'forwarding-method'),
  option('ipip', 'i', 'none', 'forwarding-method'),
  option('gatewaying', 'g', 'none', 'forwarding-method'),
  option('weight', 'w', 'required', 'weight'),
  option('u-threshold', 'x', 'required', 'u-threshold'),
  option('l-threshold', 'y', 'required', 'l-threshold'),
  option('numeric', 'n', 'none', 'numeric'),
  option('connection', 'c', 'none', 'connection'),
  option('mcast-interface', undefined, 'required', 'mcast-interface'),
  option('syncid', undefined, 'required', 'syncid'),
  option('timeout', undefined, 'none', 'timeout'),
  option('daemon', undefined, 'none', 'daemon'),
  option('stats', undefined, 'none', 'stats'),
  option('rate', undefined, 'none', 'rate'),
  option('thresholds', undefined, 'none', 'thresholds'),
  option('persistent-conn', undefined, 'none', 'persistent-conn'),
  option('nosort', undefined, 'none', 'nosort'),
  // ipvsadm accepts --sort and -6 with any command without counting them as options.
  option('sort', undefined, 'none'),
  option('exact', 'X', 'none', 'exact'),
  option('ipv6', '6', 'none'),
  option('ops', 'o', 'none', 'ops'),
  option('pe', undefined, 'required', 'pe'),
  option('sched-flags', 'b', 'required', 'sched-flags'),
  option('mcast-group', undefined, 'required', 'mcast-group'),
  option('mcast-port', undefined, 'required', 'mcast-port'),
  option('mcast-ttl', undefined, 'required', 'mcast-ttl'),
  option('sync-maxlen', undefined, 'required', 'sync-maxlen'),
  option('tun-info', undefined, 'none', 'tun-info'),
  option('tun-type', undefined, 'required', 'tun-type'),
  option('tun-port', undefined, 'required', 'tun-port'),
  option('tun-nocsum', undefined, 'none', 'tun-nocsum'),
  option('tun-csum', undefined, 'none', 'tun-csum'),
  option('tun-remcsum', undefined, 'none', 'tun-remcsum'),
];

const BY_LONG = new Map(OPTIONS.map((spec) => [spec.long, spec]));
const BY_SHORT = new Map(OPTIONS.filter((spec) => spec.short !== undefined).map((spec) => [spec.short, spec]));

/** One option as written on the line. */
export interface GivenOption {
  readonly spec: OptionSpec;
  /** How the user wrote it: "-w", "--weight". */
  readonly written: string;
  readonly value?: string;
}

export type ScannedLine =
  | { readonly ok: true; readonly options: readonly GivenOption[]; readonly positionals: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Splits one line's words into options with their values and positional arguments. */
export function scanOptions(words: readonly string[]): ScannedLine {
  const options: GivenOption[] = [];
  const positionals: string[] = [];
  let i = 0;
  // The value of an option that takes one: attached text, else the next word (if allowed).
  const valueFor = (spec: OptionSpec, attached: string | undefined): { value?: string } | undefined => {
    if (spec.argument === 'none') return attached === undefined ? {} : undefined;
    if (attached !== undefined) return { value: attached };
    const next = words[i];
    if (next === undefined || (spec.argument === 'optional' && next.startsWith('-'))) {
      return spec.argument === 'optional' ? {} : undefined;
    }
    i++;
    return { value: next };
  };

  while (i < words.length) {
    const word = words[i++] ?? '';
    if (word === '--') {
      positionals.push(...words.slice(i));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq === -1 ? undefined : eq);
      const spec = BY_LONG.get(name);
      if (spec === undefined) return { ok: false, reason: `unknown option "--${name}"` };
      const value = valueFor(spec, eq === -1 ? undefined : word.slice(eq + 1));
      if (value === undefined) {
        return { ok: false, reason: spec.argument === 'none' ? `option --${name} takes no value` : `option --${name} needs a value` };
      }
      options.push({ spec, written: `--${name}`, ...value });
    } else if (word.startsWith('-') && word.length > 1) {
      for (let at = 1; at < word.length; at++) {
        const letter = word.charAt(at);
        const spec = BY_SHORT.get(letter);
        if (spec === undefined) return { ok: false, reason: `unknown option "-${letter}"` };
        // popt lets a short option's value follow it in the same word, with or without "=".
        const rest = spec.argument === 'none' || at + 1 === word.length ? undefined : word.slice(at + 1).replace(/^=/, '');
        const value = valueFor(spec, rest);
        if (value === undefined) return { ok: false, reason: `option -${letter} needs a value` };
        options.push({ spec, written: `-${letter}`, ...value });
        if (rest !== undefined) break;
      }
    } else {
      positionals.push(word);
    }
  }
  return { ok: true, options, positionals };
}

/** The words of a restore file's lines, as ipvsadm -R splits them. */
export interface RuleLine {
  readonly line: number;
  readonly words: readonly string[];
}

/**
 * Lines to words: split on spaces, tabs and carriage returns; the word
 * "ipvsadm" is dropped wherever it appears (so "ipvsadm -A ..." lines work);
 * blank lines are skipped. Lines starting with "#" are comments: ipvsadm -R
 * stops at them with a usage error, kipvs skips them.
 */
export function ruleLines(text: string): RuleLine[] {
  const lines: RuleLine[] = [];
  text.split('\n').forEach((content, index) => {
    const words = content.split(/[ \t\r]+/).filter((word) => word !== '' && word !== 'ipvsadm');
    if (words.length === 0 || words[0]?.startsWith('#')) return;
    lines.push({ line: index + 1, words });
  });
  return lines;
}
