import type { Clock } from '../transport/clock.js';
import type { MailboxUsage, NewMessage, StoredMessage, Store } from '../store/store.js';
import { TokenBuckets } from './token-buckets.js';
import { RecentMap } from './recent-map.js';

/** Limits on what may wait in the store for a receiver, and on messages from non-friends. */
export interface MailboxOptions {
  /** Most undelivered messages from friends per receiver. */
  maxPendingPerUser: number;
  /** Most undelivered text bytes from friends per receiver. */
  maxPendingBytesPerUser: number;
  /** Most undelivered messages from non-friends per receiver (their own quota: they never fill the friends' one). */
  maxStrangerPending: number;
  /** Message fragments a sender may send to non-friends per minute (token bucket). */
  strangerSendsPerMinute: number;
  /** Sends are refused while the store's disk has less free space than this. */
  minFreeDiskBytes: number;
}

export const DEFAULT_MAILBOX: MailboxOptions = {
  maxPendingPerUser: 10_000,
  maxPendingBytesPerUser: 16 << 20,
  maxStrangerPending: 50,
  strangerSendsPerMinute: 20,
  minFreeDiskBytes: 64 << 20,
};

/** Why a message is not stored. */
export const REFUSALS = [
  'unknown_receiver',
  'self',
  'mailbox_full',
  'strangers_refused',
  'stranger_quota',
  'stranger_rate',
  'disk_low',
] as const;
/** A REFUSALS value. */
export type Refusal = (typeof REFUSALS)[number];

// Bounded caches: a receiver's usage is re-read from the store when it was forgotten.
const MAX_CACHED = 10_000;

/** Bytes a message takes in the store (as the usage query counts them): its own bytes when kept as sent. */
function storedBytes(m: NewMessage): number {
  return m.raw ? m.raw.bytes.length : Buffer.byteLength(m.text);
}
const DISK_CHECK_MS = 1000;

/**
 * Decides whether a message may be stored for its receiver, and keeps each receiver's undelivered counts and
 * bytes (read once from the store, then kept up to date), so the caps hold whether the receiver is online,
 * offline or logging in. The server is the only writer of messages (one server per store), so the counts
 * stay true; `reset` drops them after a failed commit.
 */
export class MailboxPolicy {
  private readonly usage = new RecentMap<number, MailboxUsage>(MAX_CACHED);
  private readonly senders: TokenBuckets<number>;
  private disk = { at: -Infinity, low: false };

  constructor(private readonly store: Store, private readonly clock: Clock, readonly opts: MailboxOptions = DEFAULT_MAILBOX) {
    this.senders = new TokenBuckets(opts.strangerSendsPerMinute, 60_000, MAX_CACHED);
  }

  /**
   * Admits `m` (counting it against its receiver, and marking it `stranger` when the sender is not the
   * receiver's friend) or says why not. `online`: the receiver has a session, so it certainly exists.
   */
  admit(m: NewMessage, online: boolean): Refusal | undefined {
    if (m.sender === m.receiver) return 'self';
    if (!online && !this.store.getUser(m.receiver)) return 'unknown_receiver';
    if (this.diskLow()) return 'disk_low';
    const u = this.usageOf(m.receiver);
    const bytes = storedBytes(m);
    const stranger = !this.store.areFriends(m.receiver, m.sender);
    if (stranger) {
      if (this.store.getUser(m.receiver)?.strangers === 'friends-only') return 'strangers_refused';
      if (u.strangers.count + 1 > this.opts.maxStrangerPending) return 'stranger_quota';
      if (!this.senders.take(m.sender, this.clock.now())) return 'stranger_rate';
      u.strangers.count++;
      u.strangers.bytes += bytes;
      m.stranger = true;
      return undefined;
    }
    if (u.friends.count + 1 > this.opts.maxPendingPerUser || u.friends.bytes + bytes > this.opts.maxPendingBytesPerUser) {
      return 'mailbox_full';
    }
    u.friends.count++;
    u.friends.bytes += bytes;
    m.stranger = false;
    return undefined;
  }

  /** A message admitted or stored earlier left the mailbox: delivered, or found to be a duplicate. */
  release(m: NewMessage | StoredMessage): void {
    const u = this.usage.get(m.receiver);
    if (!u) return;
    const side = m.stranger ? u.strangers : u.friends;
    side.count = Math.max(0, side.count - 1);
    side.bytes = Math.max(0, side.bytes - storedBytes(m));
  }

  /** Forgets every count (after a commit failed: the store is the truth). */
  reset(): void {
    this.usage.clear();
  }

  private usageOf(receiver: number): MailboxUsage {
    let u = this.usage.get(receiver);
    if (!u) {
      u = this.store.mailboxUsage(receiver);
      this.usage.set(receiver, u);
    }
    return u;
  }

  // statfs at most once a second: cheap enough for every send, and a disk does not fill faster than that matters.
  private diskLow(): boolean {
    if (this.opts.minFreeDiskBytes <= 0) return false;
    const now = this.clock.now();
    if (now - this.disk.at >= DISK_CHECK_MS) {
      const free = this.store.freeDiskBytes();
      this.disk = { at: now, low: free !== undefined && free < this.opts.minFreeDiskBytes };
    }
    return this.disk.low;
  }
}
