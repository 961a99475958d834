import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodePacket, encodePacket, framingOf, headerLength, MODERN_CLIENT_EXTRA, type Direction } from '../../src/protocol/framing.js';
import { loadVectors, hex, VECTORS, type SessionsFile } from '../helpers/vectors.js';
import { seedPackets } from '../helpers/fuzz-gen.js';

test('framing from version tag: 0x1E0D and later are modern', () => {
  assert.equal(framingOf(0x0d55), 'classic');
  assert.equal(framingOf(0x1801), 'classic');
  assert.equal(framingOf(0x1e0d), 'modern');
  assert.equal(framingOf(0x3639), 'modern');
  assert.deepEqual([headerLength('classic', 'c2s'), headerLength('classic', 's2c'), headerLength('modern', 'c2s'), headerLength('modern', 's2c')], [11, 7, 22, 14]);
});

test("the capture's header strings decode as PROTOCOL.md §1 says", () => {
  const c = decodePacket(hex('02 3639 0058 723d 176ef8c4 0200000001010100006470 aabbccdd 03'), 'c2s');
  assert.ok(c.ok);
  assert.deepEqual([c.value.framing, c.value.version, c.value.command, c.value.seq, c.value.uid], ['modern', 0x3639, 0x58, 0x723d, 393148612]);
  assert.deepEqual(c.value.extra, MODERN_CLIENT_EXTRA);
  assert.equal(c.value.body.toString('hex'), 'aabbccdd');
  const s = decodePacket(hex('02 3639 0081 637c 176ef8c4 000000 f844 03'), 's2c');
  assert.ok(s.ok);
  assert.deepEqual([s.value.command, s.value.seq, s.value.uid, s.value.body.toString('hex')], [0x81, 0x637c, 393148612, 'f844']);
});

describe('recorded datagrams (../shared/vectors)', () => {
  test('every recorded datagram decodes and re-encodes to the same bytes', VECTORS, () => {
    const classic = loadVectors<SessionsFile>('classic-sessions.json');
    const modern = loadVectors<SessionsFile>('modern-session.json');
    let n = 0;
    for (const [file, framing] of [[classic, 'classic'], [modern, 'modern']] as const) {
      for (const s of file.sessions) {
        for (const p of s.packets) {
          const bytes = hex(p.hex);
          const r = decodePacket(bytes, p.dir);
          assert.ok(r.ok, `${p.dir} ${p.command} decodes`);
          const pk = r.value;
          assert.equal(pk.framing, framing);
          assert.equal(pk.command, p.command);
          assert.equal(pk.seq, p.seq);
          if (framing === 'classic' && p.dir === 's2c') assert.equal(pk.uid, undefined);
          else assert.equal(pk.uid, s.uid);
          assert.equal(pk.body.length, bytes.length - headerLength(framing, p.dir) - 1);
          assert.deepEqual(encodePacket(pk), bytes);
          n++;
        }
      }
    }
    assert.equal(n, 20 + 55);
  });
});

const reasons = (b: Buffer, d: Direction) => {
  const r = decodePacket(b, d);
  return r.ok ? 'ok' : r.error.reason;
};

test('bad datagrams give typed reasons', () => {
  assert.equal(reasons(Buffer.alloc(0), 'c2s'), 'too_short');
  assert.equal(reasons(hex('02 0d55 0062 0001 03'), 'c2s'), 'too_short');
  assert.equal(reasons(hex('03 0d55 0062 0001 00002712 00 03'), 'c2s'), 'bad_tag');
  assert.equal(reasons(hex('02 0d55 0062 0001 00002712 00 02'), 'c2s'), 'bad_tail');
  assert.equal(reasons(Buffer.concat([hex('02 0d55 0062 0001 00002712'), Buffer.alloc(4090), hex('03')]), 'c2s'), 'oversize');
  // Modern needs 22+1 bytes from a client; 14+1 from a server.
  assert.equal(reasons(hex('02 3639 0058 0001 00002712 0200000001 03'), 'c2s'), 'too_short');
  assert.equal(reasons(hex('02 0100 0062 0001 03'), 's2c'), 'ok');
});

test('property: decoding random and mutated datagrams never throws, and every success re-encodes exactly', () => {
  const seeds = seedPackets();
  const arbDatagram = fc.oneof(
    fc.uint8Array({ maxLength: 5000 }).map((b) => Buffer.from(b)),
    fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat({ max: 40 }))
      .map(([s, muts, cut]) => {
        const b = Buffer.from(s.bytes);
        for (const [at, v] of muts) b[at % b.length] = v;
        return cut % 3 === 0 ? b.subarray(0, Math.max(0, b.length - cut)) : b;
      }),
  );
  fc.assert(
    fc.property(arbDatagram, fc.constantFrom<Direction>('c2s', 's2c'), (bytes, dir) => {
      const r = decodePacket(bytes, dir);
      if (r.ok) {
        assert.deepEqual(encodePacket(r.value), bytes);
      } else {
        assert.ok(['too_short', 'bad_tag', 'bad_tail', 'oversize'].includes(r.error.reason));
      }
    }),
    { numRuns: 3000 },
  );
});
