// doctor's findings for people (one aligned line each, the fix under it, a
// count at the end) and for programs (a JSON array of {check, status,
// message, fix}).
import type { CheckStatus, Finding } from './finding.js';

const FIX_INDENT = ' '.repeat('PASS  '.length);

export function formatFindingsText(findings: readonly Finding[]): string {
  const lines = findings.flatMap((f) => [
    `${f.status}  ${f.message}`,
    ...(f.fix === null ? [] : [`${FIX_INDENT}fix: ${f.fix}`]),
  ]);
  const count = (status: CheckStatus): number => findings.filter((f) => f.status === status).length;
  lines.push('', `${count('PASS')} passed, ${count('WARN')} warned, ${count('FAIL')} failed`);
  return `${lines.join('\n')}\n`;
}

export function formatFindingsJson(findings: readonly Finding[]): string {
  return `${JSON.stringify(
    findings.map(({ check, status, message, fix }) => ({ check, status, message, fix })),
    null,
    2,
  )}\n`;
}
