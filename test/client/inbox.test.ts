import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inbox, MISSING_FRAGMENT } from '../../src/client/inbox.js';

const frag = (o: Partial<Parameters<Inbox['accept']>[0]>) => ({
  sender: 1, serverSeq: 1, sendTime: 1_700_000_000, msgSeq: 1, msgId: 7, fragCount: 1, fragIndex: 0, text: 'x', ...o,
});
const texts = (ms: { text: string }[]) => ms.map((m) => m.text);

test('two messages in the same second with the same random id but different sequences both surface', () => {
  const inbox = new Inbox();
  assert.deepEqual(texts(inbox.accept(frag({ serverSeq: 10, msgSeq: 100, text: 'a' }))), ['a']);
  assert.deepEqual(texts(inbox.accept(frag({ serverSeq: 11, msgSeq: 101, text: 'b' }))), ['b']);
});

test('a repeated push (same server sequence, or same identity under a new server sequence) surfaces once', () => {
  const inbox = new Inbox();
  assert.deepEqual(texts(inbox.accept(frag({ serverSeq: 10, text: 'a' }))), ['a']);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 10, text: 'a' })), []);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 99, text: 'a' })), []);
});

test('fragments are reassembled in index order, once', () => {
  const inbox = new Inbox();
  assert.deepEqual(inbox.accept(frag({ serverSeq: 1, fragCount: 3, fragIndex: 2, text: 'c' })), []);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 2, fragCount: 3, fragIndex: 0, text: 'a' })), []);
  const [m] = inbox.accept(frag({ serverSeq: 3, fragCount: 3, fragIndex: 1, text: 'b' }));
  assert.deepEqual([m?.text, m?.fragments, m?.incomplete, m?.missing], ['abc', 3, false, []]);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 3, fragCount: 3, fragIndex: 1, text: 'b' })), []);
  assert.equal(inbox.nextExpiry(), undefined, 'nothing waits');
});

test('fragments that each carry their own message sequence (as MyQQ sends them) make one message', () => {
  const inbox = new Inbox();
  assert.deepEqual(inbox.accept(frag({ serverSeq: 1, msgSeq: 500, fragCount: 3, fragIndex: 0, text: '第一' })), []);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 2, msgSeq: 501, fragCount: 3, fragIndex: 1, text: '第二' })), []);
  // Another message of the same second and id but another fragment count is not mixed in.
  assert.deepEqual(inbox.accept(frag({ serverSeq: 9, msgSeq: 600, fragCount: 2, fragIndex: 1, text: 'other' })), []);
  const [m] = inbox.accept(frag({ serverSeq: 3, msgSeq: 502, fragCount: 3, fragIndex: 2, text: '第三' }));
  assert.deepEqual([m?.text, m?.incomplete], ['第一第二第三', false]);
});

test('fragments stamped with different send times (LumaQQ stamps each with its own second) make one message', () => {
  const inbox = new Inbox();
  assert.deepEqual(inbox.accept(frag({ serverSeq: 1, msgSeq: 1, sendTime: 1_700_000_000, fragCount: 2, fragIndex: 0, text: 'a' })), []);
  const [m] = inbox.accept(frag({ serverSeq: 2, msgSeq: 2, sendTime: 1_700_000_001, fragCount: 2, fragIndex: 1, text: 'b' }));
  assert.deepEqual([m?.text, m?.time.getTime(), m?.fragments], ['ab', 1_700_000_000_000, 2]);
});

test('a message missing a fragment surfaces after the timeout, marked incomplete with the gap shown', () => {
  const inbox = new Inbox({ partialTimeoutMs: 30_000 });
  assert.deepEqual(inbox.accept(frag({ serverSeq: 1, fragCount: 3, fragIndex: 0, text: 'a' }), 1_000), []);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 3, fragCount: 3, fragIndex: 2, text: 'c' }), 5_000), []);
  assert.equal(inbox.nextExpiry(), 31_000);
  assert.deepEqual(inbox.expire(30_999), []);
  const [m] = inbox.expire(31_000);
  assert.deepEqual([m?.text, m?.incomplete, m?.missing, m?.fragments], [`a${MISSING_FRAGMENT}c`, true, [1], 3]);
  assert.equal(inbox.nextExpiry(), undefined);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 2, fragCount: 3, fragIndex: 1, text: 'b' }), 40_000), [], 'a straggler does not start the message again… ');
  assert.equal(inbox.nextExpiry(), 70_000, '…but waits as a new partial, and would surface as such');
});

test('a full reassembly table pushes its oldest message out incomplete instead of dropping it', () => {
  const inbox = new Inbox({ maxPartial: 2 });
  assert.deepEqual(inbox.accept(frag({ serverSeq: 1, msgId: 1, fragCount: 2, text: 'one' })), []);
  assert.deepEqual(inbox.accept(frag({ serverSeq: 2, msgId: 2, fragCount: 2, text: 'two' })), []);
  const out = inbox.accept(frag({ serverSeq: 3, msgId: 3, fragCount: 2, text: 'three' }));
  assert.deepEqual(out.map((m) => [m.messageId, m.text, m.incomplete]), [[1, `one${MISSING_FRAGMENT}`, true]]);
});
