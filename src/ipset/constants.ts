// The ipset nfnetlink interface: values from include/uapi/linux/netfilter/
// ipset/ip_set.h, ip_set_hash.h and ip_set_bitmap.h (checked against Linux
// 6.1), plus the netfilter families (netfilter.h) and IP protocols (in.h) it
// carries. Layouts are in attributes.ts.

/** The protocol this client speaks, and the oldest one the kernel may speak to it. */
export const IPSET_PROTOCOL = 7;
export const IPSET_PROTOCOL_MIN = 6;

/** Set and type names are at most 31 bytes and a NUL; comments at most 255 bytes. */
export const IPSET_MAXNAMELEN = 32;
export const IPSET_MAX_COMMENT_SIZE = 255;

/** enum ipset_cmd: the low byte of nlmsg_type (the high byte is NFNL_SUBSYS_IPSET). */
export const IPSET_CMD_PROTOCOL = 1;
export const IPSET_CMD_CREATE = 2;
export const IPSET_CMD_DESTROY = 3;
export const IPSET_CMD_FLUSH = 4;
export const IPSET_CMD_SWAP = 6;
export const IPSET_CMD_LIST = 7;
export const IPSET_CMD_ADD = 9;
export const IPSET_CMD_DEL = 10;
export const IPSET_CMD_TYPE = 13;

/** Attributes at command level. SETNAME2 shares 3 with TYPENAME, REVISION_MIN 10 with PROTOCOL_MIN. */
export const IPSET_ATTR_PROTOCOL = 1;
export const IPSET_ATTR_SETNAME = 2;
export const IPSET_ATTR_TYPENAME = 3;
export const IPSET_ATTR_SETNAME2 = 3;
export const IPSET_ATTR_REVISION = 4;
export const IPSET_ATTR_FAMILY = 5;
export const IPSET_ATTR_FLAGS = 6;
export const IPSET_ATTR_DATA = 7;
export const IPSET_ATTR_ADT = 8;
export const IPSET_ATTR_LINENO = 9;
export const IPSET_ATTR_PROTOCOL_MIN = 10;
export const IPSET_ATTR_REVISION_MIN = 10;
export const IPSET_ATTR_INDEX = 11;

/** Inside IPSET_ATTR_DATA: create-and-entry (CADT) attributes. */
export const IPSET_ATTR_IP = 1;
export const IPSET_ATTR_CIDR = 3;
export const IPSET_ATTR_PORT = 4;
export const IPSET_ATTR_PORT_TO = 5;
export const IPSET_ATTR_PROTO = 7;
export const IPSET_ATTR_CADT_FLAGS = 8;
/** Create-only and kernel-only (header) attributes. */
export const IPSET_ATTR_INITVAL = 17;
export const IPSET_ATTR_HASHSIZE = 18;
export const IPSET_ATTR_MAXELEM = 19;
export const IPSET_ATTR_BUCKETSIZE = 21;
export const IPSET_ATTR_ELEMENTS = 24;
export const IPSET_ATTR_REFERENCES = 25;
export const IPSET_ATTR_MEMSIZE = 26;
/** Entry-only (ADT) attributes. */
export const IPSET_ATTR_IP2 = 20;
export const IPSET_ATTR_CIDR2 = 21;
export const IPSET_ATTR_COMMENT = 26;

/** Inside IPSET_ATTR_IP and IPSET_ATTR_IP2. */
export const IPSET_ATTR_IPADDR_IPV4 = 1;
export const IPSET_ATTR_IPADDR_IPV6 = 2;

/** IPSET_ATTR_FLAGS of a LIST: names only, or headers without entries. */
export const IPSET_FLAG_LIST_SETNAME = 1 << 1;
export const IPSET_FLAG_LIST_HEADER = 1 << 2;
/** IPSET_ATTR_CADT_FLAGS: the set keeps a comment with each entry. */
export const IPSET_FLAG_WITH_COMMENT = 1 << 4;

/** enum ipset_errno: errors beyond errno, as positive numbers. */
export const IPSET_ERR_PRIVATE = 4096;
export const IPSET_ERR_TYPE_SPECIFIC = 4352;
export const IPSET_ERRORS = [
  'IPSET_ERR_PROTOCOL',
  'IPSET_ERR_FIND_TYPE',
  'IPSET_ERR_MAX_SETS',
  'IPSET_ERR_BUSY',
  'IPSET_ERR_EXIST_SETNAME2',
  'IPSET_ERR_TYPE_MISMATCH',
  'IPSET_ERR_EXIST',
  'IPSET_ERR_INVALID_CIDR',
  'IPSET_ERR_INVALID_NETMASK',
  'IPSET_ERR_INVALID_FAMILY',
  'IPSET_ERR_TIMEOUT',
  'IPSET_ERR_REFERENCED',
  'IPSET_ERR_IPADDR_IPV4',
  'IPSET_ERR_IPADDR_IPV6',
  'IPSET_ERR_COUNTER',
  'IPSET_ERR_COMMENT',
  'IPSET_ERR_INVALID_MARKMASK',
  'IPSET_ERR_SKBINFO',
] as const; // from IPSET_ERR_PRIVATE + 1
/** Type-specific errors reuse numbers from IPSET_ERR_TYPE_SPECIFIC: hash types (ip_set_hash.h) ... */
export const IPSET_HASH_ERRORS = [
  'IPSET_ERR_HASH_FULL',
  'IPSET_ERR_HASH_ELEM',
  'IPSET_ERR_INVALID_PROTO',
  'IPSET_ERR_MISSING_PROTO',
  'IPSET_ERR_HASH_RANGE_UNSUPPORTED',
  'IPSET_ERR_HASH_RANGE',
] as const;
/** ... and bitmap types (ip_set_bitmap.h). */
export const IPSET_BITMAP_ERRORS = ['IPSET_ERR_BITMAP_RANGE', 'IPSET_ERR_BITMAP_RANGE_SIZE'] as const;

/** enum { NFPROTO_* } (netfilter.h): the family of a set; bitmap:port has none. */
export const NFPROTO_UNSPEC = 0;
export const NFPROTO_IPV4 = 2;
export const NFPROTO_IPV6 = 10;

/** nfgen_family of every request: the ipset tool sends AF_INET; the kernel ignores it. */
export const AF_INET = 2;

/** include/uapi/linux/in.h */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;
