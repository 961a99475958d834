import type { Direction } from './framing.js';

/** A body codec: one object that knows one plaintext layout, both ways (STYLE.md practice 2). */
export interface BodyCodec<T> {
  /** Short camelCase name of the layout, e.g. `loginReply`. */
  readonly name: string;
  encode(value: T): Buffer;
  /** Decodes a plaintext body; throws DecodeError (never anything else) on malformed input. */
  decode(body: Buffer): T;
}

/**
 * How a body travels on the wire (which key opens it). Everything after login is `session`.
 * - `none`: clear text.
 * - `session`: TEA(session key).
 * - `keyPrefixed`: a 16-byte key in clear, then TEA(that key) (classic login 0x0022, modern 0x0091/0x00BA/0x00DD).
 * - `magicPrefixed`: a tok16 in clear, then TEA(the spec's key): modern 0x00E5/0x0030 (login_info_magic,
 *   login_info_key1) and the 2007/2008 classic 0x0022 (login token, login key).
 * - `loginReply`: TEA of a key from the login exchange (password key, a login-chain key, or the request's key).
 */
export const Wrap = {
  NONE: 'none',
  SESSION: 'session',
  KEY_PREFIXED: 'keyPrefixed',
  MAGIC_PREFIXED: 'magicPrefixed',
  LOGIN_REPLY: 'loginReply',
} as const;
/** A Wrap value. */
export type Wrap = (typeof Wrap)[keyof typeof Wrap];

/**
 * The keys of a login exchange, by the names PROTOCOL.md §3 and PROTOCOL-MODERN.md §2 give them. A body
 * spec lists the ones that open it: for `keyPrefixed` the key it carries in clear, for `magicPrefixed` and
 * `loginReply` the keys to try, in order.
 */
export type LoginKey =
  | 'initial key'
  | 'password key'
  | 'touch key'
  | 'request key'
  /** The 2007/2008 classic chain's: handed out by the 0x00DD reply, it opens the 0x0022 request. */
  | 'login key'
  | 'verify key'
  | 'verify_key2'
  | 'login_info_key1'
  | 'login_info_key2'
  | 'login_info_key3'
  /** pidgin-libqq's 0x00E5 reply hands it out for the 0x00E3 reply. */
  | 'e3 key';

/** The login keys in the order a login hands them out: a request that carries one starts that step again. */
export const LOGIN_KEY_CHAIN: readonly LoginKey[] = [
  'initial key',
  'touch key',
  'request key',
  'login key',
  'verify key',
  'verify_key2',
  'login_info_key1',
  'login_info_key3',
  'login_info_key2',
  'e3 key',
];

/** One direction of one command in one framing: its wrap and its plaintext codec. */
export interface BodySpec<T = unknown> {
  readonly wrap: Wrap;
  readonly codec: BodyCodec<T>;
  /** Login keys that open the body (see LoginKey); absent for `none` and `session`. */
  readonly keys?: readonly LoginKey[];
}

/** The bodies of one framing, by command code and direction. */
export type BodyRegistry = ReadonlyMap<number, Partial<Record<Direction, BodySpec>>>;

/** Helper to declare a codec with its type inferred. */
export function codec<T>(name: string, encode: (value: T) => Buffer, decode: (body: Buffer) => T): BodyCodec<T> {
  return { name, encode, decode };
}
