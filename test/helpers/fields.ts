// Field-level checks of body codecs: a body cut inside a field fails as "truncated" in that field, at that field's
// offset; a value a field cannot hold is refused naming that field. The field tables are written from the spec
// (PROTOCOL.md, PROTOCOL-MODERN.md), not read back from the code under test.
import assert from 'node:assert/strict';
import type { BodyCodec } from '../../src/protocol/codec.js';
import { DecodeError, EncodeError } from '../../src/protocol/errors.js';

/** Bytes from hex, spaces allowed. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A field of a layout: its label, offset and length in bytes. */
export type Field = [name: string, offset: number, length: number];

/** The same fields `by` bytes further on. */
export const shift = (fs: Field[], by: number): Field[] => fs.map(([n, o, l]) => [n, o + by, l]);

/** The message of the DecodeError or EncodeError `fn` throws (fails when it throws nothing or something else). */
export function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DecodeError || e instanceof EncodeError, `a codec error, got ${String(e)}`);
    return e.message;
  }
  assert.fail('no error');
}

/** Cuts `body` at every length inside the listed fields and checks the error names the field and its offset. */
export function cutsName(codec: BodyCodec<unknown>, body: Buffer, fields: Field[]): void {
  for (const [name, off, len] of fields) {
    for (let n = off; n < off + len; n++) {
      let err: unknown;
      try {
        codec.decode(body.subarray(0, n));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof DecodeError, `${codec.name} cut at ${n}: a DecodeError`);
      assert.deepEqual([err.reason, err.field, err.offset], ['truncated', name, off], `${codec.name} cut at ${n}`);
    }
  }
}

/** Encodes `value` with one field replaced by `bad` and checks the EncodeError names that field. */
export function refuses<T>(codec: BodyCodec<T>, value: T, bads: [field: string, make: (v: T) => T][]): void {
  for (const [field, make] of bads) {
    assert.throws(() => codec.encode(make(value)), (e: unknown) => e instanceof EncodeError && e.field === field, `${codec.name}: ${field}`);
  }
}

/** `bads` for top-level integer fields: each set one past what its width holds (`width` bytes). */
export function tooWide<T extends object>(fields: [name: keyof T & string, width: 1 | 2 | 4][]): [string, (v: T) => T][] {
  return fields.map(([name, width]) => [name, (v: T) => ({ ...v, [name]: 2 ** (8 * width) })]);
}

/** Decodes `body`, checks the value, and checks the value encodes back to the same bytes. */
export function pins<T>(codec: BodyCodec<T>, body: Buffer, value: T): void {
  assert.deepEqual(codec.decode(body), value, `${codec.name} decodes`);
  assert.equal(codec.encode(value).toString('hex'), body.toString('hex'), `${codec.name} encodes`);
}
