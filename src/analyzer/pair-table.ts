// A bounded hash table of recent requests and pushes, keyed by two numbers (who, command·sequence), for
// request↔reply and push↔ack pairing on the per-packet path: typed arrays, open addressing with linear
// probing, no per-entry objects, no allocation after construction. When full it is rebuilt without its
// stale and oldest entries, each dropped entry reported to the owner first (so an unanswered request is
// still counted).

/** A request waiting for its reply. */
export const REQ_PENDING = 1;
/** A request that got its reply (kept to recognise resends and repeated replies). */
export const REQ_ANSWERED = 2;
/** A push of a command that is acknowledged (message pushes), waiting for its ack. */
export const PUSH_PENDING = 3;
/** A push that was acknowledged. */
export const PUSH_ACKED = 4;
/** A push of a command that expects no ack (status pushes): settled from the start. */
export const PUSH_NOACK = 5;

/** True for entries whose exchange is settled (kept only to recognise resends, repeats and late acks). */
export function settled(state: number): boolean {
  return state === REQ_ANSWERED || state === PUSH_ACKED || state === PUSH_NOACK;
}

/** Called for every entry the table drops: its state and summary row. */
export type EvictHandler = (state: number, row: number) => void;

/** Slots in the table by default (31 bytes each, twice: ≈ 4 MB); at most half of them are live. */
export const DEFAULT_PAIR_SLOTS = 1 << 16;

interface Columns {
  k1: Float64Array;
  k2: Uint32Array;
  t0: Float64Array;
  frame: Uint32Array;
  state: Uint8Array;
  copies: Uint16Array;
  row: Uint16Array;
  len: Uint16Array;
}

function columns(n: number): Columns {
  return {
    k1: new Float64Array(n),
    k2: new Uint32Array(n),
    t0: new Float64Array(n),
    frame: new Uint32Array(n),
    state: new Uint8Array(n),
    copies: new Uint16Array(n),
    row: new Uint16Array(n),
    len: new Uint16Array(n),
  };
}

/** See the file comment. Fields are public typed arrays indexed by slot, read and updated by the summary. */
export class PairTable {
  /** Who (a safe integer). */
  k1!: Float64Array;
  /** command·65536 + sequence. */
  k2!: Uint32Array;
  /** Time (ms) of the first copy. */
  t0!: Float64Array;
  /** Frame index of the first copy (mod 2^32). */
  frame!: Uint32Array;
  state!: Uint8Array;
  /** Copies seen (1 = no retransmission; saturates at 65535). */
  copies!: Uint16Array;
  /** The summary row of the entry's first packet. */
  row!: Uint16Array;
  /** OICQ length of the first copy (a resend has the same bytes, so the same length). */
  len!: Uint16Array;
  /** Live entries. */
  size = 0;
  /** Unsettled entries (pending requests, unacked pushes) dropped to make room before their window ended. */
  evicted = 0;
  readonly maxLive: number;
  private readonly mask: number;
  // Rebuilds copy into the spare columns and swap.
  private spare: Columns;
  private lastNow = 0;

  constructor(
    readonly slots = DEFAULT_PAIR_SLOTS,
    /** Entries older than this (ms) are forgotten: a later packet with the same key starts a new exchange. */
    readonly windowMs = 60_000,
    private readonly onEvict: EvictHandler = () => {},
  ) {
    if (slots < 8 || (slots & (slots - 1)) !== 0) throw new RangeError(`slots must be a power of two ≥ 8, got ${slots}`);
    this.mask = slots - 1;
    this.maxLive = slots >>> 1;
    this.use(columns(slots));
    this.spare = columns(slots);
  }

  private use(c: Columns): void {
    this.k1 = c.k1;
    this.k2 = c.k2;
    this.t0 = c.t0;
    this.frame = c.frame;
    this.state = c.state;
    this.copies = c.copies;
    this.row = c.row;
    this.len = c.len;
  }

  private hash(k1: number, k2: number): number {
    const hi1 = (k1 / 4294967296) | 0;
    let h = Math.imul((k1 >>> 0) ^ Math.imul(hi1, 0x27d4eb2d), 0x9e3779b1) ^ Math.imul(k2, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 13;
    return h & this.mask;
  }

  /** The slot holding (k1, k2), or -1. */
  find(k1: number, k2: number): number {
    const state = this.state;
    const mask = this.mask;
    for (let i = this.hash(k1, k2); ; i = (i + 1) & mask) {
      if (state[i] === 0) return -1;
      if (this.k2[i] === k2 && this.k1[i] === k1) return i;
    }
  }

  /** Stores a new entry (the key must not be present); returns its slot. `t` (ms) also drives eviction. */
  insert(k1: number, k2: number, state: number, t: number, frame: number, row: number, len: number): number {
    if (this.size >= this.maxLive) this.makeRoom(t);
    const st = this.state;
    const mask = this.mask;
    let i = this.hash(k1, k2);
    while (st[i] !== 0) i = (i + 1) & mask;
    this.k1[i] = k1;
    this.k2[i] = k2;
    this.reset(i, state, t, frame, row, len);
    this.size++;
    return i;
  }

  /** Re-initialises an existing slot for a new exchange under the same key. */
  reset(i: number, state: number, t: number, frame: number, row: number, len: number): void {
    this.state[i] = state;
    this.t0[i] = t;
    this.frame[i] = frame;
    this.copies[i] = 1;
    this.row[i] = row;
    this.len[i] = len;
  }

  /** Reports every live entry to the evict handler and empties the table (end of capture). */
  drain(): void {
    for (let i = 0; i < this.slots; i++) if (this.state[i] !== 0) this.onEvict(this.state[i]!, this.row[i]!);
    this.state.fill(0);
    this.size = 0;
  }

  // Makes room: drops entries older than the window, then the oldest quarter (by time range) of the
  // settled ones, then their older half, then all of them; only if unsettled entries alone still fill
  // seven eighths, their older half too. Cutoffs include ties, so the table always ends below 7/8 full.
  private makeRoom(now: number): void {
    this.lastNow = now;
    const stale = now - this.windowMs;
    let minSettled = Infinity;
    let minPending = Infinity;
    const st = this.state;
    const t0 = this.t0;
    for (let i = 0; i < this.slots; i++) {
      const s = st[i]!;
      if (s === 0) continue;
      const t = t0[i]!;
      if (t < stale) continue;
      if (settled(s)) {
        if (t < minSettled) minSettled = t;
      } else if (t < minPending) minPending = t;
    }
    const target = (this.maxLive * 7) >>> 3;
    for (const frac of [0.25, 0.5, 2]) {
      const cut = minSettled === Infinity ? stale : Math.max(stale, minSettled + (now - minSettled) * frac);
      this.rebuild((s, t) => t < stale || (settled(s) && t <= cut));
      if (this.size < target) return;
    }
    const mid = Math.max(stale, (minPending + now) / 2);
    this.rebuild((_s, t) => t <= mid);
    if (this.size >= target) this.rebuild(() => true); // pathological time stamps: start over
  }

  private rebuild(drop: (state: number, t0: number) => boolean): void {
    const o: Columns = { k1: this.k1, k2: this.k2, t0: this.t0, frame: this.frame, state: this.state, copies: this.copies, row: this.row, len: this.len };
    const n = this.slots;
    this.spare.state.fill(0);
    this.use(this.spare);
    this.spare = o;
    this.size = 0;
    const stale = this.lastNow - this.windowMs;
    for (let i = 0; i < n; i++) {
      const st = o.state[i]!;
      if (st === 0) continue;
      if (drop(st, o.t0[i]!)) {
        if (!settled(st) && o.t0[i]! >= stale) this.evicted++;
        this.onEvict(st, o.row[i]!);
        continue;
      }
      let j = this.hash(o.k1[i]!, o.k2[i]!);
      while (this.state[j] !== 0) j = (j + 1) & this.mask;
      this.k1[j] = o.k1[i]!;
      this.k2[j] = o.k2[i]!;
      this.t0[j] = o.t0[i]!;
      this.frame[j] = o.frame[i]!;
      this.state[j] = st;
      this.copies[j] = o.copies[i]!;
      this.row[j] = o.row[i]!;
      this.len[j] = o.len[i]!;
      this.size++;
    }
  }
}
