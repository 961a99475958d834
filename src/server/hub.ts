import type { Logger } from 'pino';
import type { Clock, Timer } from '../transport/clock.js';
import { TimerQueue } from '../transport/timer-queue.js';
import type { NewMessage, Store, StoredMessage } from '../store/store.js';
import { imKey } from '../protocol/keys.js';
import { isStatusCode } from '../protocol/bodies/status-block.js';
import type { RandomSource } from '../protocol/random.js';
import type { Metrics } from './metrics.js';
import { Session, type CloseReason, type Endpoint, type Presence, type SenderInfo, type SessionInit } from './session.js';
import { SessionTable } from './sessions.js';
import { PresenceFanout } from './presence.js';
import { GroupCommit, type SubmitResult } from './group-commit.js';
import { Delivery, DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './delivery.js';
import { Friendships } from './social/friends.js';
import { DEFAULT_QUN_LIMITS, Quns, type QunLimits } from './social/quns.js';
import { MailboxPolicy, DEFAULT_MAILBOX, type MailboxOptions } from './mailbox-policy.js';
import { HeldSends } from './held-sends.js';

export type { SubmitResult } from './group-commit.js';

/** Timers and limits of the core (the mailbox limits are MailboxPolicy's). */
export interface HubOptions extends DeliveryOptions, MailboxOptions {
  /** A session that sends nothing for this long is closed (keep-alive interval × missed keep-alives). */
  sessionTimeoutMs: number;
  /** After a commit failed (e.g. disk full), retry the delivery marks it held after this long. */
  commitRetryMs: number;
  /**
   * How long a send to an online receiver waits for the receiver's ack before it is stored (ms); acked within it, it
   * is never written (HeldSends). 0: every send is stored before it is pushed.
   */
  ackHoldMs: number;
  /** Size limits of Qun (members per Qun, Qun created per user). */
  qun?: QunLimits;
  /**
   * Sessions the sweep visits per second at most: a large table gets a longer round (up to a quarter of the
   * session timeout), so its cost stays flat as the table grows instead of growing with it.
   */
  sweepVisitsPerSecond?: number;
}

/** What a cluster adds to the core (src/cluster/): presence in Redis, doorbells to the other nodes. */
export interface ClusterLink {
  /** A session opened here (after the login was accepted). */
  opened(s: Session): void;
  /** A session here ended. */
  closed(s: Session, reason: CloseReason): void;
  /** Committed inbox entries whose receiver has no session here: another node may have it. */
  elsewhere(msgs: readonly StoredMessage[]): void;
  /** Whether new logins must be refused "busy" now (presence cannot be recorded). */
  refusesLogins(): boolean;
  /**
   * Where a login of `uid` should go instead of here (a seed's redirect), or undefined to serve it here.
   * `samePort`: the reply can carry an IP only (0x0091), so only nodes on this node's port qualify.
   */
  redirectFor(uid: number, samePort: boolean): Endpoint | undefined;
  /** What friends see of a session here changed (told to its friends here already). */
  presenceChanged(s: Session, shown: Presence): void;
  /** Which of `uids` (not online here) are online and visible on other nodes: one round trip for all of them. */
  onlineElsewhere(uids: readonly number[]): Promise<Presence[]>;
}

/** Longest a new session's queued messages wait for the client to be ready (see holdPending). */
export const PENDING_HOLD_MS = 1500;

/**
 * A session's duplicate window is freed once no reply was remembered for this long: clients re-send a request
 * for at most 5–10 tries 3–5 s apart (PROTOCOL.md §8), so a repeat arriving later is a new request.
 */
export const REPLY_HOLD_MS = 60_000;

/** The sweep visits the whole table once per round, in this many steps (never every session at once). */
export const SWEEP_STEPS_PER_ROUND = 50;
/** A step visits at least this many sessions (a small table is swept in one step). */
export const SWEEP_MIN_BUDGET = 256;
/** Default of HubOptions.sweepVisitsPerSecond: up to 50 000 sessions the round stays 5 s. */
export const SWEEP_VISITS_PER_SECOND = 10_000;

/**
 * How long one sweep round over `sessions` sessions lasts (ms): 5 s, or a quarter of the session timeout when that
 * is shorter; longer for a table too large to visit at `visitsPerSecond`, but never past a quarter of the timeout
 * (a silent session is closed at most that late).
 */
export function sweepRoundMs(sessions: number, sessionTimeoutMs: number, visitsPerSecond = SWEEP_VISITS_PER_SECOND): number {
  const longest = Math.max(50, Math.floor(sessionTimeoutMs / 4));
  const base = Math.min(5_000, longest);
  return Math.min(longest, Math.max(base, Math.ceil((sessions * 1000) / visitsPerSecond)));
}

export const DEFAULT_HUB_OPTIONS: HubOptions = {
  ...DEFAULT_DELIVERY_OPTIONS,
  ...DEFAULT_MAILBOX,
  commitRetryMs: 1_000,
  ackHoldMs: 100,
  sessionTimeoutMs: 180_000,
};

/** Longest ack hold the options accept: shorter than the shortest push silence, so a give-up always finds it stored. */
export const MAX_ACK_HOLD_MS = 1_000;

/**
 * The framing-neutral core the framings call: it wires the session table, presence fan-out, the group commit
 * and delivery together, and keeps the session life cycle (open, seen, sweep, close) in one place.
 */
export class Hub {
  readonly sessions = new SessionTable();
  readonly presence: PresenceFanout;
  readonly commit: GroupCommit;
  readonly delivery: Delivery;
  /** Sends pushed before they are stored, waiting for their ack. */
  readonly held: HeldSends;
  /** Friend search, requests and answers, removal (with their system messages). */
  readonly friends: Friendships;
  /** Qun: membership, info and messages. */
  readonly quns: Quns;
  readonly mailbox: MailboxPolicy;
  /** One timer structure for every session's waits (push retries, held logins), on the injected clock. */
  readonly timers: TimerQueue;
  /** Sessions the last sweep step visited (the sweep is incremental: see start). */
  lastSweepVisited = 0;
  private sweepTimer?: Timer;
  private cluster?: ClusterLink;

  constructor(
    readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly random: RandomSource,
    private readonly log: Logger,
    readonly opts: HubOptions = DEFAULT_HUB_OPTIONS,
  ) {
    this.presence = new PresenceFanout(store, this.sessions);
    this.mailbox = new MailboxPolicy(store, clock, opts);
    this.timers = new TimerQueue(clock);
    this.delivery = new Delivery(this.timers, metrics, opts, {
      senderInfo: (uid) => this.senderInfo(uid),
      markDelivered: (m) => {
        // Qun and system messages are not counted against the mailbox (see MailboxPolicy), so only IMs release.
        if (!m.kind) this.mailbox.release(m);
        if (m.hold) this.held.acked(m.hold);
        else this.commit.markDelivered(m.id);
      },
      orphaned: (hold, gone) => this.held.orphan(hold, gone),
    });
    this.commit = new GroupCommit(store, clock, metrics, log, {
      admit: (m) => this.mailbox.admit(m, this.sessions.get(m.receiver) !== undefined),
      release: (m) => this.mailbox.release(m),
      reset: () => this.mailbox.reset(),
    }, (fresh) => this.deliverStored(fresh), opts.commitRetryMs);
    this.held = new HeldSends(this.timers, this.delivery, metrics, Math.min(opts.ackHoldMs, MAX_ACK_HOLD_MS), {
      receiver: (uid) => {
        const s = this.sessions.get(uid);
        return s?.pendingLoaded && !s.closed ? s : undefined;
      },
      store: (h) => this.commit.storeAdmitted(h),
      markDelivered: (id) => this.commit.markDelivered(id),
      sender: (uid) => this.sessions.get(uid),
      release: (m) => this.mailbox.release(m),
      deliverStored: (msgs) => this.deliverStored(msgs),
    }, random(4).readUInt32BE(0));
    this.commit.fastPath = (m, done) => this.held.take(m, done);
    const deliver = (fresh: readonly StoredMessage[]) => this.deliverStored(fresh);
    this.friends = new Friendships(store, this.sessions, deliver);
    this.quns = new Quns(store, this.sessions, deliver, opts.qun ?? DEFAULT_QUN_LIMITS);
  }

  /**
   * Hands inbox entries that were just committed (private, Qun or system messages) to delivery: pushed now
   * to online receivers, in their framing; offline receivers get them from the store at login.
   */
  deliverStored(fresh: readonly StoredMessage[]): void {
    let away: StoredMessage[] | undefined;
    for (const m of fresh) {
      const s = this.sessions.get(m.receiver);
      // Not before deliverPending: the message is stored, and deliverPending queues it after the older ones.
      if (s?.pendingLoaded) this.delivery.enqueue(s, m);
      else if (!s && this.cluster) (away ??= []).push(m);
    }
    if (away) this.cluster!.elsewhere(away);
  }

  /** Whether new logins are answered "busy" now (a cluster node that cannot record presence). */
  loginsPaused(): boolean {
    return this.cluster?.refusesLogins() ?? false;
  }

  /** Where a login of `uid` is redirected to (a cluster seed), or undefined to serve it here. */
  redirectFor(uid: number, samePort: boolean): Endpoint | undefined {
    return this.cluster?.redirectFor(uid, samePort);
  }

  /** Joins a cluster: the link hears of sessions opening and closing here and of messages for receivers elsewhere. */
  link(cluster: ClusterLink): void {
    this.cluster = cluster;
    this.presence.onBroadcast = (s, shown) => cluster.presenceChanged(s, shown);
  }

  /**
   * Queues a session's undelivered messages that are in the store and not queued or in flight here yet (another
   * node stored them). Call it after the turn's commit, so a push acked in this turn is not pushed again.
   */
  refreshPending(s: Session): number {
    if (s.closed || !s.pendingLoaded) return 0;
    const known = new Set<number>();
    for (const pair of s.pairs?.values() ?? []) {
      for (const m of pair.queue) known.add(m.hold?.storedId ?? m.id);
      if (pair.inflight) known.add(pair.inflight.msg.hold?.storedId ?? pair.inflight.msg.id);
    }
    const fresh = this.store.pendingFor(s.uid, this.opts.maxPendingPerUser + this.opts.maxStrangerPending).filter((m) => !known.has(m.id));
    for (const m of fresh) this.delivery.enqueue(s, m);
    return fresh.length;
  }

  /**
   * Starts the sweep: rounds over every session (sweepRoundMs: 5 s, longer for a large table), each made of
   * SWEEP_STEPS_PER_ROUND steps that visit their share of the table, so no turn walks every session.
   */
  start(): void {
    // The round's length and budget are fixed at its start (from the table's size then), so closing sessions does not slow it.
    let every = 0;
    let perStep = 0;
    const plan = () => {
      const n = this.sessions.size;
      every = Math.max(1, Math.floor(sweepRoundMs(n, this.opts.sessionTimeoutMs, this.opts.sweepVisitsPerSecond) / SWEEP_STEPS_PER_ROUND));
      perStep = Math.max(SWEEP_MIN_BUDGET, Math.ceil(n / SWEEP_STEPS_PER_ROUND));
    };
    plan();
    const tick = () => {
      if (this.sweepStep(perStep) < perStep) plan();
      this.sweepTimer = this.clock.setTimeout(tick, every);
    };
    this.sweepTimer = this.clock.setTimeout(tick, every);
  }

  /** Closes every session (no presence pushes) and stops timers. Pending submissions are flushed first. */
  stop(): void {
    this.commit.stop();
    // Sends of this turn first (one may still be held), then every hold into the store.
    this.commit.fastPath = undefined;
    this.commit.safeFlush(false);
    this.held.storeAll();
    this.commit.safeFlush(false);
    this.sweepTimer?.cancel();
    for (const s of [...this.sessions.all()]) this.close(s, 'shutdown');
    this.timers.stop();
  }

  /** The online session of a uid. */
  get(uid: number): Session | undefined {
    return this.sessions.get(uid);
  }

  /** Number of users online (at least 1 is reported to clients: a keep-alive count of 0 drops them). */
  onlineCount(): number {
    return this.sessions.size;
  }

  /** Whether a live session is bound to this endpoint (its datagrams are never shed). */
  hasEndpoint(e: { address: string; port: number }): boolean {
    return this.sessions.hasEndpoint(e);
  }

  /** The live session bound to this endpoint, if any. */
  atEndpoint(e: { address: string; port: number }): Session | undefined {
    return this.sessions.atEndpoint(e);
  }

  /**
   * Ends a user's session on an operator's word: the client gets the framing's "logged in elsewhere" notice
   * (or `reason` in its place) and friends see it go offline. Returns false when the user is not online.
   */
  kick(uid: number, reason?: string): boolean {
    const s = this.sessions.get(uid);
    if (!s) return false;
    s.output.kicked?.(s, reason);
    this.close(s, 'kicked');
    return true;
  }

  /** Messages queued or in flight to an online session. */
  pendingPushes(s: Session): number {
    return this.delivery.pendingIn(s);
  }

  /** All sessions (for tests and metrics). */
  all(): IterableIterator<Session> {
    return this.sessions.all();
  }

  /** Opens a session after a successful login; replaces (kicks) an older session of the same uid. Then call deliverPending. */
  open(init: SessionInit): Session {
    const old = this.sessions.get(init.uid);
    if (old) {
      old.output.kicked?.(old);
      this.close(old, 'replaced');
    }
    const seed = this.random(2);
    const s = new Session(init, this.clock.now(), this.random(16), (seed[0]! << 8) | seed[1]!, this.opts.pushRto);
    this.sessions.add(s);
    this.metrics.loginsOk++;
    // Checked first: the line's fields (a string among them) are not built for every login when info is off.
    if (this.log.isLevelEnabled('info')) this.log.info({ uid: s.uid, framing: s.framing, version: s.version, from: `${s.endpoint.address}:${s.endpoint.port}` }, 'login');
    // Friends who already see the user online are not told again; a changed status still reaches them.
    if (old) this.presence.replaced(old, s);
    else this.presence.online(s);
    this.cluster?.opened(s);
    return s;
  }

  /**
   * Starts pushing a new session's undelivered messages. Framings call it right after sending the login reply:
   * a push that arrives before it cannot be opened by the client yet.
   */
  deliverPending(s: Session): void {
    if (s.closed || s.pendingLoaded) return;
    s.pendingLoaded = true;
    // Friends' and strangers' quotas are apart: a full mailbox holds both.
    this.delivery.load(s, this.store.pendingFor(s.uid, this.opts.maxPendingPerUser + this.opts.maxStrangerPending));
  }

  /**
   * Holds a new session's queued messages back until the framing releases them (deliverPending), at most
   * PENDING_HOLD_MS: a client that has not installed its session key yet drops them and remembers their
   * (command, sequence), so the re-sends would look like duplicates to it.
   */
  holdPending(s: Session): void {
    this.timers.setTimeout(() => this.deliverPending(s), PENDING_HOLD_MS);
  }

  /** Ends a session: friends see it go offline (unless it was replaced or the server stops). */
  close(s: Session, reason: CloseReason): void {
    if (s.closed) return;
    s.closed = true;
    this.delivery.drop(s);
    this.sessions.remove(s);
    s.releaseKeys();
    if (reason === 'timeout') this.metrics.timeouts++;
    if (reason === 'logout') this.metrics.logouts++;
    if (this.log.isLevelEnabled('info')) this.log.info({ uid: s.uid, reason }, 'logout');
    if (reason !== 'replaced' && reason !== 'shutdown') this.presence.offline(s);
    this.cluster?.closed(s, reason);
  }

  /** Records that a session is alive (any valid packet); resumes deliveries waiting for it. */
  seen(s: Session): void {
    s.lastSeen = this.clock.now();
    this.delivery.seen(s);
  }

  /**
   * Changes a user's status and tells online friends (invisible looks offline to them). A byte the protocol
   * does not define is refused (false) and reaches no one: clients show an unknown status as offline.
   */
  setStatus(s: Session, status: number): boolean {
    if (!isStatusCode(status)) return false;
    this.presence.setStatus(s, status);
    return true;
  }

  /** What friends see of a session. */
  presenceOf(s: Session): Presence {
    return this.presence.of(s);
  }

  /** A user's friends that are online and visible here, in uid order. */
  onlineFriends(uid: number): Presence[] {
    return this.presence.onlineFriends(uid);
  }

  /**
   * A user's friends online and visible on any node, in uid order, to `done`: at once on a single server; in a
   * cluster after one Redis round trip for the friends not here (only those here if Redis does not answer).
   */
  onlineFriendsEverywhere(uid: number, done: (online: Presence[]) => void): void {
    const here = this.presence.onlineFriends(uid);
    const cluster = this.cluster;
    if (!cluster) return done(here);
    const away = this.store.friendUids(uid).filter((f) => !this.get(f));
    if (away.length === 0) return done(here);
    cluster.onlineElsewhere(away).then(
      (there) => done([...here, ...there].sort((a, b) => a.uid - b.uid)),
      () => done(here),
    );
  }

  /**
   * One step of the sweep over at most `budget` sessions: closes those not seen within the timeout and frees
   * duplicate windows idle for REPLY_HOLD_MS. Returns how many it visited (also kept in lastSweepVisited).
   */
  sweepStep(budget: number): number {
    const now = this.clock.now();
    const limit = now - this.opts.sessionTimeoutMs;
    this.lastSweepVisited = this.sessions.sweepStep(budget, (s) => {
      if (s.lastSeen < limit) this.close(s, 'timeout');
      else s.releaseReplies(now, REPLY_HOLD_MS);
    });
    return this.lastSweepVisited;
  }

  /**
   * Stores message fragments durably (group commit with other submissions of the same turn) — or, to an online
   * receiver, delivers them before storing (HeldSends) — then calls `done` (stored or acked); only then may the
   * framing answer the send.
   */
  submit(msgs: NewMessage[], done: (results: SubmitResult[]) => void): void {
    this.commit.submit(msgs, done);
  }

  /**
   * Message pushes the server still owes its online sessions: sends not yet stored, messages queued or in
   * flight (not acked yet, or paused after a give-up), and a session's stored backlog not yet loaded. 0 means
   * every push to an online receiver was acked (what tests wait for before asserting nothing more arrives).
   */
  outstandingPushes(): number {
    let n = this.commit.queuedMessages();
    for (const s of this.sessions.all()) n += s.pendingLoaded ? this.delivery.pendingIn(s) : this.store.pendingCount(s.uid);
    return n;
  }

  /** A receiver acked the push with server sequence `seq`; returns false for an unknown or repeated ack. */
  ack(s: Session, seq: number): boolean {
    return this.delivery.ack(s, seq);
  }

  private senderInfo(uid: number): SenderInfo {
    const s = this.sessions.get(uid);
    if (s) return { ip: s.ip, port: s.endpoint.port, clientVersion: s.version, imKey: s.imKey };
    return { ip: 0, port: 0, clientVersion: 0, imKey: imKey(uid, Buffer.alloc(16)) };
  }
}
