// One bot account behind the OneBot gateway: an SDK client, the lookups events and actions need (nicknames, Qun
// roles), the stream of OneBot events every transport shares, and the heartbeat. The transports only move JSON.
import { Client, TypedEmitter, type IncomingMessage, type QunInfo, type QunMessage } from '../client/index.js';
import * as E from './events.js';

/** Gateway settings that are not about a transport. */
export interface BotOptions {
  /** How events carry messages (default 'string': CQ codes, as go-cqhttp's default). */
  messageFormat?: E.MessageFormat;
  /** Heartbeat meta event interval in ms (default 5000; 0 = none). */
  heartbeatMs?: number;
  /** Gap between two `_rate_limited` actions in ms (default 500). */
  rateLimitMs?: number;
}

/** Default heartbeat interval (ms). */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Default gap between rate-limited actions (ms). */
export const DEFAULT_RATE_LIMIT_MS = 500;

/** The bot's events: `event` carries every OneBot event in the order the SDK reported what caused it. */
export interface BotEvents {
  [event: string]: unknown;
  event: E.OneBotEvent;
  /** An `_async` or `_rate_limited` action failed after it was answered (nobody else would hear of it). */
  asyncError: { action: string; error: Error };
}

/** A OneBot v11 view of one SDK client. */
export class OneBot extends TypedEmitter<BotEvents> {
  readonly messageFormat: E.MessageFormat;
  readonly heartbeatMs: number;
  readonly rateLimitMs: number;
  nickname = '';
  private readonly friends = new Map<number, string>();
  private readonly nicks = new Map<number, string>();
  private readonly quns = new Map<number, Promise<QunInfo>>();
  /** Events are built in order even when one needs a lookup first; none leaves before start() loaded the friends. */
  private chain: Promise<void>;
  private ready!: () => void;
  private rateChain: Promise<void> = Promise.resolve();
  private heartbeat?: NodeJS.Timeout;

  /** Listens to `client` at once (messages that arrive right after its login are not missed); log it in yourself. */
  constructor(readonly client: Client, opts: BotOptions = {}) {
    super();
    this.messageFormat = opts.messageFormat ?? 'string';
    this.heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.rateLimitMs = opts.rateLimitMs ?? DEFAULT_RATE_LIMIT_MS;
    this.chain = new Promise((r) => (this.ready = r));
    client.on('message', (m) => this.queue(() => this.privateMessage(m)));
    client.on('qunMessage', (m) => this.queue(() => this.groupMessage(m)));
    client.on('friendAdded', ({ uid }) => this.queue(async () => {
      await this.refreshFriends();
      return E.friendAddEvent(this.selfId, new Date(), uid);
    }));
    client.on('friendRemoved', () => this.queue(async () => void (await this.refreshFriends())));
    client.on('friendRequest', ({ uid, note }) => this.queue(async () => E.friendRequestEvent(this.selfId, new Date(), uid, note)));
    client.on('qunMembersChanged', ({ qun, uid, change, note }) => {
      this.quns.delete(qun);
      if (change === 'applied') this.queue(async () => E.groupRequestEvent(this.selfId, new Date(), qun, uid, note));
    });
  }

  /** The bot's QQ number. */
  get selfId(): number {
    return this.client.uid;
  }

  /** Whether the SDK session is up. */
  get online(): boolean {
    return this.client.state === 'online';
  }

  /** After the client's login: loads the nickname and friends, starts the heartbeat. */
  async start(): Promise<void> {
    this.nickname = (await this.client.getUserInfo(this.selfId).catch(() => undefined))?.nick ?? '';
    await this.refreshFriends();
    this.ready();
    if (this.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.emit('event', E.heartbeatEvent(this.selfId, new Date(), this.online, this.heartbeatMs)), this.heartbeatMs);
    }
  }

  /** Stops the heartbeat (the client is the caller's to log out). */
  stop(): void {
    clearInterval(this.heartbeat);
  }

  /** The lifecycle.connect event a new WebSocket gets first. */
  connectEvent(): E.OneBotEvent {
    return E.lifecycleEvent(this.selfId, new Date(), 'connect');
  }

  /** Whether `uid` is a friend (as of the last friend-list load). */
  isFriend(uid: number): boolean {
    return this.friends.has(uid);
  }

  /** Friends and their nicknames. */
  friendList(): { uid: number; nick: string }[] {
    return [...this.friends].map(([uid, nick]) => ({ uid, nick }));
  }

  /** Reloads the friend list. */
  async refreshFriends(): Promise<void> {
    const { friends } = await this.client.getFriends();
    this.friends.clear();
    for (const f of friends) this.friends.set(f.uid, f.nick);
  }

  /** A user's nickname: the friend list's, else asked once and kept ('' when the server does not say). */
  async nickOf(uid: number, fresh = false): Promise<string> {
    if (uid === this.selfId && this.nickname && !fresh) return this.nickname;
    const friend = this.friends.get(uid);
    if (friend !== undefined && !fresh) return friend;
    const known = this.nicks.get(uid);
    if (known !== undefined && !fresh) return known;
    const nick = (await this.client.getUserInfo(uid)).nick;
    this.nicks.set(uid, nick);
    return nick;
  }

  /** A Qun's info, kept until its membership changes. */
  qunInfo(qun: number): Promise<QunInfo> {
    let p = this.quns.get(qun);
    if (!p) {
      p = this.client.qunMembers(qun);
      this.quns.set(qun, p);
      p.catch(() => this.quns.delete(qun));
    }
    return p;
  }

  /** A member's OneBot role: the creator is the owner, other members with a role are admins. */
  static roleOf(info: QunInfo, uid: number): E.Role {
    if (uid === info.creator) return 'owner';
    return info.members.find((m) => m.uid === uid)?.role ? 'admin' : 'member';
  }

  /** Runs `fn` after every earlier rate-limited action, `rateLimitMs` after the previous one. */
  rateLimited(fn: () => Promise<void>): void {
    this.rateChain = this.rateChain.then(fn).catch(() => undefined).then(() => new Promise((r) => setTimeout(r, this.rateLimitMs)));
  }

  /** Reports a failure of an action that was already answered `async`. */
  asyncFailed(action: string, error: Error): void {
    this.emit('asyncError', { action, error });
  }

  private queue(build: () => Promise<E.OneBotEvent | void>): void {
    this.chain = this.chain.then(build).then((ev) => {
      if (ev) this.emit('event', ev);
    }, () => undefined);
  }

  private async privateMessage(m: IncomingMessage): Promise<E.OneBotEvent> {
    const nickname = await this.nickOf(m.from).catch(() => '');
    return E.privateMessageEvent(this.selfId, m, { isFriend: this.isFriend(m.from), nickname, format: this.messageFormat });
  }

  private async groupMessage(m: QunMessage): Promise<E.OneBotEvent> {
    const [nickname, info] = await Promise.all([this.nickOf(m.from).catch(() => ''), this.qunInfo(m.qun).catch(() => undefined)]);
    return E.groupMessageEvent(this.selfId, m, { nickname, role: info ? OneBot.roleOf(info, m.from) : 'member', format: this.messageFormat });
  }
}
