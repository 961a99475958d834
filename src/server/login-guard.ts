import type { Logger } from 'pino';
import type { Clock, Timer } from '../transport/clock.js';
import { PenaltyTable } from './penalty-table.js';
import { TokenBuckets } from './token-buckets.js';

/** Limits of the login guard (all configurable from the CLI). */
export interface LoginGuardOptions {
  /** Free failures per (uid, address) and per uid before logins slow down. */
  maxFailures: number;
  /** Free failures per source address (any uids: a NAT holds many users) before that address slows down. */
  maxAddressFailures: number;
  /** Failures are forgiven after this long without one (plus the delay then in force). */
  windowMs: number;
  /** First delay after the free failures; each further failure doubles it. */
  slowdownMs: number;
  /** Longest delay between two attempts under a slow-down. */
  cooldownMs: number;
  /** Pre-login requests (token, touch, login) allowed per source address per second. */
  preLoginPerSecond: number;
  /** Keys per table (uids and (uid, address) pairs; source addresses; pre-login buckets): bounded state. */
  maxTracked: number;
  /** Recent good login addresses remembered per user (in the store): never slowed down by others' failures. */
  knownAddresses: number;
  /** Repeated failures are logged as one line per (uid, address) per interval, with counts. */
  logIntervalMs: number;
  /** At most this many such lines per interval; the rest are summed up in one line. */
  logMaxLines: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  maxFailures: 5,
  maxAddressFailures: 20,
  windowMs: 60_000,
  slowdownMs: 1_000,
  cooldownMs: 300_000,
  preLoginPerSecond: 20,
  maxTracked: 10_000,
  knownAddresses: 4,
  logIntervalMs: 60_000,
  logMaxLines: 50,
};

/**
 * A uid, source address or (uid, address) pair whose logins wait until `until` (ms, the guard's clock).
 * A uid's wait does not apply from the uid's known addresses; a pair's always does.
 */
export type LoginLock =
  | { kind: 'uid'; uid: number; until: number }
  | { kind: 'address'; address: string; until: number }
  | { kind: 'pair'; uid: number; address: string; until: number };

/** Where the guard remembers the good addresses of a user (the store, so they survive restarts). */
export interface KnownAddresses {
  isKnown(uid: number, address: string): boolean;
  remember(uid: number, address: string): void;
}

/** The verdict on a login attempt: go on, or refused for `waitMs` more. */
export type LoginVerdict = { ok: true } | { ok: false; waitMs: number };

interface LogLine {
  uid: number;
  address: string;
  failures: number;
  refused: number;
  reason: string;
}

/**
 * Slows down password guessing without letting anyone lock a user out:
 * - failures count per (uid, address), per uid, and per source address; past the free ones, each failure
 *   doubles the wait before the next attempt (up to cooldownMs) instead of a hard lock;
 * - an address the uid logged in from before is exempt from the per-uid and per-address waits (only its own
 *   (uid, address) failures slow it), so guesses from elsewhere never refuse the owner's right password;
 * - failures for unknown uids count only against their source address, so they take no uid entries; a full
 *   table evicts only keys that are not under a slow-down (see PenaltyTable);
 * - pre-login requests are rate-limited per address (token bucket), so the server is a poor amplifier.
 */
export class LoginGuard {
  private readonly users: PenaltyTable;
  private readonly addresses: PenaltyTable;
  private readonly buckets: TokenBuckets<string>;
  private lines = new Map<string, LogLine>();
  private unlisted = { failures: 0, refused: 0 };
  private logTimer?: Timer;

  constructor(
    private readonly clock: Clock,
    readonly opts: LoginGuardOptions = DEFAULT_LOGIN_GUARD,
    private readonly known: KnownAddresses = { isKnown: () => false, remember: () => {} },
    private readonly log?: Logger,
  ) {
    const schedule = { slowdownMs: opts.slowdownMs, maxDelayMs: opts.cooldownMs, windowMs: opts.windowMs };
    this.users = new PenaltyTable(opts.maxTracked, schedule);
    this.addresses = new PenaltyTable(opts.maxTracked, schedule);
    this.buckets = new TokenBuckets(opts.preLoginPerSecond, 1000, opts.maxTracked);
  }

  /** Whether a login for `uid` from `address` may be attempted now (checked before the password). */
  check(uid: number, address: string): LoginVerdict {
    const now = this.clock.now();
    // A pair's own wait only, never the overflow's: a full table must not refuse a known address.
    let until = this.users.blockedUntil(`p:${uid}|${address}`, now, false);
    const others = Math.max(this.users.blockedUntil(`u:${uid}`, now), this.addresses.blockedUntil(address, now));
    // The owner's usual address is exempt from what others' failures caused (asked of the store only then).
    if (others > now && others > until && !this.known.isKnown(uid, address)) until = others;
    if (until <= now) return { ok: true };
    this.note(uid, address, 'slowed down', 0, 1);
    return { ok: false, waitMs: until - now };
  }

  /** Logs (aggregated) a login refused for another reason than a wrong password, e.g. an expired token or a ban. */
  refused(uid: number, address: string, reason: string): void {
    this.note(uid, address, reason, 0, 1);
  }

  /** Records a failed login. `knownUid` = the uid has an account; unknown uids count only per address. */
  fail(uid: number, address: string, knownUid: boolean, reason: string): void {
    const now = this.clock.now();
    this.addresses.fail(address, now, this.opts.maxAddressFailures);
    if (knownUid) {
      this.users.fail(`p:${uid}|${address}`, now, this.opts.maxFailures);
      this.users.fail(`u:${uid}`, now, this.opts.maxFailures);
    }
    this.note(uid, address, reason, 1, 0);
  }

  /** Records a successful login: that (uid, address) is forgiven and remembered as a good address of the uid. */
  succeed(uid: number, address: string): void {
    this.users.forget(`p:${uid}|${address}`);
    this.known.remember(uid, address);
  }

  /** Uids, addresses and pairs under a wait now, soonest end first (the operator console's lock list). */
  locks(): LoginLock[] {
    const now = this.clock.now();
    const out: LoginLock[] = [];
    for (const [key, until] of this.users.waiting(now)) {
      if (key.startsWith('u:')) out.push({ kind: 'uid', uid: Number(key.slice(2)), until });
      else {
        const [uid, address] = key.slice(2).split('|') as [string, string];
        out.push({ kind: 'pair', uid: Number(uid), address, until });
      }
    }
    for (const [address, until] of this.addresses.waiting(now)) out.push({ kind: 'address', address, until });
    return out.sort((a, b) => a.until - b.until);
  }

  /**
   * Ends the wait (and forgets the failures) of a uid or an address, with the pairs it is part of; returns
   * whether there was a wait.
   */
  unlock(lock: { uid: number } | { address: string }): boolean {
    const now = this.clock.now();
    const match = 'uid' in lock
      ? (key: string) => key === `u:${lock.uid}` || key.startsWith(`p:${lock.uid}|`)
      : (key: string) => key.startsWith('p:') && key.endsWith(`|${lock.address}`);
    let locked = false;
    for (const [key, until] of this.users.entries()) {
      if (!match(key)) continue;
      locked ||= until > now;
      this.users.forget(key);
    }
    if ('address' in lock) {
      locked = this.addresses.blockedUntil(lock.address, now) > now || locked;
      this.addresses.forget(lock.address);
    }
    return locked;
  }

  /** Token bucket per source address for requests answered before login. */
  preLogin(address: string): boolean {
    return this.buckets.take(address, this.clock.now());
  }

  /** Keys currently tracked (for tests of bounded state). */
  get tracked(): number {
    return this.users.size + this.addresses.size + this.buckets.size;
  }

  /** Writes the aggregated failure lines now (also done every logIntervalMs and on stop). */
  flushLog(): void {
    this.logTimer?.cancel();
    this.logTimer = undefined;
    if (!this.log) return;
    for (const l of this.lines.values()) {
      this.log.warn({ uid: l.uid, from: l.address, failures: l.failures, refused: l.refused, reason: l.reason }, 'login failures');
    }
    const u = this.unlisted;
    if (u.failures + u.refused > 0) {
      this.log.warn({ failures: u.failures, refused: u.refused }, 'login failures from further uids and addresses');
    }
    this.lines = new Map();
    this.unlisted = { failures: 0, refused: 0 };
  }

  /** Stops the log timer (the server's close). */
  stop(): void {
    this.flushLog();
  }

  // One line per (uid, address) per interval, at most logMaxLines of them: 10 k failures are a few lines.
  private note(uid: number, address: string, reason: string, failures: number, refused: number): void {
    if (!this.log) return;
    const key = `${uid}|${address}`;
    const line = this.lines.get(key);
    if (line) {
      line.failures += failures;
      line.refused += refused;
      line.reason = reason;
    } else if (this.lines.size < this.opts.logMaxLines) {
      this.lines.set(key, { uid, address, failures, refused, reason });
    } else {
      // Keys past the line limit are not tracked, only summed.
      this.unlisted.failures += failures;
      this.unlisted.refused += refused;
    }
    this.logTimer ??= this.clock.setTimeout(() => this.flushLog(), this.opts.logIntervalMs);
  }
}
