// Retransmission timeout from measured round trips, as RFC 6298 computes it (SRTT, RTTVAR, K = 4, α = 1/8,
// β = 1/4), clamped to a configured range. Samples come only from exchanges answered on their first send
// (Karn's rule): the caller decides that; this class only does the arithmetic.

/** The range and starting value of a retransmission timeout (ms). */
export interface RtoRange {
  minMs: number;
  maxMs: number;
  /** The timeout before the first sample (RFC 6298 says 1 s). */
  initialMs: number;
}

/** One peer's round-trip estimate. */
export class RtoEstimator {
  private srtt = 0;
  private rttvar = 0;
  private sampled = false;
  /** Starts as a number (see Session.lastSeen): an undeclared value would make every sample a new heap object. */
  private current = 0;

  constructor(private readonly range: RtoRange) {
    this.current = this.clamp(range.initialMs);
  }

  /** The retransmission timeout now (ms), within the range. */
  get rto(): number {
    return this.current;
  }

  /** The smoothed round trip (ms), or undefined before the first sample. */
  get smoothedRtt(): number | undefined {
    return this.sampled ? this.srtt : undefined;
  }

  /** Adds a round-trip sample (ms) of an exchange answered on its first send. */
  sample(rttMs: number): void {
    const r = Math.max(0, rttMs);
    if (!this.sampled) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.sampled = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    // RFC 6298 (2.2/2.3): RTO = SRTT + max(G, K·RTTVAR); the clock granularity G is 1 ms here.
    this.current = this.clamp(this.srtt + Math.max(1, 4 * this.rttvar));
  }

  /** The wait after the `misses`-th unanswered send in a row, doubling per miss and capped at the maximum. */
  backedOff(misses: number): number {
    return Math.min(this.range.maxMs, this.current * 2 ** Math.max(0, misses));
  }

  private clamp(ms: number): number {
    return Math.min(this.range.maxMs, Math.max(this.range.minMs, ms));
  }
}
