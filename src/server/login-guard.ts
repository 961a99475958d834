import type { Clock } from '../transport/clock.js';

/** Limits of the login guard (all configurable from the CLI). */
export interface LoginGuardOptions {
  /** Failures allowed per uid or per source address within `windowMs` before a cool-down. */
  maxFailures: number;
  windowMs: number;
  cooldownMs: number;
  /** Pre-login requests (token, touch, login) allowed per source address per second. */
  preLoginPerSecond: number;
  /** Most keys tracked at once; the oldest are forgotten first (bounded state). */
  maxTracked: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  maxFailures: 5,
  windowMs: 60_000,
  cooldownMs: 300_000,
  preLoginPerSecond: 20,
  maxTracked: 10_000,
};

interface Entry {
  failures: number[];
  blockedUntil: number;
}

/**
 * Refuses logins for a uid or a source address after too many failures in a window, and rate-limits
 * pre-login requests per address (token bucket), so the server is a poor amplifier.
 */
export class LoginGuard {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly clock: Clock, readonly opts: LoginGuardOptions = DEFAULT_LOGIN_GUARD) {}

  private touch<V>(map: Map<string, V>, key: string, make: () => V): V {
    let v = map.get(key);
    if (v) {
      map.delete(key);
    } else {
      v = make();
      if (map.size >= this.opts.maxTracked) map.delete(map.keys().next().value!);
    }
    map.set(key, v);
    return v;
  }

  /** Whether a login for `uid` from `address` may be attempted now. */
  allowed(uid: number, address: string): boolean {
    const now = this.clock.now();
    for (const key of [`u:${uid}`, `a:${address}`]) {
      const e = this.entries.get(key);
      if (e && e.blockedUntil > now) return false;
    }
    return true;
  }

  /** Records a failed login; returns true if it started a cool-down. */
  fail(uid: number, address: string): boolean {
    const now = this.clock.now();
    let started = false;
    for (const key of [`u:${uid}`, `a:${address}`]) {
      const e = this.touch(this.entries, key, () => ({ failures: [], blockedUntil: 0 }));
      e.failures = e.failures.filter((t) => t > now - this.opts.windowMs);
      e.failures.push(now);
      if (e.failures.length >= this.opts.maxFailures && e.blockedUntil <= now) {
        e.blockedUntil = now + this.opts.cooldownMs;
        e.failures = [];
        started = true;
      }
    }
    return started;
  }

  /** Records a successful login: the uid's failure history is forgotten. */
  succeed(uid: number): void {
    this.entries.delete(`u:${uid}`);
  }

  /** Token bucket per source address for requests answered before login. */
  preLogin(address: string): boolean {
    const now = this.clock.now();
    const rate = this.opts.preLoginPerSecond;
    const b = this.touch(this.buckets, address, () => ({ tokens: rate, at: now }));
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Keys currently tracked (for tests of bounded state). */
  get tracked(): number {
    return this.entries.size + this.buckets.size;
  }
}
