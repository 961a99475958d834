import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/transport/clock.js';
import { Requester, RequestTimeoutError } from '../src/transport/requester.js';
import { DupWindow } from '../src/transport/dup-window.js';

test('requester retransmits the same bytes until the reply, then stops', async () => {
  const clock = new ManualClock();
  const sent: Buffer[] = [];
  const rq = new Requester<string>((b) => sent.push(b), clock, { intervalMs: 1000, maxTries: 5 });
  const p = rq.request(0x16, 7, Buffer.from('abc'));
  assert.equal(sent.length, 1);
  clock.advance(999);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1], Buffer.from('abc'));
  assert.equal(rq.resolve(0x16, 8, 'wrong seq'), false);
  assert.equal(rq.resolve(0x17, 7, 'wrong command'), false);
  assert.equal(rq.resolve(0x16, 7, 'reply'), true);
  assert.equal(await p, 'reply');
  clock.advance(10_000);
  assert.equal(sent.length, 2, 'no resend after the reply');
  assert.equal(clock.pending, 0);
});

test('requester fails with a typed timeout after the last try', async () => {
  const clock = new ManualClock();
  let sends = 0;
  const rq = new Requester<string>(() => sends++, clock, { intervalMs: 100, maxTries: 3 });
  const p = rq.request(0x27, 1, Buffer.alloc(1));
  clock.advance(1000);
  await assert.rejects(p, (e: unknown) => e instanceof RequestTimeoutError && e.tries === 3 && e.command === 0x27);
  assert.equal(sends, 3);
  assert.equal(rq.size, 0);
});

test('duplicate window remembers replies and forgets the oldest past capacity', () => {
  const w = new DupWindow<string>(3);
  w.set(1, 1, 'a');
  w.set(1, 2, 'b');
  w.set(2, 1, 'c');
  assert.equal(w.get(1, 1), 'a');
  w.set(2, 2, 'd');
  assert.equal(w.get(1, 1), undefined);
  assert.equal(w.get(2, 2), 'd');
  assert.equal(w.size, 3);
});
