import { cryptoRandom, type RandomSource } from './random.js';

// QQ-TEA: TEA with 16 rounds and the QQ chaining mode (PROTOCOL.md §2).
const DELTA = 0x9e3779b9;
const DECRYPT_SUM = 0xe3779b90; // DELTA * 16 mod 2^32

/** A 16-byte key as its four big-endian words (int32 or u32), as the block cipher reads it. */
export interface TeaKeyWords {
  readonly k0: number;
  readonly k1: number;
  readonly k2: number;
  readonly k3: number;
}

/** A 16-byte key, pre-split into four big-endian u32 words for the block cipher. */
export interface TeaKey extends TeaKeyWords {
  readonly bytes: Buffer;
}

/** Splits a 16-byte key into its words; accepts a TeaKey unchanged. */
export function teaKey(key: Uint8Array | TeaKey): TeaKey {
  if (!(key instanceof Uint8Array)) return key;
  if (key.length !== 16) throw new RangeError(`QQ-TEA key must be 16 bytes, got ${key.length}`);
  const b = Buffer.from(key.buffer, key.byteOffset, 16);
  return { bytes: Buffer.from(b), k0: b.readUInt32BE(0), k1: b.readUInt32BE(4), k2: b.readUInt32BE(8), k3: b.readUInt32BE(12) };
}

// Speed notes: everything stays int32 (`| 0`), block words are assembled from bytes by hand (no
// Buffer.readInt32BE), results go through an Int32Array (a Uint32Array read above 2^31 yields a
// double), and encryption frames and encrypts in one buffer. The chaining loops of teaEncrypt and
// teaDecrypt repeat the rounds of encipher/decipher on purpose: calling them per block (words out through
// the Int32Array) measured about 15 % slower in both directions (136-byte messages, Node 20, interleaved
// runs, 2026-11); the block functions, which are not on a hot path, share encipher/decipher.

/** Encrypts one 8-byte block (y, z) into out[0..1]. */
function encipher(y: number, z: number, k: TeaKey, out: Int32Array): void {
  const k0 = k.k0 | 0, k1 = k.k1 | 0, k2 = k.k2 | 0, k3 = k.k3 | 0;
  let sum = 0;
  for (let i = 0; i < 16; i++) {
    sum = (sum + DELTA) | 0;
    y = (y + ((((z << 4) + k0) ^ (z + sum) ^ ((z >>> 5) + k1)) | 0)) | 0;
    z = (z + ((((y << 4) + k2) ^ (y + sum) ^ ((y >>> 5) + k3)) | 0)) | 0;
  }
  out[0] = y;
  out[1] = z;
}

function decipher(y: number, z: number, k: TeaKey, out: Int32Array): void {
  const k0 = k.k0 | 0, k1 = k.k1 | 0, k2 = k.k2 | 0, k3 = k.k3 | 0;
  let sum = DECRYPT_SUM | 0;
  for (let i = 0; i < 16; i++) {
    z = (z - ((((y << 4) + k2) ^ (y + sum) ^ ((y >>> 5) + k3)) | 0)) | 0;
    y = (y - ((((z << 4) + k0) ^ (z + sum) ^ ((z >>> 5) + k1)) | 0)) | 0;
    sum = (sum - DELTA) | 0;
  }
  out[0] = y;
  out[1] = z;
}

const word = new Int32Array(2);
/** The four key words of the call in progress (no TeaKey object per call). */
const kw = new Int32Array(4);

/**
 * Loads a key's words into kw: a Uint8Array key is read in place, words are taken as they are (a server session
 * holds its session key's words in its own fields: reading them there costs no extra cache line per request).
 */
function loadKey(key: Uint8Array | TeaKeyWords): void {
  if (key instanceof Uint8Array) {
    if (key.length !== 16) throw new RangeError(`QQ-TEA key must be 16 bytes, got ${key.length}`);
    kw[0] = rd(key, 0);
    kw[1] = rd(key, 4);
    kw[2] = rd(key, 8);
    kw[3] = rd(key, 12);
  } else {
    kw[0] = key.k0;
    kw[1] = key.k1;
    kw[2] = key.k2;
    kw[3] = key.k3;
  }
}

/** Big-endian int32 at b[o..o+3] (caller guarantees the bounds). */
function rd(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** Writes v big-endian at b[o..o+3]. */
function wr(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** One 8-byte block through `cipher` (encipher or decipher), into a new buffer. */
function oneBlock(block: Uint8Array, key: Uint8Array | TeaKey, cipher: typeof encipher): Buffer {
  if (block.length < 8) throw new RangeError(`TEA block must be 8 bytes, got ${block.length}`);
  cipher(rd(block, 0), rd(block, 4), teaKey(key), word);
  const out = Buffer.allocUnsafe(8);
  wr(out, 0, word[0]!);
  wr(out, 4, word[1]!);
  return out;
}

/** Encrypts a single 8-byte block with plain TEA (16 rounds); for block vectors and tests. */
export function teaEncryptBlock(block: Uint8Array, key: Uint8Array | TeaKey): Buffer {
  return oneBlock(block, key, encipher);
}

/** Decrypts a single 8-byte block with plain TEA (16 rounds). */
export function teaDecryptBlock(block: Uint8Array, key: Uint8Array | TeaKey): Buffer {
  return oneBlock(block, key, decipher);
}

/** Length of the QQ-TEA ciphertext for a plaintext of `len` bytes. */
export function teaCipherLength(len: number): number {
  let pad = (len + 10) % 8;
  if (pad !== 0) pad = 8 - pad;
  return len + pad + 10;
}

/**
 * QQ-TEA encryption. `random` supplies the header byte, the pad bytes and the two salt bytes
 * (in that order); the default is the pooled CSPRNG.
 */
export function teaEncrypt(plain: Uint8Array, key: Uint8Array | TeaKeyWords, random: RandomSource = cryptoRandom): Buffer {
  loadKey(key);
  const k0 = kw[0]!, k1 = kw[1]!, k2 = kw[2]!, k3 = kw[3]!;
  let pad = (plain.length + 10) % 8;
  if (pad !== 0) pad = 8 - pad;
  const total = plain.length + pad + 10;
  // Frame the plaintext in the output buffer, then encrypt it in place block by block.
  const b = Buffer.allocUnsafe(total);
  const r = random(1 + pad + 2);
  b[0] = (r[0]! & 0xf8) | pad;
  for (let i = 1; i <= pad + 2; i++) b[i] = r[i]!;
  b.set(plain, pad + 3);
  for (let i = total - 7; i < total; i++) b[i] = 0;
  // Chaining (PROTOCOL.md §2): X_i = P_i ^ C_{i-1}; C_i = E(X_i) ^ X_{i-1}.
  let c0 = 0, c1 = 0, x0 = 0, x1 = 0;
  for (let off = 0; off < total; off += 8) {
    const nx0 = rd(b, off) ^ c0;
    const nx1 = rd(b, off + 4) ^ c1;
    let y = nx0, z = nx1, sum = 0;
    for (let i = 0; i < 16; i++) {
      sum = (sum + DELTA) | 0;
      y = (y + ((((z << 4) + k0) ^ (z + sum) ^ ((z >>> 5) + k1)) | 0)) | 0;
      z = (z + ((((y << 4) + k2) ^ (y + sum) ^ ((y >>> 5) + k3)) | 0)) | 0;
    }
    c0 = y ^ x0;
    c1 = z ^ x1;
    wr(b, off, c0);
    wr(b, off + 4, c1);
    x0 = nx0;
    x1 = nx1;
  }
  return b;
}

/**
 * QQ-TEA decryption. Returns the data, or `null` when the ciphertext is not valid under this key
 * (bad length, bad pad, non-zero tail) — the caller then tries another key or drops the packet.
 */
export function teaDecrypt(cipher: Uint8Array, key: Uint8Array | TeaKeyWords): Buffer | null {
  const total = cipher.length;
  if (total < 16 || total % 8 !== 0) return null;
  loadKey(key);
  const k0 = kw[0]!, k1 = kw[1]!, k2 = kw[2]!, k3 = kw[3]!;
  const p = Buffer.allocUnsafe(total);
  let pc0 = 0, pc1 = 0, x0 = 0, x1 = 0;
  for (let off = 0; off < total; off += 8) {
    const c0 = rd(cipher, off);
    const c1 = rd(cipher, off + 4);
    let y = c0 ^ x0, z = c1 ^ x1, sum = DECRYPT_SUM | 0;
    for (let i = 0; i < 16; i++) {
      z = (z - ((((y << 4) + k2) ^ (y + sum) ^ ((y >>> 5) + k3)) | 0)) | 0;
      y = (y - ((((z << 4) + k0) ^ (z + sum) ^ ((z >>> 5) + k1)) | 0)) | 0;
      sum = (sum - DELTA) | 0;
    }
    x0 = y;
    x1 = z;
    wr(p, off, x0 ^ pc0);
    wr(p, off + 4, x1 ^ pc1);
    pc0 = c0;
    pc1 = c1;
  }
  const pad = p[0]! & 7;
  const len = total - pad - 10;
  if (len < 0) return null;
  for (let i = total - 7; i < total; i++) if (p[i] !== 0) return null;
  return p.subarray(pad + 3, pad + 3 + len);
}
