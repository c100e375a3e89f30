// A batch of IPVS changes filled one operation at a time: each operation is encoded
// when it is added and only its bytes are kept until the batch is sent. A restore file
// of 100,000 lines is so held as a few megabytes of messages rather than 100,000
// operation objects, which is most of what reading such a file costs where every new
// page of memory is dear (User-Mode Linux: about 0.2 ms a page fault, measured).
import type { NetlinkSocket, Request } from '../netlink/index.js';
import { IpvsError, ipvsErrorFrom } from './errors.js';
import { OperationEncoder } from './messages.js';
import type { GenericFamily } from '../netlink/index.js';
import type { IpvsOperation } from './types.js';

/** An operation of a batch that failed: its position in the batch and why. */
export interface BatchFailure {
  readonly index: number;
  readonly error: IpvsError;
}

export class IpvsBatch {
  private readonly encoder: OperationEncoder;
  private readonly requests: (Request | IpvsError)[] = [];
  private sent = false;

  constructor(
    private readonly socket: NetlinkSocket,
    family: GenericFamily,
    expectedOperations?: number,
  ) {
    this.encoder = new OperationEncoder(family, expectedOperations);
  }

  get length(): number {
    return this.requests.length;
  }

  /** Encodes `op` now; a value the wire cannot carry makes it fail (EINVAL) when the batch is sent, unsent. */
  add(op: IpvsOperation): void {
    if (this.sent) throw new Error('IpvsBatch: an operation was added after the batch was sent');
    this.requests.push(this.encoder.encode(op));
  }

  /**
   * Sends every operation in order, in as few sendmsg calls as fit, and resolves to those
   * that failed. `operationAt(index)` gives an added operation back: it is asked only for
   * the failed ones, to name them in their errors.
   */
  async send(operationAt: (index: number) => IpvsOperation): Promise<BatchFailure[]> {
    if (this.sent) throw new Error('IpvsBatch: a batch is sent once');
    this.sent = true;
    this.encoder.finish();
    const failures: BatchFailure[] = [];
    const toSend: Request[] = [];
    const sentIndex: number[] = [];
    this.requests.forEach((request, index) => {
      if (request instanceof IpvsError) failures.push({ index, error: request });
      else {
        toSend.push(request);
        sentIndex.push(index);
      }
    });
    const outcomes = await this.socket.batch(toSend);
    outcomes.forEach((outcome, j) => {
      if (outcome.ok) return;
      const index = sentIndex[j] as number;
      failures.push({ index, error: ipvsErrorFrom(outcome.error, operationAt(index)) });
    });
    return failures.sort((a, b) => a.index - b.index);
  }
}
