// The kipvs benchmark (started by bench/run inside one UML boot: `make bench`).
//
//   bench/run [--sizes 1000x10,10000x10] [--runs 3] [--sync-runs 1] [--count small|all|none] [--only start,restore,dump]
//
// --sync-runs: runs per case of the "sync:" groups (default 1: at 10,000 x 10 each run loads the
// whole state, and three runs of them take ten minutes of UML, a third of the whole benchmark).
// --count: one extra run per case under `strace -f -c` counts system calls and netlink sends;
// by default only for tables of up to 1,000 services (strace makes ipvsadm -R of 10,000 x 10
// take 12 minutes in UML instead of one; the counts grow linearly with the table).
// Adding a row is one line in RESTORERS or DUMPERS below; every row runs for every size, each
// run in a fresh network namespace, and is compared with its group's peer (`ipvsadm`).
// The "sync:" groups (syncCases) run the daemon's sync engine on the same table as Services and
// EndpointSlices: from an empty kernel, a periodic resync, one endpoint change.
import { existsSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/uml/netns.js';
import { BenchHarness, formatTable, saveResults, type BenchCase, type Step } from './harness.js';
import {
  ipvsSaveFile,
  parseTableSize,
  realServerAddress,
  serviceAddress,
  tableLabel,
  type TableSize,
} from './ipvs-table.js';
import { MOVED_ENDPOINT, syncStateFiles } from './sync-cluster.js';

const DATA = join(repoRoot, 'build/bench-data');
const FLOOR = join(DATA, 'ipvs-floor'); // built by bench/run from ../shared/tools/ipvs-floor.c
const READ_FLOOR = join(DATA, 'ipvs-read-floor'); // built by bench/run from bench/ipvs-read-floor.c
const KIPVS = join(repoRoot, 'bin/kipvs');
const SYNC_SCENARIO = join(repoRoot, 'build/bench/sync-scenario.js');
const DAEMON_SCENARIO = join(repoRoot, 'build/bench/daemon-scenario.js');

/** What a row of a group gets to work with. */
interface Table {
  readonly size: TableSize;
  /** The table in `ipvsadm -Sn` form. */
  readonly file: string;
  /** The same table loaded the fastest way (C floor): the setup of a dump. */
  readonly load: Step;
}

interface Row {
  readonly name: string;
  readonly peer?: boolean;
  readonly step: (table: Table) => Step;
  /** Its own time from its output; a dump row with one prints figures, not the table. */
  readonly reportedMs?: (stdout: string, size: TableSize) => number | undefined;
}

const floorMs = (stdout: string): number | undefined => {
  const match = /\bms=([\d.]+)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
};

/** An ipvsadm -S file into an empty table; the table afterwards must equal the file. */
const RESTORERS: readonly Row[] = [
  { name: 'ipvsadm -R', peer: true, step: (t) => ({ command: ['ipvsadm', '-R'], stdin: t.file }) },
  { name: 'C floor (1 MB sendmsg, 1 ACK per batch)', step: (t) => floorLoad(t.size), reportedMs: floorMs },
  { name: 'kipvs restore', step: (t) => ({ command: [KIPVS, 'restore', t.file] }) },
];

/**
 * The loaded table out as `ipvsadm -Sn` text; the output must equal the file. The read floor
 * asks the kernel for the same dumps and decodes nothing: the kernel's own share of a read.
 */
const DUMPERS: readonly Row[] = [
  { name: 'ipvsadm -Sn', peer: true, step: () => ({ command: ['ipvsadm', '-Sn'] }) },
  {
    name: 'C read floor (the same dumps, nothing decoded)',
    step: () => ({ command: [READ_FLOOR] }),
    reportedMs: readFloorMs,
  },
  { name: 'kipvs dump -o save', step: () => ({ command: [KIPVS, 'dump', '-o', 'save'] }) },
];

function floorLoad(size: TableSize): Step {
  // All messages built before the clock starts, 1 MB per sendmsg, an ACK only for a batch's last.
  return { command: [FLOOR, String(size.services), String(size.destinations), String(1 << 20), 'noack'] };
}

/** "key=value" figures a command prints on its last line. */
const figure = (stdout: string, key: string): string | undefined => new RegExp(`\\b${key}=(\\S+)`).exec(stdout)?.[1];

/** The read floor's time, once it says it read the whole table. */
function readFloorMs(stdout: string, size: TableSize): number | undefined {
  const read = `svcs=${figure(stdout, 'svcs')} dests=${figure(stdout, 'dests')}`;
  const table = `svcs=${size.services} dests=${size.services * size.destinations}`;
  if (read !== table) throw new Error(`the read floor read ${read} of a table of ${table}:\n${stdout}`);
  return floorMs(stdout);
}

/** The sync engine's own figures: netlink traffic of the measured sync, how it read the kernel, its memory. */
const syncNotes = (stdout: string): string => {
  const first = figure(stdout, 'first');
  const notes = `${figure(stdout, 'messages')} msgs / ${figure(stdout, 'sendmsg')} sendmsg, read ${figure(stdout, 'read')}, ${figure(stdout, 'plan')} changes, rss ${figure(stdout, 'rss')} heap ${figure(stdout, 'heap')}`;
  return first === undefined ? notes : `${notes}, first change ${first} ms`;
};

/** The daemon's own figures (daemon-scenario.ts): its start's phases, the resync, the endpoint change, memory. */
const daemonNotes = (stdout: string): string =>
  `lists ${figure(stdout, 'listed')}, first sync ${figure(stdout, 'first-sync')}, periodic resync ${figure(stdout, 'resync')}, ` +
  `one endpoint change ${figure(stdout, 'change')} (${figure(stdout, 'changes')}), VmHWM ${figure(stdout, 'hwm')} (RSS list/sync/resync/changes ${figure(stdout, 'rss-peaks')}; at the end V8 heap used/reserved ${figure(stdout, 'heap')}, outside it ${figure(stdout, 'external')}), audit lines ${figure(stdout, 'audit')}`;

/**
 * The daemon group: `kipvs proxy` against the test API server holding the cluster, from its
 * start to the first successful sync reported, against the same state restored by the tools
 * (the group's peer) and the C floor (IPVS only). Its other figures are in the notes.
 */
function daemonCases(table: Table, runs: number): BenchCase[] {
  const { size } = table;
  const label = tableLabel(size);
  const files = syncStateFiles(DATA, size);
  const group = `daemon ${label}`;
  const script = 'set -e\nipvsadm -R < "$4"\nipset restore < "$1"\niptables-legacy-restore < "$2"\nip -batch "$3"';
  const cases: BenchCase[] = [
    {
      group,
      name: 'ipvsadm -R, ipset restore, iptables-restore, ip -batch',
      peer: true,
      command: ['bash', '-c', script, 'peer', files.ipsets, files.iptables, files.addresses, table.file],
      expectTable: table.file,
      countSyscalls: false,
    },
    {
      group,
      name: 'C floor (IPVS only)',
      ...table.load,
      reportedMs: floorMs,
      expectTable: table.file,
      countSyscalls: false,
    },
    {
      group,
      name: 'kipvs proxy: start to first sync reported',
      command: [
        process.execPath,
        DAEMON_SCENARIO,
        label,
        ...(daemonMemoryLimit === undefined ? [] : ['--memory-limit', daemonMemoryLimit]),
      ],
      timeFrom: 'reported',
      reportedMs: floorMs,
      notes: daemonNotes,
      expectTable: table.file,
      countSyscalls: false,
    },
  ];
  return cases.map((c) => ({ ...c, runs }));
}

/**
 * The sync engine's groups: its rows run sync-scenario.ts (a node process: generated Services and
 * EndpointSlices, the model, the read, the diff, the apply); the peers do the same with
 * kube-proxy's tools from files of the same desired state. No strace here: ipvsadm -R of
 * 10,000 x 10 takes 12 minutes under it; the sync engine counts its own netlink traffic.
 */
function syncCases(table: Table, runs: number): BenchCase[] {
  const { size } = table;
  const label = tableLabel(size);
  const files = syncStateFiles(DATA, size);
  const scenario = (mode: string): Step => ({ command: [process.execPath, SYNC_SCENARIO, mode, label] });
  const tools = (script: string, ...args: string[]): Step => ({
    command: ['bash', '-c', `set -e\n${script}`, 'peer', ...args],
  });
  const restoreRest = 'ipset restore < "$1"\niptables-legacy-restore < "$2"\nip -batch "$3"';
  const rest = [files.ipsets, files.iptables, files.addresses];
  // Setup of the resync and change rows: the whole state, loaded the fastest way, untimed.
  const loaded = [table.load, tools(restoreRest, ...rest)];
  const moved = join(DATA, `sync-${label}-change.save`);
  const vip = `${serviceAddress(1)}:80`;
  writeFileSync(
    moved,
    `-a -t ${vip} -r ${MOVED_ENDPOINT}:8080 -m -w 1\n-d -t ${vip} -r ${realServerAddress(1, size.destinations)}:8080\n`,
  );
  const common = { countSyscalls: false, reportedMs: floorMs, notes: syncNotes } as const;
  const cases: BenchCase[] = [
    {
      group: `sync: from empty ${label}`,
      name: 'ipvsadm -R, ipset restore, iptables-restore, ip -batch',
      peer: true,
      ...tools(`ipvsadm -R < "$4"\n${restoreRest}`, ...rest, table.file),
      expectTable: table.file,
      countSyscalls: false,
    },
    {
      group: `sync: from empty ${label}`,
      name: 'C floor (IPVS only)',
      ...table.load,
      reportedMs: floorMs,
      expectTable: table.file,
      countSyscalls: false,
    },
    {
      group: `sync: from empty ${label}`,
      name: 'kipvs sync engine (node start included)',
      ...scenario('from-empty'),
      ...common,
      expectTable: table.file,
    },
    {
      group: `sync: periodic resync ${label}`,
      name: 'ipvsadm -Sn, ipset save, iptables-save, ip addr',
      peer: true,
      ...tools('ipvsadm -Sn; ipset save; iptables-legacy-save; ip -o addr show'),
      setup: loaded,
      countSyscalls: false,
    },
    {
      group: `sync: periodic resync ${label}`,
      name: 'kipvs sync engine, new, nothing to change (node start included)',
      ...scenario('resync'),
      ...common,
      setup: loaded,
    },
    // ipvsadm touches IPVS only: the IPVS table is all its setup needs.
    {
      group: `sync: one endpoint change ${label}`,
      name: 'ipvsadm -R of the 2 changes',
      peer: true,
      command: ['ipvsadm', '-R'],
      stdin: moved,
      setup: [table.load],
      countSyscalls: false,
    },
    {
      group: `sync: one endpoint change ${label}`,
      name: 'kipvs sync engine, kept state (own time)',
      ...scenario('change'),
      ...common,
      timeFrom: 'reported',
      setup: loaded,
    },
  ];
  return cases.map((c) => ({ ...c, runs }));
}

type CountMode = 'small' | 'all' | 'none';

function casesFor(size: TableSize, only: string | undefined, count: CountMode, syncRuns: number): BenchCase[] {
  const table: Table = { size, file: ipvsSaveFile(DATA, size), load: floorLoad(size) };
  const label = tableLabel(size);
  const countSyscalls = count === 'all' || (count === 'small' && size.services <= 1000);
  const ownTime = (row: Row): Pick<BenchCase, 'reportedMs'> => {
    const { reportedMs } = row;
    return reportedMs ? { reportedMs: (stdout) => reportedMs(stdout, size) } : {};
  };
  const restore = RESTORERS.map(
    (row): BenchCase => ({
      group: `restore ${label}`,
      name: row.name,
      ...row.step(table),
      ...(row.peer ? { peer: true } : {}),
      ...ownTime(row),
      expectTable: table.file,
      countSyscalls,
    }),
  );
  const dump = DUMPERS.map(
    (row): BenchCase => ({
      group: `dump ${label}`,
      name: row.name,
      ...row.step(table),
      ...(row.peer ? { peer: true } : {}),
      setup: [table.load],
      // A row that reports its own time prints figures (checked there), not the table.
      ...(row.reportedMs ? ownTime(row) : { expectStdout: table.file }),
      countSyscalls,
    }),
  );
  // Dumps first: at 50,000 x 10 `ipvsadm -R` alone takes many minutes of the boot.
  return [...dump, ...restore, ...syncCases(table, syncRuns), ...daemonCases(table, syncRuns)].filter((c) =>
    selected(c, only),
  );
}

const selected = (c: BenchCase, only: string | undefined): boolean =>
  only === undefined || only.split(',').some((part) => c.group.includes(part));

/**
 * What starting a command costs before it does anything, in the same boot: the floor under
 * every row above (in UML a page fault costs about 0.2 ms and `node` alone makes thousands).
 */
function startCases(only: string | undefined): BenchCase[] {
  const cases: BenchCase[] = [
    { group: 'process start', name: '/bin/true', peer: true, command: ['/bin/true'] },
    { group: 'process start', name: 'node -e 0', command: [process.execPath, '-e', '0'] },
    { group: 'process start', name: 'kipvs restore of an empty file', command: [KIPVS, 'restore', '/dev/null'] },
    { group: 'process start', name: 'kipvs dump -o save of an empty table', command: [KIPVS, 'dump', '-o', 'save'] },
  ];
  return cases.filter((c) => selected(c, only));
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000x10,10000x10' },
    runs: { type: 'string', default: '3' },
    'sync-runs': { type: 'string', default: '1' },
    count: { type: 'string', default: 'small' },
    only: { type: 'string' },
    // The daemon rows' container memory limit in MiB, as the chart sets it (bin/kipvs bounds the heap by it).
    'daemon-memory-limit': { type: 'string' },
  },
});
const daemonMemoryLimit = values['daemon-memory-limit'];
const count = values.count;
if (count !== 'small' && count !== 'all' && count !== 'none') {
  throw new Error(`--count takes small, all or none, not '${count}'`);
}
const sizes = values.sizes.split(',').map(parseTableSize);
/** A positive integer option. */
function runsOption(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${option} takes a positive integer, not '${text}'`);
  return value;
}
const runs = runsOption('runs', values.runs);
const syncRuns = runsOption('sync-runs', values['sync-runs']);
for (const floor of [FLOOR, READ_FLOOR])
  if (!existsSync(floor)) throw new Error(`${floor} is missing: run the benchmark with bench/run (or make bench)`);
if (!existsSync(KIPVS)) throw new Error(`${KIPVS} is missing`);

const harness = new BenchHarness({
  runs,
  countSyscalls: count !== 'none',
  scratchDir: existsSync('/dev/shm') ? '/dev/shm/kipvs-bench' : join(DATA, 'scratch'),
});
const cases = [...startCases(values.only), ...sizes.flatMap((size) => casesFor(size, values.only, count, syncRuns))];
const started = new Date().toISOString();
const results = await harness.runAll(cases).catch((err: unknown) => {
  // A wrong result or a failing command: say which, without a stack trace.
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const about = {
  started,
  kernel: release(),
  uml: process.env.KIPVS_IN_UML === '1' ? 'yes' : 'no',
  node: process.version,
};
console.log(
  `\nkipvs benchmark: kernel ${about.kernel}${about.uml === 'yes' ? ' (User-Mode Linux)' : ''}, ` +
    `Node ${about.node}, ${runs} runs per case (${syncRuns} for the sync: groups), each in a fresh network namespace; ` +
    'times are wall clock including process start; "own ms" is the time the program reports itself\n',
);
console.log(formatTable(results));
console.log(`\nresults: ${saveResults(DATA, results, about)}`);
