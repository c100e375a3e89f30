// The one place where an error becomes text for a person and an exit status.
import { CommanderError } from 'commander';
import { IpvsPermissionError } from '../ipvs/index.js';

/** IPVS refuses every command, reads included, without CAP_NET_ADMIN (GENL_ADMIN_PERM). */
const IPVS_PERMISSION_SENTENCE = 'permission denied: IPVS needs root (CAP_NET_ADMIN); run kipvs as root';

/** Errors that already say, in one sentence, what went wrong and what to do. */
export class UserFacingError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** `kipvs diff`'s status for an error: 1 means "differences" there, as in diff(1) and kubectl diff. */
export const DIFF_FAILED = 2;

/**
 * Ends the command for `err`. `failureStatus` is the least status an error exits with: 1, or
 * DIFF_FAILED for a command whose status 1 means something else.
 */
export function reportAndExit(err: unknown, failureStatus = 1): never {
  const failed = (status: number): number => (status === 0 ? 0 : Math.max(status, failureStatus));
  if (err instanceof CommanderError) {
    // commander has already printed its message (and help) to stderr.
    process.exit(failed(err.exitCode));
  }
  if (err instanceof IpvsPermissionError) {
    // Which request was refused first does not help a person who is simply not root.
    process.stderr.write(`kipvs: ${IPVS_PERMISSION_SENTENCE}\n`);
    process.exit(failed(1));
  }
  if (err instanceof Error && 'userMessage' in err && typeof err.userMessage === 'string') {
    process.stderr.write(`kipvs: ${err.userMessage}\n`);
    process.exit(failed(1));
  }
  if (err instanceof UserFacingError) {
    process.stderr.write(`kipvs: ${err.message}\n`);
    process.exit(failed(err.exitCode));
  }
  // A bug: keep the stack, it is what a bug report needs.
  process.stderr.write(`kipvs: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(70);
}
