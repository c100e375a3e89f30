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

export function reportAndExit(err: unknown): never {
  if (err instanceof CommanderError) {
    // commander has already printed its message (and help) to stderr.
    process.exit(err.exitCode);
  }
  if (err instanceof IpvsPermissionError) {
    // Which request was refused first does not help a person who is simply not root.
    process.stderr.write(`kipvs: ${IPVS_PERMISSION_SENTENCE}\n`);
    process.exit(1);
  }
  if (err instanceof Error && 'userMessage' in err && typeof err.userMessage === 'string') {
    process.stderr.write(`kipvs: ${err.userMessage}\n`);
    process.exit(1);
  }
  if (err instanceof UserFacingError) {
    process.stderr.write(`kipvs: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  // A bug: keep the stack, it is what a bug report needs.
  process.stderr.write(`kipvs: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(70);
}
