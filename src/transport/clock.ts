// Everything that waits (retransmits, keep-alive timeouts, offline delivery) goes through a Clock,
// so tests can drive time by hand (ARCHITECTURE.md).

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/** Time and timers. `now()` is milliseconds since the epoch. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  /** Runs `fn` once the current event-loop turn is over (after pending I/O is read): the group-commit turn. */
  turn(fn: () => void): void;
}

/** The real clock. Timers are unref'd so they never keep a process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  turn(fn) {
    setImmediate(fn);
  },
};

/** A clock for tests: time moves only when `advance` is called, firing due timers in order. */
export class ManualClock implements Clock {
  private time: number;
  private timers: { at: number; id: number; fn: () => void }[] = [];
  private nextId = 0;

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const entry = { at: this.time + Math.max(0, ms), id: this.nextId++, fn };
    this.timers.push(entry);
    return { cancel: () => { this.timers = this.timers.filter((t) => t !== entry); } };
  }

  /** A turn is a timer due now: it runs at the next `advance`, `advance(0)` included. */
  turn(fn: () => void): void {
    this.setTimeout(fn, 0);
  }

  /** Moves time forward by `ms`, running every timer that falls due (including ones they schedule). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.length;
  }
}
