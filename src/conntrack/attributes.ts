// The ctnetlink wire format kipvs uses, as declarative attribute tables
// (include/uapi/linux/netfilter/nfnetlink_conntrack.h). Each table drives both
// encoding and decoding. The kernel's policies are ct_nla_policy, tuple_nla_policy,
// cta_ip_nla_policy, proto_nla_policy and cta_filter_nla_policy
// (net/netfilter/nf_conntrack_netlink.c); ports are nf_ct_port_nla_policy's __be16
// (nf_conntrack_proto.c). Nests carry NLA_F_NESTED, as the kernel's replies and
// the conntrack tool's requests do (the kernel's strict parse of CTA_FILTER wants it).
import {
  NLA_F_NESTED,
  attributeSet,
  be16,
  be32,
  bytesView,
  field,
  nested,
  u32,
  u8,
  withTypeFlags,
  type AttributeSet,
  type AttributeValues,
  type Codec,
} from '../netlink/index.js';
import * as c from './constants.js';

const nest = <F>(set: AttributeSet<F>): Codec<AttributeValues<F>> => withTypeFlags(nested(set), NLA_F_NESTED);

/** CTA_TUPLE_IP: the addresses of one direction, 4 (V4) or 16 (V6) bytes in network order, views of the reply. */
export const ipAttributes = attributeSet('CTA_IP', {
  v4Source: field(c.CTA_IP_V4_SRC, bytesView),
  v4Destination: field(c.CTA_IP_V4_DST, bytesView),
  v6Source: field(c.CTA_IP_V6_SRC, bytesView),
  v6Destination: field(c.CTA_IP_V6_DST, bytesView),
});

/** CTA_TUPLE_PROTO: the layer 4 protocol number and, for UDP and SCTP, the ports. */
export const protoAttributes = attributeSet('CTA_PROTO', {
  number: field(c.CTA_PROTO_NUM, u8),
  sourcePort: field(c.CTA_PROTO_SRC_PORT, be16),
  destinationPort: field(c.CTA_PROTO_DST_PORT, be16),
});

/** CTA_TUPLE_ORIG / CTA_TUPLE_REPLY: one direction of a flow. */
export const tupleAttributes = attributeSet('CTA_TUPLE', {
  ip: field(c.CTA_TUPLE_IP, nest(ipAttributes)),
  proto: field(c.CTA_TUPLE_PROTO, nest(protoAttributes)),
});

/** CTA_FILTER: which fields of the request's CTA_TUPLE_ORIG an entry of a dump must match (CTA_FILTER_F_* bits). */
export const filterAttributes = attributeSet('CTA_FILTER', {
  originalFlags: field(c.CTA_FILTER_ORIG_FLAGS, u32),
  replyFlags: field(c.CTA_FILTER_REPLY_FLAGS, u32),
});

/**
 * The attributes of a conntrack entry (a dump's IPCTNL_MSG_CT_NEW replies) and of
 * the GET and DELETE requests. CTA_ID is the kernel's id of the entry
 * (nf_ct_get_id): a DELETE naming it removes that entry only, never a newer one
 * with the same tuple. CTA_ZONE is sent only for entries outside the default zone.
 */
export const conntrackAttributes = attributeSet('CTA', {
  original: field(c.CTA_TUPLE_ORIG, nest(tupleAttributes)),
  reply: field(c.CTA_TUPLE_REPLY, nest(tupleAttributes)),
  timeout: field(c.CTA_TIMEOUT, be32),
  id: field(c.CTA_ID, be32),
  zone: field(c.CTA_ZONE, be16),
  filter: field(c.CTA_FILTER, nest(filterAttributes)),
});

export type TupleValues = AttributeValues<typeof tupleAttributes.fields>;
