import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { decodePacket, encodePacket, type Framing, type Packet } from '../protocol/framing.js';
import type { RandomSource } from '../protocol/random.js';
import type { Clock } from '../transport/clock.js';
import { Requester, RequestTimeoutError, type RetryPolicy } from '../transport/requester.js';
import { ClosedError, TimeoutError } from './errors.js';

// The client's UDP side: one socket to one server, u16 sequence numbers, and request/reply matching by
// (command, seq) with retransmission (the transport's Requester). Server packets that answer no request
// are pushes and go to `onPush`.

/** Where and how the link talks. */
export interface LinkOptions {
  host: string;
  port: number;
  framing: Framing;
  version: number;
  uid: number;
  clock: Clock;
  random: RandomSource;
  retry: RetryPolicy;
  /** Local address to bind (default: 127.0.0.1 for a loopback server, else all interfaces). */
  bindAddress?: string;
}

/** A UDP link to the server. */
export class Link {
  private socket?: Socket;
  private address = '';
  /** Where datagrams go now: the server it was made for, or the node a login redirect named. */
  private port: number;
  private homeAddress = '';
  /** Datagrams handed to the socket and not yet sent (close waits for them: a logout must leave). */
  private unsent = 0;
  private closed?: Promise<void>;
  private seq: number;
  private readonly requester: Requester<Packet>;
  /** Server packets that matched no pending request. */
  onPush: (p: Packet) => void = () => {};
  /** Every datagram sent and received (for tests and diagnostics). */
  onWire?: (dir: 'out' | 'in', bytes: Buffer) => void;
  /** A request is sent again because the server has not answered (attempt ≥ 2 of maxTries). */
  onRetry?: (command: number, attempt: number, maxTries: number) => void;

  constructor(readonly opts: LinkOptions) {
    this.port = opts.port;
    const r = opts.random(2);
    this.seq = (r[0]! << 8) | r[1]!;
    this.requester = new Requester<Packet>((b) => this.write(b), opts.clock, opts.retry);
    this.requester.onRetry = (command, _seq, attempt, maxTries) => this.onRetry?.(command, attempt, maxTries);
  }

  /** `host:port` as given, or the node a login redirect named. */
  get server(): string {
    return this.port === this.opts.port && this.address === this.homeAddress ? `${this.opts.host}:${this.opts.port}` : `${this.address}:${this.port}`;
  }

  /** Talks to another server from now on (a login redirect); the socket stays. */
  redirect(address: string, port: number): void {
    this.address = address;
    this.port = port;
  }

  /** Talks to the server it was made for again (every login starts there: a node redirected to may be gone). */
  home(): void {
    this.redirect(this.homeAddress, this.opts.port);
  }

  /** The local UDP port (0 before open). */
  get localPort(): number {
    return this.socket?.address().port ?? 0;
  }

  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  /** Resolves the server's address and binds the socket. */
  async open(): Promise<void> {
    if (this.socket) return;
    const { address } = await lookup(this.opts.host, { family: 4 });
    this.address = this.homeAddress = address;
    const socket = createSocket('udp4');
    socket.on('message', (buf, rinfo) => {
      // An unconnected socket hears anyone: keep only the server's datagrams.
      if (rinfo.port !== this.port || rinfo.address !== this.address) return;
      this.onWire?.('in', buf);
      this.receive(buf);
    });
    socket.on('error', () => {
      /* send errors surface as timeouts; never crash the process */
    });
    const bind = this.opts.bindAddress ?? (address.startsWith('127.') ? '127.0.0.1' : undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, address: bind }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
  }

  /** The next sequence number: u16, incrementing, wrapping, never 0. */
  nextSeq(): number {
    this.seq = (this.seq + 1) & 0xffff;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  /** Encodes a client packet. */
  packet(command: number, seq: number, body: Buffer): Buffer {
    return encodePacket({ framing: this.opts.framing, direction: 'c2s', version: this.opts.version, command, seq, uid: this.opts.uid, body });
  }

  /** Sends a request and resolves with the server packet of the same (command, seq); TimeoutError after the last try. */
  async request(command: number, body: Buffer, policy?: RetryPolicy): Promise<Packet> {
    if (!this.socket) throw new ClosedError();
    const seq = this.nextSeq();
    try {
      return await this.requester.request(command, seq, this.packet(command, seq, body), policy ?? this.opts.retry);
    } catch (e) {
      if (e instanceof RequestTimeoutError) throw new TimeoutError(this.server, e.command, e.seq, e.tries);
      throw e;
    }
  }

  /** Sends one datagram that expects no reply (acks, logout); a new sequence unless `seq` is given. */
  send(command: number, body: Buffer, seq: number = this.nextSeq(), copies = 1): void {
    const bytes = this.packet(command, seq, body);
    for (let i = 0; i < copies; i++) this.write(bytes);
  }

  private write(bytes: Buffer): void {
    const s = this.socket;
    if (!s) return;
    this.onWire?.('out', bytes);
    this.unsent++;
    s.send(bytes, this.port, this.address, () => {
      this.unsent--;
      this.drained?.();
    });
  }

  private drained?: () => void;

  private receive(buf: Buffer): void {
    const r = decodePacket(buf, 's2c');
    if (!r.ok) return;
    const p = r.value;
    if (this.requester.resolve(p.command, p.seq, p)) return;
    this.onPush(p);
  }

  /** Fails every pending request (the session was lost or the client closes). */
  failPending(err: Error): void {
    this.requester.rejectAll(err);
  }

  /** Requests awaiting a reply. */
  get pending(): number {
    return this.requester.size;
  }

  /** Fails pending requests, lets datagrams already sent leave, then closes the socket. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.requester.rejectAll(new ClosedError());
    const s = this.socket;
    this.socket = undefined;
    if (!s) return (this.closed = Promise.resolve());
    this.closed = new Promise<void>((resolve) => {
      const finish = () => {
        if (this.unsent > 0) return;
        this.drained = undefined;
        s.close(() => resolve());
      };
      this.drained = finish;
      finish();
    });
    return this.closed;
  }
}
