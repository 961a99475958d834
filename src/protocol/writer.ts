import { EncodeError } from './errors.js';

/** EncodeError unless `v` is an integer in [0, max]; `kind` names the width in the message. */
function checkUint(v: number, max: number, kind: string, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(field, `${v} is not a ${kind}`);
}

/** EncodeError unless `v` fits a u16 (the check Writer.u16 makes, for encoders that write text). */
export function checkU16(v: number, field: string): void {
  checkUint(v, 0xffff, 'u16', field);
}

/** EncodeError unless `v` fits a u32 (the check Writer.u32 makes, for encoders that write text). */
export function checkU32(v: number, field: string): void {
  checkUint(v, 0xffffffff, 'u32', field);
}

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
    checkUint(v, 0xff, 'u8', field);
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }

  u16(v: number, field = 'u16'): this {
    checkU16(v, field);
    const at = this.room(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }

  u32(v: number, field = 'u32'): this {
    checkU32(v, field);
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
