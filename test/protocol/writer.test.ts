import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { EncodeError, DecodeError } from '../../src/protocol/errors.js';

test('writer keeps every byte when it grows', () => {
  assert.equal(new Writer(2).u8(1).u8(2).u8(3).u8(4).finish().toString('hex'), '01020304');
  assert.equal(new Writer(1).u16(0x0102).u32(0x03040506).bytes(Buffer.from('0708', 'hex')).zeros(2).finish().toString('hex'), '01020304050607080000');
});

test('property: whatever is written reads back, from any starting capacity', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(
    fc.integer({ min: 0, max: 0xff }).map((v) => ['u8', v] as const),
    fc.integer({ min: 0, max: 0xffff }).map((v) => ['u16', v] as const),
    fc.integer({ min: 0, max: 0xffffffff }).map((v) => ['u32', v] as const),
    fc.uint8Array({ maxLength: 20 }).map((v) => ['tok8', v] as const),
  )), (cap, ops) => {
    const w = new Writer(cap);
    for (const [k, v] of ops) (w[k] as (x: typeof v) => Writer)(v);
    const r = new Reader(w.finish());
    for (const [k, v] of ops) {
      const got = k === 'tok8' ? r.tok8() : r[k]();
      assert.deepEqual(got, k === 'tok8' ? Buffer.from(v as Uint8Array) : v);
    }
    r.end();
  }));
});

test('out-of-range integers are EncodeErrors; short reads are DecodeErrors with offsets', () => {
  assert.throws(() => new Writer().u8(256, 'status'), (e: unknown) => e instanceof EncodeError && e.field === 'status');
  assert.throws(() => new Writer().u16(-1), EncodeError);
  assert.throws(() => new Writer().u32(2 ** 32), EncodeError);
  const r = new Reader(Buffer.from('0102', 'hex'));
  r.u8();
  assert.throws(() => r.u16('port'), (e: unknown) => e instanceof DecodeError && e.reason === 'truncated' && e.field === 'port' && e.offset === 1);
  assert.throws(() => new Reader(Buffer.from('01', 'hex')).end(), (e: unknown) => e instanceof DecodeError && e.reason === 'trailing_bytes');
});
