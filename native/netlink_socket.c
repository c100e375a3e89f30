/*
 * kipvs native layer: netlink socket I/O for Node.js through Node-API.
 *
 * This file knows sockets, not protocols: it opens an AF_NETLINK socket, sends
 * caller-built bytes to the kernel and hands back whole datagrams. Framing,
 * attributes, sequence numbers and every netlink family live in TypeScript
 * (src/netlink, src/ipvs), where they are unit-tested byte for byte.
 *
 * Exports (all synchronous, all non-blocking; errors are thrown as Error with
 * .code = errno name such as "EPERM" or "ENOBUFS", .errno and .syscall):
 *   open(protocol, rcvbuf, sndbuf) -> handle      socket + bind + options
 *   portId(handle) -> number                       our netlink port id
 *   send(handle, buffers[]) -> bytes               one datagram, one sendmsg
 *   recv(handle, maxDatagrams, slotBytes) -> { datagrams: Buffer[], truncated: number[] }
 *                                                   many datagrams, one recvmmsg
 *   exchange(handle, requests, out, timeoutMs) -> { requests, requestBytes, bytes, overflow, needed, receives }
 *                                                   many requests in C, up to 16 at once through
 *                                                   io_uring (KIPVS_NETLINK_NO_IO_URING=1: one at a time)
 *   watch(handle, onReadable)                      libuv poll: call back when readable
 *   unwatch(handle)
 *   close(handle)                                  a second close, or any use after, throws EBADF
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <errno.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Kernel netlink dump datagrams are at most 32 KiB (net/netlink/af_netlink.c
 * caps max_recvmsg_len at SKB_WITH_OVERHEAD(32768)); other replies to our
 * requests are small because we ask for NETLINK_CAP_ACK. The caller picks the
 * slot size; a datagram larger than its slot is reported in `truncated`. */
#define MAX_DATAGRAMS_PER_RECV 256
#define MAX_IOV 1024

/* The libuv poll handle lives apart from the socket: libuv finishes closing it
 * on a later loop turn, possibly after the JS handle (and its socket struct)
 * has been collected. */
struct poll_box {
  uv_poll_t handle;
  int fd_to_close; /* close() during watch: the fd is closed once libuv lets go */
};

/* How many dumps exchange runs at once, each on a socket of its own (one socket runs one dump
 * at a time), all submitted to the kernel in one io_uring_enter: a send and two receives each. */
#define RING_SOCKETS 16
#define RING_ENTRIES 64

/* An io_uring's submission and completion rings, mapped (see io_uring_setup(2)). */
typedef struct {
  int fd;
  unsigned *sq_tail, *sq_mask, *sq_array;
  unsigned *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  void *sq_map, *cq_map;
  size_t sq_map_size, cq_map_size, sqes_size;
} ring_t;

typedef struct {
  int fd;
  uint32_t port_id;
  int protocol, rcvbuf, sndbuf; /* to open the helper sockets alike */
  ring_t *ring;                 /* exchange's ring and sockets, made on first use */
  int helpers[RING_SOCKETS];
  bool ring_unavailable;        /* io_uring refused (old kernel, seccomp): exchange runs one dump at a time */
  struct poll_box *poll; /* non-NULL while watching */
  napi_env env;
  napi_ref on_readable;
  napi_ref self; /* keeps the JS handle alive while polling */
  unsigned char *slots;
  size_t slot_bytes;
  unsigned slot_count;
} nl_socket;

static void close_ring(nl_socket *s);

static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  const char *name = strerrorname_np(err);
  char message[256];
  snprintf(message, sizeof message, "%s: %s (%s)", syscall, strerror(err), name ? name : "E?");
  napi_value msg, code, error, errno_value, syscall_value;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, name ? name : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_create_int32(env, err, &errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG", message);
  return NULL;
}

static void on_poll_closed(uv_handle_t *handle) {
  struct poll_box *box = (struct poll_box *)handle;
  if (box->fd_to_close >= 0) close(box->fd_to_close);
  free(box);
}

static void finalize_socket(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  nl_socket *s = data;
  /* Only reachable when not watching: watching holds a strong reference. */
  if (s->fd >= 0) close(s->fd);
  close_ring(s);
  free(s->slots);
  free(s);
}

static nl_socket *unwrap(napi_env env, napi_value value, bool must_be_open) {
  nl_socket *s = NULL;
  if (napi_unwrap(env, value, (void **)&s) != napi_ok || s == NULL) {
    throw_type(env, "expected a netlink socket handle");
    return NULL;
  }
  if (must_be_open && s->fd < 0) {
    throw_errno(env, EBADF, "netlink socket is closed");
    return NULL;
  }
  return s;
}

static bool set_int_option(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

/* A bound netlink socket with our options; -errno on failure, `failed` naming the call. */
static int open_socket(int protocol, int rcvbuf, int sndbuf, uint32_t *port_id, const char **failed) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (fd < 0) {
    *failed = "socket";
    return -errno;
  }
  /* Large buffers so a burst of replies is not dropped (ENOBUFS). The FORCE
   * variants pass the net.core.[rw]mem_max limits with CAP_NET_ADMIN; without
   * it the plain option still gets what the sysctl allows. */
  if (rcvbuf > 0 && !set_int_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf))
    set_int_option(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
  if (sndbuf > 0 && !set_int_option(fd, SOL_SOCKET, SO_SNDBUFFORCE, sndbuf))
    set_int_option(fd, SOL_SOCKET, SO_SNDBUF, sndbuf);
  /* Error messages from the kernel (extended ACK), and ACKs without a copy of
   * the request: both are optional features, so failure is not fatal. */
  set_int_option(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
  set_int_option(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);

  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  socklen_t len = sizeof local;
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    *failed = "bind";
  } else if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
    *failed = "getsockname";
  } else {
    *port_id = local.nl_pid;
    return fd;
  }
  int err = errno;
  close(fd);
  return -err;
}

static void unmap_ring(ring_t *r) {
  if (r->sqes != NULL && r->sqes != MAP_FAILED) munmap(r->sqes, r->sqes_size);
  if (r->cq_map != NULL && r->cq_map != MAP_FAILED && r->cq_map != r->sq_map) munmap(r->cq_map, r->cq_map_size);
  if (r->sq_map != NULL && r->sq_map != MAP_FAILED) munmap(r->sq_map, r->sq_map_size);
  if (r->fd >= 0) close(r->fd);
  free(r);
}

/* The exchange's ring and helper sockets go; the next exchange makes them again. */
static void close_ring(nl_socket *s) {
  for (unsigned i = 0; i < RING_SOCKETS; i++) {
    if (s->helpers[i] >= 0) close(s->helpers[i]);
    s->helpers[i] = -1;
  }
  if (s->ring != NULL) unmap_ring(s->ring);
  s->ring = NULL;
}

/* Makes the ring and the helper sockets; false (and never again for this socket) when io_uring
 * or a helper socket is refused. */
static bool open_ring(nl_socket *s) {
  if (s->ring != NULL) return true;
  if (s->ring_unavailable) return false;
  ring_t *r = calloc(1, sizeof *r);
  if (r == NULL) return false;
  r->fd = -1;
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int fd = (int)syscall(__NR_io_uring_setup, RING_ENTRIES, &p);
  if (fd < 0 || !(p.features & IORING_FEAT_SINGLE_MMAP)) {
    if (fd >= 0) close(fd);
    free(r);
    s->ring_unavailable = true;
    return false;
  }
  r->fd = fd;
  r->sq_map_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if (cq_size > r->sq_map_size) r->sq_map_size = cq_size;
  r->sq_map = mmap(NULL, r->sq_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  r->cq_map = r->sq_map;
  r->sqes_size = p.sq_entries * sizeof(struct io_uring_sqe);
  r->sqes = mmap(NULL, r->sqes_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (r->sq_map == MAP_FAILED || r->sqes == MAP_FAILED) {
    unmap_ring(r);
    s->ring_unavailable = true;
    return false;
  }
  unsigned char *sq = r->sq_map;
  r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  r->sq_array = (unsigned *)(sq + p.sq_off.array);
  r->cq_head = (unsigned *)(sq + p.cq_off.head);
  r->cq_tail = (unsigned *)(sq + p.cq_off.tail);
  r->cq_mask = (unsigned *)(sq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe *)(sq + p.cq_off.cqes);
  s->ring = r;
  for (unsigned i = 0; i < RING_SOCKETS; i++) {
    uint32_t unused;
    const char *failed;
    int helper = open_socket(s->protocol, s->rcvbuf, s->sndbuf, &unused, &failed);
    if (helper < 0) {
      close_ring(s);
      s->ring_unavailable = true;
      return false;
    }
    s->helpers[i] = helper;
  }
  return true;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t protocol = 0, rcvbuf = 0, sndbuf = 0;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &protocol) != napi_ok ||
      napi_get_value_int32(env, argv[1], &rcvbuf) != napi_ok ||
      napi_get_value_int32(env, argv[2], &sndbuf) != napi_ok)
    return throw_type(env, "open(protocol, rcvbuf, sndbuf) takes three integers");

  uint32_t port_id = 0;
  const char *failed = NULL;
  int fd = open_socket(protocol, rcvbuf, sndbuf, &port_id, &failed);
  if (fd < 0) return throw_errno(env, -fd, failed);

  nl_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "open");
  }
  s->fd = fd;
  s->port_id = port_id;
  s->protocol = protocol;
  s->rcvbuf = rcvbuf;
  s->sndbuf = sndbuf;
  for (unsigned i = 0; i < RING_SOCKETS; i++) s->helpers[i] = -1;
  /* For the tests of the path without io_uring (and a way out should a kernel misbehave). */
  const char *no_ring = getenv("KIPVS_NETLINK_NO_IO_URING");
  s->ring_unavailable = no_ring != NULL && no_ring[0] != '\0';
  s->env = env;

  napi_value handle;
  napi_create_object(env, &handle);
  if (napi_wrap(env, handle, s, finalize_socket, NULL, NULL) != napi_ok) {
    close(fd);
    free(s);
    return throw_errno(env, ENOMEM, "napi_wrap");
  }
  return handle;
}

static napi_value js_port_id(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_type(env, "portId(handle)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  napi_value result;
  napi_create_uint32(env, s->port_id, &result);
  return result;
}

/* send(handle, buffers): all buffers form one datagram (one sendmsg). The
 * kernel runs every netlink message in it, in order, within this call. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_type(env, "send(handle, buffers)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  bool is_array = false;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) return throw_type(env, "send: buffers must be an array of Buffers");
  uint32_t count = 0;
  napi_get_array_length(env, argv[1], &count);
  if (count == 0 || count > MAX_IOV) return throw_type(env, "send: between 1 and 1024 buffers");

  struct iovec iov[MAX_IOV];
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    bool is_buffer = false;
    napi_get_element(env, argv[1], i, &element);
    napi_is_buffer(env, element, &is_buffer);
    if (!is_buffer) return throw_type(env, "send: every element must be a Buffer");
    napi_get_buffer_info(env, element, &iov[i].iov_base, &iov[i].iov_len);
  }
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = iov, .msg_iovlen = count};
  ssize_t sent;
  do {
    sent = sendmsg(s->fd, &msg, 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return throw_errno(env, errno, "sendmsg");
  napi_value result;
  napi_create_int64(env, sent, &result);
  return result;
}

/* recvmmsg's headers for `count` datagrams, one `slot_bytes` slot each from `base`. */
static void point_at_slots(struct mmsghdr *msgs, struct iovec *iov, unsigned char *base, unsigned count,
                           size_t slot_bytes) {
  for (unsigned i = 0; i < count; i++) {
    iov[i].iov_base = base + (size_t)i * slot_bytes;
    iov[i].iov_len = slot_bytes;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

static bool ensure_slots(nl_socket *s, size_t slot_bytes, unsigned count) {
  if (s->slots != NULL && s->slot_bytes == slot_bytes && s->slot_count >= count) return true;
  unsigned char *slots = malloc(slot_bytes * count);
  if (slots == NULL) return false;
  free(s->slots);
  s->slots = slots;
  s->slot_bytes = slot_bytes;
  s->slot_count = count;
  return true;
}

/* recv(handle, maxDatagrams, slotBytes): every datagram waiting now, up to
 * maxDatagrams, in one recvmmsg. Returns { datagrams, truncated } where
 * truncated lists the full sizes of datagrams that did not fit a slot (the
 * caller grows slotBytes and treats the affected request as failed). */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return throw_type(env, "recv(handle, maxDatagrams, slotBytes)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  uint32_t max_datagrams = 0, slot_bytes = 0;
  if (napi_get_value_uint32(env, argv[1], &max_datagrams) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &slot_bytes) != napi_ok || max_datagrams == 0 ||
      max_datagrams > MAX_DATAGRAMS_PER_RECV || slot_bytes < 4096 || slot_bytes > (64u << 20))
    return throw_type(env, "recv: maxDatagrams in 1..256, slotBytes in 4096..64MiB");
  if (!ensure_slots(s, slot_bytes, max_datagrams)) return throw_errno(env, ENOMEM, "recv");

  struct mmsghdr msgs[MAX_DATAGRAMS_PER_RECV];
  struct iovec iov[MAX_DATAGRAMS_PER_RECV];
  point_at_slots(msgs, iov, s->slots, max_datagrams, slot_bytes);
  int got;
  do {
    /* MSG_TRUNC makes msg_len the datagram's real size even when cut. */
    got = recvmmsg(s->fd, msgs, max_datagrams, MSG_DONTWAIT | MSG_TRUNC, NULL);
  } while (got < 0 && errno == EINTR);
  if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return throw_errno(env, errno, "recvmmsg");
  if (got < 0) got = 0;

  napi_value result, datagrams, truncated;
  napi_create_object(env, &result);
  napi_create_array(env, &datagrams);
  napi_create_array(env, &truncated);
  uint32_t kept = 0, cut = 0;
  for (int i = 0; i < got; i++) {
    size_t size = msgs[i].msg_len;
    if (size > slot_bytes || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
      napi_value full;
      napi_create_double(env, (double)size, &full);
      napi_set_element(env, truncated, cut++, full);
      continue;
    }
    napi_value buffer;
    void *unused;
    napi_create_buffer_copy(env, size, iov[i].iov_base, &unused, &buffer);
    napi_set_element(env, datagrams, kept++, buffer);
  }
  napi_set_named_property(env, result, "datagrams", datagrams);
  napi_set_named_property(env, result, "truncated", truncated);
  return result;
}

/* Room kept free in `out` before a request is sent: a dump datagram is at most
 * 32 KiB, so a dump of one or two datagrams always fits. */
#define EXCHANGE_RESERVE (64u * 1024)
#define EXCHANGE_SLOT_BYTES (64u * 1024)
#define EXCHANGE_SLOTS 8

static napi_value exchange_result(napi_env env, uint32_t requests, size_t request_bytes, size_t bytes, bool overflow,
                                  size_t needed, uint32_t receives) {
  napi_value result, value;
  napi_create_object(env, &result);
  napi_create_uint32(env, receives, &value);
  napi_set_named_property(env, result, "receives", value);
  napi_create_uint32(env, requests, &value);
  napi_set_named_property(env, result, "requests", value);
  napi_create_double(env, (double)request_bytes, &value);
  napi_set_named_property(env, result, "requestBytes", value);
  napi_create_double(env, (double)bytes, &value);
  napi_set_named_property(env, result, "bytes", value);
  napi_get_boolean(env, overflow, &value);
  napi_set_named_property(env, result, "overflow", value);
  napi_create_double(env, overflow ? (double)needed : 0, &value);
  napi_set_named_property(env, result, "needed", value);
  return result;
}

/* Whether the messages of a datagram include the end of the request `seq`: its
 * NLMSG_DONE (a dump) or its NLMSG_ERROR (a failure, or the ACK it asked for). */
static bool ends_request(const unsigned char *datagram, size_t size, uint32_t seq) {
  size_t at = 0;
  while (size - at >= NLMSG_HDRLEN) {
    const struct nlmsghdr *h = (const struct nlmsghdr *)(datagram + at);
    if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > size - at) return false;
    if (h->nlmsg_seq == seq && (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)) return true;
    at += NLMSG_ALIGN(h->nlmsg_len);
  }
  return false;
}

/* Appends one datagram to out at *filled, padded so that the next datagram's messages start
 * aligned; once a datagram does not fit, it and the rest are dropped and *overflow is set.
 * *total counts the bytes the request's replies take, dropped or not. */
static void append_datagram(unsigned char *out, size_t out_size, size_t *filled, bool *overflow, size_t *total,
                            const unsigned char *datagram, size_t size) {
  *total += NLMSG_ALIGN(size);
  if (*overflow || size > out_size - *filled) {
    *overflow = true;
    return;
  }
  memcpy(out + *filled, datagram, size);
  *filled += size;
  while (*filled % NLMSG_ALIGNTO != 0 && *filled < out_size) out[(*filled)++] = 0;
}

/* Reads datagrams of `fd` up to the one that ends request `seq`, appending them to out
 * (append_datagram), in slots [first_slot, first_slot + EXCHANGE_SLOTS) of s. Returns 0, or an
 * errno with *failed naming the call. */
static int read_to_end(nl_socket *s, int fd, unsigned first_slot, uint32_t seq, unsigned char *out, size_t out_size,
                       size_t *filled, bool *overflow, size_t *total, uint32_t *receives, int timeout_ms,
                       const char **failed) {
  struct mmsghdr msgs[EXCHANGE_SLOTS];
  struct iovec iov[EXCHANGE_SLOTS];
  size_t slot_bytes = s->slot_bytes;
  for (;;) {
    point_at_slots(msgs, iov, s->slots + (size_t)first_slot * slot_bytes, EXCHANGE_SLOTS, slot_bytes);
    int got;
    do {
      got = recvmmsg(fd, msgs, EXCHANGE_SLOTS, MSG_DONTWAIT | MSG_TRUNC, NULL);
      (*receives)++;
    } while (got < 0 && errno == EINTR);
    if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      *failed = "recvmmsg";
      return errno;
    }
    if (got <= 0) {
      /* Generic netlink answers within the calls; wait only for a kernel that does not. */
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int ready;
      do {
        ready = poll(&p, 1, timeout_ms);
      } while (ready < 0 && errno == EINTR);
      if (ready <= 0) {
        *failed = ready < 0 ? "poll" : "recvmmsg";
        return ready < 0 ? errno : ETIMEDOUT;
      }
      continue;
    }
    bool ended = false;
    for (int i = 0; i < got; i++) {
      size_t size = msgs[i].msg_len;
      if (size > slot_bytes || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
        *failed = "recvmmsg";
        return EMSGSIZE;
      }
      if (ends_request(iov[i].iov_base, size, seq)) ended = true;
      append_datagram(out, out_size, filled, overflow, total, iov[i].iov_base, size);
    }
    if (ended) return 0;
  }
}

/* What one exchange call has done so far. */
typedef struct {
  uint32_t done, receives;
  size_t at, filled;
  bool overflow;
  size_t needed; /* with overflow: the bytes the replies of the request that did not fit take */
  int err;
  const char *failed;
} exchange_state;

/* The request at requests[at], checked to be a whole message; NULL when it is not. */
static struct nlmsghdr *request_at(unsigned char *requests, size_t request_size, size_t at) {
  struct nlmsghdr *request = (struct nlmsghdr *)(requests + at);
  if (request->nlmsg_len < NLMSG_HDRLEN || request->nlmsg_len > request_size - at) return NULL;
  return request;
}

static size_t request_step(const struct nlmsghdr *request, size_t request_size, size_t at) {
  return NLMSG_ALIGN(request->nlmsg_len) < request_size - at ? NLMSG_ALIGN(request->nlmsg_len) : request_size - at;
}

/* One request at a time on the socket itself: a sendmsg, then recvmmsg until its end. */
static void exchange_one(nl_socket *s, unsigned char *requests, size_t request_size, unsigned char *out,
                         size_t out_size, int timeout_ms, exchange_state *st) {
  struct nlmsghdr *request = request_at(requests, request_size, st->at);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct iovec send_iov = {.iov_base = request, .iov_len = request->nlmsg_len};
  struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &send_iov, .msg_iovlen = 1};
  ssize_t sent;
  do {
    sent = sendmsg(s->fd, &msg, 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    st->err = errno;
    st->failed = "sendmsg";
    return;
  }
  size_t start = st->filled;
  st->needed = 0;
  st->err = read_to_end(s, s->fd, 0, request->nlmsg_seq, out, out_size, &st->filled, &st->overflow, &st->needed,
                        &st->receives, timeout_ms, &st->failed);
  if (st->err != 0) return;
  if (st->overflow) {
    st->filled = start;
    return;
  }
  st->done++;
  st->at += request_step(request, request_size, st->at);
}

static struct io_uring_sqe *next_sqe(ring_t *r, unsigned *tail) {
  unsigned index = *tail & *r->sq_mask;
  struct io_uring_sqe *sqe = &r->sqes[index];
  memset(sqe, 0, sizeof *sqe);
  r->sq_array[index] = index;
  (*tail)++;
  return sqe;
}

/* Up to RING_SOCKETS requests at once, request j on helper socket j: its sendmsg and two
 * recvmsg (a dump's entries, then its NLMSG_DONE) linked in that order, every request's three
 * submitted in one io_uring_enter that waits for all of them. A request whose two datagrams do
 * not end it (a big dump) is read to its end with recvmmsg. Replies are appended in request
 * order, as exchange_one appends them. Returns false when the ring failed before anything was
 * sent (the caller goes on one request at a time). */
static bool exchange_ring(nl_socket *s, unsigned char *requests, size_t request_size, unsigned char *out,
                          size_t out_size, int timeout_ms, exchange_state *st) {
  ring_t *r = s->ring;
  size_t slot_bytes = s->slot_bytes;
  struct nlmsghdr *batch[RING_SOCKETS];
  unsigned n = 0;
  size_t at = st->at;
  size_t room = (out_size - st->filled) / EXCHANGE_RESERVE;
  while (n < RING_SOCKETS && n < room && request_size - at >= NLMSG_HDRLEN) {
    struct nlmsghdr *request = request_at(requests, request_size, at);
    if (request == NULL) break; /* exchange_one reports it */
    batch[n++] = request;
    at += request_step(request, request_size, at);
  }
  if (n == 0) return false;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct iovec send_iov[RING_SOCKETS], recv_iov[RING_SOCKETS][2];
  struct msghdr send_msg[RING_SOCKETS], recv_msg[RING_SOCKETS][2];
  unsigned tail = *r->sq_tail;
  for (unsigned j = 0; j < n; j++) {
    send_iov[j] = (struct iovec){.iov_base = batch[j], .iov_len = batch[j]->nlmsg_len};
    send_msg[j] = (struct msghdr){.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &send_iov[j], .msg_iovlen = 1};
    struct io_uring_sqe *sqe = next_sqe(r, &tail);
    sqe->opcode = IORING_OP_SENDMSG;
    sqe->fd = s->helpers[j];
    sqe->addr = (uintptr_t)&send_msg[j];
    sqe->len = 1;
    sqe->flags = IOSQE_IO_LINK;
    sqe->user_data = j * 3;
    for (unsigned k = 0; k < 2; k++) {
      recv_iov[j][k] = (struct iovec){.iov_base = s->slots + (size_t)(EXCHANGE_SLOTS + 2 * j + k) * slot_bytes,
                                      .iov_len = slot_bytes};
      recv_msg[j][k] = (struct msghdr){.msg_iov = &recv_iov[j][k], .msg_iovlen = 1};
      sqe = next_sqe(r, &tail);
      sqe->opcode = IORING_OP_RECVMSG;
      sqe->fd = s->helpers[j];
      sqe->addr = (uintptr_t)&recv_msg[j][k];
      sqe->len = 1;
      /* Never wait: what a dump has to say is queued by the time the call before it returns. */
      sqe->msg_flags = MSG_DONTWAIT;
      sqe->flags = k == 0 ? IOSQE_IO_LINK : 0;
      sqe->user_data = j * 3 + 1 + k;
    }
  }
  __atomic_store_n(r->sq_tail, tail, __ATOMIC_RELEASE);
  unsigned wanted = 3 * n;
  int32_t result[RING_SOCKETS * 3];
  unsigned seen = 0, submitted = 0;
  while (seen < wanted) {
    /* It returns how many it submitted, even when its wait was interrupted; -1 when none. */
    long entered = syscall(__NR_io_uring_enter, r->fd, wanted - submitted, wanted - seen, IORING_ENTER_GETEVENTS,
                           NULL, 0);
    st->receives++;
    if (entered < 0 && errno != EINTR) {
      if (submitted > 0) {
        st->err = errno;
        st->failed = "io_uring_enter";
        return true;
      }
      /* Refused outright (seccomp, say): one request at a time from now on. */
      close_ring(s);
      s->ring_unavailable = true;
      return false;
    }
    if (entered > 0) submitted += (unsigned)entered;
    unsigned head = *r->cq_head;
    unsigned cq_tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
    for (; head != cq_tail; head++) {
      struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];
      if (cqe->user_data < wanted) result[cqe->user_data] = cqe->res;
      seen++;
    }
    __atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
  }
  for (unsigned j = 0; j < n; j++) {
    struct nlmsghdr *request = batch[j];
    if (result[j * 3] < 0) {
      st->err = -result[j * 3];
      st->failed = "sendmsg";
      return true;
    }
    size_t start = st->filled;
    bool ended = false;
    st->needed = 0;
    for (unsigned k = 0; k < 2; k++) {
      int32_t size = result[j * 3 + 1 + k];
      if (size == -EAGAIN || size == -ECANCELED) continue;
      if (size < 0) {
        st->err = -size;
        st->failed = "recvmsg";
        return true;
      }
      if ((size_t)size > slot_bytes || (recv_msg[j][k].msg_flags & MSG_TRUNC)) {
        st->err = EMSGSIZE;
        st->failed = "recvmsg";
        return true;
      }
      const unsigned char *datagram = recv_iov[j][k].iov_base;
      if (ends_request(datagram, (size_t)size, request->nlmsg_seq)) ended = true;
      append_datagram(out, out_size, &st->filled, &st->overflow, &st->needed, datagram, (size_t)size);
    }
    if (!ended) {
      st->err = read_to_end(s, s->helpers[j], 0, request->nlmsg_seq, out, out_size, &st->filled, &st->overflow,
                            &st->needed, &st->receives, timeout_ms, &st->failed);
      if (st->err != 0) return true;
    }
    if (st->overflow) {
      /* This request is sent again with a larger `out`, and so are the ones after it: the
       * helper sockets go with whatever replies they still hold, and are made anew. */
      st->filled = start;
      close_ring(s);
      return true;
    }
    st->done++;
    st->at += request_step(request, request_size, st->at);
  }
  return true;
}

/* exchange(handle, requests, out, timeoutMs): `requests` holds whole netlink
 * messages back to back, each a dump or a request that asks for an ACK. Every
 * datagram of each one's replies up to its NLMSG_DONE or NLMSG_ERROR is copied
 * into `out`, request after request, back to back. Up to RING_SOCKETS requests
 * run at once through io_uring (exchange_ring), each on a helper socket of its
 * own; without io_uring they are sent one at a time on the socket itself. It
 * stops at the end of `requests`, or before a request when less than
 * EXCHANGE_RESERVE of `out` is left. Each datagram is padded to NLMSG_ALIGNTO,
 * so the messages of `out` can be walked as one run. When the replies of one
 * request do not fit, they are read to their end and dropped, and `overflow`
 * is set: that request (the one after `requests` done) needs a larger `out`,
 * `needed` bytes for its replies. Returns { requests, requestBytes, bytes,
 * overflow, needed, receives }: requests done, bytes of `requests` they took,
 * bytes of `out` filled, and the receiving calls made (recvmmsg and
 * io_uring_enter). */
static napi_value js_exchange(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return throw_type(env, "exchange(handle, requests, out, timeoutMs)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  bool is_buffer = false;
  unsigned char *requests = NULL, *out = NULL;
  size_t request_size = 0, out_size = 0;
  int32_t timeout_ms = 0;
  napi_is_buffer(env, argv[1], &is_buffer);
  if (!is_buffer) return throw_type(env, "exchange: requests must be a Buffer");
  napi_get_buffer_info(env, argv[1], (void **)&requests, &request_size);
  napi_is_buffer(env, argv[2], &is_buffer);
  if (!is_buffer) return throw_type(env, "exchange: out must be a Buffer");
  napi_get_buffer_info(env, argv[2], (void **)&out, &out_size);
  if (out_size < EXCHANGE_RESERVE) return throw_type(env, "exchange: out must hold at least 64 KiB");
  if (napi_get_value_int32(env, argv[3], &timeout_ms) != napi_ok || timeout_ms < 0)
    return throw_type(env, "exchange: timeoutMs must be a non-negative integer");
  size_t slot_bytes = s->slot_bytes > EXCHANGE_SLOT_BYTES ? s->slot_bytes : EXCHANGE_SLOT_BYTES;
  unsigned slots = EXCHANGE_SLOTS + 2 * RING_SOCKETS;
  if (!ensure_slots(s, slot_bytes, s->slot_count > slots ? s->slot_count : slots))
    return throw_errno(env, ENOMEM, "exchange");

  exchange_state st = {0};
  while (request_size - st.at >= NLMSG_HDRLEN && out_size - st.filled >= EXCHANGE_RESERVE && !st.overflow) {
    if (request_at(requests, request_size, st.at) == NULL)
      return throw_type(env, "exchange: requests must be whole netlink messages");
    if (!(open_ring(s) && exchange_ring(s, requests, request_size, out, out_size, timeout_ms, &st)))
      exchange_one(s, requests, request_size, out, out_size, timeout_ms, &st);
    if (st.err != 0) {
      /* Replies may be left on the helper sockets: they are made anew. */
      close_ring(s);
      return throw_errno(env, st.err, st.failed);
    }
  }
  return exchange_result(env, st.done, st.at, st.filled, st.overflow, st.needed, st.receives);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  nl_socket *s = handle->data;
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, global, arg;
  napi_get_reference_value(env, s->on_readable, &callback);
  napi_get_global(env, &global);
  if (status < 0)
    napi_create_string_utf8(env, uv_err_name(status), NAPI_AUTO_LENGTH, &arg);
  else
    napi_get_null(env, &arg);
  /* Exceptions thrown by the callback surface as uncaught, like any event. */
  napi_make_callback(env, NULL, global, callback, 1, &arg, NULL);
  napi_close_handle_scope(env, scope);
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_type(env, "watch(handle, onReadable)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_function) return throw_type(env, "watch: onReadable must be a function");
  if (s->poll != NULL) return throw_errno(env, EBUSY, "watch: already watching");
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  struct poll_box *box = calloc(1, sizeof *box);
  if (box == NULL) return throw_errno(env, ENOMEM, "watch");
  box->fd_to_close = -1;
  int rc = uv_poll_init(loop, &box->handle, s->fd);
  if (rc < 0) {
    free(box);
    return throw_errno(env, -rc, "uv_poll_init");
  }
  box->handle.data = s;
  rc = uv_poll_start(&box->handle, UV_READABLE, on_poll);
  if (rc < 0) {
    uv_close((uv_handle_t *)&box->handle, on_poll_closed);
    return throw_errno(env, -rc, "uv_poll_start");
  }
  napi_create_reference(env, argv[1], 1, &s->on_readable);
  napi_create_reference(env, argv[0], 1, &s->self);
  s->poll = box;
  return NULL;
}

/* Stops watching; with close_fd the fd is closed after libuv has let go of it
 * (closing it first would leave libuv polling a reused descriptor). */
static void stop_polling(nl_socket *s, bool close_fd) {
  struct poll_box *box = s->poll;
  if (box == NULL) return;
  s->poll = NULL;
  uv_poll_stop(&box->handle);
  napi_delete_reference(s->env, s->on_readable);
  napi_delete_reference(s->env, s->self);
  box->fd_to_close = close_fd ? s->fd : -1;
  uv_close((uv_handle_t *)&box->handle, on_poll_closed);
}

static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_type(env, "unwatch(handle)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  stop_polling(s, false);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_type(env, "close(handle)");
  nl_socket *s = unwrap(env, argv[0], true);
  if (s == NULL) return NULL;
  if (s->poll != NULL)
    stop_polling(s, true);
  else
    close(s->fd);
  close_ring(s);
  s->fd = -1; /* from here on every call on this handle throws EBADF */
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"portId", NULL, js_port_id, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
      {"exchange", NULL, js_exchange, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL},
      {"unwatch", NULL, js_unwatch, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
