import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { Status } from '../../src/protocol/bodies/status-block.js';
import {
  changeStatusReplyCodec, changeStatusRequestCodec, friendListReplyCodec, friendListRequestCodec, friendStatusPushCodec,
  groupNameReplyCodec, groupNameRequestCodec, keepAliveReplyCodec, keepAliveRequestCodec, onlineFriendsReplyCodec,
  onlineFriendsRequestCodec, CheckPasswordResult, FLAGGED_STATUS_PUSH_LENGTH, GroupNameOp,
  userInfoReplyCodec, userInfoRequestCodec, systemMessageCodec,
} from '../../src/protocol/bodies/classic/index.js';
import { encodePacket } from '../../src/protocol/framing.js';
import { NoticeCode } from '../../src/store/store.js';
import { wrapKeyPrefixed } from '../../src/protocol/bodies/modern/wrap.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';
import { quiescence, serverProbe } from '../helpers/quiescence.js';

// One login chain per client family, over loopback UDP with raw clients: wrong password, success, queued
// messages, presence — and the family-specific layouts the real clients read.

const A = { uid: 10001, password: 'alice-pw', nick: 'Alice' };
const B = { uid: 10002, password: 'bob-pw', nick: '小明' };
const C = { uid: 10003, password: 'carol-pw', nick: 'Carol' };

const QQ2007 = 0x111d;
const QQ2008 = 0x115b;
const LUMA = 0x0e1b;

async function setup() {
  const h = await startServer();
  seedAccounts(h.store, [A, B, C], [[A.uid, B.uid], [A.uid, C.uid], [B.uid, C.uid]]);
  return h;
}

for (const [name, version] of [['qq2007', QQ2007], ['qq2008', QQ2008]] as const) {
  test(`${name} chain (0x0091 → 0x0062 → 0x00BA → 0x00DD → 0x0022): wrong password, success, session layouts, queued messages, presence`, async () => {
    const { server } = await setup();
    const bad = await ClassicDriver.open(server.address.port, A.uid, 'nope', undefined, version);
    const a = await ClassicDriver.open(server.address.port, A.uid, A.password, undefined, version);
    const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
    try {
      // Wrong password: 0x00DD answers code 0x34 with a text, in the request key; no session.
      const refused = await bad.login2007();
      assert.equal(refused.check.result, CheckPasswordResult.WRONG_PASSWORD);
      assert.match(refused.check.message ?? '', /wrong password/);
      assert.equal(server.hub.get(A.uid), undefined);

      // b (QQ2005) queues a message for a while a is offline.
      assert.equal((await b.login()).kind, 'success');
      assert.equal(await b.send(A.uid, '你好, queued'), 0);

      const ok = await a.login2007(Status.AWAY);
      assert.equal(ok.check.result, 0);
      // The whole 139-byte reply pidgin reads (the codec reads it to the end).
      assert.ok(ok.login?.kind === 'success' && ok.login.uid === A.uid);
      assert.equal(server.hub.get(A.uid)?.status, Status.AWAY);
      // b sees a come online (away), in the 35-byte layout pidgin reads.
      const seen = await b.push(ClassicCmd.FRIEND_STATUS);
      assert.equal(seen.plain.length, 35);
      assert.deepEqual([friendStatusPushCodec.decode(seen.plain).friend.uid, friendStatusPushCodec.decode(seen.plain).friend.status], [A.uid, Status.AWAY]);

      // The queued message waits for a's first request, then arrives.
      assert.equal(server.hub.get(A.uid)?.pendingLoaded, false, 'queued messages held until the first request');
      const ka = keepAliveReplyCodec.decode(await a.request(ClassicCmd.KEEP_ALIVE, keepAliveRequestCodec.encode(
        version === QQ2008 ? { uid: A.uid, form: 'u32time', time: 1 } : { uid: A.uid, form: 'ascii' })));
      assert.ok(ka.form === 'binary' && ka.reply.online === 2 && ka.reply.clientPort === a.peer.port);
      const got = await a.receive();
      assert.equal(got.push.content.kind === 'im' && got.push.content.message.text, '你好, queued');

      // Lists in the 2007 layouts: 4 more bytes per entry.
      // A page ends after a non-ASCII nickname (pidgin misreads what follows one), and the next page follows.
      const page1 = friendListReplyCodec.decode(await a.request(ClassicCmd.GET_FRIEND_LIST, friendListRequestCodec.encode({ start: 0, extra: Buffer.alloc(3) })));
      assert.deepEqual(page1.entries.map((f) => [f.uid, f.nick, f.tail?.length]), [[B.uid, '小明', 4]]);
      assert.equal(page1.next, 1);
      const page2 = friendListReplyCodec.decode(await a.request(ClassicCmd.GET_FRIEND_LIST, friendListRequestCodec.encode({ start: 1, extra: Buffer.alloc(3) })));
      assert.deepEqual(page2.entries.map((f) => [f.uid, f.nick, f.tail?.length]), [[C.uid, 'Carol', 4]]);
      assert.equal(page2.next, 0xffff);
      const onlineRaw = await a.request(ClassicCmd.GET_ONLINE_FRIENDS, onlineFriendsRequestCodec.encode({ sub: 2, position: 0, extra: Buffer.alloc(3) }));
      assert.equal(onlineRaw.length, 1 + 42);
      assert.equal(onlineFriendsReplyCodec.decode(onlineRaw).entries[0]!.block.uid, B.uid);
      const info = userInfoReplyCodec.decode(await a.request(ClassicCmd.GET_USER_INFO, userInfoRequestCodec.encode({ uid: B.uid })));
      assert.equal(info.fields.length, 38);

      // Chat both ways, and a status change reaches the 2005 friend.
      assert.equal(await a.send(B.uid, 'from 2007'), 0);
      assert.equal((await b.receive()).push.content.kind, 'im');
      assert.equal(await b.send(A.uid, 'back'), 0);
      assert.equal((await a.receive()).push.sender, B.uid);
      await a.request(ClassicCmd.CHANGE_STATUS, changeStatusRequestCodec.encode({ status: Status.ONLINE, misc: 0, extra: Buffer.alloc(6) }));
      assert.equal(friendStatusPushCodec.decode((await b.push(ClassicCmd.FRIEND_STATUS)).plain).friend.status, Status.ONLINE);
      await quiescence(serverProbe(server));
    } finally {
      bad.close();
      a.close();
      b.close();
      await server.close();
    }
  });
}

test('QQ2006-era client (tag 0x0E1B): 42-byte status pushes, group names, queued messages after its first request', async () => {
  const { server, store } = await setup();
  store.addGroup(A.uid, '同学');
  store.addGroup(A.uid, 'Work');
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password, undefined, LUMA);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    assert.equal((await b.login()).kind, 'success');
    assert.equal(await b.send(A.uid, 'queued for luma'), 0);
    assert.equal((await a.login()).kind, 'success');
    // Nothing is pushed before the client's first request (it has no session key yet).
    assert.equal(server.hub.get(A.uid)?.pendingLoaded, false);
    const names = groupNameReplyCodec.decode(await a.request(ClassicCmd.GROUP_NAME_OPERATION, groupNameRequestCodec.encode({ sub: GroupNameOp.DOWNLOAD, unknown: 2, reserved: 0 })));
    assert.deepEqual(names.download?.groups, [{ index: 1, name: '同学' }, { index: 2, name: 'Work' }]);
    assert.equal((await a.receive()).push.content.kind === 'im', true);

    // b changes status: a gets the flagged 42-byte push with its own uid at offset 35.
    await b.request(ClassicCmd.CHANGE_STATUS, changeStatusRequestCodec.encode({ status: Status.BUSY, misc: 0, extra: Buffer.alloc(0) }));
    const p = await a.push(ClassicCmd.FRIEND_STATUS);
    assert.equal(p.plain.length, FLAGGED_STATUS_PUSH_LENGTH);
    assert.equal(p.plain.readUInt32BE(35), A.uid);
    const push = friendStatusPushCodec.decode(p.plain);
    assert.deepEqual([push.friend.uid, push.friend.status, push.myUid, push.userFlag], [B.uid, Status.BUSY, A.uid, 0]);
    await quiescence(serverProbe(server));
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('QQ2006-era client (tag 0x0E1B) never acks 0x0080: a notice is sent once and does not hold back the sender\'s messages', async () => {
  const { server, store } = await setup();
  // B "added" A while A was offline (as `oicq friend add` does): a system message queued before B's message.
  store.friendChange({ notices: [{ sender: B.uid, receiver: A.uid, code: NoticeCode.ADDED_YOU, text: '' }] });
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password, undefined, LUMA);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    assert.equal((await b.login()).kind, 'success');
    assert.equal(await b.send(A.uid, '通知之后的消息'), 0);
    assert.equal((await a.login()).kind, 'success');
    await a.keepAlive();
    const notice = systemMessageCodec.decode((await a.push(ClassicCmd.SYSTEM_MESSAGE)).plain);
    assert.deepEqual([notice.code, notice.from], [NoticeCode.ADDED_YOU, B.uid]);
    // Not acked (LumaQQ sends no 0x0012): the message from the same sender comes anyway, and the notice never again.
    const m = await a.receive();
    assert.ok(m.push.content.kind === 'im' && m.push.content.message.text === '通知之后的消息');
    await quiescence(serverProbe(server));
    assert.equal(a.peer.peek().filter((d) => d.readUInt16BE(3) === ClassicCmd.SYSTEM_MESSAGE).length, 0);
    assert.equal(store.pendingCount(A.uid), 0);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('an undefined status byte is refused with 0x31 and reaches no friend; a defined one is accepted', async () => {
  const { server } = await setup();
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    await b.login();
    await a.login();
    await b.push(ClassicCmd.FRIEND_STATUS);
    const refused = changeStatusReplyCodec.decode(await a.request(ClassicCmd.CHANGE_STATUS, changeStatusRequestCodec.encode({ status: 0x00, misc: 0, extra: Buffer.alloc(0) })));
    assert.equal(refused.result, 0x31);
    assert.equal(server.hub.get(A.uid)?.status, Status.ONLINE);
    const ok = changeStatusReplyCodec.decode(await a.request(ClassicCmd.CHANGE_STATUS, changeStatusRequestCodec.encode({ status: Status.AWAY, misc: 0, extra: Buffer.alloc(0) })));
    assert.equal(ok.result, 0x30);
    // The only push b got since is the away one.
    const push = friendStatusPushCodec.decode((await b.push(ClassicCmd.FRIEND_STATUS)).plain);
    assert.equal(push.friend.status, Status.AWAY);
    assert.equal(b.peer.peek().filter((d) => d.readUInt16BE(3) === ClassicCmd.FRIEND_STATUS).length, 0);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('a re-login that replaces a live session pushes no second "online" to friends', async () => {
  const { server } = await setup();
  const a1 = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const a2 = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const b = await ClassicDriver.open(server.address.port, B.uid, B.password);
  try {
    await b.login();
    await a1.login();
    await b.push(ClassicCmd.FRIEND_STATUS);
    await a2.login();
    await until(() => server.hub.get(A.uid)?.isFrom({ address: '127.0.0.1', port: a2.peer.port }) === true, 2000, 'replaced');
    // A keep-alive round trip later, b has had no further status push.
    await b.keepAlive();
    assert.equal(b.peer.peek().filter((d) => d.readUInt16BE(3) === ClassicCmd.FRIEND_STATUS).length, 0);
  } finally {
    a1.close();
    a2.close();
    b.close();
    await server.close();
  }
});

test('unknown version tags and unserved commands are counted as unsupported_version and unknown_command', async () => {
  const { server } = await setup();
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  try {
    // Tag 0x0001 belongs to no family.
    a.peer.send(encodePacket({ direction: 'c2s', version: 0x0001, command: 0x0062, seq: 1, uid: A.uid, body: Buffer.from([0]) }));
    // 0x00E5 is no classic command this server serves, before login.
    a.peer.send(encodePacket({ direction: 'c2s', version: 0x0d55, command: 0x00e5, seq: 2, uid: A.uid, body: Buffer.alloc(24) }));
    // A QQ2009-family touch inside the classic header is not the 2007 select-server request.
    a.peer.send(encodePacket({ direction: 'c2s', version: 0x111d, command: 0x0091, seq: 3, uid: A.uid, body: wrapKeyPrefixed(Buffer.alloc(16), Buffer.alloc(40), (n) => Buffer.alloc(n)) }));
    await until(() => server.metrics.dropped.unsupported_version === 2 && server.metrics.dropped.unknown_command === 1, 2000, 'drops counted');
    assert.equal(server.metrics.dropped.no_session, 0);
  } finally {
    a.close();
    await server.close();
  }
});
