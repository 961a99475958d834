// The SDK's record of messages sent and received: bounded, numbered in one sequence, int32 numbers; filled by
// client.send (private and Qun) and by every received message (its number as recordId).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageRecord } from '../../src/client/index.js';
import { QunPolicy } from '../../src/store/store.js';
import { ALICE, BOB, Clients, serverWith } from './fixtures.js';

const msg = (text: string) => ({ direction: 'in' as const, kind: 'private' as const, peer: 2, from: 2, text, time: new Date(0), messageId: 7 });

test('MessageRecord: numbers 1, 2, 3 …; keeps the newest `capacity`; refuses a capacity below 1', () => {
  const r = new MessageRecord(3);
  const ids = ['a', 'b', 'c', 'd'].map((t) => r.add(msg(t)).id);
  assert.deepEqual(ids, [1, 2, 3, 4]);
  assert.equal(r.size, 3);
  assert.equal(r.get(1), undefined, 'the oldest went first');
  assert.deepEqual([r.get(2)?.text, r.get(4)?.text], ['b', 'd']);
  assert.throws(() => new MessageRecord(0), RangeError);
});

test('MessageRecord: after 2^31 − 1 the numbers start again at 1 (int32), replacing an old holder of the number', () => {
  const r = new MessageRecord(2);
  (r as unknown as { last: number }).last = 0x7ffffffe;
  assert.equal(r.add(msg('max')).id, 0x7fffffff);
  assert.equal(r.add(msg('wrapped')).id, 1);
  assert.equal(r.get(1)?.text, 'wrapped');
  assert.equal(r.get(0x7fffffff)?.text, 'max');
});

test('Client: send() and received messages land in client.messages in one sequence, private and Qun, both framings', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, port, 'classic');
    const b = await cs.online(BOB, port, 'modern');
    const sent = await a.send({ to: BOB.uid }, 'hello Bob');
    assert.deepEqual([sent.id, sent.direction, sent.kind, sent.peer, sent.from, sent.text], [1, 'out', 'private', BOB.uid, ALICE.uid, 'hello Bob']);
    assert.equal(a.messages.get(1), sent);

    const incoming = a.next('message');
    await b.sendMessage(ALICE.uid, 'hi Alice');
    const m = await incoming;
    assert.equal(m.recordId, 2);
    assert.deepEqual([a.messages.get(2)?.direction, a.messages.get(2)?.from, a.messages.get(2)?.text], ['in', BOB.uid, 'hi Alice']);

    const qun = await a.createQun('rec', QunPolicy.OPEN);
    await b.joinQun(qun);
    const atA = a.next('qunMessage');
    const q = await b.send({ qun }, 'in the Qun');
    assert.deepEqual([q.kind, q.peer, q.direction], ['qun', qun, 'out']);
    const got = await atA;
    assert.deepEqual([a.messages.get(got.recordId)?.kind, a.messages.get(got.recordId)?.peer, a.messages.get(got.recordId)?.text], ['qun', qun, 'in the Qun']);
    assert.equal(got.recordId, 3);
    // The old send methods record too.
    await a.sendQunMessage(qun, 'old API');
    assert.equal(a.messages.get(4)?.text, 'old API');
  } finally {
    await cs.closeAll();
    await server.close();
  }
});
