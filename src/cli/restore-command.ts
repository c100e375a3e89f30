// `kipvs restore [FILE|-] [--dry-run]`: the debug use of `ipvsadm -R`. Reads
// ipvsadm -S lines, checks all of them first (any bad line: every problem is
// reported and nothing is applied), then applies them with one batched
// IpvsClient.apply. Like ipvsadm -R it does not flush first: the file's
// commands are applied to the table as it is (a file may start with -C).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { IpvsClient, IpvsPermissionError } from '../ipvs/index.js';
import { formatOperation } from '../ipvsadm/operation-format.js';
import { describeProblem, parseRules, type RuleOperation } from '../ipvsadm/rules-parser.js';
import { UserFacingError } from './exit.js';
import { writeOutput } from './write-output.js';

interface RestoreOptions {
  readonly dryRun?: true;
}

async function readRules(file: string): Promise<string> {
  try {
    return file === '-' ? await readStream(process.stdin) : await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UserFacingError(`cannot read ${file === '-' ? 'standard input' : file} (${code})`);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

async function apply(operations: readonly RuleOperation[]): Promise<void> {
  const client = await IpvsClient.open();
  let results;
  try {
    results = await client.apply(operations.map(({ operation }) => operation));
  } finally {
    client.close();
  }
  // Without root every operation fails alike: say so once.
  const denied = results.find((result) => !result.ok && result.error instanceof IpvsPermissionError);
  if (denied !== undefined && !denied.ok) throw denied.error;
  const failures = results.flatMap((result, i) => (result.ok ? [] : [`line ${operations[i]?.line}: ${result.error.message}`]));
  if (failures.length > 0) {
    process.stderr.write(failures.map((failure) => `kipvs: ${failure}\n`).join(''));
    throw new UserFacingError(`${plural(failures.length, 'operation')} of ${operations.length} failed; the others were applied`);
  }
}

async function restore(file: string, options: RestoreOptions): Promise<void> {
  const name = file === '-' ? 'standard input' : file;
  const parsed = parseRules(await readRules(file));
  if (!parsed.ok) {
    process.stderr.write(parsed.problems.map((problem) => `kipvs: ${name}: ${describeProblem(problem)}\n`).join(''));
    throw new UserFacingError(`${plural(parsed.problems.length, 'invalid line')} in ${name}; nothing was applied`);
  }
  if (options.dryRun) return writeOutput(parsed.operations.map(({ operation }) => `${formatOperation(operation)}\n`).join(''));
  return apply(parsed.operations);
}

export function restoreCommand(): Command {
  return new Command('restore')
    .description('apply `ipvsadm -S` rules (like `ipvsadm -R`, without flushing first); every line is checked before any is applied')
    .argument('[file]', 'the rules file, or - for standard input', '-')
    .option('--dry-run', 'print the operations, one ipvsadm line each, without touching the kernel')
    .action((file: string, options: RestoreOptions) => restore(file, options));
}
