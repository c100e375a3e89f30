// Netlink message framing: struct nlmsghdr, struct genlmsghdr and the
// NLMSG_ERROR payload (struct nlmsgerr plus extended-ACK attributes), as laid
// out in include/uapi/linux/netlink.h and genetlink.h.
import {
  GENL_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_LEN,
} from './constants.js';
import { NetlinkDecodeError } from './errors.js';
import { attributeSet, cstring, field, u32 } from './attributes.js';
import { align4 } from './writer.js';

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly portId: number;
  /** Everything after the 16-byte header. */
  readonly payload: Buffer;
}

/** Splits a datagram into messages, checking every length against the datagram. */
export function parseMessages(datagram: Buffer): NetlinkMessage[] {
  const messages: NetlinkMessage[] = [];
  let at = 0;
  while (at < datagram.length) {
    if (datagram.length - at < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError('nlmsghdr', `${datagram.length - at} trailing bytes, too short for a header`);
    }
    const length = datagram.readUInt32LE(at);
    if (length < NLMSG_HDRLEN || at + length > datagram.length) {
      throw new NetlinkDecodeError(
        'nlmsghdr',
        `message length ${length} at offset ${at} of a ${datagram.length}-byte datagram`,
      );
    }
    messages.push({
      type: datagram.readUInt16LE(at + 4),
      flags: datagram.readUInt16LE(at + 6),
      seq: datagram.readUInt32LE(at + 8),
      portId: datagram.readUInt32LE(at + 12),
      payload: datagram.subarray(at + NLMSG_HDRLEN, at + length),
    });
    at += align4(length);
  }
  return messages;
}

export interface ErrorReply {
  /** 0 for an acknowledgement, else a positive errno. */
  readonly errno: number;
  /** The kernel's extended-ACK text, when present. */
  readonly message?: string;
  /** Byte offset of the offending attribute in the request, when reported. */
  readonly offset?: number;
  /**
   * The request as the kernel echoed it (nlmsghdr and payload, a copy), when
   * the reply is not capped: some families write facts into the echo (ipset
   * puts the line number of a failed entry there).
   */
  readonly echo?: Buffer;
}

const extendedAck = attributeSet('nlmsgerr', {
  message: field(NLMSGERR_ATTR_MSG, cstring),
  offset: field(NLMSGERR_ATTR_OFFS, u32),
});

/** Reads an NLMSG_ERROR payload: the errno, the echoed request, then (if flagged) extended-ACK TLVs. */
export function parseErrorReply(msg: NetlinkMessage): ErrorReply {
  const p = msg.payload;
  if (p.length < NLMSGERR_LEN) {
    throw new NetlinkDecodeError('nlmsgerr', `expected at least ${NLMSGERR_LEN} bytes, got ${p.length}`);
  }
  const errno = 0 - p.readInt32LE(0); // not -x: an ACK would be -0
  // Unless the ACK is capped, the kernel echoes the whole request after the
  // error code (its nlmsg_len says how long); a capped one echoes the header.
  // Kernels before 4.12 flag neither, and echo only the header of an ACK: an
  // echo that does not fit is not one.
  const capped = (msg.flags & NLM_F_CAPPED) !== 0;
  const echoed = capped ? NLMSG_HDRLEN : p.readUInt32LE(4);
  const echo =
    !capped && echoed >= NLMSG_HDRLEN && 4 + echoed <= p.length ? Buffer.from(p.subarray(4, 4 + echoed)) : undefined;
  if ((msg.flags & NLM_F_ACK_TLVS) === 0) return { errno, ...(echo && { echo }) };
  // The extended-ACK attributes follow the echo.
  const tlvStart = 4 + align4(echoed);
  if (tlvStart > p.length) throw new NetlinkDecodeError('nlmsgerr', `extended ACK starts past the message end`);
  const ack = extendedAck.decode(p.subarray(tlvStart), 'nlmsgerr');
  return {
    errno,
    ...(ack.message !== undefined && { message: ack.message }),
    ...(ack.offset !== undefined && { offset: ack.offset }),
    ...(echo && { echo }),
  };
}

export interface GenericHeader {
  readonly command: number;
  readonly version: number;
  /** The attributes after struct genlmsghdr. */
  readonly attributes: Buffer;
}

/** Reads struct genlmsghdr from a generic netlink message payload. */
export function parseGenericHeader(msg: NetlinkMessage): GenericHeader {
  if (msg.payload.length < GENL_HDRLEN) {
    throw new NetlinkDecodeError('genlmsghdr', `expected ${GENL_HDRLEN} bytes, got ${msg.payload.length}`);
  }
  return {
    command: msg.payload.readUInt8(0),
    version: msg.payload.readUInt8(1),
    attributes: msg.payload.subarray(GENL_HDRLEN),
  };
}
