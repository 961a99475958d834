import type { Clock } from '../transport/clock.js';
import type { StoredMessage } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { PairQueue, SenderInfo, Session } from './session.js';

/** Timers of message delivery. */
export interface DeliveryOptions {
  /** Re-send an unacked message push after this long. */
  pushRetryMs: number;
  /** Sends of one push before it is given up and kept for later. */
  pushMaxTries: number;
  /** After giving up, wait this long before pushing to that receiver again (or until it logs in again). */
  pushPauseMs: number;
}

/** What delivery needs from the rest of the core. */
export interface DeliveryDeps {
  /** Facts about the sender that a push carries. */
  senderInfo(uid: number): SenderInfo;
  /** The receiver acked the message with this store id: mark it delivered (group-committed). */
  markDelivered(id: number): void;
}

/**
 * Exactly-once, per-sender-ordered delivery to online receivers: one queue per (sender, receiver) with at most
 * one unacked push, retransmission, acks.
 */
export class Delivery {
  constructor(
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly opts: DeliveryOptions,
    private readonly deps: DeliveryDeps,
  ) {}

  /** Undelivered messages queued or in flight for a session. */
  pendingIn(s: Session): number {
    let n = 0;
    for (const pair of s.pairs.values()) n += pair.queue.length + (pair.inflight ? 1 : 0);
    return n;
  }

  /** Queues a session's undelivered messages from the store (oldest first) and starts pushing. */
  load(s: Session, msgs: Iterable<StoredMessage>): void {
    for (const m of msgs) this.pairOf(s, m.sender).queue.push(m);
    for (const pair of s.pairs.values()) this.pump(s, pair);
  }

  /** Queues a newly stored message for an online receiver. */
  enqueue(s: Session, m: StoredMessage): void {
    const pair = this.pairOf(s, m.sender);
    pair.queue.push(m);
    this.pump(s, pair);
  }

  /** The receiver sent something: resumes its paused pairs that are due. */
  seen(s: Session): void {
    for (const pair of s.pairs.values()) {
      if (pair.pausedUntil && pair.pausedUntil <= s.lastSeen) {
        pair.pausedUntil = 0;
        this.pump(s, pair);
      }
    }
  }

  /** The session ended: stops its timers; its messages wait in the store. */
  drop(s: Session): void {
    for (const pair of s.pairs.values()) pair.inflight?.timer?.cancel();
    s.pairs.clear();
    s.inflightBySeq.clear();
  }

  /** A receiver acked the push with server sequence `seq`; returns false for an unknown or repeated ack. */
  ack(s: Session, seq: number): boolean {
    const push = s.inflightBySeq.get(seq);
    if (!push) return false;
    s.inflightBySeq.delete(seq);
    push.timer?.cancel();
    // The mark is group-committed; if the process dies first, the message is pushed again after restart and
    // the receiver, which acked it, recognises it by its server sequence (the store id) and shows it once.
    this.deps.markDelivered(push.msg.id);
    this.metrics.messagesDelivered++;
    this.metrics.timings?.delivered(push.msg.id, this.clock.now());
    const pair = s.pairs.get(push.msg.sender);
    if (pair && pair.inflight === push) {
      pair.inflight = undefined;
      this.pump(s, pair);
    }
    return true;
  }

  private pairOf(s: Session, sender: number): PairQueue {
    let p = s.pairs.get(sender);
    if (!p) {
      p = { sender, queue: [], pausedUntil: 0 };
      s.pairs.set(sender, p);
    }
    return p;
  }

  private pump(s: Session, pair: PairQueue): void {
    if (s.closed || pair.inflight || pair.pausedUntil) return;
    const m = pair.queue.shift();
    if (!m) return;
    const push = { msg: m, seq: s.nextSeq(), tries: 0 };
    pair.inflight = push;
    s.inflightBySeq.set(push.seq, push);
    this.send(s, pair);
  }

  private send(s: Session, pair: PairQueue): void {
    const push = pair.inflight;
    if (!push || s.closed) return;
    push.tries++;
    if (push.tries > 1) {
      this.metrics.pushRetransmits++;
      s.retransmits++;
    }
    s.output.pushMessage(s, push.msg, push.seq, this.deps.senderInfo(push.msg.sender));
    push.timer = this.clock.setTimeout(() => {
      if (pair.inflight !== push || s.closed) return;
      if (push.tries < this.opts.pushMaxTries) return this.send(s, pair);
      // Given up: the message stays undelivered in the store and goes out later, still first in line.
      this.metrics.pushesGivenUp++;
      s.inflightBySeq.delete(push.seq);
      pair.inflight = undefined;
      pair.queue.unshift(push.msg);
      pair.pausedUntil = this.clock.now() + this.opts.pushPauseMs;
    }, this.opts.pushRetryMs);
  }
}
