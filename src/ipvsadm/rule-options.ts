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

/** An option and how it is written when named in a message ("-w", "--weight"), made once per option rather than once per line. */
interface NamedSpec {
  readonly spec: OptionSpec;
  readonly written: string;
}

const BY_LONG = new Map(OPTIONS.map((spec): [string, NamedSpec] => [spec.long, { spec, written: `--${spec.long}` }]));
const BY_SHORT = new Map(
  OPTIONS.flatMap((spec): [string, NamedSpec][] =>
    spec.short === undefined ? [] : [[spec.short, { spec, written: `-${spec.short}` }]],
  ),
);

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

function given({ spec, written }: NamedSpec, value: string | undefined): GivenOption {
  return value === undefined ? { spec, written } : { spec, written, value };
}

/** Why an option cannot take its value, or undefined when it can. */
function valueProblem({ spec, written }: NamedSpec, value: string | undefined, attached: boolean): string | undefined {
  if (spec.argument === 'none') return attached ? `option ${written} takes no value` : undefined;
  return spec.argument === 'required' && value === undefined ? `option ${written} needs a value` : undefined;
}

/**
 * Splits one line's words into options with their values and positional arguments.
 * Written for restore files of 100,000 lines: no closures or throwaway objects per word,
 * since allocation is what such a file costs most where page faults are dear (UML).
 */
export function scanOptions(words: readonly string[]): ScannedLine {
  const options: GivenOption[] = [];
  const positionals: string[] = [];
  let i = 0;
  // The next word as an option's value, when the option takes one and (if optional) it is not an option itself.
  const nextValue = (spec: OptionSpec): string | undefined => {
    const next = words[i];
    if (spec.argument === 'none' || next === undefined || (spec.argument === 'optional' && next.startsWith('-')))
      return undefined;
    i++;
    return next;
  };
  while (i < words.length) {
    const word = words[i++] ?? '';
    if (word === '--') {
      for (; i < words.length; i++) positionals.push(words[i] ?? '');
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      const named = BY_LONG.get(name);
      if (named === undefined) return { ok: false, reason: `unknown option "--${name}"` };
      const value = eq === -1 ? nextValue(named.spec) : word.slice(eq + 1);
      const problem = valueProblem(named, value, eq !== -1);
      if (problem !== undefined) return { ok: false, reason: problem };
      options.push(given(named, value));
    } else if (word.startsWith('-') && word.length > 1) {
      for (let at = 1; at < word.length; at++) {
        const letter = word.charAt(at);
        const named = BY_SHORT.get(letter);
        if (named === undefined) return { ok: false, reason: `unknown option "-${letter}"` };
        // popt lets a short option's value follow it in the same word, with or without "=".
        const attached = named.spec.argument !== 'none' && at + 1 < word.length;
        const value = attached ? word.slice(word.charAt(at + 1) === '=' ? at + 2 : at + 1) : nextValue(named.spec);
        if (valueProblem(named, value, false) !== undefined)
          return { ok: false, reason: `option -${letter} needs a value` };
        options.push(given(named, value));
        if (attached) break;
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
 * stops at them with a usage error, kipvs skips them. One line at a time, so
 * that a large file is never held as words all at once.
 */
export function* ruleLines(text: string): Generator<RuleLine> {
  let line = 0;
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    line++;
    const words = wordsOf(text, start, end);
    if (words.length > 0 && !(words[0] ?? '').startsWith('#')) yield { line, words };
    start = end + 1;
  }
}

/** The words of text[start, end), without the word "ipvsadm". */
function wordsOf(text: string, start: number, end: number): string[] {
  const words: string[] = [];
  let at = start;
  while (at < end) {
    while (at < end && isSeparator(text.charCodeAt(at))) at++;
    const from = at;
    while (at < end && !isSeparator(text.charCodeAt(at))) at++;
    if (at > from) {
      const word = text.slice(from, at);
      if (word !== 'ipvsadm') words.push(word);
    }
  }
  return words;
}

/** Space, tab or carriage return. */
const isSeparator = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0d;
