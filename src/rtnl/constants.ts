// NETLINK_ROUTE (rtnetlink) numbers kipvs uses, from the kernel's UAPI headers:
// include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h, if.h and socket.h.
// Layouts are in attributes.ts.

/** Message types (enum in rtnetlink.h, from RTM_BASE = 16). */
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;

/** Link attributes (enum in if_link.h). */
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;

/** Inside IFLA_LINKINFO. */
export const IFLA_INFO_KIND = 1;

/** IF_OPER_* (RFC 2863 operational states, if.h), the value of IFLA_OPERSTATE. */
export const IF_OPER_STATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;

/** ifi_flags (if.h). */
export const IFF_UP = 0x1;

/** Address attributes (enum in if_addr.h). */
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_FLAGS = 8;

/** enum rt_scope_t (rtnetlink.h): the ifa_scope of an address. */
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

/** Address families (socket.h). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** IFNAMSIZ (if.h): a link name is at most 15 bytes and its NUL. */
export const IFNAMSIZ = 16;
