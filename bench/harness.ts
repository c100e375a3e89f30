// A small benchmark harness for commands that program the kernel: every run of every case gets a
// FRESH network namespace (a new, empty IPVS table; see ../test/uml/netns.ts for why a table
// that was flushed must never be timed), the wall time of the command (process start included)
// is measured inside that namespace, and the rows of a group are compared with the group's peer
// measured in the same run (same kernel, same boot). Optionally one extra, untimed run per case
// under `strace -f -c` counts its system calls and netlink sends.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFreshNetns, type FreshNetns } from '../test/uml/netns.js';

/** A command line, with a file as its standard input if wanted. */
export interface Step {
  readonly command: readonly string[];
  readonly stdin?: string;
}

export interface BenchCase extends Step {
  /** Rows of one group are compared with the group's peer. */
  readonly group: string;
  readonly name: string;
  /** The row the group is compared with (default: the group's first row). */
  readonly peer?: boolean;
  /** Untimed steps run first in the same fresh namespace, e.g. loading a table to dump. */
  readonly setup?: readonly Step[];
  /** After the first timed run, `ipvsadm -Sn` in its namespace must print exactly this file. */
  readonly expectTable?: string;
  /** After the first timed run, the command's standard output must be exactly this file. */
  readonly expectStdout?: string;
  /** The command's own report of its time in ms, from its standard output (e.g. ipvs-floor). */
  readonly reportedMs?: (stdout: string) => number | undefined;
  /**
   * What a run's time is: the command's wall time (the default), or the time it reports itself
   * (`reportedMs`), for a command that must prepare untimed state in its own process first
   * (e.g. a sync engine that reads the table before the one change it is measured on).
   */
  readonly timeFrom?: 'wall' | 'reported';
  /** Other figures the command reports (e.g. netlink messages, RSS), for the table's last column. */
  readonly notes?: (stdout: string) => string | undefined;
  readonly runs?: number;
  /** Count system calls in one extra run under strace (default: the harness's option). */
  readonly countSyscalls?: boolean;
}

export interface SyscallCounts {
  readonly total: number;
  /** sendmsg + sendto + sendmmsg */
  readonly sends: number;
  /** recvmsg + recvfrom + recvmmsg */
  readonly receives: number;
}

export interface CaseResult {
  readonly group: string;
  readonly name: string;
  readonly peer: boolean;
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  readonly reportedMs?: number;
  readonly syscalls?: SyscallCounts;
  readonly notes?: string;
}

export interface HarnessOptions {
  readonly runs: number;
  readonly countSyscalls: boolean;
  /** Where command output goes (large: a dump of 10,000 x 10 is 5 MB); a tmpfs is best. */
  readonly scratchDir: string;
  readonly log?: (line: string) => void;
}

// Runs "$@" with standard input, output and error redirected, and writes bash's measurement of
// its wall time (fork and exec included) in seconds to a file. `ip netns exec` and bash's own
// start are outside the measurement.
const TIMED = `
stdin=$1 stdout=$2 stderr=$3 timefile=$4; shift 4
TIMEFORMAT=%3R
{ time "$@" < "$stdin" > "$stdout" 2> "$stderr"; } 2> "$timefile"
`;
const COUNTED = `
stdin=$1 stdout=$2 stderr=$3 countfile=$4; shift 4
strace -f -c -o "$countfile" -- "$@" < "$stdin" > "$stdout" 2> "$stderr"
`;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Reads the summary table of `strace -c`: "% time  seconds  usecs/call  calls  [errors]  syscall". */
export function parseStraceSummary(text: string): SyscallCounts {
  const calls = new Map<string, number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1);
    const count = Number(fields[3]);
    if (name !== undefined && fields.length >= 5 && /^[\d.]+$/.test(fields[0] ?? '') && Number.isInteger(count)) {
      calls.set(name, count);
    }
  }
  const sum = (names: readonly string[]): number => names.reduce((n, name) => n + (calls.get(name) ?? 0), 0);
  return {
    total: calls.get('total') ?? 0,
    sends: sum(['sendmsg', 'sendto', 'sendmmsg']),
    receives: sum(['recvmsg', 'recvfrom', 'recvmmsg']),
  };
}

function straceAvailable(): boolean {
  return spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
}

export class BenchHarness {
  private readonly namespaces: FreshNetns[] = [];
  private sequence = 0;
  private readonly log: (line: string) => void;
  private readonly strace: boolean;

  constructor(private readonly options: HarnessOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    mkdirSync(options.scratchDir, { recursive: true });
    this.strace = options.countSyscalls && straceAvailable();
    if (options.countSyscalls && !this.strace) this.log('bench: strace is not installed; not counting system calls');
  }

  /** Runs every case in order and returns one result per case. */
  async runAll(cases: readonly BenchCase[]): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    const peers = new Set<string>();
    try {
      for (const benchCase of cases) {
        const isPeer =
          benchCase.peer === true ||
          (!cases.some((c) => c.group === benchCase.group && c.peer === true) && !peers.has(benchCase.group));
        if (isPeer) peers.add(benchCase.group);
        results.push(await this.runCase(benchCase, isPeer));
      }
    } finally {
      await this.deleteNamespaces();
    }
    return results;
  }

  private async runCase(benchCase: BenchCase, peer: boolean): Promise<CaseResult> {
    const runs = benchCase.runs ?? this.options.runs;
    const seconds: number[] = [];
    let reportedMs: number | undefined;
    let notes: string | undefined;
    for (let run = 1; run <= runs; run++) {
      const netns = await this.prepare(benchCase);
      const files = this.files();
      await netns
        .run('bash', [
          '-c',
          TIMED,
          'timed',
          benchCase.stdin ?? '/dev/null',
          files.stdout,
          files.stderr,
          files.extra,
          ...benchCase.command,
        ])
        .catch((err: unknown) => {
          throw new Error(`${benchCase.group} / ${benchCase.name}: ${String(err)}\n${this.tail(files.stderr)}`);
        });
      const stdout = readFileSync(files.stdout, 'utf8');
      const ownMs = benchCase.reportedMs?.(stdout);
      if (benchCase.timeFrom === 'reported' && ownMs === undefined)
        throw new Error(`${benchCase.group} / ${benchCase.name}: it reported no time:\n${stdout}`);
      const elapsed =
        benchCase.timeFrom === 'reported' && ownMs !== undefined
          ? ownMs / 1000
          : Number(readFileSync(files.extra, 'utf8').trim());
      seconds.push(elapsed);
      if (run === 1) {
        reportedMs = ownMs;
        notes = benchCase.notes?.(stdout);
        await this.verify(benchCase, netns, stdout);
      }
      this.log(`bench: ${benchCase.group} / ${benchCase.name}: run ${run}/${runs}: ${elapsed.toFixed(3)} s`);
      await this.empty(netns);
    }
    let syscalls: SyscallCounts | undefined;
    if (this.strace && (benchCase.countSyscalls ?? true)) {
      const netns = await this.prepare(benchCase);
      const files = this.files();
      await netns.run('bash', [
        '-c',
        COUNTED,
        'counted',
        benchCase.stdin ?? '/dev/null',
        files.stdout,
        files.stderr,
        files.extra,
        ...benchCase.command,
      ]);
      syscalls = parseStraceSummary(readFileSync(files.extra, 'utf8'));
      await this.empty(netns);
      this.log(`bench: ${benchCase.group} / ${benchCase.name}: ${syscalls.total} system calls (strace -f -c)`);
    }
    const result: CaseResult = {
      group: benchCase.group,
      name: benchCase.name,
      peer,
      seconds,
      medianSeconds: median(seconds),
      ...(reportedMs === undefined ? {} : { reportedMs }),
      ...(syscalls === undefined ? {} : { syscalls }),
      ...(notes === undefined ? {} : { notes }),
    };
    return result;
  }

  /**
   * Flushes a measured namespace's table, untimed. IPVS keeps the services of
   * every namespace in one global hash table of 256 buckets, so tables left
   * behind lengthen every lookup of whatever runs next: kept, they made
   * ipvsadm -R of 10,000 x 10 take 92, 131 then 149 s in one boot, and
   * penalised each case by how many ran before it.
   */
  private async empty(netns: FreshNetns): Promise<void> {
    await netns.run('ipvsadm', ['-C']);
  }

  /** A fresh namespace with the case's setup done. Namespaces live until the end of the whole run:
   * deleting one with a large table makes the kernel free it in the background, which would
   * slow whatever is measured next on UML's single CPU. */
  private async prepare(benchCase: BenchCase): Promise<FreshNetns> {
    const netns = await createFreshNetns('bench');
    this.namespaces.push(netns);
    for (const step of benchCase.setup ?? []) {
      const [program = '', ...args] = step.command;
      const input = step.stdin === undefined ? undefined : readFileSync(step.stdin);
      await netns.run(program, args, input === undefined ? {} : { input });
    }
    return netns;
  }

  private async verify(benchCase: BenchCase, netns: FreshNetns, stdout: string): Promise<void> {
    const where = `${benchCase.group} / ${benchCase.name}`;
    if (benchCase.expectStdout !== undefined && stdout !== readFileSync(benchCase.expectStdout, 'utf8')) {
      throw new Error(`${where}: its output differs from ${benchCase.expectStdout}`);
    }
    if (
      benchCase.expectTable !== undefined &&
      (await netns.ipvsSave()) !== readFileSync(benchCase.expectTable, 'utf8')
    ) {
      throw new Error(`${where}: the IPVS table it left differs from ${benchCase.expectTable}`);
    }
  }

  private files(): { stdout: string; stderr: string; extra: string } {
    const base = join(this.options.scratchDir, `${process.pid}-${++this.sequence}`);
    return { stdout: `${base}.out`, stderr: `${base}.err`, extra: `${base}.time` };
  }

  private tail(file: string): string {
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-20).join('\n') : '';
  }

  private async deleteNamespaces(): Promise<void> {
    for (const netns of this.namespaces.splice(0)) await netns.delete().catch(() => undefined);
  }
}

function formatSeconds(seconds: number): string {
  return seconds >= 10 ? `${seconds.toFixed(1)} s` : `${seconds.toFixed(3)} s`;
}

/** How the row compares with its group's peer (both medians, same run). */
function versusPeer(result: CaseResult, peer: CaseResult | undefined): string {
  if (result.peer || peer === undefined) return 'peer';
  const ratio = peer.medianSeconds / result.medianSeconds;
  return ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`;
}

/** The results as a text table, one row per case, groups in order. */
export function formatTable(results: readonly CaseResult[]): string {
  const header = [
    'group',
    'case',
    'runs',
    'median',
    'min',
    'max',
    'vs peer',
    'own ms',
    'syscalls',
    'sends',
    'recvs',
    'notes',
  ];
  const rows = results.map((result) => {
    const peer = results.find((r) => r.group === result.group && r.peer);
    return [
      result.group,
      result.name,
      String(result.seconds.length),
      formatSeconds(result.medianSeconds),
      formatSeconds(Math.min(...result.seconds)),
      formatSeconds(Math.max(...result.seconds)),
      versusPeer(result, peer),
      result.reportedMs === undefined ? '-' : result.reportedMs.toFixed(1),
      result.syscalls ? String(result.syscalls.total) : '-',
      result.syscalls ? String(result.syscalls.sends) : '-',
      result.syscalls ? String(result.syscalls.receives) : '-',
      result.notes ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const numeric = new Set([2, 3, 4, 5, 7, 8, 9, 10]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Writes the results as JSON (for later comparison) and returns the file's path. */
export function saveResults(dir: string, results: readonly CaseResult[], about: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'results.json');
  writeFileSync(file, `${JSON.stringify({ ...about, results }, null, 2)}\n`);
  return file;
}
