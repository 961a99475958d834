import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { imKey } from '../../src/protocol/keys.js';
import { sendImRequestCodec, memoRequestCodec, memoReplyCodec, systemMessageCodec, systemMessageAckCodec, userInfoRequestCodec, IM_TEXT } from '../../src/protocol/bodies/classic/index.js';
import { qunRequestCodec, QunPushType, QunSub } from '../../src/protocol/bodies/qun.js';
import { QunPolicy } from '../../src/store/store.js';
import { DEFAULT_FONT } from '../../src/protocol/text.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';

const CAROL = { uid: 100003, password: 'carol' };
const DAVE = { uid: 100004, password: 'dave' };

test("pidgin's send (fragment count 0, index 0, id 0) is accepted, stored as one fragment, delivered — and never stops the server", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [CAROL, DAVE], [[CAROL.uid, DAVE.uid]]);
  const c = await ClassicDriver.open(server.address.port, CAROL.uid, CAROL.password);
  const d = await ClassicDriver.open(server.address.port, DAVE.uid, DAVE.password);
  try {
    await c.login();
    await d.login();
    const send = (fragCount: number, fragIndex: number, text: string, msgSeq: number) => c.request(ClassicCmd.SEND_IM, sendImRequestCodec.encode({
      sender: CAROL.uid, receiver: DAVE.uid,
      message: {
        senderVersion: 0x0d55, sender: CAROL.uid, receiver: DAVE.uid, imKey: imKey(CAROL.uid, c.sessionKey), imType: IM_TEXT,
        msgSeq, sendTime: 1_763_900_000, face: 0, fragCount, fragIndex, msgId: 0, replyType: 1, text, font: DEFAULT_FONT,
      },
    }));
    assert.deepEqual(await send(0, 0, 'hi dave', 0x38b6), Buffer.from([0]));
    const m = await d.receive();
    assert.ok(m.push.content.kind === 'im');
    assert.deepEqual([m.push.content.message.text, m.push.content.message.fragCount, m.push.content.message.fragIndex], ['hi dave', 1, 0]);
    // A fragment index beyond the count is refused (result 1), nothing is stored, the server goes on.
    assert.deepEqual(await send(2, 5, 'bad index', 0x38b7), Buffer.from([1]));
    assert.deepEqual(await send(0, 3, 'bad index', 0x38b8), Buffer.from([1]));
    assert.equal(await c.send(DAVE.uid, 'still serving', { msgSeq: 0x38b9 }), 0);
    assert.equal((await d.receive()).push.content.kind, 'im');
    await until(() => store.pendingCount(DAVE.uid) === 0, 2000, 'acked');
    assert.equal(server.metrics.dropped.unexpected, 0);
  } finally {
    c.close();
    d.close();
    await server.close();
  }
});

test("pidgin's buddy-memo request (0x003E, 03 + uid) gets the one-byte \"no memo\" answer", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [CAROL, DAVE], [[CAROL.uid, DAVE.uid]]);
  const c = await ClassicDriver.open(server.address.port, CAROL.uid, CAROL.password);
  try {
    await c.login();
    const reply = await c.request(ClassicCmd.BUDDY_MEMO, memoRequestCodec.encode({ sub: 3, uid: DAVE.uid }));
    assert.deepEqual(memoReplyCodec.decode(reply), { sub: 3 });
    assert.equal(server.metrics.dropped.unknown_command, 0);
  } finally {
    c.close();
    await server.close();
  }
});

test('pidgin acks every system message (0x0012) under header sequence 0: each ack counts, none is taken for a repeat of the one before', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [CAROL, DAVE], []);
  const c = await ClassicDriver.open(server.address.port, CAROL.uid, CAROL.password);
  try {
    await c.login();
    // Two system messages for Carol, queued in the store and then delivered.
    for (const text of ['first', 'second']) {
      store.friendChange({ notices: [{ sender: DAVE.uid, receiver: CAROL.uid, code: 2, text }] });
    }
    server.hub.deliverPending(server.hub.get(CAROL.uid)!);
    for (const text of ['first', 'second']) {
      const p = await c.push(ClassicCmd.SYSTEM_MESSAGE);
      const m = systemMessageCodec.decode(p.plain);
      assert.equal(m.text, text);
      c.fire(ClassicCmd.ACK_SYSTEM_MESSAGE, systemMessageAckCodec.encode({ code: m.code, from: m.from, seq: p.seq }), 0);
    }
    await until(() => store.pendingCount(CAROL.uid) === 0, 3000, 'both acked');
    await assert.rejects(c.push(ClassicCmd.SYSTEM_MESSAGE, 1500), 'no repeat of either');
    assert.equal(server.metrics.duplicates, 0);
  } finally {
    c.close();
    await server.close();
  }
});

test("pidgin's Qun windows: a member's queued Qun pushes wait until it asked for each of its Qun's info (0x0030 04), whose title names the window", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [CAROL, DAVE], []);
  const q1 = store.createQun(DAVE.uid, 'first', QunPolicy.OPEN, 20);
  const q2 = store.createQun(DAVE.uid, 'second', QunPolicy.OPEN, 20);
  for (const q of [q1, q2]) store.qunChange({ qun: q.id, join: { uid: CAROL.uid, role: 0 }, notices: [] });
  store.storeQunMessage({ qun: q1.id, sender: DAVE.uid, sentAt: 1_763_900_000, msgId: 7, fragCount: 1, fragIndex: 0, text: 'while you were away' });
  const c = await ClassicDriver.open(server.address.port, CAROL.uid, CAROL.password);
  try {
    await c.login();
    // pidgin's chain: info, status, friends … — nothing is pushed yet, not even after the first Qun's info.
    await c.request(ClassicCmd.GET_USER_INFO, userInfoRequestCodec.encode({ uid: CAROL.uid }));
    const info = (id: number) => c.request(ClassicCmd.QUN, qunRequestCodec.encode({ sub: QunSub.GET_INFO, qun: id, data: Buffer.alloc(0) }));
    await info(q1.id);
    assert.equal(c.peer.peek().length, 0, 'no push before the info of every Qun was asked for');
    await info(q2.id);
    const m = await c.receive();
    assert.deepEqual([m.push.sender, m.push.type], [q1.id, QunPushType.CLASSIC_IM]);
  } finally {
    c.close();
    await server.close();
  }
});

test('a Qun member that never asks for Qun info still gets its queued messages when the hold ends', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [CAROL, DAVE], []);
  const q = store.createQun(DAVE.uid, 'q', QunPolicy.OPEN, 20);
  store.qunChange({ qun: q.id, join: { uid: CAROL.uid, role: 0 }, notices: [] });
  store.storeQunMessage({ qun: q.id, sender: DAVE.uid, sentAt: 1_763_900_000, msgId: 7, fragCount: 1, fragIndex: 0, text: 'held' });
  const c = await ClassicDriver.open(server.address.port, CAROL.uid, CAROL.password);
  try {
    await c.login();
    await c.request(ClassicCmd.GET_USER_INFO, userInfoRequestCodec.encode({ uid: CAROL.uid }));
    assert.equal((await c.receive(4000)).push.sender, q.id);
  } finally {
    c.close();
    await server.close();
  }
});
