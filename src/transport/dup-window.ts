/**
 * A bounded window of recent (command, sequence) pairs with the reply sent for each (PROTOCOL.md §8):
 * a duplicate request gets the same reply again and has no second effect. Oldest entries fall out first.
 */
export class DupWindow<V = Buffer> {
  private readonly map = new Map<number, V>();
  constructor(readonly capacity = 64) {}

  private static key(command: number, seq: number): number {
    return command * 0x10000 + seq;
  }

  /** The reply remembered for a request, if it was seen. */
  get(command: number, seq: number): V | undefined {
    return this.map.get(DupWindow.key(command, seq));
  }

  has(command: number, seq: number): boolean {
    return this.map.has(DupWindow.key(command, seq));
  }

  /** Remembers the reply to a request, evicting the oldest entry past capacity. */
  set(command: number, seq: number, value: V): void {
    const k = DupWindow.key(command, seq);
    this.map.delete(k);
    this.map.set(k, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}
