import type { Clock, Timer } from '../transport/clock.js';
import type { NewMessage, StoredMessage } from '../store/store.js';
import type { Metrics } from './metrics.js';
import { storedMessage, type AdmittedMessage, type SubmitResult } from './group-commit.js';
import type { Delivery } from './delivery.js';
import type { QueuedMessage, Session } from './session.js';

/** Answers a send (one result: a held send is always a submission of one fragment). */
type Answer = (results: SubmitResult[]) => void;

/**
 * A send queued for its online receiver before it is stored. The sender is answered when the receiver acks (the
 * message is then in the receiver's hands and never written), or when it is stored because the ack did not come
 * within the hold.
 */
export class HeldSend implements AdmittedMessage {
  /** held: waiting for the ack; storing: queued for the commit; then acked, stored or failed. */
  state: 'held' | 'storing' | 'acked' | 'stored' | 'failed' = 'held';
  /** Its place in the hold queue (absolute index), to let go of it there once it is acked. */
  slot = -1;
  /** The receiver's session closed first: once stored it goes back to delivery like any stored message. */
  orphaned = false;
  /**
   * Its store id once stored. The push keeps its provisional id as the server message sequence, so every send of
   * it carries the same one (clients de-duplicate by it); the delivery mark goes to this row.
   */
  storedId = 0;

  constructor(
    readonly msg: QueuedMessage,
    /** When it was submitted (ms): queued, and pushed at once unless others from its sender wait before it. */
    readonly at: number,
    readonly answers: Answer[],
    private readonly owner: HeldSends,
  ) {}

  /** Its sender is still waiting for the answer: neither acked nor stored (nor failed) yet. */
  get unanswered(): boolean {
    return this.state === 'held' || this.state === 'storing';
  }

  /** Whether the commit should still store it (it was not acked in the meantime). */
  wanted(): boolean {
    return this.state === 'storing';
  }

  stored(row: { id: number; duplicate: boolean } | undefined): void {
    this.owner.stored(this, row);
  }
}

/** What HeldSends needs from the rest of the core. */
export interface HeldSendsDeps {
  /** The receiver's online session, if its backlog is loaded (only then is a push now in order). */
  receiver(uid: number): Session | undefined;
  /** Stores a held send whose hold ended without its ack. */
  store(h: HeldSend): void;
  /** Marks a stored row delivered (a held send acked after its hold ended). */
  markDelivered(id: number): void;
  /** The sender's online session (it remembers the identities of its sends delivered unstored). */
  sender(uid: number): Session | undefined;
  /** A duplicate of an admitted message takes no place in the mailbox. */
  release(m: NewMessage): void;
  /** Hands a stored orphan to delivery, as the commit does with any stored message. */
  deliverStored(msgs: StoredMessage[]): void;
}

/** Provisional ids (the pushes' server message sequence until stored) count down from -1: store ids are positive. */
const PROVISIONAL_WRAP = 0x7fffffff;

/**
 * Delivered before stored (docs/DECISIONS.md, "Delivered before stored"): a send to an online receiver is queued for
 * it unstored (pushed at once when nothing from that sender waits before it) and held for `holdMs`; acked within
 * it, the message is never written (no insert, no delivery mark, no fsync in its path); if not, it is stored then,
 * and only then is the sender answered, as for any send. A send's `00` still means "in the store or in the
 * receiver's hands".
 */
export class HeldSends {
  /** Holds in push order (all wait the same time, so the oldest ends first): one timer for all of them. */
  private queue: (HeldSend | undefined)[] = [];
  private head = 0;
  /** Absolute index of queue[0]. */
  private base = 0;
  private timer?: Timer;
  private provisional = 0;
  /** Holds in the queue (not acked, not handed to the commit). */
  private live = 0;

  constructor(
    private readonly clock: Clock,
    private readonly delivery: Delivery,
    private readonly metrics: Metrics,
    private readonly holdMs: number,
    private readonly deps: HeldSendsDeps,
    /**
     * Where provisional ids start (random per process): a receiver's client remembers server message sequences
     * across a server restart, and a restarted count would repeat the ones it saw and have its pushes dropped.
     */
    firstProvisional = 0,
  ) {
    this.provisional = firstProvisional % PROVISIONAL_WRAP;
  }

  /** Holds not ended yet (neither acked nor handed to the commit). */
  get pending(): number {
    return this.live;
  }

  /**
   * Queues an admitted send for its online receiver (pushed at once when its queue from this sender is empty)
   * instead of storing it; returns false to have it stored first. A repeat of a send still held (in flight or last
   * in the queue) waits for that one's answer.
   */
  take(m: NewMessage, answer: Answer): boolean {
    if (this.holdMs <= 0) return false;
    // A send repeated under a new packet sequence after it was delivered unstored: the store cannot recognise it.
    if (this.deps.sender(m.sender)?.sentUnstored(m)) {
      this.deps.release(m);
      this.metrics.duplicates++;
      answer([{ ok: true, id: 0, duplicate: true }]);
      return true;
    }
    const s = this.deps.receiver(m.receiver);
    if (!s) return false;
    const pair = this.delivery.pairFrom(s, m.sender);
    if (pair) {
      const h = repeatOf(pair.inflight?.msg, m) ?? repeatOf(pair.queue[pair.queue.length - 1], m);
      if (h) {
        // The sender repeated a send we hold (it re-sends before our answer): one push, two answers.
        this.deps.release(m);
        this.metrics.duplicates++;
        h.answers.push(answer);
        return true;
      }
    }
    this.provisional = this.provisional >= PROVISIONAL_WRAP ? 1 : this.provisional + 1;
    const msg: QueuedMessage = storedMessage(-this.provisional, m);
    const h = new HeldSend(msg, this.clock.now(), [answer], this);
    msg.hold = h;
    h.slot = this.base + this.queue.length;
    this.queue.push(h);
    this.live++;
    this.delivery.enqueue(s, msg);
    if (!this.timer && h.state === 'held') this.arm(this.holdMs);
    return true;
  }

  /**
   * The receiver acked the push of `h` (or its client never acks that kind): unanswered, it is never written and its
   * sender is answered now; stored already, its row is marked delivered.
   */
  acked(h: HeldSend): void {
    if (!h.unanswered) {
      if (h.state === 'stored') this.deps.markDelivered(h.storedId);
      return;
    }
    if (h.state === 'held') this.unqueue(h);
    h.state = 'acked';
    const now = this.clock.now();
    // Remembered from the ack on: the sweep lets go of the ring a reply hold after the latest.
    this.deps.sender(h.msg.sender)?.rememberUnstored(h.msg, now);
    this.metrics.messagesUnstored++;
    this.metrics.timings?.deliveredIn(now - h.at);
    answer(h, { ok: true, id: 0, duplicate: false });
  }

  /**
   * The receiver's session ended (`gone`: delivered again once stored, e.g. to the session that replaced it) or it
   * fell silent (the push is queued again) before the ack: store the send now.
   */
  orphan(h: HeldSend, gone: boolean): void {
    if (gone) h.orphaned = true;
    if (h.state !== 'held') return;
    this.unqueue(h);
    this.toStore(h);
  }

  /** The commit stored `h` (row) or failed (undefined). */
  stored(h: HeldSend, row: { id: number; duplicate: boolean } | undefined): void {
    if (!row) {
      h.state = 'failed';
      return answer(h, { ok: false, reason: 'store_failed' });
    }
    h.state = 'stored';
    h.storedId = row.id;
    if (row.duplicate) this.deps.release(h.msg);
    else {
      this.metrics.messagesStored++;
      this.metrics.timings?.stored(row.id, h.at);
    }
    answer(h, { ok: true, id: row.id, duplicate: row.duplicate });
    // Delivered afresh (to a session that replaced the receiver's) under its store id, as after a restart.
    if (h.orphaned && !row.duplicate) this.deps.deliverStored([storedMessage(row.id, h.msg)]);
  }

  /** Hands every hold to the commit (the server stops). */
  storeAll(): void {
    for (let i = this.head; i < this.queue.length; i++) {
      const h = this.queue[i];
      if (h) this.toStore(h);
    }
    this.clear();
  }

  private toStore(h: HeldSend): void {
    h.state = 'storing';
    this.deps.store(h);
  }

  private unqueue(h: HeldSend): void {
    const i = h.slot - this.base;
    if (i < 0 || i >= this.queue.length || this.queue[i] !== h) return;
    this.queue[i] = undefined;
    // The last hold gone: no timer is left waiting (an idle server holds none).
    if (--this.live === 0) this.clear();
  }

  /** Empties the queue (no live hold is in it) and stops its timer. */
  private clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.live = 0;
    this.base += this.queue.length;
    this.queue = [];
    this.head = 0;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.expire(), ms);
  }

  /** Stores the holds that ended, and waits for the next one. */
  private expire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const q = this.queue;
    while (this.head < q.length) {
      const h = q[this.head];
      if (h) {
        if (h.at + this.holdMs > now) break;
        q[this.head] = undefined;
        this.live--;
        this.toStore(h);
      }
      this.head++;
    }
    if (this.live === 0) return this.clear();
    if (this.head >= 1024 && this.head * 2 >= q.length) {
      this.queue = q.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    const next = this.queue[this.head]!;
    this.arm(Math.max(1, next.at + this.holdMs - now));
  }
}

/** The hold of `queued` when it is a held send that `m` repeats. */
function repeatOf(queued: QueuedMessage | undefined, m: NewMessage): HeldSend | undefined {
  const h = queued?.hold;
  return h?.unanswered && sameSend(h.msg, m) ? h : undefined;
}

/** The store's identity of a private message (its dedup key). */
function sameSend(a: NewMessage, b: NewMessage): boolean {
  return a.sender === b.sender && a.receiver === b.receiver && a.sentAt === b.sentAt && a.msgId === b.msgId && a.fragIndex === b.fragIndex;
}

function answer(h: HeldSend, r: SubmitResult): void {
  const all = h.answers.splice(0);
  for (const a of all) a([r]);
}
