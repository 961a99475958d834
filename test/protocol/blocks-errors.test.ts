// Where and why the shared blocks fail: every cut of a status block or font trailer names the field it stopped in
// and that field's offset; every out-of-range value names the field it could not write (STYLE.md practice 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipToU32, parseIpv4, readStatusBlock, u32ToIp, writeStatusBlock, type StatusBlock } from '../../src/protocol/bodies/status-block.js';
import { DecodeError, EncodeError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeFontTrailer, decodeGb, encodeFontTrailer, encodeGb, splitFontTrailer, splitText, type FontTrailer } from '../../src/protocol/text.js';
import { Writer } from '../../src/protocol/writer.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const BLOCK: StatusBlock = { uid: 0x11223344, flag: 1, ip: 0x0a0b0c0d, port: 8000, unknown: 0x5a, status: 30, clientVersion: 0x0d55, key: Buffer.alloc(16, 0xa5) };
const FIELDS: [string, number, number][] = [['uid', 0, 4], ['flag', 4, 1], ['ip', 5, 4], ['port', 9, 2], ['unknown', 11, 1], ['status', 12, 1], ['clientVersion', 13, 2], ['key', 15, 16]];

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `a DecodeError, not ${String(e)}`);
    return e;
  }
  assert.fail('no error');
}

function encodeError(fn: () => unknown): EncodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof EncodeError, `an EncodeError, not ${String(e)}`);
    return e;
  }
  assert.fail('no error');
}

test('a status block cut at every length is "truncated" in the field it stopped in, at that field\'s offset', () => {
  const whole = writeStatusBlock(new Writer(31), BLOCK).finish();
  for (let n = 0; n < 31; n++) {
    const [name, off, len] = FIELDS.find(([, o, l]) => n >= o && n < o + l)!;
    const e = decodeError(() => readStatusBlock(new Reader(whole.subarray(0, n))));
    assert.deepEqual([e.reason, e.field, e.offset, e.detail], ['truncated', name, off, `need ${len} byte(s), ${n - off} left`], `cut at ${n}`);
  }
});

test('a status block field out of range names itself', () => {
  for (const [name] of FIELDS) {
    const bad = { ...BLOCK, [name]: name === 'key' ? Buffer.alloc(15) : name === 'uid' || name === 'ip' ? 2 ** 32 : 0x10000 } as StatusBlock;
    if (name === 'port' || name === 'clientVersion') (bad as unknown as Record<string, number>)[name] = 0x10000;
    const e = encodeError(() => writeStatusBlock(new Writer(8), bad));
    assert.equal(e.field, name);
  }
  assert.equal(encodeError(() => writeStatusBlock(new Writer(8), { ...BLOCK, key: Buffer.alloc(15) })).message, 'cannot encode key: must be 16 bytes, got 15');
});

test('dotted IPv4 ↔ u32, and what is not an address', () => {
  assert.equal(ipToU32('127.0.0.1'), 0x7f000001);
  assert.equal(ipToU32('10.11.12.13'), 0x0a0b0c0d);
  assert.equal(ipToU32('255.255.255.255'), 0xffffffff);
  assert.equal(ipToU32('0.0.0.0'), 0);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.0.0.1', '-1.0.0.1', '1.2.3.x', '1.5.2.3.', '::1']) assert.equal(ipToU32(bad), 0, bad);
  assert.equal(u32ToIp(0x7f000001), '127.0.0.1');
  assert.equal(u32ToIp(0xc0a80a01), '192.168.10.1');
  assert.equal(u32ToIp(ipToU32('8.9.10.255')), '8.9.10.255');
  // The strict form tells "not an address" apart from 0.0.0.0.
  assert.equal(parseIpv4('0.0.0.0'), 0);
  assert.equal(parseIpv4('192.168.10.1'), 0xc0a80a01);
  for (const bad of ['', '1..2.3', '.1.2.3', '1.2.3.4.', '1.2.3.1000', '1.2.3.4 ', '1.2.3.256', 'a.b.c.d']) assert.equal(parseIpv4(bad), undefined, bad);
});

test('font trailer: every failure says which byte and why', () => {
  const good = hex('00 29 112233 00 8602 cbcecce5 0d');
  const cases: [Buffer, string, string, number][] = [
    [hex('01 29 112233 00 8602 09'), 'bad_value', 'font.lead', 0],
    [hex('00 29 112233 07 8602 09'), 'bad_value', 'font.zero', 5],
    [hex('00 29 112233 00 8602 cbcecce5 0c'), 'bad_value', 'font.length', 12],
    [hex('00'), 'truncated', 'font.attributes', 1],
    [hex('00 29'), 'truncated', 'font.red', 2],
    [hex('00 29 11'), 'truncated', 'font.green', 3],
    [hex('00 29 1122'), 'truncated', 'font.blue', 4],
    [hex('00 29 112233 00 86'), 'truncated', 'font.charset', 6],
    [hex('00 29 112233 00 8602'), 'truncated', 'font', 0],
  ];
  for (const [b, reason, field, offset] of cases) {
    const e = decodeError(() => decodeFontTrailer(b));
    assert.deepEqual([e.reason, e.field, e.offset], [reason, field, offset], b.toString('hex'));
  }
  assert.equal(decodeError(() => decodeFontTrailer(hex('00 29 112233 00 8602 cbcecce5 0c'))).detail, 'length byte 12, trailer is 13 bytes');
  // splitFontTrailer shifts offsets by `base` and the text before the trailer.
  const e = decodeError(() => splitFontTrailer(Buffer.concat([Buffer.from('abc'), hex('01 29 112233 00 8602 09')]), 100));
  assert.deepEqual([e.reason, e.field, e.offset], ['bad_value', 'font.lead', 103]);
  const short = decodeError(() => splitFontTrailer(hex('41 42 43 44 45 05'), 10));
  assert.deepEqual([short.reason, short.field, short.offset, short.detail], ['bad_value', 'font.length', 15, 'font trailer length 5 in 6 byte(s)']);
  const long = decodeError(() => splitFontTrailer(hex('41 42 0a'), 10));
  assert.deepEqual([long.reason, long.offset, long.detail], ['truncated', 12, 'font trailer length 10 in 3 byte(s)']);
  assert.equal(decodeError(() => decodeFontTrailer(hex('00 29 112233 00 8602'))).detail, 'font trailer of 8 bytes');
  const inner = decodeError(() => splitFontTrailer(Buffer.concat([Buffer.from('abc'), hex('00 29 112233 07 8602 09')]), 100));
  assert.deepEqual([inner.field, inner.offset], ['font.zero', 108]);
  // A length byte equal to what there is, but shorter than any trailer: a bad value, not a cut.
  assert.equal(decodeError(() => splitFontTrailer(hex('41 42 03'))).reason, 'bad_value');
  const empty = decodeError(() => splitFontTrailer(Buffer.alloc(0), 7));
  assert.deepEqual([empty.reason, empty.field, empty.offset, empty.detail], ['truncated', 'font', 7, 'no font trailer']);
  // Exactly the trailer's length fits; the text is then empty.
  assert.equal(splitFontTrailer(good).text.length, 0);
  assert.equal(splitFontTrailer(hex('00 29 112233 00 8602 09')).font.name, '');
});

test('font trailer encoding refuses what the byte cannot hold, naming the field', () => {
  const f: FontTrailer = { name: 'A', size: 9, bold: false, italic: false, underline: false, color: 0, charset: 0x8602 };
  for (const [bad, field, message] of [
    [{ size: 32 }, 'font.size', 'cannot encode font.size: 32 is not 0–31'],
    [{ size: -1 }, 'font.size', 'cannot encode font.size: -1 is not 0–31'],
    [{ size: 1.5 }, 'font.size', 'cannot encode font.size: 1.5 is not 0–31'],
    [{ color: 0x1000000 }, 'font.color', 'cannot encode font.color: 16777216 is not 0xRRGGBB'],
    [{ color: -1 }, 'font.color', 'cannot encode font.color: -1 is not 0xRRGGBB'],
    [{ color: 0.5 }, 'font.color', 'cannot encode font.color: 0.5 is not 0xRRGGBB'],
    [{ charset: 0x10000 }, 'font.charset', 'cannot encode font.charset: 65536 is not a u16'],
    [{ name: 'x'.repeat(247) }, 'font.name (too long)', 'cannot encode font.name (too long): 256 is not a u8'],
  ] as [Partial<FontTrailer>, string, string][]) {
    const e = encodeError(() => encodeFontTrailer({ ...f, ...bad }));
    assert.deepEqual([e.field, e.message], [field, message]);
  }
  assert.equal(encodeFontTrailer({ ...f, size: 31, color: 0xffffff }).toString('hex'), '001fffffff0086024109'.replace('4109', '410a'));
  assert.equal(encodeFontTrailer({ ...f, size: 0, color: 0 }).toString('hex'), '00000000000086024' + '10a');
});

test('GB18030 text: ASCII as itself, the rest through the tables, both ways', () => {
  assert.deepEqual(encodeGb('hi~'), Buffer.from('hi~'));
  assert.deepEqual(encodeGb('宋体'), hex('cbcecce5'));
  assert.deepEqual(encodeGb('a宋'), hex('61cbce'));
  assert.deepEqual(encodeGb('\x7f'), hex('7f'));
  assert.deepEqual(encodeGb('\x80'), hex('81308130'));
  assert.equal(decodeGb(hex('cbcecce5')), '宋体');
  assert.equal(decodeGb(hex('61cbce')), 'a宋');
  assert.equal(decodeGb(hex('7f41')), '\x7fA');
  assert.equal(decodeGb(hex('81308130')), '\x80');
  // A leading BOM is kept, both ways (no stripping, no adding).
  assert.equal(decodeGb(hex('84319533 41')), '\ufeffA');
  assert.deepEqual(encodeGb('\ufeffA'), hex('8431953341'));
  // A view into a larger buffer decodes only its own bytes.
  const big = hex('41cbcecce542');
  assert.equal(decodeGb(big.subarray(1, 5)), '宋体');
  assert.equal(decodeGb(big.subarray(5, 6)), 'B');
});

test('splitText: pieces of at most maxBytes, never inside a character', () => {
  assert.deepEqual(splitText('', 10), ['']);
  assert.deepEqual(splitText('abcdef', 4), ['abcd', 'ef']);
  assert.deepEqual(splitText('abcd', 4), ['abcd']);
  assert.deepEqual(splitText('你好吗', 7), ['你好', '吗']); // 3 bytes each in UTF-8
  assert.deepEqual(splitText('你好吗', 6), ['你好', '吗']);
  assert.deepEqual(splitText('a你', 4), ['a你']);
  assert.deepEqual(splitText('ab你', 4), ['ab', '你']);
  assert.deepEqual(splitText('你好', 4, (ch) => encodeGb(ch).length), ['你好']); // 2 bytes each in GB18030
  assert.deepEqual(splitText('😀😀', 4), ['😀', '😀']);
  assert.throws(() => splitText('abc', 3), { name: 'EncodeError', message: 'cannot encode maxBytes: must hold one character (4 bytes)' });
});

test('Writer: grows past its capacity, checks every integer, names the field', () => {
  const w = new Writer(2);
  w.u8(1).u16(0x0203).u32(0x04050607).bytes(hex('08')).zeros(2).tok8(hex('aa')).tok16(hex('bbcc'));
  assert.equal(w.finish().toString('hex'), '0102030405060708' + '0000' + '01aa' + '0002bbcc');
  assert.equal(w.length, 16);
  const big = new Writer(1);
  for (let i = 0; i < 300; i++) big.u8(i & 0xff);
  assert.equal(big.finish().length, 300);
  assert.equal(big.finish()[299], 299 & 0xff);
  for (const [fn, field, message] of [
    [() => new Writer().u8(256, 'x'), 'x', 'cannot encode x: 256 is not a u8'],
    [() => new Writer().u8(-1), 'u8', 'cannot encode u8: -1 is not a u8'],
    [() => new Writer().u8(1.5), 'u8', 'cannot encode u8: 1.5 is not a u8'],
    [() => new Writer().u16(0x10000), 'u16', 'cannot encode u16: 65536 is not a u16'],
    [() => new Writer().u16(-1), 'u16', 'cannot encode u16: -1 is not a u16'],
    [() => new Writer().u16(0.5), 'u16', 'cannot encode u16: 0.5 is not a u16'],
    [() => new Writer().u32(2 ** 32), 'u32', 'cannot encode u32: 4294967296 is not a u32'],
    [() => new Writer().u32(-1), 'u32', 'cannot encode u32: -1 is not a u32'],
    [() => new Writer().u32(0.5), 'u32', 'cannot encode u32: 0.5 is not a u32'],
    [() => new Writer().tok8(Buffer.alloc(256)), 'tok8', 'cannot encode tok8: 256 is not a u8'],
    [() => new Writer().tok16(Buffer.alloc(0x10000)), 'tok16', 'cannot encode tok16: 65536 is not a u16'],
    [() => new Writer().fixed(Buffer.alloc(3), 4, 'k'), 'k', 'cannot encode k: must be 4 bytes, got 3'],
  ] as [() => unknown, string, string][]) {
    const e = encodeError(fn);
    assert.deepEqual([e.field, e.message], [field, message]);
  }
  assert.equal(new Writer().u8(255).u16(0xffff).u32(0xffffffff).finish().toString('hex'), 'ffffffffffffff');
});

test('Reader: every read checks what remains and says so; skip, tok8/16, rest, expect and end', () => {
  const r = new Reader(hex('01 0203 04050607 02 aabb 0001 cc dd ee'));
  assert.equal(r.remaining, 15);
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 0x0203);
  assert.equal(r.u32(), 0x04050607);
  assert.deepEqual(r.tok8(), hex('aabb'));
  assert.deepEqual(r.tok16(), hex('cc'));
  r.skip(1);
  assert.equal(r.remaining, 1);
  assert.deepEqual(r.rest(), hex('ee'));
  assert.equal(r.remaining, 0);
  r.end();
  const cut = (fn: (r: Reader) => unknown, b: string) => decodeError(() => fn(new Reader(hex(b))));
  for (const [fn, b, field, detail] of [
    [(r: Reader) => r.u8(), '', 'u8', 'need 1 byte(s), 0 left'],
    [(r: Reader) => r.u16(), '01', 'u16', 'need 2 byte(s), 1 left'],
    [(r: Reader) => r.u32(), '010203', 'u32', 'need 4 byte(s), 3 left'],
    [(r: Reader) => r.bytes(3), '0102', 'bytes', 'need 3 byte(s), 2 left'],
    [(r: Reader) => r.copy(2), '01', 'bytes', 'need 2 byte(s), 1 left'],
    [(r: Reader) => r.skip(2), '01', 'skip', 'need 2 byte(s), 1 left'],
    [(r: Reader) => r.tok8(), '0301', 'tok8', 'need 3 byte(s), 1 left'],
    [(r: Reader) => r.tok16(), '000301', 'tok16', 'need 3 byte(s), 1 left'],
  ] as [(r: Reader) => unknown, string, string, string][]) {
    const e = cut(fn, b);
    assert.deepEqual([e.reason, e.field, e.detail], ['truncated', field, detail], `${field} of ${b}`);
  }
  const skipped = new Reader(hex('0102 0304'));
  skipped.skip(2, 'gap');
  assert.equal(skipped.u16(), 0x0304);
  const at = new Reader(hex('aa bb'));
  at.u8();
  const e = decodeError(() => at.u16('late'));
  assert.deepEqual([e.field, e.offset], ['late', 1]);
  // Fixed values: where the wrong one was and what it was.
  const x = new Reader(hex('00 01 0002 00000003'));
  x.expectU8(0, 'lead');
  const bad8 = decodeError(() => x.expectU8(2, 'one'));
  assert.deepEqual([bad8.reason, bad8.field, bad8.offset, bad8.detail], ['bad_value', 'one', 1, 'expected 0x2, got 0x1']);
  x.expectU16(2, 'two');
  const bad32 = decodeError(() => x.expectU32(4, 'three'));
  assert.deepEqual([bad32.reason, bad32.field, bad32.offset, bad32.detail], ['bad_value', 'three', 4, 'expected 0x4, got 0x3']);
  const y = new Reader(hex('0001 00000002'));
  const bad16 = decodeError(() => y.expectU16(2, 'w'));
  assert.deepEqual([bad16.field, bad16.offset, bad16.detail], ['w', 0, 'expected 0x2, got 0x1']);
  y.expectU32(2, 'v');
  const left = new Reader(hex('0102'));
  left.u8();
  const trailing = decodeError(() => left.end('tail'));
  assert.deepEqual([trailing.reason, trailing.field, trailing.offset, trailing.detail], ['trailing_bytes', 'tail', 1, '1 byte(s) left over']);
  assert.equal(decodeError(() => new Reader(hex('01')).end()).field, 'end');
  // A view is a view: bytes() does not copy, copy() does.
  const src = hex('0102');
  const view = new Reader(src).bytes(2);
  const copied = new Reader(src).copy(2);
  src[0] = 9;
  assert.deepEqual([view[0], copied[0]], [9, 1]);
});
