// `kipvs restore [FILE|-] [--dry-run]`: the debug use of `ipvsadm -R`. Reads
// ipvsadm -S lines, checks all of them first (any bad line: every problem is
// reported and nothing is applied), then applies them with one batched
// batch. Like ipvsadm -R it does not flush first: the file's commands are
// applied to the table as it is (a file may start with -C). Each line's
// operation goes into the batch as its bytes while the file is read
// (src/ipvs/batch.ts); the few that fail are read again to name them.
import { Command } from 'commander';
import { IpvsClient, IpvsPermissionError, type IpvsOperation } from '../ipvs/index.js';
import { formatOperation } from '../ipvsadm/operation-format.js';
import {
  describeProblem,
  isRuleProblem,
  rules,
  type RuleOperation,
  type RuleProblem,
} from '../ipvsadm/rules-parser.js';
import { UserFacingError } from './exit.js';
import { listedLines, ProblemList } from './problem-list.js';
import { inputName, readInput } from './read-input.js';
import { writeOutput } from './write-output.js';

interface RestoreOptions {
  readonly dryRun?: true;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Reports the bad lines (the first MAX_LISTED_PROBLEMS, and how many more) and refuses the file. */
function refuseProblems(problems: ProblemList<RuleProblem>, name: string): never {
  const lines = listedLines(
    problems.kept.map((problem) => `${name}: ${describeProblem(problem)}`),
    problems.count,
  );
  process.stderr.write(lines.map((line) => `kipvs: ${line}\n`).join(''));
  throw new UserFacingError(`${plural(problems.count, 'invalid line')} in ${name}; nothing was applied`);
}

function validOperations(text: string, name: string): readonly RuleOperation[] {
  const operations: RuleOperation[] = [];
  const problems = new ProblemList<RuleProblem>();
  for (const rule of rules(text)) {
    if (isRuleProblem(rule)) problems.add(rule);
    else if (problems.count === 0) operations.push(rule);
  }
  return problems.count === 0 ? operations : refuseProblems(problems, name);
}

/** The operation of line `line` (1-based) of a text already known to be valid, read again. */
function operationOnLine(text: string, lineStarts: () => readonly number[], line: number): IpvsOperation {
  const starts = lineStarts();
  const [rule] = validOperations(
    text.slice(starts[line - 1] ?? text.length, (starts[line] ?? text.length + 1) - 1),
    'a line read again',
  );
  if (rule === undefined) throw new Error(`unreachable: line ${line} held an operation when first read`);
  return rule.operation;
}

/** Where each line starts: made only when an operation failed and its line is read again. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

async function apply(client: IpvsClient, text: string, name: string): Promise<void> {
  const batch = client.batch();
  const lines: number[] = [];
  const problems = new ProblemList<RuleProblem>();
  for (const rule of rules(text)) {
    if (isRuleProblem(rule)) problems.add(rule);
    else if (problems.count === 0) {
      batch.add(rule.operation);
      lines.push(rule.line);
    }
  }
  if (problems.count > 0) refuseProblems(problems, name);
  let starts: number[] | undefined;
  const lineStarts = () => (starts ??= lineStartsOf(text));
  const failures = await batch.send((index) => operationOnLine(text, lineStarts, lines[index] ?? 0));
  // Without root every operation fails alike: say so once.
  const denied = failures.find(({ error }) => error instanceof IpvsPermissionError);
  if (denied !== undefined) throw denied.error;
  if (failures.length > 0) {
    process.stderr.write(
      listedLines(failures.map(({ index, error }) => `line ${lines[index]}: ${error.message}`))
        .map((line) => `kipvs: ${line}\n`)
        .join(''),
    );
    throw new UserFacingError(
      `${plural(failures.length, 'operation')} of ${batch.length} failed; the others were applied`,
    );
  }
}

async function restore(file: string, options: RestoreOptions): Promise<void> {
  const name = inputName(file);
  const text = await readInput(file);
  if (options.dryRun)
    return writeOutput(
      validOperations(text, name)
        .map(({ operation }) => `${formatOperation(operation)}\n`)
        .join(''),
    );
  let client: IpvsClient;
  try {
    client = await IpvsClient.open();
  } catch (err) {
    // A bad file is reported as such even where IPVS cannot be reached.
    validOperations(text, name);
    throw err;
  }
  try {
    await apply(client, text, name);
  } finally {
    client.close();
  }
}

export function restoreCommand(): Command {
  return new Command('restore')
    .description(
      'Apply `ipvsadm -S` rules (like `ipvsadm -R`, without flushing first); every line is checked before any is applied. Inputs above 256 MiB are refused.',
    )
    .argument('[file]', 'the rules file, or - for standard input', '-')
    .option('--dry-run', 'print the operations, one ipvsadm line each, without touching the kernel')
    .action((file: string, options: RestoreOptions) => restore(file, options));
}
