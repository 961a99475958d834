/** How failures turn into waits. */
export interface PenaltySchedule {
  /** The wait after the last free failure; doubles with each further one. */
  slowdownMs: number;
  /** The longest wait. */
  maxDelayMs: number;
  /** Failures are forgiven after this long without one, on top of the wait then in force. */
  windowMs: number;
}

interface Entry {
  failures: number;
  lastFail: number;
  blockedUntil: number;
}

/**
 * Failure counts per key with progressive waits, in bounded memory that an attacker cannot use to erase a
 * penalty: keys under a wait ("hot") are never evicted; only calm keys are, oldest first. When the table is
 * full of hot keys, further keys share one overflow entry, so they are slowed down together rather than
 * given fresh budgets.
 */
export class PenaltyTable {
  private readonly calm = new Map<string, Entry>();
  private readonly hot = new Map<string, Entry>();
  private readonly overflow: Entry = { failures: 0, lastFail: 0, blockedUntil: 0 };
  private lastScan = -Infinity;

  constructor(private readonly maxKeys: number, private readonly schedule: PenaltySchedule) {}

  /**
   * When `key` may try again (≤ now: it may now). An untracked key while the table is full of hot keys gets the
   * shared overflow entry's wait, unless `shared` is false.
   */
  blockedUntil(key: string, now: number, shared = true): number {
    const e = this.live(key, now);
    if (e) return e.blockedUntil;
    return shared && this.hot.size >= this.maxKeys ? this.overflow.blockedUntil : 0;
  }

  /** Counts a failure of `key`; past `free` failures in a row, sets the next wait. */
  fail(key: string, now: number, free: number): void {
    const e = this.live(key, now) ?? this.insert(key, now) ?? this.overflowAt(now);
    e.failures++;
    e.lastFail = now;
    if (e.failures >= free) {
      e.blockedUntil = now + Math.min(this.schedule.maxDelayMs, this.schedule.slowdownMs * 2 ** Math.min(e.failures - free, 30));
      if (e !== this.overflow && this.calm.delete(key)) this.hot.set(key, e);
    } else if (e !== this.overflow) {
      // Most recently failed last: the calm map is in eviction order.
      this.calm.delete(key);
      this.calm.set(key, e);
    }
  }

  /** Drops a key (a success forgives it). */
  forget(key: string): void {
    this.calm.delete(key);
    this.hot.delete(key);
  }

  /** Every tracked key with the end of its wait (a past time when it has none). */
  *entries(): IterableIterator<[string, number]> {
    for (const m of [this.calm, this.hot]) for (const [k, e] of m) yield [k, e.blockedUntil];
  }

  /** Keys under a wait now, with its end. */
  *waiting(now: number): IterableIterator<[string, number]> {
    for (const [k, until] of this.entries()) if (until > now) yield [k, until];
  }

  /** Keys tracked. */
  get size(): number {
    return this.calm.size + this.hot.size;
  }

  /** Keys under a wait (never evicted). */
  get hotSize(): number {
    return this.hot.size;
  }

  private forgiven(e: Entry, now: number): boolean {
    return now - Math.max(e.lastFail, e.blockedUntil) > this.schedule.windowMs;
  }

  /** The key's entry unless it has been forgiven (then it is dropped). */
  private live(key: string, now: number): Entry | undefined {
    const e = this.calm.get(key) ?? this.hot.get(key);
    if (!e) return undefined;
    if (!this.forgiven(e, now)) return e;
    this.forget(key);
    return undefined;
  }

  private insert(key: string, now: number): Entry | undefined {
    if (this.size >= this.maxKeys) this.evict(now);
    if (this.size >= this.maxKeys) return undefined;
    const e = { failures: 0, lastFail: now, blockedUntil: 0 };
    this.calm.set(key, e);
    return e;
  }

  private evict(now: number): void {
    const oldest = this.calm.keys().next();
    if (!oldest.done) {
      this.calm.delete(oldest.value);
      return;
    }
    // Only hot keys: drop those forgiven meanwhile, scanning at most once a second (a flood must not make
    // every failure cost a pass over the table).
    if (now - this.lastScan < 1000) return;
    this.lastScan = now;
    for (const [k, e] of this.hot) if (this.forgiven(e, now)) this.hot.delete(k);
  }

  private overflowAt(now: number): Entry {
    if (this.forgiven(this.overflow, now)) {
      this.overflow.failures = 0;
      this.overflow.blockedUntil = 0;
    }
    return this.overflow;
  }
}
