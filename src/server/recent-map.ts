/** One entry of a RecentMap: its value, and whether it was read since it was added or last went round. */
interface Slot<V> {
  value: V;
  used: boolean;
}

/**
 * A map of at most `max` entries that forgets one of the least recently used when full (second chance: a read
 * marks its entry, and the oldest entry, if marked, is moved to the back unmarked instead of forgotten). A read
 * writes no Map: moving the entry to the back at every read (delete + set) made V8 rebuild the Map's table every
 * few hundred reads, and those tables lived long enough to be promoted to the old generation.
 */
export class RecentMap<K, V> {
  private readonly map = new Map<K, Slot<V>>();

  constructor(private readonly max: number) {}

  /** The value of `key`, marked as recently used. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    e.used = true;
    return e.value;
  }

  /** Sets `key`'s value (marked as used when it was there already); forgets an old entry when full. */
  set(key: K, value: V): void {
    const e = this.map.get(key);
    if (e) {
      e.value = value;
      e.used = true;
      return;
    }
    if (this.map.size >= this.max) this.evict();
    this.map.set(key, { value, used: false });
  }

  /** Forgets `key`; false when it was not there. */
  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Forgets everything. */
  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }

  /** Keys, oldest (least recently moved to the back) first. */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  private evict(): void {
    // Each marked entry is passed over once (unmarked), so this ends within size + 1 steps.
    for (;;) {
      const next = this.map.entries().next();
      if (next.done) return;
      const [key, e] = next.value;
      this.map.delete(key);
      if (!e.used) return;
      e.used = false;
      this.map.set(key, e);
    }
  }
}
