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
 *   exchange(handle, requests, out, timeoutMs) -> { requests, requestBytes, bytes, overflow, receives }
 *                                                   many requests, one after the other, in C
 *   watch(handle, onReadable)                      libuv poll: call back when readable
 *   unwatch(handle)
 *   close(handle)                                  a second close, or any use after, throws EBADF
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <errno.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

typedef struct {
  int fd;
  uint32_t port_id;
  struct poll_box *poll; /* non-NULL while watching */
  napi_env env;
  napi_ref on_readable;
  napi_ref self; /* keeps the JS handle alive while polling */
  unsigned char *slots;
  size_t slot_bytes;
  unsigned slot_count;
} nl_socket;

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

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t protocol = 0, rcvbuf = 0, sndbuf = 0;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &protocol) != napi_ok ||
      napi_get_value_int32(env, argv[1], &rcvbuf) != napi_ok ||
      napi_get_value_int32(env, argv[2], &sndbuf) != napi_ok)
    return throw_type(env, "open(protocol, rcvbuf, sndbuf) takes three integers");

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
  if (fd < 0) return throw_errno(env, errno, "socket");

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
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "bind");
  }
  socklen_t len = sizeof local;
  if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "getsockname");
  }

  nl_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "open");
  }
  s->fd = fd;
  s->port_id = local.nl_pid;
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
  for (uint32_t i = 0; i < max_datagrams; i++) {
    iov[i].iov_base = s->slots + (size_t)i * slot_bytes;
    iov[i].iov_len = slot_bytes;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
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
                                  uint32_t receives) {
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

/* exchange(handle, requests, out, timeoutMs): `requests` holds whole netlink
 * messages back to back, each a dump or a request that asks for an ACK. They
 * are sent one at a time (a socket runs one dump at a time); after each, every
 * datagram up to the NLMSG_DONE or NLMSG_ERROR with its sequence number is
 * copied into `out`, back to back. It stops at the end of `requests`, or before
 * a request when less than EXCHANGE_RESERVE of `out` is left. Each datagram is
 * padded to NLMSG_ALIGNTO, so the messages of `out` can be walked as one run. When the replies
 * of one request do not fit, they are read to their end and dropped, and
 * `overflow` is set: that request (the one after `requests` done) needs a
 * larger `out`. Returns { requests, requestBytes, bytes, overflow, receives }:
 * requests done, bytes of `requests` they took, bytes of `out` filled, and the
 * recvmmsg calls made. */
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
  if (!ensure_slots(s, slot_bytes, s->slot_count > EXCHANGE_SLOTS ? s->slot_count : EXCHANGE_SLOTS))
    return throw_errno(env, ENOMEM, "exchange");
  slot_bytes = s->slot_bytes;

  struct mmsghdr msgs[EXCHANGE_SLOTS];
  struct iovec iov[EXCHANGE_SLOTS];
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  uint32_t done = 0, receives = 0;
  size_t at = 0, filled = 0;
  while (request_size - at >= NLMSG_HDRLEN && out_size - filled >= EXCHANGE_RESERVE) {
    struct nlmsghdr *request = (struct nlmsghdr *)(requests + at);
    if (request->nlmsg_len < NLMSG_HDRLEN || request->nlmsg_len > request_size - at)
      return throw_type(env, "exchange: requests must be whole netlink messages");
    struct iovec send_iov = {.iov_base = request, .iov_len = request->nlmsg_len};
    struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &send_iov, .msg_iovlen = 1};
    ssize_t sent;
    do {
      sent = sendmsg(s->fd, &msg, 0);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return throw_errno(env, errno, "sendmsg");

    bool ended = false, overflow = false;
    size_t start = filled;
    while (!ended) {
      for (unsigned i = 0; i < EXCHANGE_SLOTS; i++) {
        iov[i].iov_base = s->slots + (size_t)i * slot_bytes;
        iov[i].iov_len = slot_bytes;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int got;
      do {
        got = recvmmsg(s->fd, msgs, EXCHANGE_SLOTS, MSG_DONTWAIT | MSG_TRUNC, NULL);
        receives++;
      } while (got < 0 && errno == EINTR);
      if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return throw_errno(env, errno, "recvmmsg");
      if (got <= 0) {
        /* Generic netlink answers within the calls; wait only for a kernel that does not. */
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int ready;
        do {
          ready = poll(&p, 1, timeout_ms);
        } while (ready < 0 && errno == EINTR);
        if (ready < 0) return throw_errno(env, errno, "poll");
        if (ready == 0) return throw_errno(env, ETIMEDOUT, "recvmmsg");
        continue;
      }
      for (int i = 0; i < got; i++) {
        size_t size = msgs[i].msg_len;
        if (size > slot_bytes || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) return throw_errno(env, EMSGSIZE, "recvmmsg");
        if (ends_request(iov[i].iov_base, size, request->nlmsg_seq)) ended = true;
        if (overflow || size > out_size - filled) {
          overflow = true;
          continue;
        }
        memcpy(out + filled, iov[i].iov_base, size);
        filled += size;
        /* Padded so that the next datagram's messages start aligned. */
        while (filled % NLMSG_ALIGNTO != 0 && filled < out_size) out[filled++] = 0;
      }
    }
    if (overflow) return exchange_result(env, done, at, start, true, receives);
    done++;
    at += NLMSG_ALIGN(request->nlmsg_len) < request_size - at ? NLMSG_ALIGN(request->nlmsg_len) : request_size - at;
  }
  return exchange_result(env, done, at, filled, false, receives);
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
