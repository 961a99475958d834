import type { Clock } from '../transport/clock.js';

/** Limits of the flood guard. */
export interface FloodGuardOptions {
  /** Dropped datagrams per second from one address before that address is shed (0 = never shed). */
  maxDropsPerSecond: number;
  /** How long an address is shed (its datagrams dropped before any decoding). */
  penaltyMs: number;
  /** Most addresses tracked at once (bounded state). */
  maxTracked: number;
}

export const DEFAULT_FLOOD_GUARD: FloodGuardOptions = { maxDropsPerSecond: 500, penaltyMs: 10_000, maxTracked: 10_000 };

/**
 * Sheds addresses that send a stream of bad datagrams: after too many drops in a second, everything from that
 * address is dropped on arrival for a while — except datagrams from endpoints with a live session, so users
 * behind the same address keep chatting.
 */
export class FloodGuard {
  private readonly counts = new Map<string, { second: number; drops: number; until: number }>();

  constructor(private readonly clock: Clock, readonly opts: FloodGuardOptions = DEFAULT_FLOOD_GUARD) {}

  /** Whether datagrams from `address` are being shed now. */
  shed(address: string): boolean {
    // Asked for every datagram: with nothing tracked, no hash of a fresh address string.
    if (this.counts.size === 0) return false;
    const e = this.counts.get(address);
    return e !== undefined && e.until > this.clock.now();
  }

  /** Counts one dropped datagram from `address`; returns true when it starts a penalty. */
  dropped(address: string): boolean {
    const now = this.clock.now();
    const second = Math.floor(now / 1000);
    let e = this.counts.get(address);
    if (!e) {
      if (this.counts.size >= this.opts.maxTracked) this.counts.delete(this.counts.keys().next().value!);
      e = { second, drops: 0, until: 0 };
      this.counts.set(address, e);
    }
    if (e.second !== second) {
      e.second = second;
      e.drops = 0;
    }
    if (++e.drops > this.opts.maxDropsPerSecond && this.opts.maxDropsPerSecond > 0 && e.until <= now) {
      e.until = now + this.opts.penaltyMs;
      return true;
    }
    return false;
  }

  get tracked(): number {
    return this.counts.size;
  }
}
