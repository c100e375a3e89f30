// Netlink constants from the kernel's UAPI headers: include/uapi/linux/netlink.h
// and include/uapi/linux/genetlink.h. Values only; the layouts they belong to
// are encoded in message.ts and attributes.ts.

/** Netlink protocols (socket(AF_NETLINK, SOCK_RAW, protocol)). */
export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;
export const NETLINK_GENERIC = 16;

/** nlmsghdr.nlmsg_type values below NLMSG_MIN_TYPE are control messages. */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
export const NLMSG_MIN_TYPE = 0x10;

/** nlmsghdr.nlmsg_flags */
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** Flags of NEW requests: fail if it exists (EXCL), create it if it does not (CREATE). */
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** Flags of an NLMSG_ERROR reply (acknowledgement flags). */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

/** Extended ACK attributes carried after struct nlmsgerr (enum nlmsgerr_attrs). */
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;

/** Attribute type bits that are not part of the type number. */
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

export const NLMSG_HDRLEN = 16; // struct nlmsghdr
export const GENL_HDRLEN = 4; // struct genlmsghdr
export const NLA_HDRLEN = 4; // struct nlattr
export const NLMSGERR_LEN = 4 + NLMSG_HDRLEN; // struct nlmsgerr: int error + struct nlmsghdr msg

/** The generic netlink controller (GENL_ID_CTRL) and its command/attributes. */
export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;
export const CTRL_ATTR_HDRSIZE = 4;
export const CTRL_ATTR_MAXATTR = 5;

/** nfnetlink (include/uapi/linux/netfilter/nfnetlink.h): nlmsg_type is subsystem << 8 | command. */
export const NFNETLINK_V0 = 0;
export const NFNL_SUBSYS_IPSET = 6;
