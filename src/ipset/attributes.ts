// The ipset wire format as declarative attribute tables (include/uapi/linux/
// netfilter/ipset/ip_set.h). Each table drives both encoding and decoding.
//
// ipset is strict about attribute type flags (net/netfilter/ipset/
// ip_set_core.c): a nest without NLA_F_NESTED is IPSET_ERR_PROTOCOL (flag_nested),
// and so is a big-endian value without NLA_F_NET_BYTEORDER
// (ip_set_attr_netorder / ip_set_optattr_netorder). Those are marked here.
import {
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  attributeSet,
  be16,
  be32,
  bytesView,
  cstring,
  field,
  nested,
  nestedList,
  u32,
  u8,
  withTypeFlags,
  type AttributeSet,
  type AttributeValues,
  type Codec,
} from '../netlink/index.js';
import * as c from './constants.js';

const net16 = withTypeFlags(be16, NLA_F_NET_BYTEORDER);
const net32 = withTypeFlags(be32, NLA_F_NET_BYTEORDER);
/** An address in network order: 4 bytes (IPADDR_IPV4) or 16 (IPADDR_IPV6), a view of the reply. */
const netBytes = withTypeFlags(bytesView, NLA_F_NET_BYTEORDER);
const nest = <F>(set: AttributeSet<F>): Codec<AttributeValues<F>> => withTypeFlags(nested(set), NLA_F_NESTED);

/** IPSET_ATTR_IP / IPSET_ATTR_IP2: one address of either family. */
export const addressAttributes = attributeSet('IPSET_ATTR_IPADDR', {
  v4: field(c.IPSET_ATTR_IPADDR_IPV4, netBytes),
  v6: field(c.IPSET_ATTR_IPADDR_IPV6, netBytes),
});

/** IPSET_ATTR_DATA of an entry: what the set types' adt_policy tables accept, and list replies carry. */
export const entryAttributes = attributeSet('IPSET_ATTR_DATA', {
  ip: field(c.IPSET_ATTR_IP, nest(addressAttributes)),
  cidr: field(c.IPSET_ATTR_CIDR, u8),
  port: field(c.IPSET_ATTR_PORT, net16),
  proto: field(c.IPSET_ATTR_PROTO, u8),
  // The entry's number inside its message: a failing one is reported by it (call_ad).
  lineno: field(c.IPSET_ATTR_LINENO, u32),
  ip2: field(c.IPSET_ATTR_IP2, nest(addressAttributes)),
  cidr2: field(c.IPSET_ATTR_CIDR2, u8),
  comment: field(c.IPSET_ATTR_COMMENT, cstring),
});

/** IPSET_ATTR_DATA of a create request and of a set's header in list replies. */
export const headerAttributes = attributeSet('IPSET_ATTR_DATA', {
  portFrom: field(c.IPSET_ATTR_PORT, net16),
  portTo: field(c.IPSET_ATTR_PORT_TO, net16),
  cadtFlags: field(c.IPSET_ATTR_CADT_FLAGS, net32),
  initval: field(c.IPSET_ATTR_INITVAL, net32),
  hashSize: field(c.IPSET_ATTR_HASHSIZE, net32),
  maxElem: field(c.IPSET_ATTR_MAXELEM, net32),
  bucketSize: field(c.IPSET_ATTR_BUCKETSIZE, u8),
  elements: field(c.IPSET_ATTR_ELEMENTS, net32),
  references: field(c.IPSET_ATTR_REFERENCES, net32),
  memorySize: field(c.IPSET_ATTR_MEMSIZE, net32),
});

/**
 * The attributes of every command and reply but SWAP: a LIST reply has the
 * header in IPSET_ATTR_DATA and the entries in IPSET_ATTR_ADT; ADD and DEL
 * send their entries in IPSET_ATTR_ADT, each one an IPSET_ATTR_DATA nest.
 * IPSET_ATTR_PROTOCOL_MIN is also the TYPE reply's IPSET_ATTR_REVISION_MIN.
 */
export const commandAttributes = attributeSet('IPSET', {
  protocol: field(c.IPSET_ATTR_PROTOCOL, u8),
  setName: field(c.IPSET_ATTR_SETNAME, cstring),
  typeName: field(c.IPSET_ATTR_TYPENAME, cstring),
  revision: field(c.IPSET_ATTR_REVISION, u8),
  family: field(c.IPSET_ATTR_FAMILY, u8),
  flags: field(c.IPSET_ATTR_FLAGS, net32),
  data: field(c.IPSET_ATTR_DATA, nest(headerAttributes)),
  adt: field(c.IPSET_ATTR_ADT, withTypeFlags(nestedList(c.IPSET_ATTR_DATA, nest(entryAttributes)), NLA_F_NESTED)),
  lineno: field(c.IPSET_ATTR_LINENO, u32),
  protocolMin: field(c.IPSET_ATTR_PROTOCOL_MIN, u8),
  index: field(c.IPSET_ATTR_INDEX, net16),
});

/** SWAP: IPSET_ATTR_SETNAME2 takes TYPENAME's number. */
export const swapAttributes = attributeSet('IPSET', {
  protocol: field(c.IPSET_ATTR_PROTOCOL, u8),
  setName: field(c.IPSET_ATTR_SETNAME, cstring),
  setName2: field(c.IPSET_ATTR_SETNAME2, cstring),
});

export type EntryValues = AttributeValues<typeof entryAttributes.fields>;
export type HeaderValues = AttributeValues<typeof headerAttributes.fields>;
export type CommandValues = AttributeValues<typeof commandAttributes.fields>;
