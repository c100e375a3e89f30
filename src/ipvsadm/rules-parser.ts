// A whole `ipvsadm -S` / `ipvsadm -R` file to the IPVS operations it asks for.
// Every line is checked and every bad line reported; the operations are only
// handed out when all lines are valid, so a restore is all or nothing at the
// parsing stage (ipvsadm -R, by contrast, applies lines until the first bad one).
import type { IpvsOperation } from '../ipvs/types.js';
import { interpretLine } from './rule-line.js';
import { ruleLines, scanOptions } from './rule-options.js';
import type { RuleProblemKind } from './rule-problem.js';

export type { RuleProblemKind } from './rule-problem.js';

/** One malformed line. */
export interface RuleProblem {
  readonly line: number;
  readonly kind: RuleProblemKind;
  readonly message: string;
}

/** An operation and the line that asked for it (for error reports). */
export interface RuleOperation {
  readonly line: number;
  readonly operation: IpvsOperation;
}

export type ParsedRules =
  | { readonly ok: true; readonly operations: readonly RuleOperation[] }
  | { readonly ok: false; readonly problems: readonly RuleProblem[] };

export function describeProblem(problem: RuleProblem): string {
  return `line ${problem.line}: ${problem.message}`;
}

/** Each line's operation or problem, in file order, one line at a time (a large file is never held as operations unless the caller keeps them). */
export function* rules(text: string): Generator<RuleOperation | RuleProblem> {
  for (const { line, words } of ruleLines(text)) {
    const scanned = scanOptions(words);
    const result = scanned.ok
      ? interpretLine(scanned.options, scanned.positionals)
      : { ok: false as const, kind: 'syntax' as const, message: scanned.reason };
    yield result.ok ? { line, operation: result.operation } : { line, kind: result.kind, message: result.message };
  }
}

export const isRuleProblem = (rule: RuleOperation | RuleProblem): rule is RuleProblem => 'kind' in rule;

export function parseRules(text: string): ParsedRules {
  const operations: RuleOperation[] = [];
  const problems: RuleProblem[] = [];
  for (const rule of rules(text)) {
    if (isRuleProblem(rule)) problems.push(rule);
    else operations.push(rule);
  }
  return problems.length === 0 ? { ok: true, operations } : { ok: false, problems };
}
