import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { ModernCmd } from '../../src/protocol/commands.js';
import { Status } from '../../src/protocol/bodies/status-block.js';
import { ModernDriver, MYQQ_VERSION } from '../helpers/modern-driver.js';
import { startServer, seedAccounts } from '../helpers/udp.js';
import { quiescence, serverProbe } from '../helpers/quiescence.js';

// pidgin-libqq's reading of the modern chain, with raw clients over loopback: the server picks the 0x00E5 layout
// from the request (not the tag, which MyQQ 3.30 shares), answers 0x00E3, and gives the longer 0x0030 reply; a
// MyQQ-style login on the same tag still gets the short layouts.

const QQ2010 = 0x1e0d;
const A = { uid: 10001, password: 'libqq-pw', nick: '小李' };
const B = { uid: 10002, password: 'myqq-pw', nick: 'MyQQ' };

for (const [mode, version] of [['qq2011', MYQQ_VERSION], ['qq2010', QQ2010]] as const) {
  test(`pidgin-libqq ${mode} chain (0x00E5 → 0x00E3 → 0x0030): wrong password, its layouts, queued message, chat, presence, 0x89 levels`, async () => {
    const { server, store } = await startServer();
    seedAccounts(store, [A, B], [[A.uid, B.uid]]);
    const bad = await ModernDriver.openModern(server.address.port, A.uid, 'nope', version);
    const a = await ModernDriver.openModern(server.address.port, A.uid, A.password, version);
    const b = await ModernDriver.openModern(server.address.port, B.uid, B.password);
    try {
      await assert.rejects(bad.loginModern(M.LoginMode.ONLINE, true), /verify refused/);
      assert.equal(server.hub.get(A.uid), undefined);

      // b (MyQQ's chain, same tag in qq2011 mode) gets the short layouts and queues a message.
      await b.loginModern();
      assert.equal(b.chain.info?.length, 114, 'the 0x00E5 reply MyQQ 3.30 reads');
      assert.equal(b.chain.done?.length, 37);
      const [send] = M.makeSendIms({ sender: B.uid, receiver: A.uid, sessionKey: b.sessionKey, senderVersion: MYQQ_VERSION, text: '给 libqq 的离线消息', msgSeq: 1, sendTime: 1, msgId: 3 });
      assert.equal(M.sendImReply.decode(await b.request(ModernCmd.SEND_IM, M.sendIm.encode(send!))).result, 0);

      await a.loginModern(M.LoginMode.ONLINE, true);
      const info = M.loginInfoReply.decode(a.chain.info!);
      assert.equal(info.dialect, 'libqq');
      assert.ok(a.chain.info!.length >= 175, `0x00E5 reply of ${a.chain.info!.length} bytes`);
      assert.deepEqual([info.e3Key?.length, info.reserved41?.length], [16, 41]);
      assert.deepEqual(a.chain.e3, { head: Buffer.alloc(7), nickname: A.nick, result: 0 });
      const done = M.sendLoginInfoReply.decode(a.chain.done!);
      assert.ok(done.ok && done.dialect === 'libqq' && done.uid === A.uid && done.loginToken?.length === 16);
      assert.equal(server.hub.get(A.uid)?.version, version);

      // b sees a come online; the queued message reaches a after its online-list request.
      const on = M.statusPush.decode((await b.push(ModernCmd.FRIEND_STATUS)).plain);
      assert.equal(on.block.uid, A.uid);
      await a.request(ModernCmd.GET_ONLINE_FRIENDS, M.onlineListRequest.encode({ start: 0 }));
      const queued = await a.push(ModernCmd.RECV_IM);
      const im = M.receiveIm.decode(queued.plain);
      assert.ok(im.kind === 'im' && im.im.segments[0]?.kind === 'text' && im.im.segments[0].text === '给 libqq 的离线消息');
      a.fire(ModernCmd.RECV_IM, queued.plain.subarray(0, 16), queued.seq);

      // Levels of its friends (0x89), then chat and a status change both ways.
      const levels = M.levelReply.decode(await a.request(ModernCmd.GET_LEVEL, M.levelRequest.encode({ uids: [B.uid, 99999, A.uid] })));
      assert.ok('levels' in levels);
      assert.deepEqual(levels.levels.map((l) => l.uid), [B.uid, A.uid], 'an unknown uid is left out');
      const [hi] = M.makeSendIms({ sender: A.uid, receiver: B.uid, sessionKey: a.sessionKey, senderVersion: version, text: 'hello from libqq', msgSeq: 2, sendTime: 2, msgId: 4 });
      assert.equal(M.sendImReply.decode(await a.request(ModernCmd.SEND_IM, M.sendIm.encode(hi!))).result, 0);
      const got = await b.push(ModernCmd.RECV_IM);
      assert.equal(M.receiveIm.decode(got.plain).sender, A.uid);
      b.fire(ModernCmd.RECV_IM, got.plain.subarray(0, 16), got.seq);
      await b.request(ModernCmd.CHANGE_STATUS, M.changeStatusRequest.encode({ mode: Status.BUSY }));
      assert.equal(M.statusPush.decode((await a.push(ModernCmd.FRIEND_STATUS)).plain).block.status, Status.BUSY);
      await quiescence(serverProbe(server));
      assert.equal(server.metrics.dropped.bad_body + server.metrics.dropped.no_session, 0);
    } finally {
      bad.close();
      a.close();
      b.close();
      await server.close();
    }
  });
}
