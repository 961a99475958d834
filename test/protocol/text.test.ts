import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import {
  CHARSET_GB,
  DEFAULT_FONT,
  decodeFontTrailer,
  decodeGb,
  decodeUtf8,
  encodeFontTrailer,
  encodeGb,
  encodeUtf8,
  fontTrailerOf,
  messageFontOf,
  splitFontTrailer,
  type FontTrailer,
  fragmentBytes,
  fragmentByteLength,
  fragmentString,
  fragmentTextOf,
  joinFragmentTexts,
} from '../../src/protocol/text.js';
import { DecodeError, EncodeError, tryDecode } from '../../src/protocol/errors.js';
import type { MessageFont } from '../../src/store/store.js';
import { hex } from '../helpers/vectors.js';

// The trailer pidgin sent in the vectors' 0x0016 (size 10, black, charset 8602, 宋体, length 13).
const PIDGIN_TRAILER = hex('00 0a 00 00 00 00 8602 cbcecce5 0d');

test('GB18030: 宋体 is CB CE CC E5, ASCII is itself, 4-byte sequences round-trip', () => {
  assert.equal(encodeGb('宋体').toString('hex'), 'cbcecce5');
  assert.equal(decodeGb(hex('cbcecce5')), '宋体');
  assert.equal(encodeGb('hello').toString('latin1'), 'hello');
  assert.equal(encodeGb('😀').length, 4);
  assert.equal(decodeGb(encodeGb('😀€\u0080')), '😀€\u0080');
  // A leading BOM is text, not something to strip.
  assert.equal(decodeGb(encodeGb('\ufeffx')), '\ufeffx');
  assert.equal(decodeUtf8(encodeUtf8('你好 ok')), '你好 ok');
  assert.equal(encodeUtf8('你').toString('hex'), 'e4bda0');
});

test('GB18030: the ASCII fast path gives what the GB18030 tables give, and mixed text still takes the tables', () => {
  const ascii = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
  assert.deepEqual(encodeGb(ascii), iconv.encode(ascii, 'gb18030'));
  assert.equal(decodeGb(Buffer.from(ascii, 'latin1')), iconv.decode(Buffer.from(ascii, 'latin1'), 'gb18030'));
  // One byte ≥ 0x80 anywhere sends the whole text through the tables.
  assert.equal(decodeGb(hex('68 69 cbcecce5 21')), 'hi宋体!');
  assert.equal(encodeGb('ok 宋体').toString('hex'), '6f6b20cbcecce5');
  assert.equal(decodeGb(hex('80')), iconv.decode(hex('80'), 'gb18030'));
});

test("pidgin's font trailer decodes to 宋体 10pt black, GB charset, and re-encodes to the same bytes", () => {
  const f = decodeFontTrailer(PIDGIN_TRAILER);
  assert.deepEqual(f, { name: '宋体', size: 10, bold: false, italic: false, underline: false, color: 0, charset: CHARSET_GB });
  assert.deepEqual(encodeFontTrailer(f), PIDGIN_TRAILER);
  assert.deepEqual(encodeFontTrailer(DEFAULT_FONT), PIDGIN_TRAILER);
  // A trailer is usable where the store wants a MessageFont, and converts back with the GB charset.
  const asStore: MessageFont = f;
  assert.deepEqual(messageFontOf(f), { name: '宋体', size: 10, bold: false, italic: false, underline: false, color: 0 });
  assert.deepEqual(fontTrailerOf(asStore), f);
});

test('attribute bits: size in 0–4, bold 5, italic 6, underline 7; colour R, G, B', () => {
  const f: FontTrailer = { name: 'Arial', size: 31, bold: true, italic: true, underline: true, color: 0x123456, charset: 0x0086 };
  const b = encodeFontTrailer(f);
  assert.equal(b.toString('hex'), '00ff123456000086417269616c0e');
  assert.deepEqual(decodeFontTrailer(b), f);
  assert.equal(decodeFontTrailer(hex('00 2c 000000 00 8602 09')).bold, true);
  assert.equal(decodeFontTrailer(hex('00 2c 000000 00 8602 09')).size, 12);
  assert.equal(decodeFontTrailer(hex('00 4c 000000 00 8602 09')).italic, true);
  assert.equal(decodeFontTrailer(hex('00 8c 000000 00 8602 09')).underline, true);
});

test('splitFontTrailer reads the trailer from the end, whatever the text holds', () => {
  const text = encodeGb('a 0d 文字\u000d');
  const { text: t, font } = splitFontTrailer(Buffer.concat([text, PIDGIN_TRAILER]));
  assert.deepEqual(t, text);
  assert.equal(font.name, '宋体');
  const empty = splitFontTrailer(PIDGIN_TRAILER);
  assert.equal(empty.text.length, 0);
});

const reason = (fn: () => unknown): string => {
  const r = tryDecode(fn);
  return r.ok ? 'ok' : r.error.reason;
};

test('bad trailers give DecodeError reasons, offsets relative to the body', () => {
  assert.equal(reason(() => splitFontTrailer(Buffer.alloc(0))), 'truncated');
  assert.equal(reason(() => splitFontTrailer(hex('00 0a 000000 00 8602 20'))), 'truncated'); // length 32 > 9 bytes
  assert.equal(reason(() => splitFontTrailer(hex('41 42 43 44 45 46 05'))), 'bad_value'); // length < 9
  assert.equal(reason(() => splitFontTrailer(hex('00 0a 000000 07 8602 09'))), 'bad_value'); // byte 5 must be 0
  assert.equal(reason(() => splitFontTrailer(hex('01 0a 000000 00 8602 09'))), 'bad_value'); // byte 0 must be 0
  assert.equal(reason(() => decodeFontTrailer(hex('00 0a 000000 00 8602 41 0d'))), 'bad_value'); // length byte lies
  assert.equal(reason(() => decodeFontTrailer(hex('00 0a 00'))), 'truncated');
  try {
    splitFontTrailer(hex('68 69 01 0a 000000 00 8602 09'), 100);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof DecodeError);
    assert.equal(e.field, 'font.lead');
    assert.equal(e.offset, 102);
  }
});

test('encoding checks ranges: size 0–31, colour 24-bit, name ≤ 246 bytes', () => {
  assert.throws(() => encodeFontTrailer({ ...DEFAULT_FONT, size: 32 }), EncodeError);
  assert.throws(() => encodeFontTrailer({ ...DEFAULT_FONT, color: 0x1000000 }), EncodeError);
  assert.throws(() => encodeFontTrailer({ ...DEFAULT_FONT, charset: 0x10000 }), EncodeError);
  assert.equal(encodeFontTrailer({ ...DEFAULT_FONT, name: 'x'.repeat(246) }).length, 255);
  assert.throws(() => encodeFontTrailer({ ...DEFAULT_FONT, name: 'x'.repeat(247) }), EncodeError);
});

/** Any font whose name fits a trailer. */
const arbFont: fc.Arbitrary<FontTrailer> = fc.record({
  name: fc.string({ unit: 'grapheme', maxLength: 20 }),
  size: fc.integer({ min: 0, max: 31 }),
  bold: fc.boolean(),
  italic: fc.boolean(),
  underline: fc.boolean(),
  color: fc.integer({ min: 0, max: 0xffffff }),
  charset: fc.integer({ min: 0, max: 0xffff }),
}).map((f) => ({ ...f }));

test('property: GB18030 round-trips any Unicode text', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => decodeGb(encodeGb(s)) === s));
});

test('property: font trailers round-trip, the last byte is 9 + name length, and text before them survives', () => {
  fc.assert(
    fc.property(arbFont, fc.string({ unit: 'grapheme', maxLength: 30 }), (f, s) => {
      const b = encodeFontTrailer(f);
      assert.equal(b[b.length - 1], b.length);
      assert.equal(b.length, 9 + encodeGb(f.name).length);
      assert.deepEqual(decodeFontTrailer(b), f);
      const split = splitFontTrailer(Buffer.concat([encodeGb(s), b]));
      assert.equal(decodeGb(split.text), s);
      assert.deepEqual(split.font, f);
    }),
  );
});

test('property: arbitrary bytes never make splitFontTrailer throw anything but DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      const r = tryDecode(() => splitFontTrailer(Buffer.from(b)));
      if (r.ok) assert.deepEqual(Buffer.concat([r.value.text, encodeFontTrailer(r.value.font)]).length, b.length);
    }),
  );
});

test('fragment text: bytes cut inside a character stay bytes; joined, they decode once; another charset gets text', () => {
  const gb = encodeGb('你好');
  assert.equal(fragmentTextOf(gb, 'gb18030'), '你好');
  assert.deepEqual(fragmentTextOf(gb.subarray(0, 3), 'gb18030'), { bytes: gb.subarray(0, 3), charset: 'gb18030' });
  assert.deepEqual(fragmentTextOf(Buffer.from('你', 'utf8').subarray(0, 2), 'utf8'), { bytes: Buffer.from('e4bd', 'hex'), charset: 'utf8' });
  assert.equal(fragmentTextOf(Buffer.from('abc'), 'utf8'), 'abc');
  const parts = [fragmentTextOf(gb.subarray(0, 3), 'gb18030'), fragmentTextOf(gb.subarray(3), 'gb18030')];
  assert.equal(joinFragmentTexts(parts), '你好');
  assert.equal(joinFragmentTexts(['a', 'b']), 'ab');
  assert.equal(joinFragmentTexts([...parts, '!']), '你好!');
  // In another charset: the lenient text (U+FFFD at the cut).
  assert.equal(fragmentBytes(parts[0]!, 'utf8').toString('utf8'), '你\ufffd');
  assert.deepEqual(fragmentBytes(parts[1]!, 'gb18030'), gb.subarray(3));
  assert.equal(fragmentString(parts[1]!), '\ufffd');
  assert.equal(fragmentByteLength(parts[0]!), 3);
  assert.equal(fragmentByteLength('你'), 3);
});
