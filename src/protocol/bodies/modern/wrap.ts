import { DecodeError, type Result } from '../../errors.js';
import type { RandomSource } from '../../random.js';
import { teaDecrypt, teaEncrypt } from '../../tea.js';
import { Writer } from '../../writer.js';

// How modern bodies travel (PROTOCOL-MODERN.md §1, §6): "key in clear + TEA(key, plain)" for 0x0091/0x00BA/0x00DD
// requests, "tok16 magic + TEA(login_info_key1, plain)" for 0x00E5/0x0030 requests, plain TEA(key) for the rest.

/** An opened key-prefixed body: the clear key and the plaintext it opened. */
export interface KeyPrefixedOpen {
  key: Buffer;
  plain: Buffer;
}

/** A magic-prefixed body split into its clear magic and its ciphertext. */
export interface MagicPrefixedParts {
  magic: Buffer;
  cipher: Buffer;
}

/** An opened magic-prefixed body. */
export interface MagicPrefixedOpen {
  magic: Buffer;
  plain: Buffer;
}

/** Builds `key[16] ‖ TEA(key, plain)`. */
export function wrapKeyPrefixed(key: Uint8Array, plain: Uint8Array, random: RandomSource): Buffer {
  if (key.length !== 16) throw new RangeError(`key must be 16 bytes, got ${key.length}`);
  return Buffer.concat([key, teaEncrypt(plain, key, random)]);
}

/** Opens `key[16] ‖ TEA(key, plain)` with the key it carries. */
export function unwrapKeyPrefixed(body: Buffer): Result<KeyPrefixedOpen> {
  if (body.length < 32) return { ok: false, error: new DecodeError('truncated', `key-prefixed body of ${body.length} bytes < 32`, 'key', 0) };
  const key = Buffer.from(body.subarray(0, 16));
  const plain = teaDecrypt(body.subarray(16), key);
  if (!plain) return { ok: false, error: new DecodeError('undecryptable', 'does not open with its clear key', 'cipher', 16) };
  return { ok: true, value: { key, plain: Buffer.from(plain) } };
}

/** Builds `tok16 magic ‖ TEA(key1, plain)`. */
export function wrapMagicPrefixed(magic: Uint8Array, key1: Uint8Array, plain: Uint8Array, random: RandomSource): Buffer {
  return Buffer.concat([new Writer().tok16(magic, 'magic').finish(), teaEncrypt(plain, key1, random)]);
}

/** Splits `tok16 magic ‖ cipher` without a key (a server reads the magic to find the login in progress). */
export function splitMagicPrefixed(body: Buffer): Result<MagicPrefixedParts> {
  if (body.length < 2) return { ok: false, error: new DecodeError('truncated', 'no magic length', 'magic', 0) };
  const n = body.readUInt16BE(0);
  if (body.length < 2 + n) return { ok: false, error: new DecodeError('truncated', `magic of ${n} bytes, ${body.length - 2} left`, 'magic', 2) };
  return { ok: true, value: { magic: Buffer.from(body.subarray(2, 2 + n)), cipher: body.subarray(2 + n) } };
}

/** Opens `tok16 magic ‖ TEA(key1, plain)` with login_info_key1. */
export function unwrapMagicPrefixed(body: Buffer, key1: Uint8Array): Result<MagicPrefixedOpen> {
  const parts = splitMagicPrefixed(body);
  if (!parts.ok) return parts;
  const plain = teaDecrypt(parts.value.cipher, key1);
  if (!plain) return { ok: false, error: new DecodeError('undecryptable', 'does not open with login_info_key1', 'cipher', 2 + parts.value.magic.length) };
  return { ok: true, value: { magic: parts.value.magic, plain: Buffer.from(plain) } };
}

/** Builds TEA(key, plain): session bodies and login-chain replies. */
export function seal(key: Uint8Array, plain: Uint8Array, random: RandomSource): Buffer {
  return teaEncrypt(plain, key, random);
}

/** Opens TEA(key, plain), trying each candidate key in order (PROTOCOL-MODERN.md §1: reply keys, then pwd_key). */
export function openWith(body: Buffer, ...keys: Uint8Array[]): Result<{ plain: Buffer; keyIndex: number }> {
  for (let i = 0; i < keys.length; i++) {
    const plain = teaDecrypt(body, keys[i]!);
    if (plain) return { ok: true, value: { plain: Buffer.from(plain), keyIndex: i } };
  }
  return { ok: false, error: new DecodeError('undecryptable', `opens with none of ${keys.length} key(s)`) };
}
