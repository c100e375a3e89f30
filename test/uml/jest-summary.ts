// Sums the results of the Jest runs of `make test` (unit tests on the host, kernel tests in UML)
// into the ONE line CI reads, printed last:  tests: N passed, N failed, N skipped
//
// usage: node build/test/uml/jest-summary.js NAME=RESULTS.json:EXIT_STATUS ...
//        NAME=-:unavailable   the part could not run (counted as one failure)
//        NAME=-:skipped       the part was skipped on purpose (counted as nothing)
// Exit status: 0 when nothing failed, 1 otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The fields we read from Jest's `--json` output (its AggregatedResult). */
interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numRuntimeErrorTestSuites: number;
  success: boolean;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function isJestResults(value: unknown): value is JestResults {
  if (typeof value !== 'object' || value === null) return false;
  const fields = ['numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests', 'numRuntimeErrorTestSuites'];
  return fields.every((field) => typeof (value as Record<string, unknown>)[field] === 'number');
}

/** Counts of one part, and a note for a person when the numbers alone would mislead. */
function countPart(file: string, status: string): { counts: Counts; note?: string } {
  if (status === 'skipped') return { counts: { passed: 0, failed: 0, skipped: 0 }, note: 'skipped on purpose' };
  if (status === 'unavailable') {
    return { counts: { passed: 0, failed: 1, skipped: 0 }, note: 'could not run (counted as one failure)' };
  }
  const exitStatus = Number(status);
  let results: JestResults | undefined;
  if (file !== '-' && existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isJestResults(parsed)) results = parsed;
    } catch {
      // an unreadable file is handled as a missing one below
    }
  }
  if (results === undefined) {
    return {
      counts: { passed: 0, failed: 1, skipped: 0 },
      note: `no test results were written (exit status ${status}; counted as one failure)`,
    };
  }
  const counts: Counts = {
    passed: results.numPassedTests,
    // A test file that cannot even load (syntax error, failed import) has no failed test in it.
    failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
    skipped: results.numPendingTests + results.numTodoTests,
  };
  if (exitStatus !== 0 && counts.failed === 0) {
    counts.failed = 1;
    return { counts, note: `Jest exited with status ${status} although no test failed (counted as one failure)` };
  }
  return { counts };
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
for (const arg of process.argv.slice(2)) {
  const match = /^([^=]+)=(.*):([^:]+)$/.exec(arg);
  if (match === null) {
    console.error(`jest-summary: cannot read argument '${arg}' (expected NAME=FILE:STATUS)`);
    process.exit(2);
  }
  const [, name = '', file = '-', status = ''] = match;
  const { counts, note } = countPart(file, status);
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  const where = file === '-' ? '' : ` (${relative(process.cwd(), file)})`;
  console.log(
    `${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${where}${note ? ` - ${note}` : ''}`,
  );
}
console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed === 0 ? 0 : 1;
