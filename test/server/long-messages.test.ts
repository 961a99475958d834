// Long messages: fragments that each carry their own message sequence (as MyQQ sends them) make one message at
// the receiver; a message missing a fragment is shown marked incomplete; the server's size limits and malformed
// sends are answered with the failure reply, never with silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { until } from '../helpers/udp.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { imKey } from '../../src/protocol/keys.js';
import { sendImRequestCodec, IM_TEXT } from '../../src/protocol/bodies/classic/index.js';
import { ManualClock } from '../../src/transport/clock.js';
import { MISSING_FRAGMENT, type IncomingMessage } from '../../src/client/index.js';
import { MAX_FRAGMENTS, MAX_FRAGMENT_BYTES } from '../../src/server/message-id.js';
import { ALICE, BOB, Clients, serverWith } from '../client/fixtures.js';

interface Frag { text: string; fragCount: number; fragIndex: number; msgSeq: number; msgId?: number; time?: number; sender?: number }

/** A classic send of one fragment, answered with its result byte. */
async function sendFragment(a: ClassicDriver, to: number, f: Frag): Promise<number> {
  const body = sendImRequestCodec.encode({
    sender: f.sender ?? a.uid, receiver: to,
    message: {
      senderVersion: a.version, sender: f.sender ?? a.uid, receiver: to, imKey: imKey(a.uid, a.sessionKey), imType: IM_TEXT,
      msgSeq: f.msgSeq, sendTime: f.time ?? 1_700_000_000, face: 0, fragCount: f.fragCount, fragIndex: f.fragIndex, msgId: f.msgId ?? 0x77,
      replyType: 1, text: f.text, font: undefined,
    },
  });
  return (await a.request(ClassicCmd.SEND_IM, body))[0]!;
}

test('a message whose fragments each carry their own message sequence is shown once, whole', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const cs = new Clients();
  const a = await ClassicDriver.open(port, ALICE.uid, ALICE.password);
  try {
    const b = await cs.online(BOB, port, 'modern');
    const got: IncomingMessage[] = [];
    b.on('message', (m) => got.push(m));
    assert.equal((await a.login()).kind, 'success');
    const parts = ['第一段'.repeat(100), '第二段'.repeat(100), 'the end'];
    for (const [i, text] of parts.entries()) assert.equal(await sendFragment(a, BOB.uid, { text, fragCount: 3, fragIndex: i, msgSeq: 0x100 + i }), 0);
    await until(() => got.length === 1, 3000, 'the message');
    assert.deepEqual([got[0]!.text, got[0]!.fragments, got[0]!.incomplete], [parts.join(''), 3, false]);
  } finally {
    a.close();
    await cs.closeAll();
    await server.close();
  }
});

test('a message missing a fragment is shown after the timeout, marked incomplete', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const cs = new Clients();
  const clock = new ManualClock(Date.now());
  const a = await ClassicDriver.open(port, ALICE.uid, ALICE.password);
  try {
    const b = await cs.online(BOB, port, 'classic', { clock, partialTimeoutMs: 30_000 });
    const got: IncomingMessage[] = [];
    b.on('message', (m) => got.push(m));
    assert.equal((await a.login()).kind, 'success');
    assert.equal(await sendFragment(a, BOB.uid, { text: 'head ', fragCount: 3, fragIndex: 0, msgSeq: 1 }), 0);
    assert.equal(await sendFragment(a, BOB.uid, { text: ' tail', fragCount: 3, fragIndex: 2, msgSeq: 3 }), 0);
    await until(() => server.outstandingPushes() === 0, 3000, 'both fragments acked by the receiver');
    clock.advance(29_999);
    assert.equal(got.length, 0);
    clock.advance(1);
    assert.equal(got.length as number, 1);
    assert.deepEqual([got[0]!.text, got[0]!.incomplete, got[0]!.missing], [`head ${MISSING_FRAGMENT} tail`, true, [1]]);
  } finally {
    a.close();
    await cs.closeAll();
    await server.close();
  }
});

test('size limits and malformed sends get the failure reply (01), not silence', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const a = await ClassicDriver.open(port, ALICE.uid, ALICE.password);
  try {
    assert.equal((await a.login()).kind, 'success');
    const f = (o: Partial<Frag>): Frag => ({ text: 'x', fragCount: 1, fragIndex: 0, msgSeq: 9, ...o });
    assert.equal(await sendFragment(a, BOB.uid, f({ fragCount: MAX_FRAGMENTS + 1, fragIndex: 0, msgSeq: 1 })), 1, 'too many fragments');
    assert.equal(await sendFragment(a, BOB.uid, f({ fragCount: MAX_FRAGMENTS, fragIndex: MAX_FRAGMENTS - 1, msgSeq: 2 })), 0, 'the most fragments');
    assert.equal(await sendFragment(a, BOB.uid, f({ text: 'é'.repeat(MAX_FRAGMENT_BYTES / 2), msgSeq: 3 })), 0, 'the most bytes');
    assert.equal(await sendFragment(a, BOB.uid, f({ text: 'é'.repeat(MAX_FRAGMENT_BYTES / 2) + 'x', msgSeq: 4 })), 1, 'one byte more');
    assert.equal(await sendFragment(a, BOB.uid, f({ fragCount: 2, fragIndex: 2, msgSeq: 5 })), 1, 'index beyond the count');
    assert.equal(await sendFragment(a, BOB.uid, f({ sender: BOB.uid, msgSeq: 6 })), 1, 'in another user\'s name');
    assert.equal(server.metrics.dropped.bad_body, 1, 'counted as bad input too');
    // A body that does not decode at all: a few bytes under the session key.
    assert.deepEqual([...(await a.request(ClassicCmd.SEND_IM, Buffer.from([1, 2, 3])))], [1]);
    assert.equal(server.metrics.dropped.bad_body, 2);
    assert.equal(server.metrics.messagesStored, 2);
  } finally {
    a.close();
    await server.close();
  }
});
