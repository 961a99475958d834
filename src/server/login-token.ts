import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Endpoint } from './session.js';

/**
 * Login tokens without server state: a token is an HMAC of the client's address and the current minute,
 * so the pre-login table cannot grow (and expires by itself). Valid for the current and the previous minute.
 */
export class LoginTokens {
  constructor(private readonly secret: Buffer, private readonly length = 24, private readonly periodMs = 60_000) {}

  private make(e: Endpoint, bucket: number): Buffer {
    return createHmac('sha256', this.secret).update(`${e.address}|${e.port}|${bucket}`).digest().subarray(0, this.length);
  }

  /** The token for an endpoint at time `now` (ms). */
  issue(e: Endpoint, now: number): Buffer {
    return this.make(e, Math.floor(now / this.periodMs));
  }

  /** Whether `token` was issued to this endpoint within the last one or two periods. */
  check(e: Endpoint, token: Uint8Array, now: number): boolean {
    if (token.length !== this.length) return false;
    const b = Math.floor(now / this.periodMs);
    return [b, b - 1].some((x) => timingSafeEqual(this.make(e, x), token));
  }
}

/** Packs a message's sequence and id (both u16 on the wire) into the store's u32 message id. */
export function packMsgId(msgSeq: number, msgId: number): number {
  return ((msgSeq & 0xffff) * 0x10000 + (msgId & 0xffff)) >>> 0;
}

/** Splits the store's u32 message id back into (sequence, id). */
export function unpackMsgId(stored: number): { msgSeq: number; msgId: number } {
  return { msgSeq: Math.floor(stored / 0x10000) & 0xffff, msgId: stored & 0xffff };
}
