// Golden request tests of every family frame their requests the same way.
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, Writer, type Request } from '../../../src/netlink/index.js';

/** A request for one acknowledged operation. */
export const DOIT = NLM_F_REQUEST | NLM_F_ACK; // 0x0005
/** A dump request. */
export const DUMP = NLM_F_REQUEST | NLM_F_DUMP; // 0x0301

/** The message as the socket frames it: seq 1, port id 0. */
export function framed(request: Request, flags: number): Buffer {
  const w = new Writer(256);
  const start = w.beginMessage(request.type, flags | (request.flags ?? 0), 1);
  request.writePayload(w);
  w.endMessage(start);
  return w.take();
}
