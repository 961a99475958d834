// The server's UDP socket on Linux, without node:dgram's per-datagram costs: datagrams are read with recvmmsg
// into one slab shared with JavaScript (one call into JavaScript per batch, no buffer or address object made
// here), and sent with one sendto each, straight from the caller's bytes. node:dgram allocates a 64 KiB buffer,
// an address object and a callback scope per datagram received, and a request object per datagram sent.
// JavaScript side: src/transport/udp-socket.ts (it owns the slab and the batch metadata).
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

/** Datagrams read per recvmmsg call; the slab holds this many slots. */
#define SLOTS 32
/** One slot: the largest UDP payload over IPv4 fits. */
#define SLOT_BYTES 65536
/** recvmmsg calls per readable event before the loop gets a turn (libuv's own UDP reader stops after 32 datagrams). */
#define ROUNDS 4

typedef struct {
  napi_env env;
  int fd;
  uv_poll_t poll;
  int events;
  int closing;
  uint8_t* slab;
  int32_t* meta;
  napi_ref slab_ref, meta_ref, on_batch, on_writable, on_error, resource;
  napi_async_context async;
  struct mmsghdr msgs[SLOTS];
  struct iovec iov[SLOTS];
  struct sockaddr_in from[SLOTS];
} udp_socket;

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "native udp: " #call " failed"); return NULL; } } while (0)

static napi_value num(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

static udp_socket* socket_of(napi_env env, napi_value v) {
  void* p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "native udp: not a socket handle");
    return NULL;
  }
  return (udp_socket*)p;
}

/** Reads a call's `want` arguments into argv; the first must be a socket handle, which it returns (NULL: thrown). */
static udp_socket* socket_call(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "native udp: missing arguments");
    return NULL;
  }
  return socket_of(env, argv[0]);
}

/** Calls one of the socket's JavaScript callbacks in a callback scope (ticks and microtasks run after it). */
static void call_js(udp_socket* s, napi_ref fn, int argc, int32_t arg) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, resource, argv[1], result;
  napi_get_reference_value(env, fn, &cb);
  napi_get_reference_value(env, s->resource, &resource);
  argv[0] = num(env, arg);
  napi_status st = napi_make_callback(env, s->async, resource, cb, argc, argv, &result);
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t* h, int status, int events) {
  udp_socket* s = (udp_socket*)h->data;
  if (s->closing) return;
  if (status < 0) {
    call_js(s, s->on_error, 1, status);
    return;
  }
  if (events & UV_WRITABLE) call_js(s, s->on_writable, 0, 0);
  if (!(events & UV_READABLE)) return;
  for (int round = 0; round < ROUNDS && !s->closing; round++) {
    for (int i = 0; i < SLOTS; i++) {
      s->iov[i].iov_len = SLOT_BYTES;
      s->msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
      s->msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->msgs, SLOTS, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) call_js(s, s->on_error, 1, -errno);
      return;
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      s->meta[i * 3] = (int32_t)s->msgs[i].msg_len;
      s->meta[i * 3 + 1] = (int32_t)ntohl(s->from[i].sin_addr.s_addr);
      s->meta[i * 3 + 2] = ntohs(s->from[i].sin_port);
    }
    call_js(s, s->on_batch, 1, n);
    if (n < SLOTS) return;
  }
}

static int set_events(udp_socket* s, int events) {
  if (events == s->events) return 0;
  s->events = events;
  return uv_poll_start(&s->poll, events, on_poll);
}

/** open(ip32, port, rcvbuf, sndbuf) → handle, or a negative errno (bind's). */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t ip, port, rcv, snd;
  CHECK(napi_get_value_uint32(env, argv[0], &ip));
  CHECK(napi_get_value_uint32(env, argv[1], &port));
  CHECK(napi_get_value_uint32(env, argv[2], &rcv));
  CHECK(napi_get_value_uint32(env, argv[3], &snd));
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return num(env, -errno);
  // As node:dgram asks for them; the kernel caps both at its rmem_max / wmem_max.
  int r = (int)rcv, w = (int)snd;
  if (r > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &r, sizeof r);
  if (w > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &w, sizeof w);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(ip);
  a.sin_port = htons((uint16_t)port);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0) {
    int e = errno;
    close(fd);
    return num(env, -e);
  }
  udp_socket* s = (udp_socket*)calloc(1, sizeof(udp_socket));
  if (s == NULL) {
    close(fd);
    return num(env, -ENOMEM);
  }
  s->env = env;
  s->fd = fd;
  napi_value handle;
  CHECK(napi_create_external(env, s, NULL, NULL, &handle));
  return handle;
}

/** address(handle) → [ip32, port] of the bound socket. */
static napi_value js_address(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_socket* s = socket_call(env, info, 1, argv);
  if (s == NULL) return NULL;
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  if (getsockname(s->fd, (struct sockaddr*)&a, &len) < 0) return num(env, -errno);
  napi_value out, v;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_create_uint32(env, ntohl(a.sin_addr.s_addr), &v));
  CHECK(napi_set_element(env, out, 0, v));
  CHECK(napi_set_element(env, out, 1, num(env, ntohs(a.sin_port))));
  return out;
}

/**
 * start(handle, slab, meta, onBatch, onWritable, onError, resource): starts reading. The slab (SLOTS × SLOT_BYTES
 * bytes) receives datagram i at i × SLOT_BYTES; meta (Int32Array, 3 per slot) its length, source IPv4 and port.
 */
static napi_value js_start(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  udp_socket* s = socket_call(env, info, 7, argv);
  if (s == NULL) return NULL;
  void* slab;
  size_t slab_len;
  CHECK(napi_get_buffer_info(env, argv[1], &slab, &slab_len));
  napi_typedarray_type type;
  size_t meta_len;
  void* meta;
  napi_value ab;
  size_t offset;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &meta_len, &meta, &ab, &offset));
  if (slab_len < (size_t)SLOTS * SLOT_BYTES || type != napi_int32_array || meta_len < SLOTS * 3) {
    napi_throw_range_error(env, NULL, "native udp: slab or meta too small");
    return NULL;
  }
  s->slab = (uint8_t*)slab;
  s->meta = (int32_t*)meta;
  for (int i = 0; i < SLOTS; i++) {
    s->iov[i].iov_base = s->slab + (size_t)i * SLOT_BYTES;
    s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
    s->msgs[i].msg_hdr.msg_iovlen = 1;
    s->msgs[i].msg_hdr.msg_name = &s->from[i];
  }
  CHECK(napi_create_reference(env, argv[1], 1, &s->slab_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &s->meta_ref));
  CHECK(napi_create_reference(env, argv[3], 1, &s->on_batch));
  CHECK(napi_create_reference(env, argv[4], 1, &s->on_writable));
  CHECK(napi_create_reference(env, argv[5], 1, &s->on_error));
  CHECK(napi_create_reference(env, argv[6], 1, &s->resource));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "OICQ_UDP", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, argv[6], name, &s->async));
  uv_loop_t* loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  int e = uv_poll_init(loop, &s->poll, s->fd);
  if (e < 0) return num(env, e);
  s->poll.data = s;
  return num(env, set_events(s, UV_READABLE));
}

/** send(handle, bytes, ip32, port) → bytes sent, or a negative errno (-EAGAIN: the send buffer is full). */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  udp_socket* s = socket_call(env, info, 4, argv);
  if (s == NULL) return NULL;
  void* data;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  uint32_t ip, port;
  CHECK(napi_get_value_uint32(env, argv[2], &ip));
  CHECK(napi_get_value_uint32(env, argv[3], &port));
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(ip);
  to.sin_port = htons((uint16_t)port);
  ssize_t n;
  do n = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr*)&to, sizeof to);
  while (n < 0 && errno == EINTR);
  return num(env, n < 0 ? -errno : (int32_t)n);
}

/** writable(handle, on): asks for (or stops asking for) one onWritable call when the send buffer has room. */
static napi_value js_writable(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  udp_socket* s = socket_call(env, info, 2, argv);
  if (s == NULL) return NULL;
  bool on;
  CHECK(napi_get_value_bool(env, argv[1], &on));
  if (s->closing) return num(env, 0);
  return num(env, set_events(s, UV_READABLE | (on ? UV_WRITABLE : 0)));
}

static void on_closed(uv_handle_t* h) {
  udp_socket* s = (udp_socket*)h->data;
  close(s->fd);
  free(s);
}

/** close(handle): stops reading, closes the descriptor; the handle is unusable after. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  udp_socket* s = socket_call(env, info, 1, argv);
  if (s == NULL || s->closing) return NULL;
  s->closing = 1;
  if (s->slab_ref) {
    napi_delete_reference(env, s->slab_ref);
    napi_delete_reference(env, s->meta_ref);
    napi_delete_reference(env, s->on_batch);
    napi_delete_reference(env, s->on_writable);
    napi_delete_reference(env, s->on_error);
    napi_delete_reference(env, s->resource);
    napi_async_destroy(env, s->async);
    uv_poll_stop(&s->poll);
    // The descriptor is closed after libuv lets go of the poll handle, never under it.
    uv_close((uv_handle_t*)&s->poll, on_closed);
  } else {
    close(s->fd);
    free(s);
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
    { "address", NULL, js_address, NULL, NULL, NULL, napi_default, NULL },
    { "start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL },
    { "send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL },
    { "writable", NULL, js_writable, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  napi_set_named_property(env, exports, "SLOTS", num(env, SLOTS));
  napi_set_named_property(env, exports, "SLOT_BYTES", num(env, SLOT_BYTES));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
