import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/transport/clock.js';
import { Requester, RequestTimeoutError } from '../src/transport/requester.js';
import { DupWindow } from '../src/transport/dup-window.js';
import { TimerQueue } from '../src/transport/timer-queue.js';

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
  const w = new DupWindow(3, 4);
  const b = (s: string) => Buffer.from(s);
  w.set(1, 1, b('a'));
  w.set(1, 2, b('bb'));
  w.set(2, 1, b('long reply')); // longer than a slot: kept by reference
  assert.deepEqual(w.get(1, 1), b('a'));
  assert.deepEqual(w.get(2, 1), b('long reply'));
  w.set(2, 2, b('dddd'));
  assert.equal(w.get(1, 1), undefined);
  assert.equal(w.has(1, 1), false);
  assert.deepEqual(w.get(2, 2), b('dddd'));
  assert.deepEqual(w.get(1, 2), b('bb'));
  assert.equal(w.size, 3);
});

test('duplicate window: a repeated key moves to the newest place; empty replies and extreme keys are kept apart', () => {
  const w = new DupWindow(3, 8);
  w.set(0xffff, 0xffff, Buffer.from('max'));
  w.set(0, 0, new Uint8Array(0));
  assert.deepEqual(w.get(0xffff, 0xffff), Buffer.from('max'));
  assert.deepEqual(w.get(0, 0), Buffer.alloc(0));
  assert.equal(w.get(0, 1), undefined);
  w.set(0xffff, 0xffff, Buffer.from('again')); // now newest: (0, 0) is the oldest
  assert.equal(w.size, 2);
  w.set(5, 5, Buffer.from('x'));
  w.set(6, 6, Buffer.from('y'));
  assert.equal(w.get(0, 0), undefined);
  assert.deepEqual(w.get(0xffff, 0xffff), Buffer.from('again'));
  assert.equal(w.size, 3);
});

test('duplicate window: a remembered reply is a copy, unchanged by later writes to the slot or the original', () => {
  const w = new DupWindow(1, 8);
  const reply = Buffer.from('abc');
  w.set(1, 1, reply);
  reply[0] = 0x7a;
  const got = w.get(1, 1)!;
  w.set(1, 2, Buffer.from('zzz'));
  assert.deepEqual(got, Buffer.from('abc'));
});

test('duplicate window: starts small and grows up to its capacity only when full, keeping every entry and the eviction order', () => {
  const w = new DupWindow(8, 4, 2);
  assert.equal(w.slots, 2);
  for (let i = 1; i <= 3; i++) w.set(1, i, Buffer.from([i]));
  assert.equal(w.slots, 4, 'grew when the third entry came');
  for (let i = 4; i <= 8; i++) w.set(1, i, Buffer.from([i]));
  assert.equal(w.slots, 8);
  assert.equal(w.size, 8);
  for (let i = 1; i <= 8; i++) assert.deepEqual(w.get(1, i), Buffer.from([i]), `entry ${i} kept across growth`);
  w.set(1, 9, Buffer.from([9]));
  assert.equal(w.slots, 8, 'never past capacity');
  assert.equal(w.has(1, 1), false, 'the oldest went first');
  assert.equal(w.has(1, 2), true);
});

test('timer queue: waits run in due order on one underlying timer, cancelled ones never run, later arrivals of earlier waits re-arm it', () => {
  const clock = new ManualClock(0);
  const q = new TimerQueue(clock);
  const ran: string[] = [];
  q.setTimeout(() => ran.push('c@300'), 300);
  const b = q.setTimeout(() => ran.push('b@200'), 200);
  q.setTimeout(() => ran.push('a@100'), 100);
  q.setTimeout(() => ran.push('a2@100'), 100);
  assert.equal(clock.pending, 1, 'one timer of the clock for all waits');
  assert.equal(q.pending, 4);
  b.cancel();
  b.cancel();
  assert.equal(q.pending, 3);
  clock.advance(100);
  assert.deepEqual(ran, ['a@100', 'a2@100']);
  q.setTimeout(() => { ran.push('d@150'); q.setTimeout(() => ran.push('e@150'), 0); }, 50);
  clock.advance(1000);
  assert.deepEqual(ran, ['a@100', 'a2@100', 'd@150', 'e@150', 'c@300']);
  assert.equal(q.pending, 0);
  assert.equal(clock.pending, 0, 'nothing armed once empty');

  // schedule: one shared handler gets each wait's own argument (no closure per wait).
  const got: string[] = [];
  const handler = (item: { name: string }) => got.push(item.name);
  q.schedule(handler, { name: 'y' }, 20);
  const x = q.schedule(handler, { name: 'x' }, 10);
  q.schedule(handler, { name: 'z' }, 30);
  x.cancel();
  assert.equal(q.pending, 2);
  clock.advance(30);
  assert.deepEqual(got, ['y', 'z']);
  assert.equal(q.pending, 0);
});
