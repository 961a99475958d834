import { CAPTURE_VERSION, framingOf, type Framing, type Packet } from '../protocol/framing.js';
import { passwordKey, passwordMd5 } from '../protocol/keys.js';
import { cryptoRandom, type RandomSource } from '../protocol/random.js';
import { Status } from '../protocol/bodies/status-block.js';
import { systemClock, type Clock, type Timer } from '../transport/clock.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../transport/requester.js';
import { ClassicSession } from './classic-session.js';
import { ClosedError, isPermanentLoginError, NotOnlineError, TimeoutError } from './errors.js';
import { TypedEmitter } from './events.js';
import { Inbox, DEFAULT_INBOX, type AssembledMessage } from './inbox.js';
import { Link } from './link.js';
import { ModernSession } from './modern-session.js';
import type { FramingSession, FriendList, LoginInfo, OnlineFriend, PushEvent, UserInfo } from './session.js';
import * as social from './social.js';
import type { AddFriendResult, FoundUser, JoinQunResult, QunInfo } from './social.js';
import { splitText } from '../protocol/text.js';
import { splitGbText } from './classic-session.js';
import { MessageRecord, DEFAULT_RECORD_SIZE, type RecordedMessage } from './record.js';

/** Version tag of the classic client the SDK imitates (QQ2005, as pidgin's qq2005 mode). */
export const CLASSIC_CLIENT_VERSION = 0x0d55;
/** Default keep-alive interval (PROTOCOL-MODERN.md §4: every 30 s). */
export const DEFAULT_KEEP_ALIVE_MS = 30_000;
/** Default server address. */
export const DEFAULT_SERVER = '127.0.0.1:8000';

/** Re-login after a lost session: exponential backoff from `initialDelayMs` up to `maxDelayMs`. */
export interface ReconnectOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Attempts before giving up (Infinity = never). */
  maxAttempts: number;
}

/** Defaults of `reconnect: true`. */
export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: Infinity };

/** Client settings; only uid and password are required. */
export interface ClientOptions {
  uid: number;
  password: string;
  /** `host:port` (port 8000 if left out); default 127.0.0.1:8000. */
  server?: string;
  /** Default 'modern' (or what `version` implies when only it is given). */
  framing?: Framing;
  /** Version tag; default 0x3639 (the capture's) for modern, 0x0D55 for classic. */
  version?: number;
  clock?: Clock;
  random?: RandomSource;
  /** Retransmission: default 3 s interval, 5 tries (PROTOCOL.md §8). */
  retry?: Partial<RetryPolicy>;
  /** Keep-alive interval in ms (default 30 000). */
  keepAliveMs?: number;
  /** How long a long message waits for missing fragments before it is shown marked incomplete (ms, default 30 000). */
  partialTimeoutMs?: number;
  /** Re-login when the session is lost (default off). */
  reconnect?: boolean | Partial<ReconnectOptions>;
  /** Local address to bind (default 127.0.0.1 for a loopback server, else all interfaces). */
  bindAddress?: string;
  /** Messages kept in `client.messages`, sent and received (default 1000). */
  recordSize?: number;
}

/** Where the client is in its life. */
export type ClientState = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline' | 'closed';

/** Why a session ended (the `offline` event). */
export type OfflineReason = 'timeout' | 'kicked' | 'login-failed';

/** A received message (once, whole, however often the server pushed it), with its number in `client.messages`. */
export interface IncomingMessage extends AssembledMessage {
  recordId: number;
}

/** The client's events and their payloads. */
export interface ClientEvents {
  [event: string]: unknown;
  message: IncomingMessage;
  friendStatus: { uid: number; status: number };
  online: { uid: number; relogin: boolean };
  offline: { reason: OfflineReason; error?: Error };
  kicked: { text: string };
  reconnecting: { attempt: number; delayMs: number };
  /** A request goes out again: the server has not answered it yet (attempt ≥ 2 of maxTries). */
  retry: { command: number; attempt: number; maxTries: number; server: string };
  /** Someone asks to add you (answer with answerFriend). */
  friendRequest: { uid: number; note: string };
  /** You and `uid` are friends now (they added you, or approved your request). */
  friendAdded: { uid: number };
  /** `uid` refused your request. */
  friendRefused: { uid: number; reason: string };
  /** `uid` ended your friendship. */
  friendRemoved: { uid: number };
  /** A Qun message (once, whole). */
  qunMessage: QunMessage;
  /** A Qun's membership changed (joined, left, applied — to its creator —, approved, refused). */
  qunMembersChanged: { qun: number; uid: number; change: 'joined' | 'left' | 'applied' | 'approved' | 'refused'; note: string };
}

/** A Qun message as the `qunMessage` event gives it. */
export interface QunMessage extends IncomingMessage {
  qun: number;
}

/** Where `send` sends: a user, or a Qun. */
export type SendTarget = { to: number } | { qun: number };

/** Splits `host:port` (port 8000 if absent). */
export function parseServer(server: string): { host: string; port: number } {
  const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(server.trim());
  const port = m?.[2] === undefined ? 8000 : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw new RangeError(`server '${server}' is not host:port`);
  return { host: m[1]!, port };
}

/** Pushes kept while a login is under way (the server may push before its login reply arrives). */
const EARLY_PUSHES = 64;

/**
 * An OICQ client: login (either framing), keep-alive, friend lists, status, messages in and out,
 * lost-session detection and optional re-login. Typed events: message, friendStatus, online, offline, kicked,
 * reconnecting, retry.
 */
export class Client extends TypedEmitter<ClientEvents> {
  readonly uid: number;
  readonly framing: Framing;
  readonly version: number;
  readonly server: string;
  private readonly host: string;
  private readonly port: number;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly retry: RetryPolicy;
  private readonly keepAliveMs: number;
  private readonly reconnect: ReconnectOptions | undefined;
  private readonly pwMd5: Buffer;
  private readonly pwKey: Buffer;
  private readonly inbox: Inbox;
  /** The messages this client sent and received, newest last, bounded (`recordSize`). */
  readonly messages: MessageRecord;
  /** One inbox per Qun (de-duplication and reassembly of its messages). */
  private readonly qunInboxes = new Map<number, Inbox>();
  private inboxTimer?: Timer;
  private link?: Link;
  private session?: FramingSession;
  private _state: ClientState = 'idle';
  private _info?: LoginInfo;
  private status: number = Status.ONLINE;
  /** Bumped whenever the session changes, so late async results of an older one are ignored. */
  private gen = 0;
  private keepAliveTimer?: Timer;
  private reconnectTimer?: Timer;
  private probing = false;
  private early: Packet[] = [];
  private loginPromise?: Promise<LoginInfo>;

  constructor(opts: ClientOptions) {
    super();
    if (!Number.isInteger(opts.uid) || opts.uid < 1 || opts.uid > 0xffffffff) throw new RangeError(`uid ${opts.uid} is not 1..4294967295`);
    this.uid = opts.uid;
    this.framing = opts.framing ?? (opts.version !== undefined ? framingOf(opts.version) : 'modern');
    this.version = opts.version ?? (this.framing === 'modern' ? CAPTURE_VERSION : CLASSIC_CLIENT_VERSION);
    if (framingOf(this.version) !== this.framing) throw new RangeError(`version 0x${this.version.toString(16)} is not a ${this.framing} version tag`);
    this.server = opts.server ?? DEFAULT_SERVER;
    ({ host: this.host, port: this.port } = parseServer(this.server));
    this.clock = opts.clock ?? systemClock;
    this.messages = new MessageRecord(opts.recordSize ?? DEFAULT_RECORD_SIZE);
    this.inbox = new Inbox({ partialTimeoutMs: opts.partialTimeoutMs ?? DEFAULT_INBOX.partialTimeoutMs });
    this.random = opts.random ?? cryptoRandom;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.keepAliveMs = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.reconnect = opts.reconnect ? { ...DEFAULT_RECONNECT, ...(opts.reconnect === true ? {} : opts.reconnect) } : undefined;
    this.pwMd5 = passwordMd5(opts.password);
    this.pwKey = passwordKey(opts.password);
    this.bindAddress = opts.bindAddress;
  }

  private readonly bindAddress: string | undefined;

  /** Where the client is: idle, connecting, online, reconnecting, offline or closed. */
  get state(): ClientState {
    return this._state;
  }

  /** What the last successful login established. */
  get info(): LoginInfo | undefined {
    return this._info;
  }

  /** The local UDP port (0 when no socket is open). */
  get localPort(): number {
    return this.link?.localPort ?? 0;
  }

  // ---------------------------------------------------------------- login and life cycle

  /**
   * Logs in with `status` (default online); resolves when the session key is set. Rejects with
   * WrongPasswordError, UnknownUserError, LoginRefusedError, RedirectRefusedError or TimeoutError.
   */
  login(status: number = Status.ONLINE): Promise<LoginInfo> {
    if (this._state === 'closed') return Promise.reject(new ClosedError());
    if (this._state === 'online' && this._info) return Promise.resolve(this._info);
    if (this.loginPromise) return this.loginPromise;
    this.status = status;
    this.reconnectTimer?.cancel();
    const relogin = this._state === 'reconnecting';
    this.loginPromise = this.attempt(relogin)
      .catch(async (e: unknown) => {
        if (!relogin && this._state !== 'closed') {
          this._state = 'idle';
          await this.dropLink();
        }
        throw e;
      })
      .finally(() => {
        this.loginPromise = undefined;
      });
    return this.loginPromise;
  }

  private async attempt(relogin: boolean): Promise<LoginInfo> {
    const gen = ++this.gen;
    this._state = relogin ? 'reconnecting' : 'connecting';
    const { link, session } = await this.ensureLink();
    this.early = [];
    const info = await session.login(this.status);
    if (gen !== this.gen) throw new ClosedError();
    // The login carries online/invisible (and away for classic); anything else is set right after.
    const carried = this.framing === 'modern' ? [Status.ONLINE, Status.INVISIBLE] : [Status.ONLINE, Status.AWAY, Status.INVISIBLE, Status.BUSY];
    if (!(carried as number[]).includes(this.status)) await session.setStatus(this.status);
    if (gen !== this.gen) throw new ClosedError();
    this._info = info;
    this._state = 'online';
    // A classic server holds queued and new pushes until the session's first request proves the client has
    // the session key (real clients send several at once); a keep-alive now releases them without waiting.
    if (this.framing === 'classic') void this.keepAlive(gen);
    else this.scheduleKeepAlive(gen);
    const early = this.early;
    this.early = [];
    this.emit('online', { uid: this.uid, relogin });
    // Pushes that beat the login reply are read after login() has resolved, so a caller that adds its
    // listeners right after `await client.login()` still sees those messages.
    if (early.length) {
      setImmediate(() => {
        if (gen === this.gen) for (const p of early) this.onPush(link, p);
      });
    }
    return info;
  }

  private async ensureLink(): Promise<{ link: Link; session: FramingSession }> {
    if (this.link?.isOpen && this.session) return { link: this.link, session: this.session };
    const link = new Link({
      host: this.host, port: this.port, framing: this.framing, version: this.version, uid: this.uid,
      clock: this.clock, random: this.random, retry: this.retry, bindAddress: this.bindAddress,
    });
    const ctx = { link, uid: this.uid, passwordMd5: this.pwMd5, passwordKey: this.pwKey, version: this.version, random: this.random, clock: this.clock };
    const session = this.framing === 'modern' ? new ModernSession(ctx) : new ClassicSession(ctx);
    link.onPush = (p) => this.onPush(link, p);
    link.onRetry = (command, attempt, maxTries) => this.emit('retry', { command, attempt, maxTries, server: this.server });
    this.link = link;
    this.session = session;
    await link.open();
    return { link, session };
  }

  private async dropLink(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.session = undefined;
    await link?.close();
  }

  /** Logs out (no reply is expected) and closes: no timers, socket closed when this resolves. */
  async logout(): Promise<void> {
    if (this._state === 'online') this.session?.logout();
    await this.close();
  }

  /** Closes without logging out (the server ends the session by keep-alive timeout). */
  async close(): Promise<void> {
    this.gen++;
    this._state = 'closed';
    this.keepAliveTimer?.cancel();
    this.reconnectTimer?.cancel();
    this.inboxTimer?.cancel();
    this.keepAliveTimer = this.reconnectTimer = undefined;
    await this.dropLink();
  }

  /** Shows a message still missing fragments once it waited long enough (marked incomplete), never drops it. */
  private scheduleInboxExpiry(): void {
    this.inboxTimer?.cancel();
    this.inboxTimer = undefined;
    const at = this.inbox.nextExpiry();
    if (at === undefined) return;
    this.inboxTimer = this.clock.setTimeout(() => {
      this.inboxTimer = undefined;
      for (const m of this.inbox.expire(this.clock.now())) this.emit('message', this.received(m));
      this.scheduleInboxExpiry();
    }, Math.max(0, at - this.clock.now()));
  }

  // ---------------------------------------------------------------- keep-alive and lost sessions

  private scheduleKeepAlive(gen: number): void {
    this.keepAliveTimer?.cancel();
    this.keepAliveTimer = this.clock.setTimeout(() => void this.keepAlive(gen), this.keepAliveMs);
  }

  private async keepAlive(gen: number): Promise<void> {
    if (gen !== this.gen || this._state !== 'online' || !this.session) return;
    this.keepAliveTimer?.cancel();
    this.probing = true;
    try {
      await this.session.keepAlive();
      if (gen === this.gen) this.scheduleKeepAlive(gen);
    } catch (e) {
      if (gen === this.gen && this._state === 'online') this.lost('timeout', e instanceof Error ? e : undefined);
    } finally {
      if (gen === this.gen) this.probing = false;
    }
  }

  /** The session is gone: tell the user, then re-login (if enabled) or close the socket. */
  private lost(reason: OfflineReason, error?: Error): void {
    this.gen++;
    this.probing = false;
    this.keepAliveTimer?.cancel();
    const again = this.reconnect !== undefined && reason !== 'kicked';
    this._state = again ? 'reconnecting' : 'offline';
    this.link?.failPending(new NotOnlineError(this._state));
    this.emit('offline', error ? { reason, error } : { reason });
    if (again) this.scheduleReconnect(0);
    else void this.dropLink();
  }

  private scheduleReconnect(attempt: number): void {
    const r = this.reconnect!;
    const base = Math.min(r.maxDelayMs, r.initialDelayMs * 2 ** attempt);
    // Jitter in [50 %, 100 %] so many clients do not come back in step.
    const delayMs = Math.round(base * (0.5 + this.random(1)[0]! / 510));
    this.emit('reconnecting', { attempt: attempt + 1, delayMs });
    this.reconnectTimer = this.clock.setTimeout(() => {
      if (this._state !== 'reconnecting') return;
      this.login(this.status).catch((e: unknown) => {
        if (this._state !== 'reconnecting') return;
        if (isPermanentLoginError(e) || attempt + 1 >= r.maxAttempts) {
          this._state = 'offline';
          void this.dropLink();
          this.emit('offline', { reason: 'login-failed', error: e instanceof Error ? e : new Error(String(e)) });
          return;
        }
        this.scheduleReconnect(attempt + 1);
      });
    }, delayMs);
  }

  // ---------------------------------------------------------------- pushes

  private onPush(link: Link, p: Packet): void {
    if (link !== this.link || !this.session) return;
    if (this._state !== 'online') {
      // A push that beat the login reply: read it once the session key is known.
      if ((this._state === 'connecting' || this._state === 'reconnecting') && this.early.length < EARLY_PUSHES) this.early.push(p);
      return;
    }
    const ev = this.session.readPush(p);
    if (ev) this.handle(ev);
  }

  private handle(ev: PushEvent): void {
    switch (ev.kind) {
      case 'message': {
        for (const m of this.inbox.accept(ev.fragment, this.clock.now())) this.emit('message', this.received(m));
        this.scheduleInboxExpiry();
        return;
      }
      case 'status':
        return this.emit('friendStatus', { uid: ev.uid, status: ev.status });
      case 'kicked':
        this.emit('kicked', { text: ev.text });
        return this.lost('kicked');
      case 'qun': {
        let inbox = this.qunInboxes.get(ev.qun.qun);
        if (!inbox) this.qunInboxes.set(ev.qun.qun, (inbox = new Inbox()));
        for (const m of inbox.accept(ev.qun.fragment, this.clock.now())) this.emit('qunMessage', { ...this.received(m, ev.qun.qun), qun: ev.qun.qun });
        return;
      }
      case 'notice': {
        const n = ev.notice;
        if (n.kind === 'qunMembersChanged') return this.emit('qunMembersChanged', { qun: n.qun, uid: n.uid, change: n.change, note: n.note });
        if (n.kind === 'friendRequest') return this.emit('friendRequest', { uid: n.uid, note: n.note });
        if (n.kind === 'friendRefused') return this.emit('friendRefused', { uid: n.uid, reason: n.reason });
        return this.emit(n.kind, { uid: n.uid });
      }
    }
  }

  /** Records a received message (private, or in `qun`) and numbers it. */
  private received(m: AssembledMessage, qun?: number): IncomingMessage {
    const r = this.messages.add({ direction: 'in', kind: qun === undefined ? 'private' : 'qun', peer: qun ?? m.from, from: m.from, text: m.text, time: m.time, messageId: m.messageId });
    return { ...m, recordId: r.id };
  }

  // ---------------------------------------------------------------- requests

  /** Runs a session request; a timeout makes the client check the session at once with a keep-alive. */
  private async use<T>(fn: (s: FramingSession) => Promise<T>): Promise<T> {
    if (this._state !== 'online' || !this.session) throw this._state === 'closed' ? new ClosedError() : new NotOnlineError(this._state);
    try {
      return await fn(this.session);
    } catch (e) {
      if (e instanceof TimeoutError && this._state === 'online' && !this.probing) void this.keepAlive(this.gen);
      throw e;
    }
  }

  /** The friend list with its groups (modern 0x00EB + 0x0001 + 0x0126; classic 0x0026 + 0x0058). */
  getFriends(): Promise<FriendList> {
    return this.use((s) => s.getFriends());
  }

  /** Friends online now, following the paging to the end. */
  getOnlineFriends(): Promise<OnlineFriend[]> {
    return this.use((s) => s.getOnlineFriends());
  }

  /** A user's public info (modern 0x003C nick; classic 0x0006). */
  getUserInfo(uid: number): Promise<UserInfo> {
    return this.use((s) => s.getUserInfo(uid));
  }

  /** Changes the status (Status.ONLINE, AWAY, INVISIBLE, BUSY …); kept for re-logins. */
  async setStatus(status: number): Promise<void> {
    await this.use((s) => s.setStatus(status));
    this.status = status;
  }

  /** Asks for an auxiliary key (0x001D with sub-command `sub`, e.g. 4 = file transfer). */
  requestKey(sub: number): Promise<Buffer> {
    return this.use((s) => s.requestKey(sub));
  }

  /**
   * Sends a text message (split into fragments when long); resolves with its message id once the server
   * acked every fragment `00`, rejects with SendFailedError otherwise (or TimeoutError).
   */
  async sendMessage(to: number, text: string): Promise<number> {
    return (await this.send({ to }, text)).messageId;
  }

  /**
   * Sends to a user (`{ to }`, as sendMessage) or a Qun (`{ qun }`, as sendQunMessage); resolves, once the server
   * took every fragment, with the message as `client.messages` now holds it.
   */
  async send(target: SendTarget, text: string): Promise<RecordedMessage> {
    const time = new Date(this.clock.now());
    if ('to' in target) {
      const messageId = await this.use((s) => s.sendMessage(target.to, text));
      return this.messages.add({ direction: 'out', kind: 'private', peer: target.to, from: this.uid, text, time, messageId });
    }
    const split = this.framing === 'modern' ? (t: string, n: number) => splitText(t, n) : (t: string, n: number) => splitGbText(t, n);
    const messageId = await this.use((s) => social.sendQunMessage(s.social(), target.qun, text, split));
    return this.messages.add({ direction: 'out', kind: 'qun', peer: target.qun, from: this.uid, text, time, messageId });
  }

  // ---------------------------------------------------------------- friends and Qun

  /** Users by number or by nick (part of it), or everyone online (`{ online: true }`); one page of 20. */
  searchUsers(q: { uid?: number; nick?: string; online?: boolean }, page = 0): Promise<FoundUser[]> {
    return this.use((s) => social.searchUsers(s.social(), q, page));
  }

  /**
   * Asks to add `uid`: 'accepted' (friends now), 'needs-authorization' (with a note the request was sent; the
   * answer comes as friendAdded or friendRefused), or 'refused' (they accept nobody, or no such user).
   */
  addFriend(uid: number, note?: string): Promise<AddFriendResult> {
    return this.use((s) => s.addFriend(uid, note));
  }

  /** Accepts or refuses `uid`'s friend request. */
  answerFriend(uid: number, accept: boolean, reason?: string): Promise<void> {
    return this.use((s) => s.answerFriend(uid, accept, reason));
  }

  /** Ends the friendship with `uid` (both sides; they get friendRemoved). */
  removeFriend(uid: number): Promise<void> {
    return this.use((s) => s.removeFriend(uid));
  }

  /** Creates a Qun; resolves with its number. */
  createQun(name: string, authType?: number): Promise<number> {
    return this.use((s) => social.createQun(s.social(), name, authType));
  }

  /** Joins a Qun; with a note, a Qun that needs approval gets the request. */
  joinQun(qun: number, note?: string): Promise<JoinQunResult> {
    return this.use((s) => social.joinQun(s.social(), qun, note));
  }

  /** The creator approves or refuses a request to join. */
  answerQun(qun: number, uid: number, accept: boolean, reason?: string): Promise<void> {
    return this.use((s) => social.answerQun(s.social(), qun, uid, accept, reason));
  }

  /** Leaves a Qun (its creator leaving dismisses it). */
  leaveQun(qun: number): Promise<void> {
    return this.use((s) => social.leaveQun(s.social(), qun));
  }

  /** A Qun's name, creator and members with roles. */
  qunMembers(qun: number): Promise<QunInfo> {
    return this.use((s) => social.qunInfo(s.social(), qun));
  }

  /** Members of a Qun online now. */
  qunOnline(qun: number): Promise<number[]> {
    return this.use((s) => social.qunOnline(s.social(), qun));
  }

  /** Sends a message to a Qun; resolves once the server stored every fragment. */
  async sendQunMessage(qun: number, text: string): Promise<void> {
    await this.send({ qun }, text);
  }
}
