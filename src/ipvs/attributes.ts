// The IPVS wire format as declarative attribute tables, one per message part of
// include/uapi/linux/ip_vs.h. Each table drives both encoding and decoding
// (src/netlink/attributes.ts); the kernel's own policy for each attribute is in
// net/netfilter/ipvs/ip_vs_ctl.c (ip_vs_cmd_policy, ip_vs_svc_policy,
// ip_vs_dest_policy). Tables are in enum order, which is the order we encode.
import {
  attributeSet,
  be16,
  bytesView,
  cstring,
  field,
  nested,
  u16,
  u32,
  u32Struct,
  u64,
  u8,
  type AttributeValues,
} from '../netlink/index.js';
import * as c from './constants.js';

/** The older statistics nest: 32-bit counters and rates, 64-bit byte counts. */
export const stats32Attributes = attributeSet('IPVS_STATS', {
  connections: field(c.IPVS_STATS_ATTR_CONNS, u32),
  inPackets: field(c.IPVS_STATS_ATTR_INPKTS, u32),
  outPackets: field(c.IPVS_STATS_ATTR_OUTPKTS, u32),
  inBytes: field(c.IPVS_STATS_ATTR_INBYTES, u64),
  outBytes: field(c.IPVS_STATS_ATTR_OUTBYTES, u64),
  cps: field(c.IPVS_STATS_ATTR_CPS, u32),
  inPps: field(c.IPVS_STATS_ATTR_INPPS, u32),
  outPps: field(c.IPVS_STATS_ATTR_OUTPPS, u32),
  inBps: field(c.IPVS_STATS_ATTR_INBPS, u32),
  outBps: field(c.IPVS_STATS_ATTR_OUTBPS, u32),
});

/** The same counters, all 64-bit (IPVS_*_ATTR_STATS64, Linux 4.1 and later). */
export const stats64Attributes = attributeSet('IPVS_STATS64', {
  connections: field(c.IPVS_STATS_ATTR_CONNS, u64),
  inPackets: field(c.IPVS_STATS_ATTR_INPKTS, u64),
  outPackets: field(c.IPVS_STATS_ATTR_OUTPKTS, u64),
  inBytes: field(c.IPVS_STATS_ATTR_INBYTES, u64),
  outBytes: field(c.IPVS_STATS_ATTR_OUTBYTES, u64),
  cps: field(c.IPVS_STATS_ATTR_CPS, u64),
  inPps: field(c.IPVS_STATS_ATTR_INPPS, u64),
  outPps: field(c.IPVS_STATS_ATTR_OUTPPS, u64),
  inBps: field(c.IPVS_STATS_ATTR_INBPS, u64),
  outBps: field(c.IPVS_STATS_ATTR_OUTBPS, u64),
});

/**
 * IPVS_CMD_ATTR_SERVICE. Byte orders follow the kernel: the port is __be16;
 * the address is a 16-byte union nf_inet_addr; NETMASK is read with
 * nla_get_be32, so it holds an IPv4 netmask in network order but an IPv6
 * prefix length as a plain host-order number (ip_vs_add_service casts it).
 * We keep the raw 32-bit word here and interpret it in messages.ts.
 */
export const serviceAttributes = attributeSet('IPVS_SVC', {
  family: field(c.IPVS_SVC_ATTR_AF, u16),
  protocol: field(c.IPVS_SVC_ATTR_PROTOCOL, u16),
  // A view: decoders turn it into text at once.
  address: field(c.IPVS_SVC_ATTR_ADDR, bytesView),
  port: field(c.IPVS_SVC_ATTR_PORT, be16),
  fwmark: field(c.IPVS_SVC_ATTR_FWMARK, u32),
  scheduler: field(c.IPVS_SVC_ATTR_SCHED_NAME, cstring),
  /** struct ip_vs_flags: the kernel applies `flags` where `mask` has bits set. */
  flags: field(c.IPVS_SVC_ATTR_FLAGS, u32Struct('flags', 'mask')),
  timeout: field(c.IPVS_SVC_ATTR_TIMEOUT, u32),
  netmask: field(c.IPVS_SVC_ATTR_NETMASK, u32),
  stats: field(c.IPVS_SVC_ATTR_STATS, nested(stats32Attributes)),
  persistenceEngine: field(c.IPVS_SVC_ATTR_PE_NAME, cstring),
  stats64: field(c.IPVS_SVC_ATTR_STATS64, nested(stats64Attributes)),
});

/** IPVS_CMD_ATTR_DEST. FWD_METHOD carries the IP_VS_CONN_F_FWD_MASK bits of conn_flags. */
export const destAttributes = attributeSet('IPVS_DEST', {
  address: field(c.IPVS_DEST_ATTR_ADDR, bytesView),
  port: field(c.IPVS_DEST_ATTR_PORT, be16),
  forwarding: field(c.IPVS_DEST_ATTR_FWD_METHOD, u32),
  weight: field(c.IPVS_DEST_ATTR_WEIGHT, u32),
  upperThreshold: field(c.IPVS_DEST_ATTR_U_THRESH, u32),
  lowerThreshold: field(c.IPVS_DEST_ATTR_L_THRESH, u32),
  activeConnections: field(c.IPVS_DEST_ATTR_ACTIVE_CONNS, u32),
  inactiveConnections: field(c.IPVS_DEST_ATTR_INACT_CONNS, u32),
  persistentConnections: field(c.IPVS_DEST_ATTR_PERSIST_CONNS, u32),
  stats: field(c.IPVS_DEST_ATTR_STATS, nested(stats32Attributes)),
  family: field(c.IPVS_DEST_ATTR_ADDR_FAMILY, u16),
  stats64: field(c.IPVS_DEST_ATTR_STATS64, nested(stats64Attributes)),
  tunnelType: field(c.IPVS_DEST_ATTR_TUN_TYPE, u8),
  tunnelPort: field(c.IPVS_DEST_ATTR_TUN_PORT, be16),
  tunnelFlags: field(c.IPVS_DEST_ATTR_TUN_FLAGS, u16),
});

/** The attributes after genlmsghdr in every request, and in GET_SERVICE/GET_DEST/GET_CONFIG replies. */
export const commandAttributes = attributeSet('IPVS_CMD', {
  service: field(c.IPVS_CMD_ATTR_SERVICE, nested(serviceAttributes)),
  dest: field(c.IPVS_CMD_ATTR_DEST, nested(destAttributes)),
  tcpTimeout: field(c.IPVS_CMD_ATTR_TIMEOUT_TCP, u32),
  tcpFinTimeout: field(c.IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, u32),
  udpTimeout: field(c.IPVS_CMD_ATTR_TIMEOUT_UDP, u32),
});

/** The attributes of a GET_INFO reply (their own numbering, at the top level). */
export const infoAttributes = attributeSet('IPVS_INFO', {
  version: field(c.IPVS_INFO_ATTR_VERSION, u32),
  connectionTableSize: field(c.IPVS_INFO_ATTR_CONN_TAB_SIZE, u32),
});

export type ServiceValues = AttributeValues<typeof serviceAttributes.fields>;
export type DestValues = AttributeValues<typeof destAttributes.fields>;
export type CommandValues = AttributeValues<typeof commandAttributes.fields>;
export type Stats32Values = AttributeValues<typeof stats32Attributes.fields>;
export type Stats64Values = AttributeValues<typeof stats64Attributes.fields>;
