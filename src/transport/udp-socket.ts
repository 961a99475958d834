// The server's UDP socket: the native one (native/udp.c: recvmmsg into a shared slab, sendto from the caller's
// bytes) where it was built, else node:dgram. Both are IPv4 only, as the protocol's addresses are.
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';
import { parseIpv4, u32ToIp } from '../protocol/bodies/status-block.js';

/** An IPv4 address and port as the socket reports and takes them. */
export interface UdpEndpoint {
  address: string;
  port: number;
}

/** Which implementation to bind: the native socket when built (`auto`), or one of the two by name. */
export type UdpMode = 'auto' | 'native' | 'dgram';

/** What the server needs of its socket. */
export interface ServerSocket {
  /** `native` or `dgram`: which implementation this is. */
  readonly kind: 'native' | 'dgram';
  /** Starts delivering datagrams (each its own buffer, the sender's endpoint a fresh object) and socket errors. */
  start(onMessage: (bytes: Buffer, from: UdpEndpoint) => void, onError: (err: Error) => void): void;
  /** Sends one datagram to a dotted IPv4 address (queued while the send buffer is full). */
  send(bytes: Buffer, port: number, address: string): void;
  /** The bound address. */
  address(): UdpEndpoint;
  /** Stops reading and releases the port (it is free once the promise resolves). */
  close(): Promise<void>;
}

/** The native binding's functions (native/udp.c). */
interface NativeUdp {
  SLOTS: number;
  SLOT_BYTES: number;
  open(ip: number, port: number, recvBuffer: number, sendBuffer: number): NativeHandle | number;
  address(h: NativeHandle): [number, number] | number;
  start(h: NativeHandle, slab: Buffer, meta: Int32Array, onBatch: (n: number) => void, onWritable: () => void, onError: (errno: number) => void, resource: object): number;
  send(h: NativeHandle, bytes: Buffer, ip: number, port: number): number;
  writable(h: NativeHandle, on: boolean): number;
  close(h: NativeHandle): void;
}
declare const nativeHandle: unique symbol;
type NativeHandle = { readonly [nativeHandle]: true };

/** Socket buffer sizes asked for (the kernel caps them at its rmem_max / wmem_max). */
const BUFFER_BYTES = 4 << 20;
/** Datagrams held while the send buffer is full; more are dropped and counted (a UDP socket may drop them). */
const SEND_QUEUE_MAX = 65_536;
const EAGAIN = -11;

let loaded: { binding?: NativeUdp; reason?: string } | undefined;

/** The native binding, or why it is not available (not Linux, or not built). */
export function nativeUdp(): { binding: NativeUdp; reason?: undefined } | { binding?: undefined; reason: string } {
  if (!loaded) {
    if (process.platform !== 'linux') loaded = { reason: 'the native UDP socket is built on Linux only' };
    else {
      try {
        loaded = { binding: createRequire(import.meta.url)('../../build/Release/oicq_udp.node') as NativeUdp };
      } catch (e) {
        loaded = { reason: `the native UDP socket is not built (${(e as Error).message.split('\n')[0]}) — run npm run build:native` };
      }
    }
  }
  return loaded.binding ? { binding: loaded.binding } : { reason: loaded.reason! };
}

/** An Error as node:dgram makes them: `code` is the errno's name. */
function systemError(errno: number, syscall: string, address?: string, port?: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(errno);
  const where = address === undefined ? '' : ` ${address}${port === undefined ? '' : `:${port}`}`;
  const err: NodeJS.ErrnoException = new Error(`${syscall} ${code}${where}`);
  err.code = code;
  err.errno = errno;
  err.syscall = syscall;
  return err;
}

/** A datagram waiting for room in the send buffer. */
interface QueuedSend {
  bytes: Buffer;
  ip: number;
  port: number;
}

/** The native socket: a batch of datagrams per readable event, one call into JavaScript per batch. */
export class NativeServerSocket implements ServerSocket {
  readonly kind = 'native' as const;
  /** Datagrams dropped because the send queue was full. */
  sendQueueDropped = 0;
  private handle?: NativeHandle;
  private readonly slab: Buffer;
  private readonly meta: Int32Array;
  private readonly queue: QueuedSend[] = [];
  private onMessage: (bytes: Buffer, from: UdpEndpoint) => void = () => {};
  private onError: (err: Error) => void = () => {};
  private readonly bound: UdpEndpoint;

  private constructor(private readonly native: NativeUdp, handle: NativeHandle) {
    this.handle = handle;
    this.slab = Buffer.allocUnsafeSlow(native.SLOTS * native.SLOT_BYTES);
    this.meta = new Int32Array(native.SLOTS * 3);
    const a = native.address(handle);
    if (typeof a === 'number') throw systemError(a, 'getsockname');
    this.bound = { address: u32ToIp(a[0]), port: a[1] };
  }

  /** Binds a native socket to a dotted IPv4 address; rejects with the bind error (EADDRINUSE, …). */
  static bind(native: NativeUdp, host: string, port: number): NativeServerSocket {
    const ip = parseIpv4(host);
    if (ip === undefined) throw new Error(`${host} is not a dotted IPv4 address`);
    const h = native.open(ip, port, BUFFER_BYTES, BUFFER_BYTES);
    if (typeof h === 'number') throw systemError(h, 'bind', host, port);
    try {
      return new NativeServerSocket(native, h);
    } catch (e) {
      native.close(h);
      throw e;
    }
  }

  start(onMessage: (bytes: Buffer, from: UdpEndpoint) => void, onError: (err: Error) => void): void {
    if (!this.handle) throw new Error('the socket is closed');
    this.onMessage = onMessage;
    this.onError = onError;
    const r = this.native.start(this.handle, this.slab, this.meta, (n) => this.batch(n), () => this.flush(), (errno) => this.onError(systemError(errno, 'recvmmsg')), this);
    if (r < 0) throw systemError(r, 'uv_poll_start');
  }

  /** Hands each datagram of a batch to the server, each copied out of the slab (the server may keep it). */
  private batch(n: number): void {
    const { meta, slab } = this;
    const slot = this.native.SLOT_BYTES;
    for (let i = 0; i < n && this.handle; i++) {
      const len = meta[i * 3]!;
      const bytes = Buffer.allocUnsafe(len);
      slab.copy(bytes, 0, i * slot, i * slot + len);
      this.onMessage(bytes, { address: u32ToIp(meta[i * 3 + 1]! >>> 0), port: meta[i * 3 + 2]! });
    }
  }

  send(bytes: Buffer, port: number, address: string): void {
    if (!this.handle) return;
    const ip = parseIpv4(address);
    if (ip === undefined) {
      this.onError(new Error(`send: ${address} is not a dotted IPv4 address`));
      return;
    }
    if (this.queue.length === 0) {
      const n = this.native.send(this.handle, bytes, ip, port);
      if (n >= 0) return;
      if (n !== EAGAIN) {
        this.onError(systemError(n, 'send', address, port));
        return;
      }
      this.native.writable(this.handle, true);
    }
    if (this.queue.length >= SEND_QUEUE_MAX) this.sendQueueDropped++;
    else this.queue.push({ bytes, ip, port });
  }

  /** Sends what waited for room, in order, until the buffer is full again or the queue is empty. */
  private flush(): void {
    const h = this.handle;
    if (!h) return;
    while (this.queue.length > 0) {
      const q = this.queue[0]!;
      const n = this.native.send(h, q.bytes, q.ip, q.port);
      if (n === EAGAIN) return;
      this.queue.shift();
      if (n < 0) this.onError(systemError(n, 'send', u32ToIp(q.ip), q.port));
    }
    this.native.writable(h, false);
  }

  address(): UdpEndpoint {
    return { ...this.bound };
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.queue.length = 0;
    if (h) this.native.close(h);
  }
}

/**
 * The socket's address lookup: the server only sends to the dotted IPv4 address a datagram came from, so it is
 * answered at once. node:dgram's default goes through dns.lookup, which defers every send to a nextTick even for a
 * literal address: a queued callback and a closure per datagram. Anything else still goes to dns.lookup.
 */
function literalLookup(address: string, _family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  // parseIpv4, not net.isIPv4: one pass over the characters instead of a regular expression, for every datagram sent.
  if (parseIpv4(address) !== undefined) callback(null, address, 4);
  else dnsLookup(address, { family: 4 }, (err, a) => callback(err, a, 4));
}

/** node:dgram behind the same interface (other systems, a host name to resolve, or `--udp dgram`). */
export class DgramServerSocket implements ServerSocket {
  readonly kind = 'dgram' as const;

  private constructor(private readonly socket: Socket) {}

  /** Binds a node:dgram socket to host:port; rejects with the bind error and leaves nothing open. */
  static async bind(host: string, port: number): Promise<DgramServerSocket> {
    const socket = createSocket({ type: 'udp4', recvBufferSize: BUFFER_BYTES, sendBufferSize: BUFFER_BYTES, lookup: literalLookup });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      try { socket.close(); } catch { /* never bound: nothing to close */ }
      throw e;
    }
    return new DgramServerSocket(socket);
  }

  start(onMessage: (bytes: Buffer, from: UdpEndpoint) => void, onError: (err: Error) => void): void {
    this.socket.on('message', (bytes, rinfo) => onMessage(bytes, { address: rinfo.address, port: rinfo.port }));
    this.socket.on('error', onError);
  }

  send(bytes: Buffer, port: number, address: string): void {
    this.socket.send(bytes, port, address);
  }

  address(): UdpEndpoint {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/**
 * Binds the server's UDP socket to host:port. `auto` takes the native socket when it is built and the host is a
 * dotted IPv4 address, else node:dgram; `native` fails when it cannot. Rejects with the bind error (EADDRINUSE,
 * EACCES, …) and leaves nothing open.
 */
export async function bindServerSocket(host: string, port: number, mode: UdpMode = 'auto'): Promise<ServerSocket> {
  if (mode === 'dgram') return DgramServerSocket.bind(host, port);
  const n = nativeUdp();
  if (n.binding && parseIpv4(host) !== undefined) return NativeServerSocket.bind(n.binding, host, port);
  if (mode === 'native') throw new Error(n.reason ?? `the native UDP socket takes a dotted IPv4 address, not ${host}`);
  return DgramServerSocket.bind(host, port);
}
