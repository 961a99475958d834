import { DecodeError, EncodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { checkU32 } from '../../writer.js';

// Small pieces shared by the classic body codecs (readWhole and encodeWith are in ../common.ts, for both framings).
export { readWhole, encodeWith } from '../common.js';

const DIGITS = /^(0|[1-9][0-9]{0,9})$/;

/** Parses canonical ASCII decimal (no sign, no leading zero) that fits a u32; DecodeError otherwise. */
export function parseDecimal(text: string, field: string, offset?: number): number {
  const n = DIGITS.test(text) ? Number(text) : NaN;
  if (!(n <= 0xffffffff)) throw new DecodeError('bad_value', `${JSON.stringify(text.slice(0, 16))} is not a decimal u32`, field, offset);
  return n;
}

/**
 * Parses canonical ASCII decimal u32 from bytes, as parseDecimal parses text (per keep-alive: no string, no
 * regular expression); DecodeError otherwise.
 */
export function parseDecimalBytes(bytes: Uint8Array, field: string, offset?: number): number {
  const n = bytes.length;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9 || (i === 0 && d === 0 && n > 1)) {
      v = NaN;
      break;
    }
    v = v * 10 + d;
  }
  if (n === 0 || n > 10 || !(v <= 0xffffffff)) {
    throw new DecodeError('bad_value', `${JSON.stringify(Buffer.from(bytes.subarray(0, 16)).toString('latin1'))} is not a decimal u32`, field, offset);
  }
  return v;
}

/** How many ASCII digits a u32 has (comparisons, no division). */
export function decimalLength(n: number): number {
  if (n < 100_000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : 5;
  return n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
}

/** Writes a u32 as ASCII decimal at b[at..]; returns the offset after it. */
export function writeDecimal(b: Uint8Array, at: number, n: number): number {
  const end = at + decimalLength(n);
  for (let i = end - 1; i >= at; i--) {
    const q = (n / 10) >>> 0;
    b[i] = 48 + n - q * 10;
    n = q;
  }
  return end;
}

/** A u32 as ASCII decimal; EncodeError if it is not a u32. */
export function decimalBytes(n: number, field: string): Buffer {
  checkU32(n, field);
  return Buffer.from(String(n), 'latin1');
}

/** Splits bytes on a separator byte (keeps empty pieces: n separators give n + 1 pieces). */
export function splitOn(bytes: Buffer, sep: number): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === sep) {
      out.push(bytes.subarray(from, i));
      from = i + 1;
    }
  }
  out.push(bytes.subarray(from));
  return out;
}

/** Joins pieces with a separator byte; EncodeError if a piece contains the separator. */
export function joinWith(pieces: readonly Buffer[], sep: number, field: string): Buffer {
  const parts: Buffer[] = [];
  pieces.forEach((p, i) => {
    if (p.includes(sep)) throw new EncodeError(`${field}[${i}]`, `contains the separator 0x${sep.toString(16)}`);
    if (i > 0) parts.push(Buffer.of(sep));
    parts.push(p);
  });
  return Buffer.concat(parts);
}

/** Fails with trailing_bytes/truncated unless the remaining length is a multiple of `size`. */
export function entryCount(r: Reader, size: number, field: string): number {
  if (r.remaining % size !== 0) {
    throw new DecodeError('truncated', `${r.remaining} byte(s) is not a whole number of ${size}-byte entries`, field, r.offset);
  }
  return r.remaining / size;
}
