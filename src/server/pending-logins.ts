import type { Packet } from '../protocol/framing.js';
import type { ServerContext } from './context.js';
import type { Endpoint } from './session.js';
import { DupWindow } from '../transport/dup-window.js';

/**
 * Pre-login state of the modern login chain (0x00DD → 0x00E5 → 0x0030), per endpoint and uid: bounded in
 * size (oldest dropped first) and in time (entries expire), so strangers cannot make it grow.
 */
export class PendingLogins<T extends object> {
  private readonly map = new Map<string, { at: number; value: T; replies: DupWindow }>();

  constructor(private readonly maxEntries = 10_000, private readonly ttlMs = 60_000) {}

  private static key(address: string, port: number, uid: number): string {
    return `${address}|${port}|${uid}`;
  }

  /** Starts (or restarts) a pending login. */
  set(address: string, port: number, uid: number, value: T, now: number): DupWindow {
    const k = PendingLogins.key(address, port, uid);
    this.map.delete(k);
    if (this.map.size >= this.maxEntries) this.map.delete(this.map.keys().next().value!);
    // Login replies are longer than any slot: each copied on its own, so no slab per stranger's attempt.
    const replies = new DupWindow(8, 0);
    this.map.set(k, { at: now, value, replies });
    return replies;
  }

  /** The live pending login of an endpoint and uid. */
  get(address: string, port: number, uid: number, now: number): { value: T; replies: DupWindow } | undefined {
    const k = PendingLogins.key(address, port, uid);
    const e = this.map.get(k);
    if (!e) return undefined;
    if (now - e.at > this.ttlMs) {
      this.map.delete(k);
      return undefined;
    }
    return e;
  }

  delete(address: string, port: number, uid: number): void {
    this.map.delete(PendingLogins.key(address, port, uid));
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * A repeated request of a pending login (same endpoint, uid, command and sequence) gets the reply it already got;
 * returns true when it was one. Clients re-send unanswered login requests and would otherwise mix keys.
 */
export function resendPending(ctx: ServerContext, pending: PendingLogins<object>, p: Packet, from: Endpoint): boolean {
  const earlier = pending.get(from.address, from.port, p.uid!, ctx.clock.now())?.replies.get(p.command, p.seq);
  if (!earlier) return false;
  ctx.metrics.duplicates++;
  ctx.send(earlier, from);
  return true;
}
