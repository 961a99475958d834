import type { Clock, Timer } from './clock.js';

/** A request that got no reply after its last try. */
export class RequestTimeoutError extends Error {
  constructor(readonly command: number, readonly seq: number, readonly tries: number) {
    super(`no reply to command 0x${command.toString(16).padStart(4, '0')} seq ${seq} after ${tries} tries`);
    this.name = 'RequestTimeoutError';
  }
}

/** Retransmission policy (PROTOCOL.md §8: resend after 3–5 s, give up after 5–10 sends). */
export interface RetryPolicy {
  intervalMs: number;
  maxTries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { intervalMs: 3_000, maxTries: 5 };

interface Pending<R> {
  bytes: Buffer;
  tries: number;
  timer?: Timer;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

/**
 * Matches replies to requests by (command, sequence) and retransmits the same datagram until a reply
 * arrives or the tries run out (then rejects with RequestTimeoutError).
 */
export class Requester<R> {
  private readonly pending = new Map<number, Pending<R>>();
  /** Called before each retransmission (`attempt` ≥ 2), so a user can be told the server is not answering yet. */
  onRetry?: (command: number, seq: number, attempt: number, maxTries: number) => void;

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly clock: Clock,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  private static key(command: number, seq: number): number {
    return command * 0x10000 + seq;
  }

  /** Sends `bytes` and resolves with the reply matched to (command, seq). */
  request(command: number, seq: number, bytes: Buffer, policy: RetryPolicy = this.policy): Promise<R> {
    const key = Requester.key(command, seq);
    if (this.pending.has(key)) return Promise.reject(new Error(`request 0x${command.toString(16)} seq ${seq} already pending`));
    return new Promise<R>((resolve, reject) => {
      const p: Pending<R> = { bytes, tries: 0, resolve, reject };
      this.pending.set(key, p);
      const attempt = () => {
        if (this.pending.get(key) !== p) return;
        if (p.tries >= policy.maxTries) {
          this.pending.delete(key);
          reject(new RequestTimeoutError(command, seq, p.tries));
          return;
        }
        p.tries++;
        if (p.tries > 1) this.onRetry?.(command, seq, p.tries, policy.maxTries);
        this.send(p.bytes);
        p.timer = this.clock.setTimeout(attempt, policy.intervalMs);
      };
      attempt();
    });
  }

  /** Offers an incoming packet; returns true if it answered a pending request. */
  resolve(command: number, seq: number, reply: R): boolean {
    const key = Requester.key(command, seq);
    const p = this.pending.get(key);
    if (!p) return false;
    this.pending.delete(key);
    p.timer?.cancel();
    p.resolve(reply);
    return true;
  }

  /** Whether (command, seq) is awaiting a reply. */
  isPending(command: number, seq: number): boolean {
    return this.pending.has(Requester.key(command, seq));
  }

  /** Fails every pending request (on close or lost session). */
  rejectAll(err: Error): void {
    for (const p of this.pending.values()) {
      p.timer?.cancel();
      p.reject(err);
    }
    this.pending.clear();
  }

  /** Requests awaiting a reply. */
  get size(): number {
    return this.pending.size;
  }
}
