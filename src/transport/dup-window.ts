/** A free slot's key (real keys are never negative). */
const EMPTY_KEY = -1;

/** A request's key for its remembered reply: command and sequence as one number. */
export function replyKey(command: number, seq: number): number {
  return command * 0x10000 + seq;
}

/**
 * A reply kept as a one-byte string: one heap object the collector does not look into, where a copy in a buffer of
 * its own is three objects and an allocation outside the heap, and a slice of Node's 8 KB pool would pin the pool.
 */
export function keepReply(reply: Uint8Array): string {
  return Buffer.from(reply.buffer, reply.byteOffset, reply.length).toString('latin1');
}

/** The bytes of a reply kept by keepReply (a fresh copy). */
export function keptReply(kept: string): Buffer {
  return Buffer.from(kept, 'latin1');
}

/**
 * A bounded window of recent (command, sequence) pairs with the reply sent for each (PROTOCOL.md §8):
 * a duplicate request gets the same reply again and has no second effect. Oldest entries fall out first.
 *
 * Replies up to `slotBytes` are copied into one buffer owned by the window, so a busy session makes no
 * garbage here. (A Map of reply Buffers kept every reply alive for ~64 requests: long enough to be promoted out
 * of V8's young generation, which made it nearly all of the server's old-generation garbage and its full GCs.)
 * The window starts with `initial` slots and doubles up to `capacity` only while it is full: a session that
 * sends a few requests a minute never pays for 64 slots (docs/DECISIONS.md, "Per-session state").
 */
export class DupWindow {
  private keys: Float64Array;
  private lengths: Int32Array;
  /** Allocated at the first reply short enough to be copied. */
  private slab?: Buffer;
  /** Replies longer than a slot (rare: login-chain replies, long lists), each kept by keepReply. */
  private large: (string | undefined)[];
  /** The slot written next: the oldest entry once the window is full. */
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity = 64,
    readonly slotBytes = 128,
    initial = capacity,
  ) {
    const n = Math.max(1, Math.min(capacity, initial));
    this.keys = new Float64Array(n).fill(EMPTY_KEY);
    this.lengths = new Int32Array(n);
    this.large = new Array<string | undefined>(n).fill(undefined);
  }

  /** Slots allocated now (≤ capacity). */
  get slots(): number {
    return this.keys.length;
  }

  private find(command: number, seq: number): number {
    const k = replyKey(command, seq);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return i;
    return -1;
  }

  /** A copy of the reply remembered for a request (empty when it was answered with nothing), if it was seen. */
  get(command: number, seq: number): Buffer | undefined {
    const i = this.find(command, seq);
    if (i < 0) return undefined;
    const big = this.large[i];
    if (big !== undefined) return keptReply(big);
    const at = i * this.slotBytes;
    const len = this.lengths[i]!;
    return len === 0 ? Buffer.alloc(0) : Buffer.from(this.slab!.subarray(at, at + len));
  }

  has(command: number, seq: number): boolean {
    return this.find(command, seq) >= 0;
  }

  /** Remembers the reply to a request (empty: answered with nothing), evicting the oldest entry past capacity. */
  set(command: number, seq: number, reply: Uint8Array): void {
    const old = this.find(command, seq);
    if (old >= 0) {
      this.keys[old] = EMPTY_KEY;
      this.large[old] = undefined;
      this.count--;
    }
    // The slot written next holds an entry: grow rather than evict while below capacity.
    if (this.keys[this.next] !== EMPTY_KEY && this.keys.length < this.capacity) this.grow();
    const i = this.next;
    if (this.keys[i] !== EMPTY_KEY) this.count--;
    this.keys[i] = replyKey(command, seq);
    this.lengths[i] = reply.length;
    if (reply.length <= this.slotBytes) {
      if (reply.length > 0) (this.slab ??= Buffer.alloc(this.keys.length * this.slotBytes)).set(reply, i * this.slotBytes);
      this.large[i] = undefined;
    } else {
      this.large[i] = keepReply(reply);
    }
    this.next = (i + 1) % this.keys.length;
    this.count++;
  }

  /** Doubles the slots (up to capacity), keeping every entry; the next write goes to the first new slot. */
  private grow(): void {
    const old = this.keys.length;
    const n = Math.min(this.capacity, old * 2);
    const keys = new Float64Array(n).fill(EMPTY_KEY);
    const lengths = new Int32Array(n);
    const slab = this.slab ? Buffer.alloc(n * this.slotBytes) : undefined;
    const large = new Array<string | undefined>(n).fill(undefined);
    // Oldest first, so the ring order survives: entry j of the new layout is the j-th oldest.
    for (let j = 0; j < old; j++) {
      const i = (this.next + j) % old;
      keys[j] = this.keys[i]!;
      lengths[j] = this.lengths[i]!;
      large[j] = this.large[i];
      if (slab) this.slab!.copy(slab, j * this.slotBytes, i * this.slotBytes, (i + 1) * this.slotBytes);
    }
    this.keys = keys;
    this.lengths = lengths;
    this.slab = slab;
    this.large = large;
    this.next = old;
  }

  get size(): number {
    return this.count;
  }
}
