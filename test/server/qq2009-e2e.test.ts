import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { ModernCmd, ClassicCmd } from '../../src/protocol/commands.js';
import { changeStatusRequestCodec, friendStatusPushCodec } from '../../src/protocol/bodies/classic/index.js';
import { Status } from '../../src/protocol/bodies/status-block.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts } from '../helpers/udp.js';
import { quiescence, serverProbe } from '../helpers/quiescence.js';
import { login2009, QQ2009 } from '../helpers/qq2009-login.js';

// QQ2009 (MyQQ 3.19, tag 0x1663) over loopback with a raw client: the modern chain inside the classic header,
// with its own layouts (0x00DD sub 0x00CA under the password key, 0x00E5 with a nickname, the pre-login 0x0018,
// the 139-byte 0x0030 reply, 27-byte friend entries), answered in 7-byte classic server headers.

const A = { uid: 10001, password: 'myqq-319', nick: 'MyQQ319用户' };
const B = { uid: 10002, password: 'bob-pw', nick: 'Bob' };
const C = { uid: 10003, password: 'carol-pw', nick: '小红' };

test('QQ2009 chain in classic headers: wrong password, success with its own layouts, lists, queued messages, chat and presence with a QQ2005 friend', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, B, C], [[A.uid, B.uid], [A.uid, C.uid]]);
  const bad = await ClassicDriver.open(server.address.port, A.uid, 'nope', undefined, QQ2009);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password, undefined, QQ2009);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    // Wrong password: the 0x00CA block does not open with the password key → code 0x34 under the request key.
    const refused = await login2009(bad);
    assert.ok(!refused.verify.ok && refused.verify.code === M.VerifyCode.WRONG_PASSWORD);
    assert.equal(server.hub.get(A.uid), undefined);

    assert.equal((await b.login()).kind, 'success');
    assert.equal(await b.send(A.uid, '离线消息 for 3.19'), 0);

    const ok = await login2009(a);
    assert.equal(ok.info?.dialect, 'qq2009');
    assert.equal(ok.info?.nickname, A.nick, '0x00E5 carries the nickname MyQQ 3.19 greets with');
    assert.deepEqual(ok.list?.entries.map((e) => [e.uid, e.type]), [[B.uid, M.IndexType.BUDDY], [C.uid, M.IndexType.BUDDY]]);
    assert.equal(ok.list?.next, 0, 'one page: MyQQ 3.19 goes on to 0x0030');
    assert.equal(ok.loginPlainLength, 139);
    assert.ok(ok.login?.ok && ok.login.dialect === 'qq2009' && ok.login.uid === A.uid);
    const session = server.hub.get(A.uid)!;
    assert.deepEqual([session.framing, session.version], ['classic', QQ2009]);
    // b sees a come online, in its own (classic 2005) layout.
    assert.equal(friendStatusPushCodec.decode((await b.push(ClassicCmd.FRIEND_STATUS)).plain).friend.uid, A.uid);

    // The friend list in the 2009 layout: 27 bytes after each nickname.
    const fl = await a.request(ModernCmd.FRIEND_LIST, M.friendListRequest.encode({ start: 0 }));
    const page = M.friendListReply.decode(fl);
    assert.equal(page.dialect, 'qq2009');
    assert.deepEqual(page.friends.map((f) => [f.uid, f.nick, f.extra?.length]), [[B.uid, 'Bob', 27], [C.uid, '小红', 27]]);
    assert.equal(fl.length, 10 + 2 + 5 + (8 + 1 + 3 + 27) + (8 + 1 + 6 + 27) + 5);

    // The online list releases the queued message: 0x00CE in a classic header, acked as MyQQ 3.19 does (0x0017).
    await a.request(ModernCmd.GET_ONLINE_FRIENDS, M.onlineListRequest.encode({ start: 0 }));
    const queued = await a.push(ModernCmd.RECV_IM);
    const im = M.receiveIm.decode(queued.plain);
    assert.ok(im.kind === 'im' && im.sender === B.uid && im.im.segments[0]?.kind === 'text' && im.im.segments[0].text === '离线消息 for 3.19');
    a.fire(ModernCmd.QUN_MESSAGE, queued.plain.subarray(0, 16), queued.seq);

    // Chat to the QQ2005 friend, and a status change reaches it; its change reaches a as a modern 0x0081.
    const [send] = M.makeSendIms({ sender: A.uid, receiver: B.uid, sessionKey: a.sessionKey, senderVersion: QQ2009, text: '你好 from 2009', msgSeq: 1, sendTime: 1, msgId: 7 });
    assert.equal(M.sendImReply.decode(await a.request(ModernCmd.SEND_IM, M.sendIm.encode(send!))).result, 0);
    const got = await b.receive();
    assert.ok(got.push.content.kind === 'im' && got.push.content.message.text === '你好 from 2009');
    await a.request(ModernCmd.CHANGE_STATUS, M.changeStatusRequest.encode({ mode: Status.AWAY }));
    assert.equal(friendStatusPushCodec.decode((await b.push(ClassicCmd.FRIEND_STATUS)).plain).friend.status, Status.AWAY);
    assert.equal(await b.send(A.uid, 'back to 2009'), 0);
    const backPush = await a.push(ModernCmd.RECV_IM);
    assert.equal(M.receiveIm.decode(backPush.plain).sender, B.uid);
    a.fire(ModernCmd.QUN_MESSAGE, backPush.plain.subarray(0, 16), backPush.seq);
    await b.request(ClassicCmd.CHANGE_STATUS, changeStatusRequestCodec.encode({ status: Status.BUSY, misc: 0, extra: Buffer.alloc(6) }));
    const seen = M.statusPush.decode((await a.push(ModernCmd.FRIEND_STATUS)).plain);
    assert.deepEqual([seen.block.uid, seen.block.status], [B.uid, Status.BUSY]);
    await quiescence(serverProbe(server));
    assert.equal(server.metrics.dropped.no_session + server.metrics.dropped.bad_body, 0);
  } finally {
    bad.close();
    a.close();
    b.close();
    await server.close();
  }
});
