import pino, { type Logger } from 'pino';
import { decodePacket, type Packet } from '../protocol/framing.js';
import { CutTexts } from './cut-text.js';
import { commandTableOf, familyOf } from '../protocol/families.js';
import { cryptoRandom, type RandomSource } from '../protocol/random.js';
import { systemClock, type Clock, type Timer } from '../transport/clock.js';
import { bindServerSocket, type ServerSocket, type UdpMode } from '../transport/udp-socket.js';
import type { Store } from '../store/store.js';
import { Hub, DEFAULT_HUB_OPTIONS, type HubOptions } from './hub.js';
import { LoginGuard, DEFAULT_LOGIN_GUARD, type LoginGuardOptions } from './login-guard.js';
import { Metrics, packetDropReason, type DropReason } from './metrics.js';
import type { Endpoint, Session } from './session.js';
import type { FramingHandler, ServerContext } from './context.js';
import { ClassicHandler } from './classic.js';
import { ModernHandler } from './modern.js';
import { LoginTokens, type TokenSource } from './login-token.js';
import { LoginAddresses } from './login-addresses.js';
import { FloodGuard, DEFAULT_FLOOD_GUARD, type FloodGuardOptions } from './flood-guard.js';

const PURGE_EVERY_MS = 3_600_000;

/** A datagram seen by the server, for the capture writer. */
export interface WireEvent {
  direction: 'in' | 'out';
  bytes: Buffer;
  /** The client's side of the exchange. */
  peer: Endpoint;
  /** The server's side. */
  local: Endpoint;
  /** Out: the session it goes to, when the sender had it (replies, pushes, the classic login reply; not the login chains' steps). */
  session?: Session;
}

/** Server settings; everything but the store has a default. */
export interface ServerOptions {
  store: Store;
  host?: string;
  port?: number;
  log?: Logger;
  clock?: Clock;
  random?: RandomSource;
  hub?: Partial<HubOptions>;
  guard?: Partial<LoginGuardOptions>;
  flood?: Partial<FloodGuardOptions>;
  /** Delay every reply by this many ms (for clients that lose replies arriving too fast; PROTOCOL-MODERN.md lesson 1). */
  replyDelayMs?: number;
  /** The address to tell clients in login replies (defaults to the bound address, or 127.0.0.1 when bound to 0.0.0.0). */
  publicIp?: string;
  /** Login-chain tokens (default: stateless HMAC tokens with a fresh secret). Tests inject recorded ones. */
  tokens?: TokenSource;
  /** Called for every datagram received and sent (the pcap capture). */
  onWire?: (e: WireEvent) => void;
  /** A socket already bound with bindServerSocket (`oicq serve` binds before it creates anything); host and port are then ignored. */
  socket?: ServerSocket;
  /** Which UDP socket to bind when none is given (default `auto`: the native one where it was built). */
  udp?: UdpMode;
}

/** A datagram the server dropped, for the operator console (its bytes when the drop happened while handling it). */
export interface DropEvent {
  reason: DropReason;
  from: Endpoint;
  bytes?: Buffer;
  packet?: Packet;
}

/** The OICQ server: one UDP socket, both framings, on the framing-neutral core. */
export class OicqServer {
  readonly metrics = new Metrics();
  readonly hub: Hub;
  readonly log: Logger;
  readonly guard: LoginGuard;
  private socket?: ServerSocket;
  private readonly wireListeners: ((e: WireEvent) => void)[] = [];
  private readonly dropListeners: ((e: DropEvent) => void)[] = [];
  /** The datagram being handled (handlers run synchronously), so a drop can show its bytes. */
  private current?: Buffer;
  private readonly ctx: ServerContext;
  private readonly classic: FramingHandler;
  private readonly modern: FramingHandler;
  private readonly flood: FloodGuard;
  private local: Endpoint = { address: '0.0.0.0', port: 0 };
  private purgeTimer?: Timer;
  private readonly addresses: LoginAddresses;

  constructor(private readonly opts: ServerOptions) {
    const clock = opts.clock ?? systemClock;
    const random = opts.random ?? cryptoRandom;
    this.log = opts.log ?? pino({ level: 'silent' });
    this.hub = new Hub(opts.store, clock, this.metrics, random, this.log, { ...DEFAULT_HUB_OPTIONS, ...opts.hub });
    const guardOpts = { ...DEFAULT_LOGIN_GUARD, ...opts.guard };
    this.addresses = new LoginAddresses(opts.store, clock, guardOpts.knownAddresses, this.log);
    const guard = new LoginGuard(clock, guardOpts, {
      isKnown: (uid, address) => this.addresses.isKnown(uid, address),
      remember: (uid, address) => this.addresses.remember(uid, address),
    }, this.log);
    this.guard = guard;
    if (opts.onWire) this.wireListeners.push(opts.onWire);
    this.flood = new FloodGuard(clock, { ...DEFAULT_FLOOD_GUARD, ...opts.flood });
    const delay = opts.replyDelayMs ?? 0;
    this.ctx = {
      hub: this.hub,
      store: opts.store,
      clock,
      random,
      metrics: this.metrics,
      guard,
      log: this.log,
      tokens: opts.tokens ?? new LoginTokens(random(32)),
      cutTexts: new CutTexts(),
      get serverIp() { return server.publicIp; },
      serverPort: () => this.local.port,
      send: (bytes, to, session) => {
        if (delay > 0) clock.setTimeout(() => this.sendNow(bytes, to, session), delay);
        else this.sendNow(bytes, to, session);
      },
      drop: (reason, from, packet) => this.drop(reason, from, packet),
    };
    const server = this;
    this.classic = new ClassicHandler(this.ctx);
    this.modern = new ModernHandler(this.ctx);
  }

  /** The IPv4 address clients are told (login replies, keep-alive). */
  get publicIp(): string {
    if (this.opts.publicIp) return this.opts.publicIp;
    const a = this.local.address;
    return a === '0.0.0.0' || a.includes(':') ? '127.0.0.1' : a;
  }

  /** Binds the socket and starts the core's timers; resolves with the bound address. */
  async listen(): Promise<Endpoint> {
    const socket = this.opts.socket ?? (await bindServerSocket(this.opts.host ?? '0.0.0.0', this.opts.port ?? 8000, this.opts.udp));
    this.socket = socket;
    // Errors only after the bind: a bind error is the caller's to report, not a log line.
    socket.start((buf, from) => this.onMessage(buf, from), (err) => this.log.error({ err }, 'socket error'));
    const a = socket.address();
    this.local = { address: a.address, port: a.port };
    this.hub.start();
    this.purgeDelivered();
    return this.local;
  }

  /** The bound address. */
  get address(): Endpoint {
    return this.local;
  }

  /** Which UDP socket serves (`native` or `dgram`; undefined before listen). */
  get udpSocket(): ServerSocket['kind'] | undefined {
    return this.socket?.kind;
  }

  /** Also calls `fn` for every datagram received and sent (the console's traffic views). */
  onWire(fn: (e: WireEvent) => void): void {
    this.wireListeners.push(fn);
  }

  /** Also calls `fn` for every dropped datagram. */
  onDrop(fn: (e: DropEvent) => void): void {
    this.dropListeners.push(fn);
  }

  /** Message pushes still owed to online receivers (0 = every push acked); see Hub.outstandingPushes. */
  outstandingPushes(): number {
    return this.hub.outstandingPushes();
  }

  /** Stops: flushes pending stores, closes sessions and the socket. */
  async close(): Promise<void> {
    this.purgeTimer?.cancel();
    this.hub.stop();
    this.addresses.flush();
    this.guard.stop();
    const s = this.socket;
    this.socket = undefined;
    if (s) await s.close();
  }

  /** Deletes delivered messages past their retention now, then every hour. */
  private purgeDelivered(): void {
    try {
      const n = this.opts.store.purgeDelivered();
      if (n > 0) this.log.info({ messages: n }, 'purged delivered messages past their retention');
    } catch (err) {
      this.log.error({ err }, 'purging delivered messages failed; retried in an hour');
    }
    this.purgeTimer = (this.opts.clock ?? systemClock).setTimeout(() => this.purgeDelivered(), PURGE_EVERY_MS);
  }

  /** Handles one datagram (also the entry point for tests that bypass the socket); `from` is kept, not copied. */
  onMessage(buf: Buffer, from: Endpoint): void {
    this.metrics.received++;
    for (const fn of this.wireListeners) fn({ direction: 'in', bytes: buf, peer: from, local: this.local });
    if (this.flood.shed(from.address) && !this.hub.hasEndpoint(from)) {
      this.metrics.drop('rate_limited');
      return;
    }
    this.current = buf;
    try {
      const r = decodePacket(buf, 'c2s');
      if (!r.ok) return this.drop(packetDropReason(r.error), from);
      // A tag of no family the server serves: its chain and layouts are unknown, so nothing could answer it.
      const family = familyOf(r.value.version);
      if (!family) return this.drop('unsupported_version', from, r.value);
      try {
        // The chain, not the header, picks the handler: QQ2009 runs the modern chain inside the classic header.
        (commandTableOf(r.value.version) === 'modern' ? this.modern : this.classic).handle(r.value, from);
      } catch (err) {
        // A bug, not bad input: count it, log it, keep serving.
        this.metrics.drop('unexpected');
        for (const fn of this.dropListeners) fn({ reason: 'unexpected', from, bytes: buf, packet: r.value });
        this.log.error({ err, command: r.value.command, from: `${from.address}:${from.port}` }, 'handler failed');
      }
    } finally {
      this.current = undefined;
    }
  }

  private sendNow(bytes: Buffer, to: Endpoint, session: Session | undefined): void {
    if (!this.socket) return;
    this.metrics.sent++;
    for (const fn of this.wireListeners) fn({ direction: 'out', bytes, peer: to, local: this.local, session });
    this.socket.send(bytes, to.port, to.address);
  }

  private drop(reason: DropReason, from: Endpoint, packet?: Packet): void {
    this.metrics.drop(reason);
    for (const fn of this.dropListeners) fn({ reason, from, bytes: this.current, packet });
    if (this.flood.dropped(from.address)) this.log.warn({ address: from.address }, 'flood: shedding datagrams from this address for a while');
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ reason, from: `${from.address}:${from.port}`, command: packet?.command, seq: packet?.seq, uid: packet?.uid }, 'dropped datagram');
    }
  }
}
