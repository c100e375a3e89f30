// What became of a batch of deletes. The kernel answers ENOENT for an entry
// that is gone by the time its delete arrives (it expired, or another agent
// deleted it, since the dump): the flow is cleared all the same, so that is
// counted apart and is not a failure.
import type { OperationOutcome } from '../netlink/index.js';
import type { ConntrackError } from './errors.js';
import type { ConntrackDeletion, ConntrackFlow } from './types.js';

export function tallyDeletes(outcomes: readonly OperationOutcome<ConntrackFlow, ConntrackError>[]): FlowDeletionResult {
  let deleted = 0;
  let expired = 0;
  const failures: { flow: ConntrackFlow; error: ConntrackError }[] = [];
  for (const outcome of outcomes) {
    if (outcome.ok) deleted++;
    else if (outcome.error.code === 'ENOENT') expired++;
    else failures.push({ flow: outcome.op, error: outcome.error });
  }
  return { deleted, expired, failures };
}

/** A delete that failed (the kernel's ENOENT is not one: the entry expired meanwhile). */
export interface FlowFailure {
  readonly flow: ConntrackFlow;
  readonly error: ConntrackError;
}

export interface FlowDeletionResult {
  /** Entries the kernel deleted. */
  readonly deleted: number;
  /** Entries already gone when their delete arrived (ENOENT): expired, or deleted by someone else. */
  readonly expired: number;
  readonly failures: readonly FlowFailure[];
}

/**
 * A deletion that failed: its values cannot be sent (no `flow`), the dump of its
 * family and protocol failed (no `flow`), or the delete of a flow it matched failed.
 */
export interface DeletionFailure {
  readonly deletion: ConntrackDeletion;
  readonly flow?: ConntrackFlow;
  readonly error: ConntrackError;
}

export interface ConntrackDeletionResult {
  /** Matching entries the kernel deleted. */
  readonly deleted: number;
  /** Matching entries already gone when their delete arrived (ENOENT). */
  readonly expired: number;
  readonly failures: readonly DeletionFailure[];
}
