import { DecodeError } from './errors.js';

/** A field some Reader read while fields were recorded: its name and byte range [start, end) in the recorded buffer. */
export interface FieldRange {
  field: string;
  start: number;
  end: number;
}

// The recording in progress (the inspector's field tree), or null: readers then pay one null check per read.
let recording: { root: Buffer; fields: FieldRange[] } | null = null;

/**
 * Runs `decode` while every Reader over `root` — or over any view into it, so nested layouts count too — notes
 * each field it reads with its byte range relative to `root`. The layouts stay where they are (the codecs);
 * this only watches them read. Reads of copies (e.g. a block decrypted inside the body) are not in `root`
 * and are left out. Returns the fields in read order, and the decoder's value or what it threw.
 */
export function recordFields<T>(root: Buffer, decode: () => T): { fields: FieldRange[]; value?: T; error?: unknown } {
  const outer = recording;
  const rec = { root, fields: [] as FieldRange[] };
  recording = rec;
  try {
    return { fields: rec.fields, value: decode() };
  } catch (error) {
    return { fields: rec.fields, error };
  } finally {
    recording = outer;
  }
}

function note(buf: Buffer, offset: number, n: number, field: string): void {
  const { root, fields } = recording!;
  if (buf.buffer !== root.buffer) return;
  const start = buf.byteOffset - root.byteOffset + offset;
  if (start < 0 || start + n > root.length) return;
  fields.push({ field, start, end: start + n });
}

/** A bounded cursor over exactly one body: every read checks what remains (STYLE.md practice 5). */
export class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (n > this.buf.length - this.offset) {
      throw new DecodeError('truncated', `need ${n} byte(s), ${this.buf.length - this.offset} left`, field, this.offset);
    }
    if (recording !== null) note(this.buf, this.offset, n, field);
  }

  u8(field = 'u8'): number {
    this.need(1, field);
    return this.buf[this.offset++]!;
  }

  u16(field = 'u16'): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(field = 'u32'): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** `n` bytes as a view (no copy). */
  bytes(n: number, field = 'bytes'): Buffer {
    this.need(n, field);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** `n` bytes copied out, for values kept beyond the datagram's life (keys, tokens). */
  copy(n: number, field = 'bytes'): Buffer {
    return Buffer.from(this.bytes(n, field));
  }

  skip(n: number, field = 'skip'): void {
    this.need(n, field);
    this.offset += n;
  }

  /** u8 length + bytes. */
  tok8(field = 'tok8'): Buffer {
    return this.copy(this.u8(`${field} length`), field);
  }

  /** u16 length + bytes ("tok16" of PROTOCOL-MODERN.md). */
  tok16(field = 'tok16'): Buffer {
    return this.copy(this.u16(`${field} length`), field);
  }

  /** Everything left. */
  rest(field = 'rest'): Buffer {
    if (recording !== null) note(this.buf, this.offset, this.buf.length - this.offset, field);
    const v = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return v;
  }

  /** Asserts a fixed value (a constant byte of the layout). */
  expectU8(value: number, field: string): void {
    this.expect(this.offset, this.u8(field), value, field);
  }

  /** Asserts a fixed u16 of the layout. */
  expectU16(value: number, field: string): void {
    this.expect(this.offset, this.u16(field), value, field);
  }

  /** Asserts a fixed u32 of the layout. */
  expectU32(value: number, field: string): void {
    this.expect(this.offset, this.u32(field), value, field);
  }

  // `at` is the offset before the read (arguments are evaluated left to right).
  private expect(at: number, v: number, value: number, field: string): void {
    if (v !== value) throw new DecodeError('bad_value', `expected 0x${value.toString(16)}, got 0x${v.toString(16)}`, field, at);
  }

  /** Fails with trailing_bytes if anything is left. */
  end(field = 'end'): void {
    if (this.remaining !== 0) throw new DecodeError('trailing_bytes', `${this.remaining} byte(s) left over`, field, this.offset);
  }
}
