import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { decodeGb, encodeGb, encodeFontTrailer, DEFAULT_FONT } from '../../src/protocol/text.js';
import { AuthPolicy, QunPolicy } from '../../src/store/store.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';

const A = { uid: 10001, password: 'alice-pw', nick: 'Alice' };
const B = { uid: 10002, password: 'bob-pw', nick: '小明' };
const D = { uid: 10004, password: 'dave-pw', nick: 'Dave' };

function qun(d: ClassicDriver, sub: number, id: number, data: Buffer = Buffer.alloc(0)): Promise<Q.QunReply> {
  return d.request(ClassicCmd.QUN, Q.qunRequestCodec.encode({ sub, qun: id, data })).then((b) => Q.qunReplyCodec.decode(b));
}

/** The next system message push (acked like pidgin: 0x0012 with code, sender, seq). */
function system(d: ClassicDriver): Promise<C.SystemMessage> {
  return d.system();
}

test('classic: search, add without and with authorization (online and offline receiver), refuse, remove — at the wire', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, B, D], []);
  store.setAuthType(D.uid, AuthPolicy.ANYONE);
  const [a, b] = (await Promise.all([A, B].map((u) => ClassicDriver.open(server.address.port, u.uid, u.password)))) as [ClassicDriver, ClassicDriver];
  try {
    await a.login();
    // Search by nick and by number.
    const byNick = C.searchReplyCodec.decode(await a.request(ClassicCmd.SEARCH_USER, C.searchRequestCodec.encode({ kind: C.SearchKind.BY_NICK, nick: encodeGb('小'), page: 0 })));
    assert.deepEqual(byNick.entries.map((e) => [e.uid, decodeGb(e.nick)]), [[B.uid, '小明']]);
    const byUid = C.searchReplyCodec.decode(await a.request(ClassicCmd.SEARCH_USER, C.searchRequestCodec.encode({ kind: C.SearchKind.BY_UID, uid: D.uid, page: 0 })));
    assert.deepEqual(byUid.entries.map((e) => e.uid), [D.uid]);

    // D lets anyone add: added at once; D (offline) gets "you were added" at login, exactly once.
    const added = C.addNoAuthReplyCodec.decode(await a.request(ClassicCmd.ADD_FRIEND, C.uidTextCodec.encode({ uid: D.uid })));
    assert.deepEqual(added, { uid: A.uid, outcome: C.AddOutcome.ADDED });
    assert.ok(store.areFriends(A.uid, D.uid));

    // B needs authorization (the default): 0x0009 says so, 0x000B asks with a note; B is offline.
    const needs = C.addNoAuthReplyCodec.decode(await a.request(ClassicCmd.ADD_FRIEND, C.uidTextCodec.encode({ uid: B.uid })));
    assert.equal(needs.outcome, C.AddOutcome.NEEDS_AUTH);
    const asked = C.authReplyCodec.decode(await a.request(ClassicCmd.ADD_FRIEND_AUTH, C.authRequestCodec.encode({ uid: B.uid, action: C.AuthAction.REQUEST, text: encodeGb('我是爱丽丝') })));
    assert.equal(asked.ok, true);
    assert.equal(store.areFriends(A.uid, B.uid), false);

    await b.login();
    const req = await system(b);
    assert.deepEqual(req, { code: C.SystemCode.ADD_REQUEST, from: A.uid, to: B.uid, text: '我是爱丽丝' });
    // B refuses with a reason: A (online) is told.
    await b.request(ClassicCmd.ADD_FRIEND_AUTH, C.authRequestCodec.encode({ uid: A.uid, action: C.AuthAction.REJECT, text: encodeGb('no thanks') }));
    assert.deepEqual(await system(a), { code: C.SystemCode.ADD_REJECTED, from: B.uid, to: A.uid, text: 'no thanks' });

    // Asked again, B approves: friends both ways, A told.
    await a.request(ClassicCmd.ADD_FRIEND_AUTH, C.authRequestCodec.encode({ uid: B.uid, action: C.AuthAction.REQUEST, text: encodeGb('again') }));
    assert.equal((await system(b)).text, 'again');
    await b.request(ClassicCmd.ADD_FRIEND_AUTH, C.authRequestCodec.encode({ uid: A.uid, action: C.AuthAction.APPROVE }));
    assert.deepEqual(await system(a), { code: C.SystemCode.ADD_APPROVED, from: B.uid, to: A.uid, text: '' });
    assert.ok(store.areFriends(A.uid, B.uid) && store.areFriends(B.uid, A.uid));

    // Remove (2005 form): both directions end, B told.
    const rm = C.resultOnlyCodec.decode(await a.request(ClassicCmd.DELETE_FRIEND, C.removeRequestCodec.encode({ uid: B.uid })));
    assert.equal(rm.result, 0);
    assert.equal(store.areFriends(B.uid, A.uid), false);
    assert.equal((await system(b)).from, A.uid);

    // D logs in later: the "added" notice was queued; it arrives once and, acked, is not sent again.
    const d = await ClassicDriver.open(server.address.port, D.uid, D.password);
    try {
      await d.login();
      assert.deepEqual(await system(d), { code: C.SystemCode.BEING_ADDED, from: A.uid, to: D.uid, text: '' });
      await assert.rejects(d.push(ClassicCmd.SYSTEM_MESSAGE, 400));
      assert.equal(store.pendingCount(D.uid), 0);
    } finally {
      d.close();
    }
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

/** Receives the next Qun message push, acks it, returns (sender, text). */
async function qunMessage(d: ClassicDriver): Promise<{ qun: number; sender: number; text: string; type: number }> {
  const { push } = await d.receive();
  assert.equal(push.content.kind, 'other');
  if (push.content.kind !== 'other') throw new Error('not a Qun push');
  if (push.type !== Q.QunPushType.CLASSIC_IM) return { qun: push.sender, sender: Q.readQunNotice(push.content.bytes).uid, text: '', type: push.type };
  const m = Q.readClassicQunIm(push.content.bytes);
  const t = m.content;
  const text = decodeGb(t.subarray(0, t.length - (t.at(-1) ?? 0)));
  return { qun: push.sender, sender: m.sender, text, type: push.type };
}

test('classic Qun: create, search, join with approval, chat with offline delivery and a member joining mid-stream, leave', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, B, D], []);
  const [a, b] = (await Promise.all([A, B].map((u) => ClassicDriver.open(server.address.port, u.uid, u.password)))) as [ClassicDriver, ClassicDriver];
  let bClosed = false;
  try {
    await a.login();
    await b.login();
    const created = await qun(a, Q.QunSub.CREATE, 0, Q.writeQunCreate({ type: 1, authType: QunPolicy.NEEDS_AUTH, category: 3, name: encodeGb('老友'), notice: Buffer.alloc(0), intro: Buffer.alloc(0), members: [A.uid] }));
    assert.equal(created.result, 0);
    const { id } = Q.readQunCreated(created.data);

    const found = await qun(b, Q.QunSub.SEARCH, 0, Q.writeQunSearch({ type: 1, ext: id }));
    assert.equal(decodeGb(Q.readQunFound(found.data).name), '老友');
    // B must be approved: JOIN says so, AUTH applies with a note, the creator gets a Qun notice and approves.
    assert.equal(Q.readQunJoined((await qun(b, Q.QunSub.JOIN, id)).data).code, Q.QunJoin.NEEDS_AUTH);
    assert.equal((await qun(b, Q.QunSub.GET_INFO, id)).result, Q.QunResult.NOT_MEMBER);
    await qun(b, Q.QunSub.AUTH, id, Q.writeQunAuth({ opt: Q.QunAuthOpt.APPLY, uid: 0, note: encodeGb('let me in') }));
    const apply = await a.receive();
    assert.equal(apply.push.type, Q.QunPushType.APPLY);
    assert.equal((await qun(a, Q.QunSub.AUTH, id, Q.writeQunAuth({ opt: Q.QunAuthOpt.APPROVE, uid: B.uid, note: Buffer.alloc(0) }))).result, 0);
    assert.equal((await b.receive()).push.type, Q.QunPushType.APPROVED);

    const info = Q.readQunInfo((await qun(b, Q.QunSub.GET_INFO, id)).data);
    assert.deepEqual(info.members.map((m) => [m.uid, m.role]), [[A.uid, 1], [B.uid, 0]]);
    assert.equal(info.creator, A.uid);
    assert.deepEqual(Q.readQunOnlines((await qun(b, Q.QunSub.GET_ONLINES, id)).data).online, [A.uid, B.uid]);
    const cards = Q.readQunMembers((await qun(b, Q.QunSub.GET_MEMBERS, id, Q.writeUidList([A.uid, B.uid]))).data).cards;
    assert.deepEqual(cards.map((c) => decodeGb(c.nick)), ['Alice', '小明']);

    // Chat: A says two things, B gets both in order, once; A gets nothing of its own.
    const say = (d: ClassicDriver, text: string) => qun(d, Q.QunSub.SEND_IM, id, Q.writeQunSendIm(Buffer.concat([encodeGb(text), encodeFontTrailer(DEFAULT_FONT)])));
    await say(a, '第一');
    await say(a, 'second');
    assert.deepEqual([await qunMessage(b), await qunMessage(b)].map((m) => [m.qun, m.sender, m.text]), [[id, A.uid, '第一'], [id, A.uid, 'second']]);

    // D joins mid-stream (open policy now) while offline messages pile up for B.
    await until(() => store.pendingCount(B.uid) === 0, 3000, 'B acked both');
    b.close();
    bClosed = true;
    store.qunChange({ qun: id, info: { authType: QunPolicy.OPEN }, notices: [] });
    const d = await ClassicDriver.open(server.address.port, D.uid, D.password);
    try {
      await d.login();
      assert.equal(Q.readQunJoined((await qun(d, Q.QunSub.JOIN, id)).data).code, Q.QunJoin.OK);
      assert.equal((await qunMessage(a)).type, Q.QunPushType.ADDED);
      await say(d, 'hi from D');
      assert.equal((await qunMessage(a)).text, 'hi from D');
      await say(a, 'third');
      assert.equal((await qunMessage(d)).text, 'third');

      // B comes back: the join notice, D's and A's messages, in store order, each once.
      const b2 = await ClassicDriver.open(server.address.port, B.uid, B.password);
      try {
        await b2.login();
        const got = [await qunMessage(b2), await qunMessage(b2), await qunMessage(b2)];
        // Order holds per (Qun, sender); different senders' queues interleave freely.
        const of = (uid: number) => got.filter((m) => m.sender === uid).map((m) => [m.type, m.text]);
        assert.deepEqual(of(D.uid), [[Q.QunPushType.ADDED, ''], [Q.QunPushType.CLASSIC_IM, 'hi from D']]);
        assert.deepEqual(of(A.uid), [[Q.QunPushType.CLASSIC_IM, 'third']]);
        await assert.rejects(b2.push(ClassicCmd.RECV_IM, 400));

        // B leaves: no longer a member, the others are told.
        assert.equal((await qun(b2, Q.QunSub.QUIT, id)).result, 0);
        assert.equal(store.isQunMember(id, B.uid), false);
        assert.equal((await qunMessage(a)).type, Q.QunPushType.REMOVED);
        assert.equal((await qun(b2, Q.QunSub.SEND_IM, id, Q.writeQunSendIm(encodeGb('x')))).result, Q.QunResult.NOT_MEMBER);
      } finally {
        b2.close();
      }
    } finally {
      d.close();
    }
  } finally {
    a.close();
    if (!bClosed) b.close();
    await server.close();
  }
});
