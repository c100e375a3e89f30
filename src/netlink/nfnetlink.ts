// nfnetlink (NETLINK_NETFILTER): every message is struct nfgenmsg, then
// attributes; nlmsg_type carries the subsystem in its high byte and the
// subsystem's command in the low one (include/uapi/linux/netfilter/nfnetlink.h).
import type { AttributeSet, AttributeValues } from './attributes.js';
import { be16, u8 } from './attributes.js';
import { NFNETLINK_V0 } from './constants.js';
import type { RequestLabel } from './errors.js';
import type { NetlinkMessage } from './message.js';
import type { Request } from './socket.js';
import { decodeStructMessage, struct, structRequest } from './struct.js';

/** struct nfgenmsg: an address family, the nfnetlink version, and a big-endian resource id. */
export const nfgenmsg = struct('nfgenmsg', { family: u8, version: u8, resourceId: be16 });

export function nfnetlinkType(subsystem: number, command: number): number {
  return (subsystem << 8) | command;
}

/** A request of an nfnetlink subsystem: nfgenmsg (version 0, resource id 0), then one attribute set. */
export function nfnetlinkRequest<F>(options: {
  subsystem: number;
  command: number;
  label: RequestLabel;
  /** nfgen_family: what the subsystem makes of it (ipset ignores it). */
  family: number;
  flags?: number;
  attributes: AttributeSet<F>;
  values: AttributeValues<F>;
}): Request {
  return structRequest({
    type: nfnetlinkType(options.subsystem, options.command),
    ...(options.flags !== undefined && { flags: options.flags }),
    label: options.label,
    header: nfgenmsg,
    headerValues: { family: options.family, version: NFNETLINK_V0, resourceId: 0 },
    attributes: options.attributes,
    values: options.values,
  });
}

export interface NfnetlinkMessage<F> {
  readonly subsystem: number;
  readonly command: number;
  readonly family: number;
  readonly attributes: AttributeValues<F>;
}

/** Decodes an nfnetlink message: its subsystem and command, nfgenmsg, then the attributes. */
export function decodeNfnetlink<F>(msg: NetlinkMessage, attributes: AttributeSet<F>): NfnetlinkMessage<F> {
  const decoded = decodeStructMessage(msg, nfgenmsg, attributes);
  return {
    subsystem: msg.type >> 8,
    command: msg.type & 0xff,
    family: decoded.header.family,
    attributes: decoded.attributes,
  };
}
