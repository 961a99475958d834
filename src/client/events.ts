import { EventEmitter } from 'node:events';

// A small typed wrapper around EventEmitter: the event map is checked at compile time, payloads are
// single objects, and `next()` turns an event into a promise (handy in tests and scripts).

/** A map from event name to payload type. */
export type EventMap = { [event: string]: unknown };

/** An EventEmitter whose events and payloads are typed by `E`. */
export class TypedEmitter<E extends EventMap> {
  private readonly ee = new EventEmitter();

  /** Adds a listener. */
  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): this {
    this.ee.on(event, listener);
    return this;
  }

  /** Adds a listener that runs once. */
  once<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): this {
    this.ee.once(event, listener);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): this {
    this.ee.off(event, listener);
    return this;
  }

  /** Resolves with the next payload of `event` that satisfies `pred` (every payload if omitted). */
  next<K extends keyof E & string>(event: K, pred: (payload: E[K]) => boolean = () => true): Promise<E[K]> {
    return new Promise((resolve) => {
      const fn = (p: E[K]) => {
        if (!pred(p)) return;
        this.ee.off(event, fn);
        resolve(p);
      };
      this.ee.on(event, fn);
    });
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof E & string>(event: K): number {
    return this.ee.listenerCount(event);
  }

  /** Calls the listeners of `event` with `payload`. */
  protected emit<K extends keyof E & string>(event: K, payload: E[K]): void {
    this.ee.emit(event, payload);
  }
}
