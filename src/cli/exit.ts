// The one place where an error becomes text for a person and an exit status.
// Whatever was written before is flushed first: a list of problems followed by
// the sentence that sums them up arrives whole even through a slow pipe.
import { CommanderError } from 'commander';
import { IpvsPermissionError } from '../ipvs/index.js';
import { flushOutput } from './write-output.js';

/** IPVS refuses every command, reads included, without CAP_NET_ADMIN (GENL_ADMIN_PERM). */
const IPVS_PERMISSION_SENTENCE = 'permission denied: IPVS needs root (CAP_NET_ADMIN); run kipvs as root';
/** A bug in kipvs (sysexits' EX_SOFTWARE). */
const EXIT_INTERNAL_ERROR = 70;

/** `kipvs diff`'s status for an error: 1 means "differences" there, as in diff(1) and kubectl diff. */
export const DIFF_FAILED = 2;

/** Errors that already say, in one sentence, what went wrong and what to do. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** The text and status for `err`; commander has already printed its own message (and help). */
function describe(err: unknown): { readonly text?: string; readonly status: number } {
  if (err instanceof CommanderError) return { status: err.exitCode };
  // Which request was refused first does not help a person who is simply not root.
  if (err instanceof IpvsPermissionError) return { text: IPVS_PERMISSION_SENTENCE, status: 1 };
  if (err instanceof Error && 'userMessage' in err && typeof err.userMessage === 'string')
    return { text: err.userMessage, status: 1 };
  if (err instanceof UserFacingError) return { text: err.message, status: err.exitCode };
  // A bug: keep the stack, it is what a bug report needs.
  return {
    text: `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    status: EXIT_INTERNAL_ERROR,
  };
}

/**
 * Ends the command for `err`. `failureStatus` is the least status an error exits with: 1, or
 * DIFF_FAILED for a command whose status 1 means something else.
 */
export async function reportAndExit(err: unknown, failureStatus = 1): Promise<never> {
  const { text, status } = describe(err);
  if (text !== undefined) process.stderr.write(`kipvs: ${text}\n`);
  await flushOutput();
  process.exit(status === 0 ? 0 : Math.max(status, failureStatus));
}
