// Bounded samples for medians over unbounded streams: exact while a row has at most `capacity` values,
// then a uniform reservoir (Vitter's algorithm R) of that size. A fixed-seed generator keeps the
// output of a given capture reproducible.

/** Values a reservoir keeps at most (per series). */
export const RESERVOIR_SIZE = 1024;

/** How the medians are computed, for reports. */
export const MEDIAN_METHOD = `exact up to ${RESERVOIR_SIZE} values per row; beyond that, the median of a uniform ${RESERVOIR_SIZE}-value reservoir sample`;

let rng = 0x2545f491;

/** A fixed-seed xorshift32: the next pseudo-random u32. */
function nextRandom(): number {
  let x = rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rng = x;
  return x >>> 0;
}

/** Resets the sampling generator (tests that want the same samples twice in one process). */
export function resetSampling(seed = 0x2545f491): void {
  rng = seed | 0 || 1;
}

/** min / median / max of a series (null when it is empty). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Min, max and a bounded sample of a numeric series, with a median at the end. */
export class Reservoir {
  /** Values offered so far. */
  n = 0;
  min = Infinity;
  max = -Infinity;
  private buf: Float64Array;

  constructor(readonly capacity = RESERVOIR_SIZE) {
    this.buf = new Float64Array(Math.min(16, capacity));
  }

  /** Offers one value. */
  add(v: number): void {
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const n = ++this.n;
    if (n <= this.capacity) {
      if (n > this.buf.length) {
        const bigger = new Float64Array(Math.min(this.capacity, this.buf.length * 2));
        bigger.set(this.buf);
        this.buf = bigger;
      }
      this.buf[n - 1] = v;
      return;
    }
    const j = nextRandom() % n;
    if (j < this.capacity) this.buf[j] = v;
  }

  /** True when the median is exact (every value was kept). */
  get exact(): boolean {
    return this.n <= this.capacity;
  }

  /** min / median (the lower middle value of the sample) / max, or null for an empty series. */
  spread(): Spread | null {
    if (this.n === 0) return null;
    const k = Math.min(this.n, this.capacity);
    const sorted = this.buf.slice(0, k).sort();
    return { min: this.min, median: sorted[(k - 1) >> 1]!, max: this.max };
  }
}

/** Three series sampled together (frame / UDP / OICQ lengths): one random draw per value triple. */
export class Reservoir3 {
  n = 0;
  readonly min = [Infinity, Infinity, Infinity];
  readonly max = [-Infinity, -Infinity, -Infinity];
  private a: Uint32Array;
  private b: Uint32Array;
  private c: Uint32Array;

  constructor(readonly capacity = RESERVOIR_SIZE) {
    const k = Math.min(16, capacity);
    this.a = new Uint32Array(k);
    this.b = new Uint32Array(k);
    this.c = new Uint32Array(k);
  }

  /** Offers one triple of non-negative integers below 2^32. */
  add(x: number, y: number, z: number): void {
    const min = this.min;
    const max = this.max;
    if (x < min[0]!) min[0] = x;
    if (x > max[0]!) max[0] = x;
    if (y < min[1]!) min[1] = y;
    if (y > max[1]!) max[1] = y;
    if (z < min[2]!) min[2] = z;
    if (z > max[2]!) max[2] = z;
    const n = ++this.n;
    let j: number;
    if (n <= this.capacity) {
      if (n > this.a.length) this.grow();
      j = n - 1;
    } else {
      j = nextRandom() % n;
      if (j >= this.capacity) return;
    }
    this.a[j] = x;
    this.b[j] = y;
    this.c[j] = z;
  }

  private grow(): void {
    const k = Math.min(this.capacity, this.a.length * 2);
    const g = (old: Uint32Array): Uint32Array => {
      const u = new Uint32Array(k);
      u.set(old);
      return u;
    };
    this.a = g(this.a);
    this.b = g(this.b);
    this.c = g(this.c);
  }

  /** The spread of series 0, 1 or 2, or null when empty. */
  spread(series: 0 | 1 | 2): Spread | null {
    if (this.n === 0) return null;
    const k = Math.min(this.n, this.capacity);
    const src = series === 0 ? this.a : series === 1 ? this.b : this.c;
    const sorted = src.slice(0, k).sort();
    return { min: this.min[series]!, median: sorted[(k - 1) >> 1]!, max: this.max[series]! };
  }
}
