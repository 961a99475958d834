import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Endpoint } from './session.js';

/**
 * The kinds of login token: classic 0x0062's token, the modern touch token and token_c (0x00BA), and the
 * 2007/2008 chain's token-ex (classic 0x00BA), login token and login key (0x00DD reply; the key is kept secret).
 */
export const LoginTokenKind = {
  CLASSIC: 'token', TOUCH: 'touch', CAPTCHA: 'captcha', TOKEN_EX: 'tokenEx', LOGIN_TOKEN_2007: 'loginToken', LOGIN_KEY_2007: 'loginKey',
} as const;
/** A LoginTokenKind value. */
export type LoginTokenKind = (typeof LoginTokenKind)[keyof typeof LoginTokenKind];

/** Token length of each kind, in bytes (what the real servers hand out). */
export const LOGIN_TOKEN_LENGTH: Readonly<Record<LoginTokenKind, number>> = { token: 24, touch: 24, captcha: 56, tokenEx: 56, loginToken: 32, loginKey: 16 };

/** Issues and checks tokens of the login chains. */
export interface TokenSource {
  issue(e: Endpoint, now: number, kind: LoginTokenKind): Buffer;
  check(e: Endpoint, token: Uint8Array, now: number, kind: LoginTokenKind): boolean;
}

/**
 * Login tokens without server state: a token is an HMAC of the client's address and the current minute,
 * so the pre-login table cannot grow (and expires by itself). Valid for the current and the previous minute.
 */
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

  /** The token of a kind for an endpoint at time `now` (ms); the kind separates tokens and sets their length. */
  issue(e: Endpoint, now: number, kind: LoginTokenKind): Buffer {
    return this.make(e, Math.floor(now / this.periodMs), kind, LOGIN_TOKEN_LENGTH[kind]);
  }

  /** Whether `token` was issued to this endpoint, of this kind, within the last one or two periods. */
  check(e: Endpoint, token: Uint8Array, now: number, kind: LoginTokenKind): boolean {
    if (token.length !== LOGIN_TOKEN_LENGTH[kind]) return false;
    const b = Math.floor(now / this.periodMs);
    return [b, b - 1].some((x) => timingSafeEqual(this.make(e, x, kind, token.length), token));
  }
}
