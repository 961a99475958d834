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

/** A uid or source address whose logins are refused until `until` (ms, the guard's clock). */
export type LoginLock = { kind: 'uid'; uid: number; until: number } | { kind: 'address'; address: string; until: number };

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

  /** Uids and addresses in a cool-down now, soonest end first (the operator console's lock list). */
  locks(): LoginLock[] {
    const now = this.clock.now();
    const out: LoginLock[] = [];
    for (const [key, e] of this.entries) {
      if (e.blockedUntil <= now) continue;
      out.push(key.startsWith('u:') ? { kind: 'uid', uid: Number(key.slice(2)), until: e.blockedUntil } : { kind: 'address', address: key.slice(2), until: e.blockedUntil });
    }
    return out.sort((a, b) => a.until - b.until);
  }

  /** Ends the cool-down (and forgets the failures) of a uid or an address; returns whether there was one. */
  unlock(lock: { uid: number } | { address: string }): boolean {
    const key = 'uid' in lock ? `u:${lock.uid}` : `a:${lock.address}`;
    const e = this.entries.get(key);
    const locked = e !== undefined && e.blockedUntil > this.clock.now();
    this.entries.delete(key);
    return locked;
  }

  /** Keys currently tracked (for tests of bounded state). */
  get tracked(): number {
    return this.entries.size + this.buckets.size;
  }
}
