import type { Logger } from 'pino';
import type { Clock, Timer } from '../transport/clock.js';
import type { KnownLogin, Store } from '../store/store.js';

/** How long a login's address may wait for its batch's write (ms). */
export const ADDRESS_BATCH_MS = 50;
/** A batch this long is written at once. */
export const ADDRESS_BATCH_MAX = 256;

/**
 * Remembers the addresses of successful logins in the store, in batches: one transaction for the logins of up to
 * ADDRESS_BATCH_MS (or ADDRESS_BATCH_MAX of them), as the group commit does for sends. A login burst pays a
 * commit per batch, not one per login or per event-loop turn (a turn holds a handful of logins, and a transaction
 * of four cost 10 µs per login against 6 µs in one of 64). An address still waiting is known all the same.
 */
export class LoginAddresses {
  private queued: KnownLogin[] = [];
  private timer?: Timer;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly keep: number,
    private readonly log: Logger,
  ) {}

  /** Queues a successful login's address for its batch's write. */
  remember(uid: number, address: string): void {
    this.queued.push({ uid, address });
    if (this.queued.length >= ADDRESS_BATCH_MAX) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), ADDRESS_BATCH_MS);
  }

  /** Whether a user has logged in from this address: waiting for its write, or in the store. */
  isKnown(uid: number, address: string): boolean {
    return this.queued.some((l) => l.uid === uid && l.address === address) || this.store.isKnownAddress(uid, address);
  }

  /** Writes what is queued now (also at shutdown). */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const batch = this.queued;
    if (batch.length === 0) return;
    this.queued = [];
    try {
      this.store.rememberAddresses(batch, this.keep);
    } catch (err) {
      // A full disk must not refuse logins: these addresses are simply not remembered this time.
      this.log.warn({ err, logins: batch.length }, 'could not remember the login addresses');
    }
  }
}
