import type { Logger } from 'pino';
import type { Clock } from '../transport/clock.js';
import type { NewMessage, Store, StoredMessage } from '../store/store.js';
import { checkMessage } from '../store/validate.js';
import type { Metrics } from './metrics.js';

/** The outcome of submitting one message fragment. */
export type SubmitResult = { ok: true; id: number; duplicate: boolean } | { ok: false; reason: 'unknown_receiver' | 'mailbox_full' | 'bad_message' | 'store_failed' };

/** What the commit asks of the rest of the core before it accepts a message. */
export interface Admission {
  /** Whether the uid is an account (online or in the store). */
  knownReceiver(uid: number): boolean;
  /** Undelivered messages of a receiver now. */
  pendingOf(uid: number): number;
  /** Most undelivered messages kept per receiver. */
  readonly maxPendingPerUser: number;
}

interface Submission {
  msgs: NewMessage[];
  done: (results: SubmitResult[]) => void;
}

/**
 * Group commit: every send and delivery mark of one event-loop turn goes to the store in one transaction.
 * Sends are answered only after their commit; stored (not duplicate) messages are handed to `onStored`.
 */
export class GroupCommit {
  private submissions: Submission[] = [];
  private delivered: number[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly admission: Admission,
    private readonly onStored: (fresh: StoredMessage[]) => void,
  ) {}

  /** Queues message fragments for this turn's commit; `done` gets one result per fragment. */
  submit(msgs: NewMessage[], done: (results: SubmitResult[]) => void): void {
    this.submissions.push({ msgs, done });
    this.schedule();
  }

  /** Message fragments submitted and not committed yet. */
  queuedMessages(): number {
    let n = 0;
    for (const sub of this.submissions) n += sub.msgs.length;
    return n;
  }

  /** Queues a delivery mark (the receiver acked the message with this store id). */
  markDelivered(id: number): void {
    this.delivered.push(id);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the socket's pending datagrams are read: one commit serves all the sends and acks of this turn.
    // (A 1–2 ms commit window was measured and bought no throughput, only latency.)
    this.clock.turn(() => this.safeFlush());
  }

  /** flush() for the event loop: a failing store must cost this batch, not the process. */
  private safeFlush(): void {
    const batch = this.submissions;
    try {
      this.flush();
    } catch (err) {
      this.log.error({ err }, 'storing a batch of messages failed; its senders are told the sends failed');
      for (const sub of batch) sub.done(sub.msgs.map(() => ({ ok: false, reason: 'store_failed' })));
    }
  }

  /** Commits every queued submission and delivery mark in one transaction, then answers the submissions. */
  flush(): void {
    this.scheduled = false;
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
    const pendingNow = new Map<number, number>();
    for (const sub of batch) {
      const v: (SubmitResult | number)[] = [];
      for (const m of sub.msgs) {
        try {
          checkMessage(m);
        } catch {
          v.push({ ok: false, reason: 'bad_message' });
          continue;
        }
        if (!this.admission.knownReceiver(m.receiver)) {
          v.push({ ok: false, reason: 'unknown_receiver' });
          continue;
        }
        const pending = (pendingNow.get(m.receiver) ?? this.admission.pendingOf(m.receiver)) + 1;
        if (pending > this.admission.maxPendingPerUser) {
          v.push({ ok: false, reason: 'mailbox_full' });
          continue;
        }
        pendingNow.set(m.receiver, pending);
        v.push(accepted.length);
        accepted.push(m);
      }
      verdicts.push(v);
    }
    const timed = this.metrics.timings;
    const t0 = timed ? performance.now() : 0;
    const stored = this.store.storeMessages(accepted, delivered);
    if (timed) timed.storeCommit((performance.now() - t0) / 1000);
    const fresh: StoredMessage[] = [];
    stored.forEach((r, i) => {
      if (!r.duplicate) {
        this.metrics.messagesStored++;
        timed?.stored(r.id, this.clock.now());
        const m = accepted[i]!;
        fresh.push({
          id: r.id, sender: m.sender, receiver: m.receiver, sentAt: m.sentAt, msgId: m.msgId, fragCount: m.fragCount,
          fragIndex: m.fragIndex, replyType: m.replyType, text: m.text, font: m.font,
        });
      }
    });
    batch.forEach((sub, i) => {
      sub.done(verdicts[i]!.map((v) => (typeof v === 'number' ? { ok: true, id: stored[v]!.id, duplicate: stored[v]!.duplicate } : v)));
    });
    this.onStored(fresh);
  }
}
