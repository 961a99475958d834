import { randomFillSync } from 'node:crypto';

/** A source of random bytes: returns a fresh buffer of `n` bytes. */
export type RandomSource = (n: number) => Buffer;

const POOL_SIZE = 8192;
let pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/**
 * Default random source: bytes from a pooled CSPRNG buffer. The pool is filled by
 * `randomFillSync` before any byte is handed out, so callers never see uninitialised memory.
 */
export const cryptoRandom: RandomSource = (n) => {
  if (n > POOL_SIZE) return randomFillSync(Buffer.alloc(n));
  if (poolOffset + n > POOL_SIZE) {
    pool = randomFillSync(Buffer.alloc(POOL_SIZE));
    poolOffset = 0;
  }
  // Copied byte by byte into a fresh buffer: a subarray and Buffer.from of it made two typed arrays
  // per call, and QQ-TEA asks for a few bytes for every packet it encrypts.
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = pool[poolOffset + i]!;
  poolOffset += n;
  return out;
};

/** A deterministic random source that replays `bytes` in order (tests, vectors); throws when exhausted. */
export function replayRandom(bytes: Uint8Array): RandomSource {
  let at = 0;
  return (n) => {
    if (at + n > bytes.length) throw new Error(`replayRandom: asked for ${n} bytes, ${bytes.length - at} left`);
    const out = Buffer.from(bytes.subarray(at, at + n));
    at += n;
    return out;
  };
}

/** A seeded, non-cryptographic random source (xorshift32) for reproducible tests and load generators. */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0 || 0x9e3779b9;
  return (n) => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}
