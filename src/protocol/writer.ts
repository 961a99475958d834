import { EncodeError } from './errors.js';

/** A growable big-endian writer with range checks on every integer (STYLE.md practice 8). */
export class Writer {
  private buf: Buffer;
  length = 0;

  constructor(capacity = 64) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + n));
      this.buf.copy(next, 0, 0, at);
      this.buf = next;
    }
    this.length = at + n;
    return at;
  }

  u8(v: number, field = 'u8'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new EncodeError(field, `${v} is not a u8`);
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }

  u16(v: number, field = 'u16'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new EncodeError(field, `${v} is not a u16`);
    const at = this.room(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }

  u32(v: number, field = 'u32'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new EncodeError(field, `${v} is not a u32`);
    const at = this.room(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }

  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }

  /** Exactly `n` bytes: the value must have that length. */
  fixed(b: Uint8Array, n: number, field: string): this {
    if (b.length !== n) throw new EncodeError(field, `must be ${n} bytes, got ${b.length}`);
    return this.bytes(b);
  }

  zeros(n: number): this {
    const at = this.room(n);
    this.buf.fill(0, at, this.length);
    return this;
  }

  tok8(b: Uint8Array, field = 'tok8'): this {
    return this.u8(b.length, field).bytes(b);
  }

  tok16(b: Uint8Array, field = 'tok16'): this {
    return this.u16(b.length, field).bytes(b);
  }

  /** The written bytes, as an exact-length buffer of their own. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}
