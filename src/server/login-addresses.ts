import type { Logger } from 'pino';
import type { Clock } from '../transport/clock.js';
import type { KnownLogin, Store } from '../store/store.js';

/**
 * Remembers the addresses of successful logins in the store, one transaction per event-loop turn for all the
 * logins of that turn (as the group commit does for sends): a login burst pays one commit, not one each. An
 * address is written after the turn of its login, so a login guard asking about it in that same turn does not
 * know it yet (it only asks once others' failures slowed the user down).
 */
export class LoginAddresses {
  private queued: KnownLogin[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly keep: number,
    private readonly log: Logger,
  ) {}

  /** Queues a successful login's address for this turn's write. */
  remember(uid: number, address: string): void {
    if (this.queued.length === 0) this.clock.turn(() => this.flush());
    this.queued.push({ uid, address });
  }

  /** Writes what is queued now (also at shutdown). */
  flush(): void {
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
