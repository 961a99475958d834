import type { Clock, Timer } from './clock.js';

/**
 * One waiting callback, and its own handle. Cancelled entries stay in the heap until their time comes (cancel is
 * O(1)) but let go of the callback and its argument at once.
 */
class Entry implements Timer {
  constructor(
    readonly queue: TimerQueue,
    readonly at: number,
    readonly id: number,
    public fn: ((arg: never) => void) | undefined,
    public arg: unknown,
  ) {}

  cancel(): void {
    if (!this.fn) return;
    this.fn = undefined;
    this.arg = undefined;
    this.queue.cancelled();
  }
}

/**
 * One timer structure for many waits (every session's push retries, held logins): a binary min-heap by due
 * time driven by a single timer of the underlying clock, re-armed only when an earlier wait arrives. A Node
 * timer per push costs an object and a list insertion each; here a wait is one small entry. It is itself a
 * Clock, so the code that waits does not know which it got; `now` and `turn` are the underlying clock's.
 */
export class TimerQueue implements Clock {
  private readonly heap: Entry[] = [];
  private nextId = 0;
  private live = 0;
  private armed?: Timer;
  private armedAt = Infinity;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  turn(fn: () => void): void {
    this.clock.turn(fn);
  }

  /** Waits not yet run or cancelled. */
  get pending(): number {
    return this.live;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.schedule(fn, undefined, ms);
  }

  /**
   * Calls `fn(arg)` after `ms`. Per-item waits (a push's retry) pass the item as `arg` to one shared handler
   * instead of a closure each: a closure's context holding the item outlived the wait in the running server, and
   * every push was promoted to the old generation (docs/DECISIONS.md, "Per-session state").
   */
  schedule<T>(fn: (arg: T) => void, arg: T, ms: number): Timer {
    const e = new Entry(this, this.clock.now() + Math.max(0, ms), this.nextId++, fn, arg);
    this.push(e);
    this.live++;
    if (e.at < this.armedAt) this.arm(e.at);
    return e;
  }

  /** An entry was cancelled (Entry.cancel). */
  cancelled(): void {
    this.live--;
  }

  /** Stops the underlying timer; waits still queued never run. */
  stop(): void {
    this.armed?.cancel();
    this.armed = undefined;
    this.armedAt = Infinity;
    this.heap.length = 0;
    this.live = 0;
  }

  private arm(at: number): void {
    this.armed?.cancel();
    this.armedAt = at;
    this.armed = this.clock.setTimeout(() => this.fire(), at - this.clock.now());
  }

  /** Runs every wait that is due, in due-time then creation order; re-arms for the next one. */
  private fire(): void {
    this.armed = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.pop();
      const fn = e.fn as ((arg: unknown) => void) | undefined;
      if (!fn) continue;
      const arg = e.arg;
      e.fn = undefined;
      e.arg = undefined;
      this.live--;
      fn(arg);
    }
    // Cancelled entries at the top would only arm useless wake-ups.
    while (this.heap.length > 0 && !this.heap[0]!.fn) this.pop();
    if (this.heap.length > 0 && this.heap[0]!.at < this.armedAt) this.arm(this.heap[0]!.at);
  }

  private static before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  private push(e: Entry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!TimerQueue.before(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && TimerQueue.before(h[r]!, h[l]!) ? r : l;
        if (!TimerQueue.before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
