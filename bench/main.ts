// The kipvs benchmark (started by bench/run inside one UML boot: `make bench`).
//
//   bench/run [--sizes 1000x10,10000x10] [--runs 3] [--count small|all|none] [--only restore]
//
// --count: one extra run per case under `strace -f -c` counts system calls and netlink sends;
// by default only for tables of up to 1,000 services (strace makes ipvsadm -R of 10,000 x 10
// take 12 minutes in UML instead of one; the counts grow linearly with the table).
// Adding a row is one line in RESTORERS or DUMPERS below; every row runs for every size, each
// run in a fresh network namespace, and is compared with its group's peer (`ipvsadm`).
import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/uml/netns.js';
import { BenchHarness, formatTable, saveResults, type BenchCase, type Step } from './harness.js';
import { ipvsSaveFile, parseTableSize, tableLabel, type TableSize } from './ipvs-table.js';

const DATA = join(repoRoot, 'build/bench-data');
const FLOOR = join(DATA, 'ipvs-floor'); // built by bench/run from ../shared/tools/ipvs-floor.c
const KIPVS = join(repoRoot, 'bin/kipvs');

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
  readonly reportedMs?: (stdout: string) => number | undefined;
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

/** The loaded table out as `ipvsadm -Sn` text; the output must equal the file. */
const DUMPERS: readonly Row[] = [
  { name: 'ipvsadm -Sn', peer: true, step: () => ({ command: ['ipvsadm', '-Sn'] }) },
  { name: 'kipvs dump -o save', step: () => ({ command: [KIPVS, 'dump', '-o', 'save'] }) },
];

function floorLoad(size: TableSize): Step {
  // All messages built before the clock starts, 1 MB per sendmsg, an ACK only for a batch's last.
  return { command: [FLOOR, String(size.services), String(size.destinations), String(1 << 20), 'noack'] };
}

type CountMode = 'small' | 'all' | 'none';

function casesFor(size: TableSize, only: string | undefined, count: CountMode): BenchCase[] {
  const table: Table = { size, file: ipvsSaveFile(DATA, size), load: floorLoad(size) };
  const label = tableLabel(size);
  const countSyscalls = count === 'all' || (count === 'small' && size.services <= 1000);
  const restore = RESTORERS.map(
    (row): BenchCase => ({
      group: `restore ${label}`,
      name: row.name,
      ...row.step(table),
      ...(row.peer ? { peer: true } : {}),
      ...(row.reportedMs ? { reportedMs: row.reportedMs } : {}),
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
      expectStdout: table.file,
      countSyscalls,
    }),
  );
  return [...restore, ...dump].filter((c) => only === undefined || c.group.includes(only));
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000x10,10000x10' },
    runs: { type: 'string', default: '3' },
    count: { type: 'string', default: 'small' },
    only: { type: 'string' },
  },
});
const count = values.count;
if (count !== 'small' && count !== 'all' && count !== 'none') {
  throw new Error(`--count takes small, all or none, not '${count}'`);
}
const sizes = values.sizes.split(',').map(parseTableSize);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a positive integer, not '${values.runs}'`);
if (!existsSync(FLOOR)) throw new Error(`${FLOOR} is missing: run the benchmark with bench/run (or make bench)`);
if (!existsSync(KIPVS)) throw new Error(`${KIPVS} is missing`);

const harness = new BenchHarness({
  runs,
  countSyscalls: count !== 'none',
  scratchDir: existsSync('/dev/shm') ? '/dev/shm/kipvs-bench' : join(DATA, 'scratch'),
});
const cases = sizes.flatMap((size) => casesFor(size, values.only, count));
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
    `Node ${about.node}, ${runs} runs per case, each in a fresh network namespace; ` +
    'times are wall clock including process start; "own ms" is the time the program reports itself\n',
);
console.log(formatTable(results));
console.log(`\nresults: ${saveResults(DATA, results, about)}`);
