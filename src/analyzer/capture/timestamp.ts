/**
 * pcapng timestamps: a 64-bit count of interface-specific units (if_tsresol) split into two u32
 * halves. Converted to seconds + nanoseconds without bigint on the common paths (µs … ns).
 */

const TWO32 = 4294967296;

/** How one interface turns its 64-bit unit count into seconds + nanoseconds. */
export class TsResolution {
  /** Units per second when it is 10^k with k ≤ 9 (the fast path), else 0. */
  private readonly perSec: number;
  /** Nanoseconds per unit on the fast path. */
  private readonly nsPerUnit: number;
  /** Units per second for the exact (bigint) path: 10^k with k > 9, or 2^k. */
  private readonly bigPerSec: bigint;
  /** Seconds added to every timestamp (if_tsoffset). */
  readonly offsetSec: number;

  /** Result of the last `convert` (no allocation per frame). */
  sec = 0;
  nsec = 0;

  /** `tsresol` is the raw if_tsresol byte (default 6: microseconds); `offsetSec` is if_tsoffset. */
  constructor(tsresol = 6, offsetSec = 0) {
    this.offsetSec = offsetSec;
    const pow2 = (tsresol & 0x80) !== 0;
    const exp = tsresol & 0x7f;
    if (!pow2 && exp <= 9) {
      this.perSec = 10 ** exp;
      this.nsPerUnit = 10 ** (9 - exp);
      this.bigPerSec = 0n;
    } else {
      this.perSec = 0;
      this.nsPerUnit = 0;
      this.bigPerSec = pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp);
    }
  }

  /** Converts `hi`:`lo` units into `this.sec` / `this.nsec`. */
  convert(hi: number, lo: number): void {
    const d = this.perSec;
    if (d !== 0) {
      let sec: number;
      let rem: number;
      if (hi < 0x200000) {
        // Below 2^53: one exact double.
        const v = hi * TWO32 + lo;
        sec = Math.floor(v / d);
        rem = v - sec * d;
      } else {
        // Long division by 16-bit digits keeps every intermediate below 2^53 (d ≤ 10^9 < 2^30).
        let x = hi >>> 16;
        const q3 = Math.floor(x / d);
        x = (x - q3 * d) * 65536 + (hi & 0xffff);
        const q2 = Math.floor(x / d);
        x = (x - q2 * d) * 65536 + (lo >>> 16);
        const q1 = Math.floor(x / d);
        x = (x - q1 * d) * 65536 + (lo & 0xffff);
        const q0 = Math.floor(x / d);
        rem = x - q0 * d;
        sec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
      }
      this.sec = sec + this.offsetSec;
      this.nsec = rem * this.nsPerUnit;
      return;
    }
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const per = this.bigPerSec;
    const s = v / per;
    this.sec = Number(s) + this.offsetSec; // beyond 2^53 s only with absurd resolutions
    this.nsec = Number(((v % per) * 1_000_000_000n) / per);
  }
}
