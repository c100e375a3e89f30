// What the kernel layer needs of a conntrack client (src/conntrack, written beside this
// layer): deleting the UDP and SCTP flows a plan names. Kept to this one method so the
// layer neither waits for nor depends on that client's other surface.
import type { ConntrackDeletion } from '../contracts/plan.js';

export interface ConntrackFlowFailure {
  /** The very object of the deletions passed in (matched by identity). */
  readonly deletion: ConntrackDeletion;
  readonly error: Error;
}

export interface ConntrackFlowDeleter {
  /** Deletes every flow each deletion matches; a deletion matching no flow is no failure. */
  deleteFlows(
    deletions: readonly ConntrackDeletion[],
  ): Promise<{ readonly deleted: number; readonly failures: readonly ConntrackFlowFailure[] }>;
}
