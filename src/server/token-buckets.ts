/**
 * One token bucket per key (`rate` tokens per `periodMs`, bursts up to `rate`), in bounded memory: past `maxKeys`
 * the least recently used key is forgotten (it comes back with a full bucket).
 */
export class TokenBuckets<K> {
  private readonly buckets = new Map<K, { tokens: number; at: number }>();

  constructor(private readonly rate: number, private readonly periodMs: number, private readonly maxKeys: number) {}

  /** Takes one token for `key` at time `now` (ms); false when its bucket is empty. */
  take(key: K, now: number): boolean {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
    } else {
      b = { tokens: this.rate, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
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
