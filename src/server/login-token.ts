import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Endpoint } from './session.js';

/**
 * Login tokens without server state: a token is an HMAC of the client's address and the current minute,
 * so the pre-login table cannot grow (and expires by itself). Valid for the current and the previous minute.
 */
/** Issues and checks tokens of the login chains (classic 0x0062; modern touch token and token_c). */
export interface TokenSource {
  issue(e: Endpoint, now: number, label: string, length: number): Buffer;
  check(e: Endpoint, token: Uint8Array, now: number, label: string): boolean;
}

export class LoginTokens implements TokenSource {
  constructor(private readonly secret: Buffer, private readonly periodMs = 60_000) {}

  private make(e: Endpoint, bucket: number, label: string, length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0, block = 0; i < length; block++) {
      const d = createHmac('sha256', this.secret).update(`${label}|${e.address}|${e.port}|${bucket}|${block}`).digest();
      i += d.copy(out, i);
    }
    return out;
  }

  /** The token of `length` bytes for an endpoint at time `now` (ms); `label` separates kinds of token. */
  issue(e: Endpoint, now: number, label = 'token', length = 24): Buffer {
    return this.make(e, Math.floor(now / this.periodMs), label, length);
  }

  /** Whether `token` was issued to this endpoint, with this label, within the last one or two periods. */
  check(e: Endpoint, token: Uint8Array, now: number, label = 'token'): boolean {
    if (token.length === 0) return false;
    const b = Math.floor(now / this.periodMs);
    return [b, b - 1].some((x) => timingSafeEqual(this.make(e, x, label, token.length), token));
  }
}
