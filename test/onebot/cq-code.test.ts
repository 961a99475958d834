// CQ codes and segments: escaping both ways, parsing, and the QQ text they map to (faces as the classic marker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeParam, escapeText, MessageFormatError, parseCq, segmentsOf, segmentsOfText, textOfSegments, toCq, unescape } from '../../src/onebot/cq-code.js';

test('escaping: & [ ] in text, also , in parameters; unescape undoes both, &amp; last', () => {
  assert.equal(escapeText('a&b[c]d,e'), 'a&amp;b&#91;c&#93;d,e');
  assert.equal(escapeParam('a&b[c]d,e'), 'a&amp;b&#91;c&#93;d&#44;e');
  assert.equal(unescape('a&amp;b&#91;c&#93;d&#44;e'), 'a&b[c]d,e');
  // "&amp;#91;" is the text "&#91;", not "[".
  assert.equal(unescape(escapeText('&#91;')), '&#91;');
});

test('parseCq: text around codes, parameters unescaped, malformed codes stay text', () => {
  assert.deepEqual(parseCq('hi [CQ:face,id=14] &#91;x&#93;[CQ:at,qq=10002][CQ:image,file=a&#44;b.png,cache=0]'), [
    { type: 'text', data: { text: 'hi ' } },
    { type: 'face', data: { id: '14' } },
    { type: 'text', data: { text: ' [x]' } },
    { type: 'at', data: { qq: '10002' } },
    { type: 'image', data: { file: 'a,b.png', cache: '0' } },
  ]);
  assert.deepEqual(parseCq('[CQ:face'), [{ type: 'text', data: { text: '[CQ:face' } }]);
  assert.deepEqual(parseCq(''), []);
});

test('toCq round-trips parseCq', () => {
  const s = 'a &amp; b [CQ:face,id=1]&#91;[CQ:image,file=x&#44;y]';
  assert.equal(toCq(parseCq(s)), s);
});

test('QQ text ↔ segments: the face marker 0x14 + one byte is a face; a lone marker stays text', () => {
  assert.deepEqual(segmentsOfText('a\x14\x0eb\x14'), [
    { type: 'text', data: { text: 'a' } }, { type: 'face', data: { id: '14' } }, { type: 'text', data: { text: 'b\x14' } },
  ]);
  assert.equal(textOfSegments(parseCq('x[CQ:face,id=0][CQ:at,qq=5]y')), 'x\x14\x00@5 y');
  assert.equal(textOfSegments(segmentsOfText('round \x14\x7f trip')), 'round \x14\x7f trip');
});

test('segmentsOf: string (CQ, or plain with auto_escape), one segment, an array; textOfSegments refuses what QQ cannot carry', () => {
  assert.deepEqual(segmentsOf('[CQ:face,id=1]', true), [{ type: 'text', data: { text: '[CQ:face,id=1]' } }]);
  assert.deepEqual(segmentsOf({ type: 'text', data: { text: 'one' } }), [{ type: 'text', data: { text: 'one' } }]);
  assert.throws(() => segmentsOf([{ data: {} }]), MessageFormatError);
  assert.throws(() => segmentsOf([{ type: 'text', data: 3 }]), MessageFormatError);
  assert.throws(() => textOfSegments([{ type: 'image', data: { file: 'a.png' } }]), /cannot be sent over classic QQ/);
  assert.throws(() => textOfSegments([{ type: 'face', data: { id: '128' } }]), /face id 128/);
  assert.throws(() => textOfSegments([{ type: 'face', data: { id: 'x' } }]), MessageFormatError);
  assert.throws(() => textOfSegments([{ type: 'text', data: {} }]), /data.text/);
  assert.throws(() => textOfSegments([]), /empty/);
});
