/* ipvs-read-floor: the kernel's own cost of reading a whole IPVS table, with the least user-space
 * work: the services dump, then one destinations dump per service, each request sent and its
 * replies read to NLMSG_DONE on one socket, one at a time (what ipvsadm -Sn and a kipvs periodic
 * resync ask of the kernel). Nothing is decoded beyond the service keys the destination dumps
 * need; every reply is only counted.
 *
 * usage: ipvs-read-floor
 * prints: READ_FLOOR svcs=.. dests=.. datagrams=.. bytes=.. ms=.. (services dump ms=..)
 *
 * Facts used (include/uapi/linux/ip_vs.h): IPVS_CMD_GET_SERVICE 4, IPVS_CMD_GET_DEST 8,
 * IPVS_CMD_ATTR_SERVICE 1, IPVS_CMD_ATTR_DEST 2; service attributes AF 1, PROTOCOL 2, ADDR 3,
 * PORT 4, FWMARK 5. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { GET_SERVICE = 4, GET_DEST = 8, CMD_ATTR_SERVICE = 1, CMD_ATTR_DEST = 2 };
enum { SVC_AF = 1, SVC_PROTOCOL = 2, SVC_ADDR = 3, SVC_PORT = 4, SVC_FWMARK = 5 };

#define REPLY_BYTES (1u << 20)

static unsigned char reply[REPLY_BYTES];
static uint32_t next_seq = 1;

/* A generic netlink request: header, genl header, then `attrs` (already laid out). */
static size_t request(unsigned char *out, uint16_t family, uint8_t cmd, uint16_t flags, const void *attrs,
                      size_t attrs_len) {
  struct nlmsghdr *h = (struct nlmsghdr *)out;
  struct genlmsghdr *g = (struct genlmsghdr *)(out + NLMSG_HDRLEN);
  *h = (struct nlmsghdr){.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + attrs_len),
                         .nlmsg_type = family,
                         .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags),
                         .nlmsg_seq = next_seq++};
  *g = (struct genlmsghdr){.cmd = cmd, .version = 1};
  memcpy(out + NLMSG_HDRLEN + GENL_HDRLEN, attrs, attrs_len);
  return h->nlmsg_len;
}

/* The IPVS family's id from the generic netlink controller. */
static int ipvs_family(int fd) {
  unsigned char attrs[NLA_HDRLEN + 8] = {0}, out[64];
  struct nlattr *name = (struct nlattr *)attrs;
  name->nla_type = CTRL_ATTR_FAMILY_NAME;
  name->nla_len = NLA_HDRLEN + 5;
  memcpy(attrs + NLA_HDRLEN, "IPVS", 5);
  size_t n = request(out, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, attrs, NLA_ALIGN(name->nla_len));
  if (send(fd, out, n, 0) < 0) return -1;
  ssize_t got = recv(fd, reply, REPLY_BYTES, 0);
  if (got <= 0) return -1;
  struct nlmsghdr *h = (struct nlmsghdr *)reply;
  if (h->nlmsg_type == NLMSG_ERROR) return -1;
  for (unsigned char *p = reply + NLMSG_HDRLEN + GENL_HDRLEN; p < reply + h->nlmsg_len;) {
    struct nlattr *a = (struct nlattr *)p;
    if (a->nla_type == CTRL_ATTR_FAMILY_ID) return *(uint16_t *)(p + NLA_HDRLEN);
    p += NLA_ALIGN(a->nla_len);
  }
  return -1;
}

/* Service keys, each a nested IPVS_CMD_ATTR_SERVICE holding only what identifies the service. */
static unsigned char *keys;
static size_t keys_len, keys_cap;
static size_t key_count;

static void keep_key(const struct nlattr *service) {
  size_t need = keys_len + 128;
  if (need > keys_cap) {
    keys_cap = need * 2;
    keys = realloc(keys, keys_cap);
    if (keys == NULL) exit(1);
  }
  struct nlattr *nest = (struct nlattr *)(keys + keys_len);
  size_t at = keys_len + NLA_HDRLEN;
  const unsigned char *p = (const unsigned char *)service + NLA_HDRLEN;
  const unsigned char *end = (const unsigned char *)service + service->nla_len;
  while (p + NLA_HDRLEN <= end) {
    const struct nlattr *a = (const struct nlattr *)p;
    uint16_t type = a->nla_type & NLA_TYPE_MASK;
    if (type == SVC_AF || type == SVC_PROTOCOL || type == SVC_ADDR || type == SVC_PORT || type == SVC_FWMARK) {
      memcpy(keys + at, a, a->nla_len);
      at += NLA_ALIGN(a->nla_len);
    }
    p += NLA_ALIGN(a->nla_len);
  }
  nest->nla_type = CMD_ATTR_SERVICE;
  nest->nla_len = (uint16_t)(at - keys_len);
  keys_len = at;
  key_count++;
}

struct tally {
  size_t datagrams, bytes, entries;
};

/* Reads the replies of request `seq` to its NLMSG_DONE; `on_entry` sees each entry's first attribute. */
static int read_dump(int fd, uint32_t seq, struct tally *t, void (*on_entry)(const struct nlattr *)) {
  for (;;) {
    ssize_t got = recv(fd, reply, REPLY_BYTES, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("recv");
      return -1;
    }
    t->datagrams++;
    t->bytes += (size_t)got;
    size_t left = (size_t)got;
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        fprintf(stderr, "dump %u: error %d\n", seq, ((struct nlmsgerr *)NLMSG_DATA(h))->error);
        return -1;
      }
      t->entries++;
      if (on_entry != NULL) on_entry((const struct nlattr *)((unsigned char *)NLMSG_DATA(h) + GENL_HDRLEN));
    }
  }
}

static double ms_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  int rcvbuf = 32 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    perror("bind");
    return 1;
  }
  int family = ipvs_family(fd);
  if (family < 0) {
    fprintf(stderr, "ipvs-read-floor: no IPVS generic netlink family\n");
    return 1;
  }
  unsigned char out[256];
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct tally services = {0}, dests = {0};
  size_t n = request(out, (uint16_t)family, GET_SERVICE, NLM_F_DUMP, NULL, 0);
  if (send(fd, out, n, 0) < 0 || read_dump(fd, next_seq - 1, &services, keep_key) != 0) return 1;
  double services_ms = ms_since(&start);
  for (size_t at = 0; at < keys_len;) {
    const struct nlattr *key = (const struct nlattr *)(keys + at);
    n = request(out, (uint16_t)family, GET_DEST, NLM_F_DUMP, key, NLA_ALIGN(key->nla_len));
    if (send(fd, out, n, 0) < 0) {
      perror("send");
      return 1;
    }
    if (read_dump(fd, next_seq - 1, &dests, NULL) != 0) return 1;
    at += NLA_ALIGN(key->nla_len);
  }
  printf("READ_FLOOR svcs=%zu dests=%zu datagrams=%zu bytes=%zu ms=%.1f services_ms=%.1f\n", key_count, dests.entries,
         services.datagrams + dests.datagrams, services.bytes + dests.bytes, ms_since(&start), services_ms);
  return 0;
}
