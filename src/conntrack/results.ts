// What became of a batch of deletes. The kernel answers ENOENT for an entry
// that is gone by the time its delete arrives (it expired, or another agent
// deleted it, since the dump): the flow is cleared all the same, so that is
// counted apart and is not a failure.
import type { OperationOutcome } from '../netlink/index.js';
import type { ConntrackError } from './errors.js';
import type { ConntrackFlow, FlowDeletionResult } from './types.js';

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
