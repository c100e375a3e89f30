// ctnetlink constants: the subsystem number from include/uapi/linux/netfilter/
// nfnetlink.h, message types and attribute numbers from
// include/uapi/linux/netfilter/nfnetlink_conntrack.h, and the CTA_FILTER flag
// bits, which only net/netfilter/nf_internals.h defines (libnetfilter_conntrack
// sends the same values).

/** NFNL_SUBSYS_CTNETLINK: nlmsg_type is 1 << 8 | IPCTNL_MSG_*. */
export const NFNL_SUBSYS_CTNETLINK = 1;

/** enum cntl_msg_types. A dump answers with one IPCTNL_MSG_CT_NEW per entry. */
export const IPCTNL_MSG_CT_NEW = 0;
export const IPCTNL_MSG_CT_GET = 1;
export const IPCTNL_MSG_CT_DELETE = 2;

/** enum ctattr_type (the ones kipvs writes or reads). */
export const CTA_TUPLE_ORIG = 1;
export const CTA_TUPLE_REPLY = 2;
export const CTA_TIMEOUT = 7;
export const CTA_ID = 12;
export const CTA_ZONE = 18;
export const CTA_FILTER = 25;

/** enum ctattr_tuple */
export const CTA_TUPLE_IP = 1;
export const CTA_TUPLE_PROTO = 2;

/** enum ctattr_ip: IPv4 addresses are 4 bytes, IPv6 ones 16, in network order. */
export const CTA_IP_V4_SRC = 1;
export const CTA_IP_V4_DST = 2;
export const CTA_IP_V6_SRC = 3;
export const CTA_IP_V6_DST = 4;

/** enum ctattr_l4proto: the protocol number (u8) and the ports (__be16). */
export const CTA_PROTO_NUM = 1;
export const CTA_PROTO_SRC_PORT = 2;
export const CTA_PROTO_DST_PORT = 3;

/** enum ctattr_filter (since Linux 5.8): which fields of CTA_TUPLE_ORIG / CTA_TUPLE_REPLY a dump must match. */
export const CTA_FILTER_ORIG_FLAGS = 1;
export const CTA_FILTER_REPLY_FLAGS = 2;

/** CTA_FILTER_F_CTA_PROTO_NUM (net/netfilter/nf_internals.h): match the tuple's protocol number. */
export const CTA_FILTER_F_CTA_PROTO_NUM = 1 << 3;

/** nfgen_family: the entries' layer 3 protocol (AF_INET, AF_INET6 in include/linux/socket.h). */
export const AF_INET = 2;
export const AF_INET6 = 10;

/** IPPROTO_UDP and IPPROTO_SCTP (include/uapi/linux/in.h). */
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;
