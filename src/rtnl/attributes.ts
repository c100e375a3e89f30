// The rtnetlink wire format kipvs uses as declarative tables: the fixed
// structs at the head of link and address messages (include/uapi/linux/
// rtnetlink.h, if_addr.h) and the attribute sets after them (if_link.h,
// if_addr.h). Each table drives both encoding and decoding. The kernel's
// policies are ifla_policy (net/core/rtnetlink.c), ifa_ipv4_policy
// (net/ipv4/devinet.c) and ifa_ipv6_policy (net/ipv6/addrconf.c).
import {
  NLA_F_NESTED,
  attributeSet,
  bytesView,
  cstring,
  field,
  nested,
  padding,
  struct,
  u16,
  u32,
  u8,
  withTypeFlags,
  type AttributeValues,
} from '../netlink/index.js';
import * as c from './constants.js';

/** struct ifinfomsg: family, a pad byte, ARPHRD type, ifindex (an int), IFF_* flags and the mask of flags to change. */
export const ifinfomsg = struct('ifinfomsg', {
  family: u8,
  pad: padding(1),
  type: u16,
  index: u32,
  flags: u32,
  change: u32,
});

/** struct ifaddrmsg: family, prefix length, IFA_F_* flags (the low 8; IFA_FLAGS has all), scope, ifindex. */
export const ifaddrmsg = struct('ifaddrmsg', { family: u8, prefixLength: u8, flags: u8, scope: u8, index: u32 });

/** IFLA_LINKINFO. */
export const linkInfoAttributes = attributeSet('IFLA_INFO', {
  kind: field(c.IFLA_INFO_KIND, cstring),
});

/** The link attributes kipvs writes or reads; the kernel sends many more, which are skipped. */
export const linkAttributes = attributeSet('IFLA', {
  name: field(c.IFLA_IFNAME, cstring),
  mtu: field(c.IFLA_MTU, u32),
  txQueueLength: field(c.IFLA_TXQLEN, u32),
  operState: field(c.IFLA_OPERSTATE, u8),
  // The kernel's replies flag the nest; iproute2 flags it in requests too.
  linkInfo: field(c.IFLA_LINKINFO, withTypeFlags(nested(linkInfoAttributes), NLA_F_NESTED)),
});

/**
 * Address attributes. IPv4 distinguishes the local address (IFA_LOCAL) from
 * the peer (IFA_ADDRESS); without a peer both are the local address, and
 * IPv6 replies carry IFA_ADDRESS only. Addresses are 4 or 16 bytes.
 */
export const addressAttributes = attributeSet('IFA', {
  // Views: decoders turn them into text at once.
  address: field(c.IFA_ADDRESS, bytesView),
  local: field(c.IFA_LOCAL, bytesView),
  label: field(c.IFA_LABEL, cstring),
  flags: field(c.IFA_FLAGS, u32),
});

export type LinkValues = AttributeValues<typeof linkAttributes.fields>;
export type AddressValues = AttributeValues<typeof addressAttributes.fields>;
