import { RecentMap } from './recent-map.js';

/**
 * One token bucket per key (`rate` tokens per `periodMs`, bursts up to `rate`), in bounded memory: past `maxKeys`
 * one of the least recently used keys is forgotten (it comes back with a full bucket).
 */
export class TokenBuckets<K> {
  private readonly buckets: RecentMap<K, { tokens: number; at: number }>;

  constructor(private readonly rate: number, private readonly periodMs: number, maxKeys: number) {
    this.buckets = new RecentMap(maxKeys);
  }

  /** Takes one token for `key` at time `now` (ms); false when its bucket is empty. */
  take(key: K, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.rate, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.rate, b.tokens + ((now - b.at) / this.periodMs) * this.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Keys tracked. */
  get size(): number {
    return this.buckets.size;
  }
}
