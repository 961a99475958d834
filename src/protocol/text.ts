import iconv from 'iconv-lite';
import { DecodeError, EncodeError } from './errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

// Text of classic bodies is GB18030 (nicknames, info fields, messages, font names); the modern
// framing uses UTF-8. The font trailer closes every classic message that has a font (PROTOCOL.md §5).

/** GB18030 bytes → string. Never throws: invalid sequences become U+FFFD. A leading BOM is kept. */
export function decodeGb(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // GB18030 is ASCII below 0x80: plain ASCII (most chat text and every test) skips the table-driven decoder.
  if (isAscii(b)) return b.toString('latin1');
  return iconv.decode(b, 'gb18030', { stripBOM: false });
}

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** Most bytes `text` can take in GB18030 (4 per UTF-16 unit): a writer capacity that never needs to grow. */
export function gbMaxLength(text: string): number {
  return 4 * text.length;
}

/** String → GB18030 bytes (GB18030 covers all of Unicode, so valid strings round-trip). */
export function encodeGb(text: string): Buffer {
  // ASCII encodes to itself (see decodeGb).
  if (/^[\x00-\x7f]*$/.test(text)) return Buffer.from(text, 'latin1');
  return iconv.encode(text, 'gb18030', { addBOM: false });
}

/** UTF-8 bytes → string (modern framing). */
export function decodeUtf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** String → UTF-8 bytes (modern framing). */
export function encodeUtf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** The charset value classic clients write for GB text. */
export const CHARSET_GB = 0x8602;

/** Default font of classic clients: 宋体, size 10, black. */
export const DEFAULT_FONT: FontTrailer = Object.freeze({
  name: '宋体',
  size: 10,
  bold: false,
  italic: false,
  underline: false,
  color: 0x000000,
  charset: CHARSET_GB,
});

/**
 * The classic font trailer. Its first six fields are exactly the store's `MessageFont`
 * (a FontTrailer is assignable to it); `charset` is kept so re-encoding gives the same bytes.
 */
export interface FontTrailer {
  name: string;
  /** 0–31 (bits 0–4 of the attribute byte). */
  size: number;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  /** 0xRRGGBB */
  color: number;
  /** u16, 0x8602 (CHARSET_GB) in real traffic. */
  charset: number;
}

/** Fixed part of a trailer: 00, attributes, R, G, B, 00, charset u16, …name…, length. */
export const FONT_TRAILER_FIXED = 9;

const SIZE_MASK = 0x1f;

/**
 * The font-style bits of the classic trailer's attribute byte (bits 5–7; the size is bits 0–4). The one bit
 * map of the project: the modern IM's font-flags byte and the store's style column use the same bits.
 */
export const FontStyleBit = { BOLD: 0x20, ITALIC: 0x40, UNDERLINE: 0x80 } as const;

/** The style flags of a font. */
export interface StyleFlags {
  bold: boolean;
  italic: boolean;
  underline: boolean;
}

/** A font's style as FontStyleBit bits. */
export function styleBits(f: StyleFlags): number {
  return (f.bold ? FontStyleBit.BOLD : 0) | (f.italic ? FontStyleBit.ITALIC : 0) | (f.underline ? FontStyleBit.UNDERLINE : 0);
}

/** The style flags of FontStyleBit bits (other bits are ignored). */
export function styleOf(bits: number): StyleFlags {
  return { bold: (bits & FontStyleBit.BOLD) !== 0, italic: (bits & FontStyleBit.ITALIC) !== 0, underline: (bits & FontStyleBit.UNDERLINE) !== 0 };
}

/** Writes a font trailer (its last byte is its own length, 9 + name length). */
export function writeFontTrailer(w: Writer, f: FontTrailer): Writer {
  if (!Number.isInteger(f.size) || f.size < 0 || f.size > SIZE_MASK) throw new EncodeError('font.size', `${f.size} is not 0–31`);
  if (!Number.isInteger(f.color) || f.color < 0 || f.color > 0xffffff) throw new EncodeError('font.color', `${f.color} is not 0xRRGGBB`);
  const name = encodeGb(f.name);
  const attrs = f.size | styleBits(f);
  return w
    .u8(0)
    .u8(attrs, 'font.attributes')
    .u8((f.color >>> 16) & 0xff)
    .u8((f.color >>> 8) & 0xff)
    .u8(f.color & 0xff)
    .u8(0)
    .u16(f.charset, 'font.charset')
    .bytes(name)
    .u8(FONT_TRAILER_FIXED + name.length, 'font.name (too long)');
}

/** Encodes a font trailer on its own. */
export function encodeFontTrailer(f: FontTrailer): Buffer {
  return writeFontTrailer(new Writer(FONT_TRAILER_FIXED + gbMaxLength(f.name)), f).finish();
}

/** Decodes exactly one trailer (the bytes must be the whole trailer). Throws DecodeError. */
export function decodeFontTrailer(bytes: Buffer): FontTrailer {
  const r = new Reader(bytes);
  r.expectU8(0, 'font.lead');
  const attrs = r.u8('font.attributes');
  const red = r.u8('font.red');
  const green = r.u8('font.green');
  const blue = r.u8('font.blue');
  r.expectU8(0, 'font.zero');
  const charset = r.u16('font.charset');
  const nameLen = bytes.length - FONT_TRAILER_FIXED;
  if (nameLen < 0) throw new DecodeError('truncated', `font trailer of ${bytes.length} bytes`, 'font', 0);
  const name = decodeGb(r.bytes(nameLen, 'font.name'));
  const lenAt = r.offset;
  const len = r.u8('font.length');
  if (len !== bytes.length) throw new DecodeError('bad_value', `length byte ${len}, trailer is ${bytes.length} bytes`, 'font.length', lenAt);
  return {
    name,
    size: attrs & SIZE_MASK,
    ...styleOf(attrs),
    color: ((red << 16) | (green << 8) | blue) >>> 0,
    charset,
  };
}

/**
 * Splits a message tail (text ‖ trailer) by reading the trailer from the END: its last byte is its
 * length. Throws DecodeError when the length byte does not fit. `base` offsets error positions.
 */
export function splitFontTrailer(tail: Buffer, base = 0): { text: Buffer; font: FontTrailer } {
  if (tail.length === 0) throw new DecodeError('truncated', 'no font trailer', 'font', base);
  const len = tail[tail.length - 1]!;
  if (len < FONT_TRAILER_FIXED || len > tail.length) {
    throw new DecodeError(len > tail.length ? 'truncated' : 'bad_value', `font trailer length ${len} in ${tail.length} byte(s)`, 'font.length', base + tail.length - 1);
  }
  const at = tail.length - len;
  try {
    return { text: tail.subarray(0, at), font: decodeFontTrailer(tail.subarray(at)) };
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.reason, e.detail, e.field, e.offset === undefined ? undefined : base + at + e.offset);
    throw e;
  }
}

/** A font without its wire charset: the same shape as the store's `MessageFont`. */
export type FontStyle = Omit<FontTrailer, 'charset'>;

/** The store-side view of a trailer (drops the charset). */
export function messageFontOf(f: FontTrailer): FontStyle {
  return { name: f.name, size: f.size, bold: f.bold, italic: f.italic, underline: f.underline, color: f.color };
}

/** A trailer for a store-side font, with the GB charset unless told otherwise. */
export function fontTrailerOf(f: FontStyle, charset: number = CHARSET_GB): FontTrailer {
  return { name: f.name, size: f.size, bold: f.bold, italic: f.italic, underline: f.underline, color: f.color, charset };
}

/**
 * Splits text into pieces of at most `maxBytes` bytes as `byteLength` counts them (UTF-8 by default), never
 * inside a character ('' → ['']): the fragments of a long message, in either framing's encoding.
 */
export function splitText(text: string, maxBytes: number, byteLength: (ch: string) => number = (ch) => Buffer.byteLength(ch, 'utf8')): string[] {
  if (maxBytes < 4) throw new EncodeError('maxBytes', 'must hold one character (4 bytes)');
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  for (const ch of text) {
    const n = byteLength(ch);
    if (curBytes + n > maxBytes && cur !== '') {
      out.push(cur);
      cur = '';
      curBytes = 0;
    }
    cur += ch;
    curBytes += n;
  }
  out.push(cur);
  return out;
}

/** The two text encodings of the wire: classic bodies are GB18030, modern bodies UTF-8. */
export type Charset = 'gb18030' | 'utf8';

/**
 * Bytes of a message fragment that are not whole characters on their own: a client that cuts long text at a
 * byte count (MyQQ 3.19: every 700 bytes) may cut inside a character. Kept and relayed as sent, with their charset;
 * they become text only once the whole message is together.
 */
export interface TextBytes {
  bytes: Buffer;
  charset: Charset;
}

/** A fragment's text: a string when its bytes are whole characters, else the bytes themselves. */
export type FragmentText = string | TextBytes;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text → bytes in `charset`. */
export function encodeIn(text: string, charset: Charset): Buffer {
  return charset === 'utf8' ? Buffer.from(text, 'utf8') : encodeGb(text);
}

/** Bytes → text in `charset`; never throws: what is not a whole character becomes U+FFFD (for display only). */
export function decodeLenient(bytes: Uint8Array, charset: Charset): string {
  return charset === 'utf8' ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : decodeGb(bytes);
}

/** A fragment's bytes as read from the wire: a string when they decode and re-encode to themselves, else the bytes. */
export function fragmentTextOf(bytes: Uint8Array, charset: Charset): FragmentText {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(b)) return b.toString('latin1');
  if (charset === 'utf8') {
    try {
      return strictUtf8.decode(b);
    } catch {
      return { bytes: Buffer.from(b), charset };
    }
  }
  const text = decodeGb(b);
  return encodeGb(text).equals(b) ? text : { bytes: Buffer.from(b), charset };
}

/** A fragment's bytes in `charset`: its own bytes when it is in that charset, else its (lenient) text encoded. */
export function fragmentBytes(t: FragmentText, charset: Charset): Buffer {
  if (typeof t === 'string') return encodeIn(t, charset);
  return t.charset === charset ? t.bytes : encodeIn(decodeLenient(t.bytes, t.charset), charset);
}

/** A fragment's text for display (a lone cut fragment shows U+FFFD at its cuts). */
export function fragmentString(t: FragmentText): string {
  return typeof t === 'string' ? t : decodeLenient(t.bytes, t.charset);
}

/** Bytes a fragment takes (UTF-8 for a string: how the store counts). */
export function fragmentByteLength(t: FragmentText): number {
  return typeof t === 'string' ? Buffer.byteLength(t, 'utf8') : t.bytes.length;
}

/**
 * The text of a whole message from its fragments in order: joined as bytes when any fragment is bytes (a character
 * cut between two fragments is whole again), then decoded once.
 */
export function joinFragmentTexts(parts: readonly FragmentText[]): string {
  const cut = parts.find((p): p is TextBytes => typeof p !== 'string');
  if (!cut) return (parts as readonly string[]).join('');
  return decodeLenient(Buffer.concat(parts.map((p) => fragmentBytes(p, cut.charset))), cut.charset);
}
