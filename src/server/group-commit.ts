import type { Logger } from 'pino';
import type { Clock, Timer } from '../transport/clock.js';
import type { NewMessage, Store, StoredMessage } from '../store/store.js';
import { checkMessage } from '../store/validate.js';
import type { Metrics } from './metrics.js';
import type { Refusal } from './mailbox-policy.js';

/** The outcome of submitting one message fragment. */
export type SubmitResult = { ok: true; id: number; duplicate: boolean } | { ok: false; reason: Refusal | 'bad_message' | 'store_failed' };

/** What the commit asks of the rest of the core before it accepts a message (the MailboxPolicy). */
export interface Admission {
  /** Counts `m` against its receiver, or says why it may not be stored. */
  admit(m: NewMessage): Refusal | undefined;
  /** An admitted message turned out to be a duplicate: it takes no place after all. */
  release(m: NewMessage): void;
  /** A commit failed: forget any counts (the store is the truth). */
  reset(): void;
}

interface Submission {
  msgs: NewMessage[];
  done: (results: SubmitResult[]) => void;
  /** Taken by the fast path (pushed unstored): answered by its hold, not by this commit. */
  held?: boolean;
}

/** A message admitted earlier and not stored yet (a held send whose ack did not come in time). */
export interface AdmittedMessage {
  readonly msg: NewMessage;
  /** False when it no longer needs storing (acked meanwhile). */
  wanted(): boolean;
  /** Its row once committed, or undefined when the commit failed. */
  stored(row: { id: number; duplicate: boolean } | undefined): void;
}

/** Takes an admitted single-fragment send to push it before storing it (HeldSends.take); false: store it. */
export type FastPath = (m: NewMessage, done: (results: SubmitResult[]) => void) => boolean;

/** `m` as delivery queues it, under `id`: one literal of one shape (a conditional spread built two more objects per message). */
export function storedMessage(id: number, m: NewMessage): StoredMessage {
  const f: StoredMessage = {
    id, sender: m.sender, receiver: m.receiver, sentAt: m.sentAt, msgId: m.msgId, fragCount: m.fragCount,
    fragIndex: m.fragIndex, replyType: m.replyType, text: m.text, font: m.font, stranger: m.stranger,
  };
  if (m.raw) f.raw = m.raw;
  return f;
}

/**
 * Group commit: every send and delivery mark of one event-loop turn goes to the store in one transaction.
 * Sends are answered only after their commit; stored (not duplicate) messages are handed to `onStored`.
 */
export class GroupCommit {
  private submissions: Submission[] = [];
  private admitted: AdmittedMessage[] = [];
  private delivered: number[] = [];
  /** Set by the Hub when sends to online receivers may be delivered before they are stored. */
  fastPath?: FastPath;
  private scheduled = false;
  private retryTimer?: Timer;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly admission: Admission,
    private readonly onStored: (fresh: StoredMessage[]) => void,
    /** After a failed commit, the delivery marks it held are committed again after this long. */
    private readonly retryMs = 1_000,
  ) {}

  /** Queues message fragments for this turn's commit; `done` gets one result per fragment. */
  submit(msgs: NewMessage[], done: (results: SubmitResult[]) => void): void {
    this.submissions.push({ msgs, done });
    this.schedule();
  }

  /** Stores a message admitted earlier with the next commit (no admission again, not handed to onStored). */
  storeAdmitted(a: AdmittedMessage): void {
    this.admitted.push(a);
    this.schedule();
  }

  /** Message fragments submitted and not committed yet. */
  queuedMessages(): number {
    let n = this.admitted.length;
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
    this.clock.turn(() => this.safeFlush(true));
  }

  /**
   * flush() that survives a failing store (disk full, I/O error): it costs this batch's sends, not the process —
   * and never the delivery marks: those are kept and committed again (`retry`: after retryMs), else the
   * receiver would get the same messages again at every login.
   */
  safeFlush(retry: boolean): void {
    const batch = this.submissions;
    const admitted = this.admitted;
    const marks = this.delivered;
    try {
      this.flush();
    } catch (err) {
      this.delivered = marks.concat(this.delivered);
      this.admission.reset();
      // Sends taken by the fast path were not in the failed transaction; held sends due for storing were.
      const sends = batch.reduce((n, sub) => n + (sub.held ? 0 : sub.msgs.length), 0) + admitted.filter((a) => a.wanted()).length;
      this.log.error(
        { err, sends, deliveryMarks: marks.length },
        `committing ${sends} sent message(s) and ${marks.length} delivery mark(s) failed: the senders are told the sends ` +
          `failed; the delivery marks are kept${retry ? ` and retried in ${this.retryMs} ms` : ' (lost at shutdown: those messages are pushed again at the next login)'}`,
      );
      for (const sub of batch) if (!sub.held) sub.done(sub.msgs.map(() => ({ ok: false, reason: 'store_failed' })));
      for (const a of admitted) if (a.wanted()) a.stored(undefined);
      if (retry && !this.retryTimer && this.delivered.length > 0) {
        this.retryTimer = this.clock.setTimeout(() => {
          this.retryTimer = undefined;
          this.schedule();
        }, this.retryMs);
      }
    }
  }

  /** Delivery marks not committed yet (kept across failed commits). */
  get uncommittedMarks(): number {
    return this.delivered.length;
  }

  /** Stops the retry timer (the server's stop). */
  stop(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }

  /** Commits every queued submission and delivery mark in one transaction, then answers the submissions. */
  flush(): void {
    this.scheduled = false;
    const delivered = this.delivered;
    this.delivered = [];
    const batch = this.submissions;
    this.submissions = [];
    const late = this.admitted.filter((a) => a.wanted());
    this.admitted = [];
    if (batch.length === 0 && late.length === 0) {
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
        const refused = this.admission.admit(m);
        if (refused) {
          this.metrics.sendsRefused[refused]++;
          v.push({ ok: false, reason: refused });
          continue;
        }
        if (sub.msgs.length === 1 && this.fastPath?.(m, sub.done)) {
          sub.held = true;
          continue;
        }
        v.push(accepted.length);
        accepted.push(m);
      }
      verdicts.push(v);
    }
    const fromSends = accepted.length;
    for (const a of late) accepted.push(a.msg);
    if (accepted.length === 0 && delivered.length === 0) {
      this.answer(batch, verdicts, []);
      return;
    }
    const timed = this.metrics.timings;
    const t0 = timed ? performance.now() : 0;
    const stored = this.store.storeMessages(accepted, delivered);
    if (timed) timed.storeCommit((performance.now() - t0) / 1000);
    const fresh: StoredMessage[] = [];
    for (let i = 0; i < late.length; i++) late[i]!.stored(stored[fromSends + i]!);
    for (let i = 0; i < fromSends; i++) {
      const r = stored[i]!;
      if (r.duplicate) this.admission.release(accepted[i]!);
      else {
        this.metrics.messagesStored++;
        timed?.stored(r.id, this.clock.now());
        fresh.push(storedMessage(r.id, accepted[i]!));
      }
    }
    this.answer(batch, verdicts, stored);
    this.onStored(fresh);
  }

  /** Answers each submission not taken by the fast path. */
  private answer(batch: Submission[], verdicts: (SubmitResult | number)[][], stored: { id: number; duplicate: boolean }[]): void {
    batch.forEach((sub, i) => {
      if (sub.held) return;
      sub.done(verdicts[i]!.map((v) => (typeof v === 'number' ? { ok: true, id: stored[v]!.id, duplicate: stored[v]!.duplicate } : v)));
    });
  }
}
