// Applying a list of typed operations as one socket batch, for every kernel
// family's client: each operation gets its own result, in order, whether it
// failed before sending (a value the wire cannot carry) or in the kernel.
import type { Outcome, NetlinkSocket, Request } from './socket.js';

/** What became of one operation of a batch. */
export type OperationOutcome<Op, E> =
  | { readonly op: Op; readonly ok: true }
  | { readonly op: Op; readonly ok: false; readonly error: E };

/** Why the kernel or the socket failed a request. */
export type RequestFailure = Extract<Outcome, { ok: false }>['error'];

export interface BatchedOperations<Op, E> {
  readonly socket: NetlinkSocket;
  readonly ops: readonly Op[];
  /** `requests[i]` is ops[i]'s request, or the error that kept it from being built. */
  readonly requests: readonly (Request | E)[];
  readonly isBuildError: (built: Request | E) => built is E;
  /** The family's own error for a failed request, naming the operation. */
  readonly failure: (error: RequestFailure, op: Op) => E;
}

export async function applyOperations<Op, E>(batch: BatchedOperations<Op, E>): Promise<OperationOutcome<Op, E>[]> {
  const { ops } = batch;
  const results = new Array<OperationOutcome<Op, E>>(ops.length);
  const toSend: Request[] = [];
  const sentIndex: number[] = [];
  batch.requests.forEach((built, i) => {
    const op = ops[i] as Op;
    if (batch.isBuildError(built)) {
      results[i] = { op, ok: false, error: built };
    } else {
      toSend.push(built);
      sentIndex.push(i);
    }
  });
  const outcomes = await batch.socket.batch(toSend);
  outcomes.forEach((outcome, j) => {
    const i = sentIndex[j] as number;
    const op = ops[i] as Op;
    results[i] = outcome.ok ? { op, ok: true } : { op, ok: false, error: batch.failure(outcome.error, op) };
  });
  return results;
}
