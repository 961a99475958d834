/** A free slot's key (uids are u32: never negative). */
const EMPTY = -1;
const MIN_CAPACITY = 16;

/**
 * Values by uid, in one array of (uid, value) pairs with open addressing (linear probing, at most half full): a
 * lookup reads the line that holds its uid and value, where a Map reads a hash bucket and then an entry elsewhere,
 * two cache misses for each request at a few hundred thousand sessions. Removal shifts the rest of a probe run back
 * (no tombstones). Iterates in slot order, with a resumable cursor for incremental sweeps.
 */
export class UidTable<V> {
  /** uid, value, uid, value, … (EMPTY uid: a free slot, its value undefined). */
  private slots: (number | V | undefined)[];
  private mask: number;
  private shift: number;
  private count = 0;
  /** The slot a sweep resumes at (-1: no round under way); set back to -1 when the table is rebuilt larger. */
  private cursor = -1;

  constructor(capacity = MIN_CAPACITY) {
    let n = MIN_CAPACITY;
    while (n < capacity) n *= 2;
    this.slots = UidTable.emptySlots(n);
    this.mask = n - 1;
    this.shift = 32 - Math.log2(n);
  }

  private static emptySlots<V>(n: number): (number | V | undefined)[] {
    const s = new Array<number | V | undefined>(2 * n);
    for (let i = 0; i < n; i++) {
      s[2 * i] = EMPTY;
      s[2 * i + 1] = undefined;
    }
    return s;
  }

  /** The home slot of a uid (Fibonacci hashing: consecutive uids spread over the table). */
  private home(uid: number): number {
    return Math.imul(uid | 0, 0x9e3779b1) >>> this.shift;
  }

  /** The slot holding `uid`, or the free slot where its probe run ends (negative: -1 - that slot). */
  private find(uid: number): number {
    const s = this.slots;
    let i = this.home(uid);
    for (;;) {
      const k = s[2 * i];
      if (k === uid) return i;
      if (k === EMPTY) return -1 - i;
      i = (i + 1) & this.mask;
    }
  }

  get size(): number {
    return this.count;
  }

  get(uid: number): V | undefined {
    const i = this.find(uid);
    return i < 0 ? undefined : (this.slots[2 * i + 1] as V);
  }

  has(uid: number): boolean {
    return this.find(uid) >= 0;
  }

  set(uid: number, value: V): void {
    if (!Number.isInteger(uid) || uid < 0 || uid > 0xffffffff) throw new RangeError(`uid ${uid} is not a u32`);
    let i = this.find(uid);
    if (i >= 0) {
      this.slots[2 * i + 1] = value;
      return;
    }
    if (2 * (this.count + 1) > this.mask + 1) {
      this.grow();
      i = this.find(uid);
    }
    i = -1 - i;
    this.slots[2 * i] = uid;
    this.slots[2 * i + 1] = value;
    this.count++;
  }

  /** Removes `uid`; true when it was there. The entries after it in its probe run move back a slot. */
  delete(uid: number): boolean {
    let i = this.find(uid);
    if (i < 0) return false;
    const s = this.slots;
    const mask = this.mask;
    // Backward shift: an entry further on moves into the hole unless its home lies cyclically after the hole
    // (moving it would put it before its home, where a lookup would not find it).
    for (let j = (i + 1) & mask; s[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(s[2 * j] as number);
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (stays) continue;
      s[2 * i] = s[2 * j];
      s[2 * i + 1] = s[2 * j + 1];
      i = j;
    }
    s[2 * i] = EMPTY;
    s[2 * i + 1] = undefined;
    this.count--;
    return true;
  }

  /** The values, in slot order (do not change the table while iterating: copy first). */
  *values(): IterableIterator<V> {
    const s = this.slots;
    for (let i = 0; i < s.length; i += 2) if (s[i] !== EMPTY) yield s[i + 1] as V;
  }

  /**
   * Visits up to `budget` values of a round over the whole table, resuming where the last call stopped; `visit` may
   * delete the value it gets (the entry moved into its slot is visited next). Returns how many it visited: fewer than
   * `budget` when the round ended (the next call starts a new one). An entry added or moved back during a round
   * may be seen in the next round only; a rebuild (the table grew) starts the round over.
   */
  sweep(budget: number, visit: (v: V) => void): number {
    // The last call visited the round's last entries: this one ends the round (as a finished iterator would).
    if (this.cursor > this.mask) {
      this.cursor = -1;
      return 0;
    }
    if (this.cursor < 0) this.cursor = 0;
    let n = 0;
    while (n < budget) {
      if (this.cursor > this.mask) {
        this.cursor = -1;
        break;
      }
      const slots = this.slots;
      const at = 2 * this.cursor;
      const k = slots[at];
      if (k === EMPTY) {
        this.cursor++;
        continue;
      }
      n++;
      visit(slots[at + 1] as V);
      // A rebuild starts the round over; a deleted entry's slot may now hold the next one of its run: look again.
      if (this.slots !== slots) this.cursor = 0;
      else if (slots[at] === k) this.cursor++;
    }
    return n;
  }

  private grow(): void {
    const old = this.slots;
    const n = 2 * (this.mask + 1);
    this.slots = UidTable.emptySlots(n);
    this.mask = n - 1;
    this.shift = 32 - Math.log2(n);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === EMPTY) continue;
      const j = -1 - this.find(old[i] as number);
      this.slots[2 * j] = old[i];
      this.slots[2 * j + 1] = old[i + 1];
    }
    this.cursor = -1;
  }
}
