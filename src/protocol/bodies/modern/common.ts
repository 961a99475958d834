import { codec, type BodyCodec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { readWhole, encodeWith } from '../common.js';

// Pieces shared by the modern body codecs (PROTOCOL-MODERN.md §3–§5); readWhole and encodeWith are in
// ../common.ts, for both framings.
export { readWhole, encodeWith };

/** The 6-byte locale MyQQ sends in the login chain (`00 00 08 04 01 E0`). */
export const MODERN_LOCALE: Buffer = Buffer.from('0000080401e0', 'hex');
/** The 12-byte "version spec" of the login chain (`00 00 03 50 00 00 00 01 00 00 0D 6F`). */
export const MODERN_VERSION_SPEC: Buffer = Buffer.from('000003500000000100000d6f', 'hex');
/** The 16-byte executable hash MyQQ sends in 0x0030 (`C1 F7 D0 F0 …`). */
export const MODERN_EXE_HASH: Buffer = Buffer.from('c1f7d0f0ee9f4d33a851ba7ddff3eec7', 'hex');
/** The version tag of MyQQ 3.30 (QQ2011 Beta2). */
export const MYQQ_VERSION = 0x2227;

// ignoreBOM: a leading U+FEFF is text like any other (dropped, it would not re-encode to the same bytes).
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes strict UTF-8 (so re-encoding gives the same bytes); invalid input is a bad_value DecodeError. */
export function decodeUtf8(b: Uint8Array, field: string, offset?: number): string {
  try {
    return utf8Decoder.decode(b);
  } catch {
    throw new DecodeError('bad_value', 'not valid UTF-8', field, offset);
  }
}

/** Reads a u8-length UTF-8 string. */
export function readText8(r: Reader, field: string): string {
  const at = r.offset;
  return decodeUtf8(r.tok8(field), field, at);
}

/** Reads a u16-length UTF-8 string. */
export function readText16(r: Reader, field: string): string {
  const at = r.offset;
  return decodeUtf8(r.tok16(field), field, at);
}

/** Reads `n` bytes that must all be zero (documented filler). */
export function readZeros(r: Reader, n: number, field: string): void {
  const at = r.offset;
  const b = r.bytes(n, field);
  for (let i = 0; i < n; i++) if (b[i] !== 0) throw new DecodeError('bad_value', `filler byte ${i} is 0x${b[i]!.toString(16)}, expected 0`, field, at + i);
}

/** A raw field with a default: `value` if given (checked to be `n` bytes), else `fallback`. */
export function rawOr(value: Uint8Array | undefined, fallback: Buffer, field: string): Uint8Array {
  if (value === undefined) return fallback;
  if (value.length !== fallback.length) throw new EncodeError(field, `must be ${fallback.length} bytes, got ${value.length}`);
  return value;
}

/** A body whose content the client ignores or the layout does not describe: kept as bytes. */
export interface RawBody {
  data: Buffer;
}

/** A codec that keeps the whole body as bytes (round-trips anything). */
export function rawCodec(name: string): BodyCodec<RawBody> {
  return codec<RawBody>(
    name,
    (v) => Buffer.from(v.data),
    (body) => ({ data: Buffer.from(body) }),
  );
}

/** A body that is a single result byte (0x000D reply `30`, 0x00CD reply `00`). */
export interface ResultByte {
  result: number;
}

/** A codec for a one-byte result body. */
export function resultByteCodec(name: string): BodyCodec<ResultByte> {
  return codec<ResultByte>(
    name,
    (v) => encodeWith((w) => w.u8(v.result, 'result')),
    (body) => readWhole(body, (r) => ({ result: r.u8('result') })),
  );
}

/** A reply whose result byte says failure: the result and whatever followed it. */
export interface FailedReply {
  ok: false;
  result: number;
  data: Buffer;
}

/** `tag u8 · rand u32 · tok16 key` — the random entries of 0x00DD and 0x0030 requests. */
export interface RandomEntry {
  tag: number;
  rand: number;
  key: Buffer;
}

/** Reads a RandomEntry. */
export function readRandomEntry(r: Reader, field: string): RandomEntry {
  return { tag: r.u8(`${field}.tag`), rand: r.u32(`${field}.rand`), key: r.tok16(`${field}.key`) };
}

/** Writes a RandomEntry. */
export function writeRandomEntry(w: Writer, e: RandomEntry, field: string): void {
  w.u8(e.tag, `${field}.tag`).u32(e.rand, `${field}.rand`).tok16(e.key, `${field}.key`);
}

/** Checks a buffer field's length on encode. */
export function fixedLength(b: Uint8Array, n: number, field: string): Uint8Array {
  if (b.length !== n) throw new EncodeError(field, `must be ${n} bytes, got ${b.length}`);
  return b;
}

/**
 * Which reading of the chain a layout is: `qq2011` (MyQQ 3.30, tags from 0x1E0D, modern header), `qq2009` (MyQQ
 * 3.19, tag 0x1663, classic header) or `libqq` (pidgin-libqq's qq2010/qq2011 modes: a longer 0x00E5 reply, then
 * 0x00E3, and a longer 0x0030 reply). The requests say which they are (0x00DD sub-command, 0x00E5 head and verify
 * field), and the server answers each in the layout of its request.
 */
export type LoginDialect = 'qq2009' | 'qq2011' | 'libqq';

/** Decodes `body` with the first layout that reads it whole (the dialects differ by a few fields). */
export function firstLayout<T>(body: Buffer, layouts: readonly ((b: Buffer) => T)[]): T {
  let first: unknown;
  for (const read of layouts) {
    try {
      return read(body);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      first ??= e;
    }
  }
  throw first;
}
