// Network text on a terminal: every control character is drawn, none is obeyed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { visible, visibleLine, visibleLines } from '../../src/cli/visible.js';

test('C0 controls become control pictures, DEL ␡, C1 and bidi overrides <U+XXXX>; tab, text and CJK stay', () => {
  assert.equal(visible('a\x1b[2K\rb\x07c\x00'), 'a␛[2K␍b␇c␀');
  assert.equal(visible('x\x7fy'), 'x␡y');
  assert.equal(visible('\u009b2J\u0085'), '<U+009B>2J<U+0085>');
  assert.equal(visible('abc\u202edef\u2066\u200f'), 'abc<U+202E>def<U+2066><U+200F>');
  assert.equal(visible('tab\there, 你好, émoji 😀'), 'tab\there, 你好, émoji 😀');
});

test('one line (piped mode) and several lines (terminal): line breaks are laid out, a lone CR is drawn', () => {
  assert.equal(visibleLine('one\r\ntwo\nthree\rfour'), 'one ↵ two ↵ three␍four');
  assert.deepEqual(visibleLines('one\r\ntwo\x1b]0;title\x07'), ['one', 'two␛]0;title␇']);
});

test('property: no output holds a character a terminal acts on (besides tab and, for visibleLines\' parts, nothing else)', () => {
  const unsafe = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    assert.ok(!unsafe.test(visibleLine(s)));
    for (const l of visibleLines(s)) assert.ok(!unsafe.test(l));
  }), { numRuns: 2000 });
});
