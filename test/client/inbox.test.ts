import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inbox } from '../../src/client/inbox.js';

const frag = (o: Partial<Parameters<Inbox['accept']>[0]>) => ({
  sender: 1, serverSeq: 1, sendTime: 1_700_000_000, msgSeq: 1, msgId: 7, fragCount: 1, fragIndex: 0, text: 'x', ...o,
});

test('two messages in the same second with the same random id but different sequences both surface', () => {
  const inbox = new Inbox();
  assert.equal(inbox.accept(frag({ serverSeq: 10, msgSeq: 100, text: 'a' }))?.text, 'a');
  assert.equal(inbox.accept(frag({ serverSeq: 11, msgSeq: 101, text: 'b' }))?.text, 'b');
});

test('a repeated push (same server sequence, or same identity under a new server sequence) surfaces once', () => {
  const inbox = new Inbox();
  assert.equal(inbox.accept(frag({ serverSeq: 10, text: 'a' }))?.text, 'a');
  assert.equal(inbox.accept(frag({ serverSeq: 10, text: 'a' })), undefined);
  assert.equal(inbox.accept(frag({ serverSeq: 99, text: 'a' })), undefined);
});

test('fragments are reassembled in index order, once', () => {
  const inbox = new Inbox();
  assert.equal(inbox.accept(frag({ serverSeq: 1, fragCount: 3, fragIndex: 2, text: 'c' })), undefined);
  assert.equal(inbox.accept(frag({ serverSeq: 2, fragCount: 3, fragIndex: 0, text: 'a' })), undefined);
  const m = inbox.accept(frag({ serverSeq: 3, fragCount: 3, fragIndex: 1, text: 'b' }));
  assert.deepEqual([m?.text, m?.fragments], ['abc', 3]);
  assert.equal(inbox.accept(frag({ serverSeq: 3, fragCount: 3, fragIndex: 1, text: 'b' })), undefined);
});
