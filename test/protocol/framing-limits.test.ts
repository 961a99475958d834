// The envelope's and QQ-TEA's limits and defaults, with the exact reasons and details (no recordings needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodePacket, peekHeader, MAX_DATAGRAM, MODERN_CLIENT_EXTRA, type PeekedHeader } from '../../src/protocol/framing.js';
import { teaDecrypt, teaDecryptBlock, teaEncrypt, teaEncryptBlock, teaKey } from '../../src/protocol/tea.js';
import { seededRandom } from '../../src/protocol/random.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const error = (b: Buffer, dir: 'c2s' | 's2c' = 'c2s') => {
  const r = decodePacket(b, dir);
  assert.ok(!r.ok, 'an error');
  return [r.error.reason, r.error.detail];
};

test('decodePacket: size limits, tag, tail and header length, each with its reason and detail', () => {
  const max = Buffer.alloc(MAX_DATAGRAM, 0);
  max[0] = 0x02;
  max.writeUInt16BE(0x0d55, 1);
  max[MAX_DATAGRAM - 1] = 0x03;
  assert.equal(MAX_DATAGRAM, 4096);
  assert.ok(decodePacket(max, 'c2s').ok, 'exactly 4096 bytes is fine');
  assert.deepEqual(error(Buffer.concat([max, Buffer.from([3])])), ['oversize', '4097 bytes > 4096']);
  assert.deepEqual(error(hex('02 0d55 0001 03')), ['too_short', '6 bytes']);
  assert.deepEqual(error(hex('01 0d55 0001 0002 03')), ['bad_tag', 'first byte 0x01']);
  assert.deepEqual(error(hex('02 0d55 0001 0002 0a')), ['bad_tail', 'last byte 0x0a']);
  assert.deepEqual(error(hex('02 0d55 0001 0002 00 03')), ['too_short', '9 bytes < classic c2s header 11 + tail']);
  assert.deepEqual(error(hex('02 3639 0001 0002 0000000000 03'), 's2c'), ['too_short', '13 bytes < modern s2c header 14 + tail']);
  // Smallest of each: the header and the tail, no body.
  const cs = decodePacket(hex('02 0100 0017 1001 03'), 's2c');
  assert.ok(cs.ok);
  assert.deepEqual([cs.value.framing, cs.value.uid, cs.value.extra, cs.value.body.length], ['classic', undefined, undefined, 0]);
  const cc = decodePacket(hex('02 0d55 0017 1001 00002712 03'), 'c2s');
  assert.ok(cc.ok);
  assert.deepEqual([cc.value.uid, cc.value.extra, cc.value.body.length], [10002, undefined, 0]);
});

test('peekHeader: the framing, command and uid decodePacket reads, and false wherever decodePacket refuses', () => {
  const h: PeekedHeader = { framing: 'classic', command: -1, uid: -1 };
  const peek = (b: Buffer, dir: 'c2s' | 's2c') => (peekHeader(b, dir, h) ? { ...h } : false);
  const max = Buffer.alloc(MAX_DATAGRAM, 0);
  max[0] = 0x02;
  max[MAX_DATAGRAM - 1] = 0x03;
  const refused = [
    Buffer.concat([max, Buffer.from([3])]), hex('02 0d55 0001 03'), hex('01 0d55 0001 0002 03'), hex('02 0d55 0001 0002 0a'),
    hex('02 0d55 0001 0002 00 03'),
  ];
  for (const b of refused) assert.equal(peek(b, 'c2s'), false, b.subarray(0, 12).toString('hex'));
  assert.equal(peek(hex('02 3639 0001 0002 0000000000 03'), 's2c'), false);
  assert.deepEqual(h, { framing: 'classic', command: -1, uid: -1 }, 'a refused datagram leaves the header alone');
  assert.deepEqual(peek(hex('02 0100 0017 1001 03'), 's2c'), { framing: 'classic', command: 0x17, uid: 0 });
  assert.deepEqual(peek(hex('02 0d55 0102 1001 fedcba98 aa 03'), 'c2s'), { framing: 'classic', command: 0x102, uid: 0xfedcba98 });
  const modern = encodePacket({ direction: 's2c', version: 0x3639, command: 0x81, seq: 7, uid: 100001, body: hex('aa') });
  assert.deepEqual(peek(modern, 's2c'), { framing: 'modern', command: 0x81, uid: 100001 });
  const d = decodePacket(modern, 's2c');
  assert.ok(d.ok);
  assert.deepEqual([d.value.framing, d.value.command, d.value.uid], ['modern', 0x81, 100001], 'as decodePacket reads it');
});

test('encodePacket: defaults, the framing override, and the limits it refuses', () => {
  const ms = encodePacket({ direction: 's2c', version: 0x3639, command: 0x81, seq: 7, uid: 100001, body: hex('aa') });
  assert.equal(ms.toString('hex'), '02' + '3639' + '0081' + '0007' + '000186a1' + '000000' + 'aa' + '03');
  const mc = encodePacket({ direction: 'c2s', version: 0x3639, command: 0x58, seq: 7, uid: 100001, body: hex('aa') });
  assert.equal(mc.toString('hex'), '02' + '3639' + '0058' + '0007' + '000186a1' + MODERN_CLIENT_EXTRA.toString('hex') + 'aa' + '03');
  assert.equal(MODERN_CLIENT_EXTRA.toString('hex'), '0200000001010100006470');
  // An explicit framing wins over the version tag.
  const forced = encodePacket({ framing: 'classic', direction: 'c2s', version: 0x3639, command: 1, seq: 2, uid: 3, body: Buffer.alloc(0) });
  assert.equal(forced.toString('hex'), '02' + '3639' + '0001' + '0002' + '00000003' + '03');
  const forcedModern = encodePacket({ framing: 'modern', direction: 's2c', version: 0x0d55, command: 1, seq: 2, uid: 3, body: Buffer.alloc(0) });
  assert.equal(forcedModern.length, 15);
  assert.equal(encodePacket({ direction: 'c2s', version: 0x0d55, command: 1, seq: 2, uid: 3, body: Buffer.alloc(MAX_DATAGRAM - 12) }).length, MAX_DATAGRAM);
  assert.throws(() => encodePacket({ direction: 'c2s', version: 0x0d55, command: 1, seq: 2, uid: 3, body: Buffer.alloc(MAX_DATAGRAM - 11) }), { name: 'RangeError', message: 'datagram of 4097 bytes exceeds 4096' });
  assert.throws(() => encodePacket({ direction: 'c2s', version: 0x0d55, command: 1, seq: 2, body: Buffer.alloc(0) }), { name: 'RangeError', message: 'classic c2s header needs a uid' });
  assert.throws(() => encodePacket({ direction: 's2c', version: 0x3639, command: 1, seq: 2, uid: 3, extra: hex('00'), body: Buffer.alloc(0) }), { name: 'RangeError', message: 'modern s2c header extra must be 3 bytes' });
  assert.throws(() => encodePacket({ direction: 'c2s', version: 0x3639, command: 1, seq: 2, uid: 3, extra: hex('00'), body: Buffer.alloc(0) }), { name: 'RangeError', message: 'modern c2s header extra must be 11 bytes' });
});

test('QQ-TEA: key and block sizes, ciphertext lengths, and a pad that claims more than there is', () => {
  const key = hex('000102030405060708090a0b0c0d0e0f');
  assert.throws(() => teaKey(key.subarray(0, 15)), { name: 'RangeError', message: 'QQ-TEA key must be 16 bytes, got 15' });
  assert.throws(() => teaEncryptBlock(Buffer.alloc(7), key), { name: 'RangeError', message: 'TEA block must be 8 bytes, got 7' });
  assert.throws(() => teaDecryptBlock(Buffer.alloc(7), key), { name: 'RangeError', message: 'TEA block must be 8 bytes, got 7' });
  // A split key works the same as its bytes.
  const split = teaKey(key);
  assert.equal(teaKey(split), split);
  const c = teaEncrypt(Buffer.from('hi'), split, seededRandom(3));
  assert.deepEqual(c, teaEncrypt(Buffer.from('hi'), key, seededRandom(3)));
  assert.deepEqual(teaDecrypt(c, split), Buffer.from('hi'));
  for (const n of [0, 8, 15, 17, 23]) assert.equal(teaDecrypt(Buffer.alloc(n), key), null, `${n} bytes`);
  // Two blocks whose first plaintext byte says pad 7 and whose tail is zero: 16 − 7 − 10 < 0 bytes of data.
  const p0 = hex('07 01 02 03 04 05 06 07');
  const p1 = hex('08 00 00 00 00 00 00 00');
  const c0 = teaEncryptBlock(p0, key);
  const x = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) x[i] = p1[i]! ^ c0[i]!;
  const e1 = teaEncryptBlock(x, key);
  const c1 = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) c1[i] = e1[i]! ^ p0[i]!;
  assert.equal(teaDecrypt(Buffer.concat([c0, c1]), key), null);
  // The same construction with pad 6 is a valid empty plaintext: the construction itself is right.
  const q0 = hex('06 01 02 03 04 05 06 07');
  const d0 = teaEncryptBlock(q0, key);
  for (let i = 0; i < 8; i++) x[i] = p1[i]! ^ d0[i]!;
  const f1 = teaEncryptBlock(x, key);
  for (let i = 0; i < 8; i++) c1[i] = f1[i]! ^ q0[i]!;
  assert.deepEqual(teaDecrypt(Buffer.concat([d0, c1]), key), Buffer.alloc(0));
});
