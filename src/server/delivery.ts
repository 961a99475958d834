import type { TimerQueue } from '../transport/timer-queue.js';
import type { RtoRange } from '../transport/rto.js';
import type { StoredMessage } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { PairQueue, Push, QueuedMessage, SenderInfo, Session } from './session.js';
import type { HeldSend } from './held-sends.js';

/** How message pushes are retransmitted (docs/DECISIONS.md, "Delivery under loss"). */
export interface DeliveryOptions {
  /** Range of the per-session retransmission timeout measured from push→ack round trips (ms). */
  pushRto: RtoRange;
  /** Sends of a push that wait one timeout each; from then on the wait doubles per unacked send, up to the maximum. */
  pushSteadySends: number;
  /** Sends under one server sequence before the push goes out under a fresh one (clients that drop repeats). */
  pushSendsPerSeq: number;
  /** A receiver that sent nothing for this long (and had a push unacked that long) gets no pushes until it sends again. */
  pushSilenceMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  pushRto: { minMs: 200, maxMs: 3_000, initialMs: 1_000 },
  pushSteadySends: 3,
  pushSendsPerSeq: 3,
  pushSilenceMs: 30_000,
};

/** What delivery needs from the rest of the core. */
export interface DeliveryDeps {
  /** Facts about the sender that a push carries. */
  senderInfo(uid: number): SenderInfo;
  /** The receiver acked this message: mark it delivered (group-committed), or answer its held send. */
  markDelivered(msg: QueuedMessage): void;
  /**
   * A held send's receiver went away (`gone`: delivery forgot it, so it is delivered again once stored) or fell
   * silent (its push is queued again) before the ack: it must be stored now.
   */
  orphaned(hold: HeldSend, gone: boolean): void;
}

/**
 * Exactly-once, per-sender-ordered delivery to online receivers: one queue per (sender, receiver) with at most
 * one unacked push, retransmitted on the session's measured timeout for as long as the receiver is alive.
 */
export class Delivery {
  /** The one retry handler of every push (no closure per push: see TimerQueue.schedule). */
  private readonly onMissed = (push: Push) => this.missed(push.receiver, push.pair, push);

  constructor(
    private readonly clock: TimerQueue,
    private readonly metrics: Metrics,
    private readonly opts: DeliveryOptions,
    private readonly deps: DeliveryDeps,
  ) {}

  /** Undelivered messages queued or in flight for a session. */
  pendingIn(s: Session): number {
    let n = 0;
    if (s.pairs) for (const pair of s.pairs.values()) n += pair.queue.length + (pair.inflight ? 1 : 0);
    return n;
  }

  /** Queues a session's undelivered messages from the store (oldest first) and starts pushing. */
  load(s: Session, msgs: Iterable<StoredMessage>): void {
    for (const m of msgs) this.pairOf(s, m.sender).queue.push(m);
    if (s.pairs) for (const pair of [...s.pairs.values()]) this.pump(s, pair);
  }

  /** The receiver's queue of messages from `sender`, if it holds any (queued, in flight or paused). */
  pairFrom(s: Session, sender: number): PairQueue | undefined {
    return s.pairs?.get(sender);
  }

  /** Queues a newly stored message (or a held send, with its hold) for an online receiver. */
  enqueue(s: Session, m: QueuedMessage): void {
    const pair = this.pairOf(s, m.sender);
    pair.queue.push(m);
    this.pump(s, pair);
  }

  /** The receiver sent something: pairs paused by its silence start again. */
  seen(s: Session): void {
    if (!s.pairs) return;
    for (const pair of s.pairs.values()) {
      if (!pair.paused) continue;
      pair.paused = false;
      this.pump(s, pair);
    }
  }

  /** The session ended: stops its timers; its messages wait in the store. */
  drop(s: Session): void {
    if (s.pairs) {
      for (const pair of s.pairs.values()) {
        pair.inflight?.timer?.cancel();
        // Sends held unstored must reach the store now, in their order.
        if (pair.inflight?.msg.hold) this.deps.orphaned(pair.inflight.msg.hold, true);
        for (const m of pair.queue) if (m.hold) this.deps.orphaned(m.hold, true);
      }
    }
    s.pairs = undefined;
    s.inflightBySeq = undefined;
  }

  /** A receiver acked the push with server sequence `seq`; returns false for an unknown or repeated ack. */
  ack(s: Session, seq: number): boolean {
    const push = s.inflightBySeq?.get(seq);
    if (!push) return false;
    // Karn's rule: a push sent more than once gives an ambiguous round trip, so only first sends are measured.
    if (push.tries === 1) s.rto.sample(this.clock.now() - push.sentAt);
    this.delivered(s, push);
    return true;
  }

  /** A push is delivered (acked, or of a kind its client never acks): mark it and send the pair's next. */
  private delivered(s: Session, push: Push): void {
    for (const q of push.seqs) s.inflightBySeq?.delete(q);
    push.timer?.cancel();
    // The mark is group-committed; if the process dies first, the message is pushed again after restart and
    // the receiver, which acked it, recognises it by its server sequence (the store id) and shows it once.
    this.deps.markDelivered(push.msg);
    this.metrics.messagesDelivered++;
    this.metrics.timings?.delivered(push.msg.id, this.clock.now());
    const pair = s.pairs?.get(push.msg.sender);
    if (pair && pair.inflight === push) {
      pair.inflight = undefined;
      this.pump(s, pair);
    }
  }

  private pairOf(s: Session, sender: number): PairQueue {
    const pairs = (s.pairs ??= new Map());
    let p = pairs.get(sender);
    if (!p) {
      p = { sender, queue: [], paused: false };
      pairs.set(sender, p);
    }
    return p;
  }

  /** A drained pair is forgotten, and with the last one the session's delivery state: an idle session holds none. */
  private forget(s: Session, pair: PairQueue): void {
    if (!s.pairs || s.pairs.get(pair.sender) !== pair) return;
    s.pairs.delete(pair.sender);
    if (s.pairs.size === 0) s.pairs = undefined;
    if (s.inflightBySeq?.size === 0) s.inflightBySeq = undefined;
  }

  private pump(s: Session, pair: PairQueue): void {
    if (s.closed || pair.inflight || pair.paused) return;
    const m = pair.queue.shift();
    if (!m) return this.forget(s, pair);
    const seq = s.nextSeq();
    const now = this.clock.now();
    const push: Push = { msg: m, receiver: s, pair, seq, seqs: [seq], tries: 0, seqTries: 0, firstSentAt: now, sentAt: now };
    pair.inflight = push;
    (s.inflightBySeq ??= new Map()).set(seq, push);
    this.send(s, pair, push);
  }

  private send(s: Session, pair: PairQueue, push: Push): void {
    push.tries++;
    push.seqTries++;
    push.sentAt = this.clock.now();
    this.metrics.pushesSent++;
    if (push.tries > 1) {
      this.metrics.pushRetransmits++;
      s.retransmits++;
    }
    if (!s.output.pushMessage(s, push.msg, push.seq, this.deps.senderInfo(push.msg.sender))) return this.delivered(s, push);
    const wait = s.rto.backedOff(push.tries - this.opts.pushSteadySends);
    push.timer = this.clock.schedule(this.onMissed, push, wait);
  }

  /** A push's timeout passed without its ack. */
  private missed(s: Session, pair: PairQueue, push: Push): void {
    if (pair.inflight !== push || s.closed) return;
    const now = this.clock.now();
    if (now - Math.max(s.lastSeen, push.firstSentAt) >= this.opts.pushSilenceMs) return this.giveUp(s, pair, push);
    if (push.seqTries >= this.opts.pushSendsPerSeq) {
      // Some clients drop a repeated (sequence, command) without acking it again (MyQQ remembers 32): if the
      // first ack was lost, only a fresh sequence gets through. The old ones still count when their ack comes.
      push.seq = s.nextSeq();
      push.seqs.push(push.seq);
      push.seqTries = 0;
      s.inflightBySeq!.set(push.seq, push);
      this.metrics.pushFreshSeqs++;
    }
    this.send(s, pair, push);
  }

  /** The receiver fell silent: the push goes back to the front of its queue, and the pair waits for a datagram. */
  private giveUp(s: Session, pair: PairQueue, push: Push): void {
    this.metrics.pushesGivenUp++;
    for (const q of push.seqs) s.inflightBySeq!.delete(q);
    pair.inflight = undefined;
    pair.queue.unshift(push.msg);
    pair.paused = true;
    // Not acked by now, a held send must be in the store (it goes out again with its hold: the same id).
    if (push.msg.hold) this.deps.orphaned(push.msg.hold, false);
  }
}
