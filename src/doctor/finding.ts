// What `kipvs doctor` says about one thing it checked: a status, one sentence
// naming the thing and what was found, and for WARN and FAIL the fix.

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface Finding {
  /** Stable name of the check, for scripts reading `-o json`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** Starts with the thing checked: "config file /etc/kipvs/config.conf: mode 0644, owner root". */
  readonly message: string;
  /** What to do about a WARN or FAIL; null for PASS. */
  readonly fix: string | null;
}

export const pass = (check: string, message: string): Finding => ({ check, status: 'PASS', message, fix: null });
export const warn = (check: string, message: string, fix: string): Finding => ({ check, status: 'WARN', message, fix });
export const fail = (check: string, message: string, fix: string): Finding => ({ check, status: 'FAIL', message, fix });

/** 1 when anything failed, as the command's exit status; warnings alone do not fail it. */
export function exitStatus(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.status === 'FAIL') ? 1 : 0;
}
