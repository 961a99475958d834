/** A free slot's key (real keys are never negative). */
const EMPTY_KEY = -1;

/**
 * A bounded window of recent (command, sequence) pairs with the reply sent for each (PROTOCOL.md §8):
 * a duplicate request gets the same reply again and has no second effect. Oldest entries fall out first.
 *
 * Replies up to `slotBytes` are copied into one buffer allocated with the window, so a busy session makes no
 * garbage here. (A Map of reply Buffers kept every reply alive for ~64 requests: long enough to be promoted out
 * of V8's young generation, which made it nearly all of the server's old-generation garbage and its full GCs.)
 */
export class DupWindow {
  private readonly keys: Float64Array;
  private readonly lengths: Int32Array;
  private readonly slab: Buffer;
  /** Replies longer than a slot, kept by reference (rare: login replies, long lists). */
  private readonly large: (Uint8Array | undefined)[];
  /** The slot written next: the oldest entry. */
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity = 64,
    readonly slotBytes = 128,
  ) {
    this.keys = new Float64Array(capacity).fill(EMPTY_KEY);
    this.lengths = new Int32Array(capacity);
    this.slab = Buffer.alloc(capacity * slotBytes);
    this.large = new Array<Uint8Array | undefined>(capacity).fill(undefined);
  }

  private static key(command: number, seq: number): number {
    return command * 0x10000 + seq;
  }

  private find(command: number, seq: number): number {
    const k = DupWindow.key(command, seq);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return i;
    return -1;
  }

  /** A copy of the reply remembered for a request (empty when it was answered with nothing), if it was seen. */
  get(command: number, seq: number): Buffer | undefined {
    const i = this.find(command, seq);
    if (i < 0) return undefined;
    const big = this.large[i];
    if (big) return Buffer.from(big);
    const at = i * this.slotBytes;
    return Buffer.from(this.slab.subarray(at, at + this.lengths[i]!));
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
    const i = this.next;
    if (this.keys[i] !== EMPTY_KEY) this.count--;
    this.keys[i] = DupWindow.key(command, seq);
    this.lengths[i] = reply.length;
    if (reply.length <= this.slotBytes) {
      this.slab.set(reply, i * this.slotBytes);
      this.large[i] = undefined;
    } else {
      this.large[i] = reply;
    }
    this.next = (i + 1) % this.capacity;
    this.count++;
  }

  get size(): number {
    return this.count;
  }
}
