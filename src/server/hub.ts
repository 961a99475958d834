import type { Logger } from 'pino';
import type { Clock, Timer } from '../transport/clock.js';
import type { NewMessage, Store, StoredMessage } from '../store/store.js';
import { checkMessage } from '../store/validate.js';
import { imKey } from '../protocol/keys.js';
import { Status } from '../protocol/bodies/status-block.js';
import type { RandomSource } from '../protocol/random.js';
import type { Metrics } from './metrics.js';
import { MailboxPolicy, DEFAULT_MAILBOX, type MailboxOptions, type Refusal } from './mailbox-policy.js';
import { Session, type CloseReason, type PairQueue, type Presence, type SenderInfo, type SessionInit } from './session.js';

/** Timers and limits of the core (the mailbox limits are MailboxPolicy's). */
export interface HubOptions extends MailboxOptions {
  /** A session that sends nothing for this long is closed (keep-alive interval × missed keep-alives). */
  sessionTimeoutMs: number;
  /** Re-send an unacked message push after this long. */
  pushRetryMs: number;
  /** Sends of one push before it is given up and kept for later. */
  pushMaxTries: number;
  /** After giving up, wait this long before pushing to that receiver again (or until it logs in again). */
  pushPauseMs: number;
  /** After a commit failed (e.g. disk full), retry the delivery marks it held after this long. */
  commitRetryMs: number;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = {
  ...DEFAULT_MAILBOX,
  sessionTimeoutMs: 180_000,
  pushRetryMs: 3_000,
  pushMaxTries: 5,
  pushPauseMs: 60_000,
  commitRetryMs: 1_000,
};

/** The outcome of submitting one message fragment. */
export type SubmitResult = { ok: true; id: number; duplicate: boolean } | { ok: false; reason: Refusal | 'bad_message' | 'store_failed' };

interface Submission {
  msgs: NewMessage[];
  done: (results: SubmitResult[]) => void;
}

/**
 * The framing-neutral core: sessions, presence fan-out and durable, exactly-once, per-sender-ordered
 * message delivery. Framings call it; it calls back through each session's SessionOutput.
 */
export class Hub {
  private readonly sessions = new Map<number, Session>();
  private readonly byEndpoint = new Map<string, Session>();
  private sweepTimer?: Timer;
  private submissions: Submission[] = [];
  private delivered: number[] = [];
  private flushScheduled = false;
  private retryTimer?: Timer;
  private readonly mailbox: MailboxPolicy;

  constructor(
    readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly random: RandomSource,
    private readonly log: Logger,
    readonly opts: HubOptions = DEFAULT_HUB_OPTIONS,
  ) {
    this.mailbox = new MailboxPolicy(store, clock, opts);
  }

  /** Starts the keep-alive sweep. */
  start(): void {
    const every = Math.max(50, Math.min(5_000, Math.floor(this.opts.sessionTimeoutMs / 4)));
    const tick = () => {
      this.sweep();
      this.sweepTimer = this.clock.setTimeout(tick, every);
    };
    this.sweepTimer = this.clock.setTimeout(tick, every);
  }

  /** Closes every session (no presence pushes) and stops timers. Pending submissions are flushed first. */
  stop(): void {
    this.retryTimer?.cancel();
    this.safeFlush(false);
    this.sweepTimer?.cancel();
    for (const s of [...this.sessions.values()]) this.close(s, 'shutdown');
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
    return this.byEndpoint.has(`${e.address}|${e.port}`);
  }

  /** All sessions (for tests and metrics). */
  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Opens a session after a successful login; replaces (kicks) an older session of the same uid. Then call deliverPending. */
  open(init: SessionInit): Session {
    const old = this.sessions.get(init.uid);
    if (old) {
      old.output.kicked?.(old);
      this.close(old, 'replaced');
    }
    const seed = this.random(2);
    const s = new Session(init, this.clock.now(), this.random(16), (seed[0]! << 8) | seed[1]!);
    this.sessions.set(s.uid, s);
    this.byEndpoint.set(`${s.endpoint.address}|${s.endpoint.port}`, s);
    this.metrics.loginsOk++;
    this.log.info({ uid: s.uid, framing: s.framing, version: s.version, from: `${s.endpoint.address}:${s.endpoint.port}` }, 'login');
    if (s.status !== Status.INVISIBLE) this.broadcast(s, this.presenceOf(s));
    return s;
  }

  /**
   * Starts pushing a new session's undelivered messages. Framings call it right after sending the login reply:
   * a push that arrives before it cannot be opened by the client yet.
   */
  deliverPending(s: Session): void {
    if (s.closed || s.pendingLoaded) return;
    s.pendingLoaded = true;
    this.loadPending(s);
  }

  /** Ends a session: friends see it go offline (unless it was replaced or the server stops). */
  close(s: Session, reason: CloseReason): void {
    if (s.closed) return;
    s.closed = true;
    for (const pair of s.pairs.values()) pair.inflight?.timer?.cancel();
    s.pairs.clear();
    s.inflightBySeq.clear();
    if (this.sessions.get(s.uid) === s) this.sessions.delete(s.uid);
    const ek = `${s.endpoint.address}|${s.endpoint.port}`;
    if (this.byEndpoint.get(ek) === s) this.byEndpoint.delete(ek);
    if (reason === 'timeout') this.metrics.timeouts++;
    if (reason === 'logout') this.metrics.logouts++;
    this.log.info({ uid: s.uid, reason }, 'logout');
    if (reason !== 'replaced' && reason !== 'shutdown' && s.status !== Status.INVISIBLE) {
      this.broadcast(s, { ...this.presenceOf(s), status: Status.OFFLINE });
    }
  }

  /** Records that a session is alive (any valid packet); resumes paused deliveries that are due. */
  seen(s: Session): void {
    s.lastSeen = this.clock.now();
    for (const pair of s.pairs.values()) {
      if (pair.pausedUntil && pair.pausedUntil <= s.lastSeen) {
        pair.pausedUntil = 0;
        this.pumpPair(s, pair);
      }
    }
  }

  /** Changes a user's status and tells online friends (invisible looks offline to them). */
  setStatus(s: Session, status: number): void {
    const before = s.status;
    if (before === status) return;
    s.status = status;
    const shown = status === Status.INVISIBLE ? Status.OFFLINE : status;
    const shownBefore = before === Status.INVISIBLE ? Status.OFFLINE : before;
    if (shown !== shownBefore) this.broadcast(s, { ...this.presenceOf(s), status: shown });
  }

  /** What friends see of a session. */
  presenceOf(s: Session): Presence {
    return {
      uid: s.uid,
      status: s.status,
      ip: s.ip,
      port: s.endpoint.port,
      clientVersion: s.version,
      key: s.fileKey,
    };
  }

  /** A user's friends that are online and visible, in uid order. */
  onlineFriends(uid: number): Presence[] {
    const out: Presence[] = [];
    for (const f of this.store.friendsOf(uid)) {
      const s = this.sessions.get(f.uid);
      if (s && s.status !== Status.INVISIBLE) out.push(this.presenceOf(s));
    }
    return out.sort((a, b) => a.uid - b.uid);
  }

  private broadcast(from: Session, p: Presence): void {
    for (const f of this.store.friendsOf(from.uid)) {
      const s = this.sessions.get(f.uid);
      if (s) s.output.pushStatus(s, p);
    }
  }

  /** Closes sessions not seen within the timeout. */
  sweep(): void {
    const limit = this.clock.now() - this.opts.sessionTimeoutMs;
    for (const s of [...this.sessions.values()]) if (s.lastSeen < limit) this.close(s, 'timeout');
  }

  /**
   * Stores message fragments durably (group commit with other submissions of the same turn), then calls
   * `done`; only then may the framing answer the send. Delivery to online receivers starts right after.
   */
  submit(msgs: NewMessage[], done: (results: SubmitResult[]) => void): void {
    this.submissions.push({ msgs, done });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the socket's pending datagrams are read: one commit serves all the sends and acks of this turn.
    // (A 1–2 ms commit window was measured and bought no throughput, only latency.)
    setImmediate(() => this.safeFlush(true));
  }

  /**
   * flush() for the event loop: a failing store (disk full, I/O error) must cost this batch's sends, not the
   * process — and never the delivery marks: those are kept and committed again later (`retry`), else the
   * receiver would get the same messages again at every login.
   */
  private safeFlush(retry: boolean): void {
    const batch = this.submissions;
    const marks = this.delivered;
    try {
      this.flush();
    } catch (err) {
      this.delivered = marks.concat(this.delivered);
      this.mailbox.reset();
      const sends = batch.reduce((n, sub) => n + sub.msgs.length, 0);
      this.log.error(
        { err, sends, deliveryMarks: marks.length },
        `committing ${sends} sent message(s) and ${marks.length} delivery mark(s) failed: the senders are told ` +
          `the sends failed; the delivery marks are kept${retry ? ` and retried in ${this.opts.commitRetryMs} ms` : ' (lost at shutdown: those messages are pushed again at the next login)'}`,
      );
      for (const sub of batch) sub.done(sub.msgs.map(() => ({ ok: false, reason: 'store_failed' })));
      if (retry && !this.retryTimer) {
        this.retryTimer = this.clock.setTimeout(() => {
          this.retryTimer = undefined;
          this.scheduleFlush();
        }, this.opts.commitRetryMs);
      }
    }
  }

  /** Delivery marks waiting to be committed (kept across failed commits). */
  get uncommittedMarks(): number {
    return this.delivered.length;
  }

  /** Commits every queued submission and delivery mark in one transaction, then answers the submissions. */
  flush(): void {
    this.flushScheduled = false;
    const delivered = this.delivered;
    this.delivered = [];
    const batch = this.submissions;
    this.submissions = [];
    if (batch.length === 0) {
      if (delivered.length) this.store.storeMessages([], delivered);
      return;
    }
    const accepted: NewMessage[] = [];
    const verdicts: (SubmitResult | number)[][] = [];
    for (const sub of batch) {
      const v: (SubmitResult | number)[] = [];
      for (const m of sub.msgs) {
        try {
          checkMessage(m);
        } catch {
          v.push({ ok: false, reason: 'bad_message' });
          continue;
        }
        const refused = this.mailbox.admit(m, this.sessions.has(m.receiver));
        if (refused) {
          this.metrics.sendsRefused[refused]++;
          v.push({ ok: false, reason: refused });
          continue;
        }
        v.push(accepted.length);
        accepted.push(m);
      }
      verdicts.push(v);
    }
    const stored = this.store.storeMessages(accepted, delivered);
    const fresh: StoredMessage[] = [];
    stored.forEach((r, i) => {
      if (r.duplicate) this.mailbox.release(accepted[i]!);
      else {
        this.metrics.messagesStored++;
        const m = accepted[i]!;
        fresh.push({
          id: r.id, sender: m.sender, receiver: m.receiver, sentAt: m.sentAt, msgId: m.msgId, fragCount: m.fragCount,
          fragIndex: m.fragIndex, replyType: m.replyType, text: m.text, font: m.font, stranger: m.stranger,
        });
      }
    });
    batch.forEach((sub, i) => {
      sub.done(verdicts[i]!.map((v) => (typeof v === 'number' ? { ok: true, id: stored[v]!.id, duplicate: stored[v]!.duplicate } : v)));
    });
    for (const m of fresh) {
      const s = this.sessions.get(m.receiver);
      if (s) this.enqueue(s, m);
    }
  }

  private pairOf(s: Session, sender: number): PairQueue {
    let p = s.pairs.get(sender);
    if (!p) {
      p = { sender, queue: [], pausedUntil: 0 };
      s.pairs.set(sender, p);
    }
    return p;
  }

  private enqueue(s: Session, m: StoredMessage): void {
    // Not before deliverPending: the message is stored, and loadPending queues it after the older ones.
    if (!s.pendingLoaded) return;
    const pair = this.pairOf(s, m.sender);
    pair.queue.push(m);
    this.pumpPair(s, pair);
  }

  private loadPending(s: Session): void {
    for (const m of this.store.pendingFor(s.uid, this.opts.maxPendingPerUser)) this.pairOf(s, m.sender).queue.push(m);
    for (const pair of s.pairs.values()) this.pumpPair(s, pair);
  }

  private pumpPair(s: Session, pair: PairQueue): void {
    if (s.closed || pair.inflight || pair.pausedUntil) return;
    const m = pair.queue.shift();
    if (!m) return;
    const push = { msg: m, seq: s.nextSeq(), tries: 0 };
    pair.inflight = push;
    s.inflightBySeq.set(push.seq, push);
    this.sendPush(s, pair);
  }

  private sendPush(s: Session, pair: PairQueue): void {
    const push = pair.inflight;
    if (!push || s.closed) return;
    push.tries++;
    if (push.tries > 1) this.metrics.pushRetransmits++;
    s.output.pushMessage(s, push.msg, push.seq, this.senderInfo(push.msg.sender));
    push.timer = this.clock.setTimeout(() => {
      if (pair.inflight !== push || s.closed) return;
      if (push.tries < this.opts.pushMaxTries) return this.sendPush(s, pair);
      // Given up: the message stays undelivered in the store and goes out later, still first in line.
      this.metrics.pushesGivenUp++;
      s.inflightBySeq.delete(push.seq);
      pair.inflight = undefined;
      pair.queue.unshift(push.msg);
      pair.pausedUntil = this.clock.now() + this.opts.pushPauseMs;
    }, this.opts.pushRetryMs);
  }

  private senderInfo(uid: number): SenderInfo {
    const s = this.sessions.get(uid);
    if (s) return { ip: s.ip, port: s.endpoint.port, clientVersion: s.version, imKey: s.imKey };
    return { ip: 0, port: 0, clientVersion: 0, imKey: imKey(uid, Buffer.alloc(16)) };
  }

  /** A receiver acked the push with server sequence `seq`; returns false for an unknown or repeated ack. */
  ack(s: Session, seq: number): boolean {
    const push = s.inflightBySeq.get(seq);
    if (!push) return false;
    s.inflightBySeq.delete(seq);
    push.timer?.cancel();
    // The mark is group-committed; if the process dies first, the message is pushed again after restart and
    // the receiver, which acked it, recognises it by its server sequence (the store id) and shows it once.
    this.delivered.push(push.msg.id);
    this.mailbox.release(push.msg);
    this.scheduleFlush();
    this.metrics.messagesDelivered++;
    const pair = s.pairs.get(push.msg.sender);
    if (pair && pair.inflight === push) {
      pair.inflight = undefined;
      this.pumpPair(s, pair);
    }
    return true;
  }
}
