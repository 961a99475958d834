import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { Status } from '../../src/protocol/bodies/status-block.js';
import {
  keepAliveRequestCodec, keepAliveReplyCodec, friendListRequestCodec, friendListReplyCodec, onlineFriendsRequestCodec,
  onlineFriendsReplyCodec, friendStatusPushCodec, changeStatusRequestCodec, changeStatusReplyCodec, userInfoRequestCodec,
  userInfoReplyCodec, friendGroupsRequestCodec, friendGroupsReplyCodec, keyRequestCodec, keyReplyCodec, levelsRequestCodec,
  levelsReplyCodec, logoutCodec, FRIEND_LIST_END, ONLINE_END, tokenReplyCodec, tokenRequestCodec, buildLoginBody,
} from '../../src/protocol/bodies/classic/index.js';
import { passwordKey } from '../../src/protocol/keys.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts, until } from '../helpers/udp.js';
import { fragmentString } from '../../src/protocol/text.js';

const A = { uid: 10001, password: 'alice-pw', nick: 'Alice' };
const B = { uid: 10002, password: 'bob-pw', nick: '小明' };
const C = { uid: 10003, password: 'carol-pw', nick: 'Carol' };

async function setup() {
  const h = await startServer();
  seedAccounts(h.store, [A, B, C], [[A.uid, B.uid], [A.uid, C.uid], [B.uid, C.uid]]);
  return h;
}

test('three classic users log in, see each other online, chat both ways, get presence pushes', async () => {
  const { server, store } = await setup();
  const open = (u: typeof A) => ClassicDriver.open(server.address.port, u.uid, u.password);
  const [a, b, c] = await Promise.all([open(A), open(B), open(C)]);
  try {
    const ra = await a.login();
    assert.equal(ra.kind, 'success');
    assert.ok(ra.kind === 'success' && ra.uid === A.uid);
    await b.login();
    // a sees b come online.
    const pushB = friendStatusPushCodec.decode((await a.push(ClassicCmd.FRIEND_STATUS)).plain);
    assert.deepEqual([pushB.friend.uid, pushB.friend.status, pushB.myUid], [B.uid, Status.ONLINE, A.uid]);
    await c.login(Status.AWAY);

    const online = onlineFriendsReplyCodec.decode(await a.request(ClassicCmd.GET_ONLINE_FRIENDS, onlineFriendsRequestCodec.encode({ sub: 2, position: 0, extra: Buffer.alloc(3) })));
    assert.equal(online.next, ONLINE_END);
    assert.deepEqual(online.entries.map((e) => [e.block.uid, e.block.status]), [[B.uid, Status.ONLINE], [C.uid, Status.AWAY]]);

    const friends = friendListReplyCodec.decode(await b.request(ClassicCmd.GET_FRIEND_LIST, friendListRequestCodec.encode({ start: 0, extra: Buffer.alloc(1) })));
    assert.equal(friends.next, FRIEND_LIST_END);
    assert.deepEqual(friends.entries.map((f) => [f.uid, f.nick]), [[A.uid, 'Alice'], [C.uid, 'Carol']]);

    const info = userInfoReplyCodec.decode(await a.request(ClassicCmd.GET_USER_INFO, userInfoRequestCodec.encode({ uid: B.uid })));
    assert.equal(info.info.nick, '小明');
    assert.ok(info.fields.length >= 37);

    const ka = keepAliveReplyCodec.decode(await a.request(ClassicCmd.KEEP_ALIVE, keepAliveRequestCodec.encode({ uid: A.uid, form: 'u32' })));
    assert.ok(ka.form === 'text');
    assert.equal(ka.onlineUsers, 3);
    assert.equal(ka.clientPort, a.peer.port);

    const groups = friendGroupsReplyCodec.decode(await a.request(ClassicCmd.DOWNLOAD_GROUPS, friendGroupsRequestCodec.encode({ op: 1, sub: 2, reserved: 0, startUid: 0 })));
    assert.deepEqual(groups.entries.map((e) => e.uid), [B.uid, C.uid]);
    assert.equal(groups.nextUid, 0);

    const lv = levelsReplyCodec.decode(await a.request(ClassicCmd.GET_LEVEL, levelsRequestCodec.encode({ sub: 0, uids: [A.uid, B.uid] })));
    assert.deepEqual(lv.entries.map((e) => e.uid), [A.uid, B.uid]);

    const k1 = keyReplyCodec.decode(await a.request(ClassicCmd.REQUEST_KEY, keyRequestCodec.encode({ sub: 4, extra: Buffer.alloc(0) })));
    const k2 = keyReplyCodec.decode(await b.request(ClassicCmd.REQUEST_KEY, keyRequestCodec.encode({ sub: 4, extra: Buffer.alloc(0) })));
    assert.equal(k1.key.length, 16);
    assert.notDeepEqual(k1.key, k2.key, 'per-session keys');

    // Messages both ways, with GB18030 text.
    assert.equal(await a.send(B.uid, 'hello bob'), 0);
    const m1 = await b.receive();
    assert.equal(m1.push.content.kind === 'im' && m1.push.content.message.text, 'hello bob');
    assert.equal(m1.push.sender, A.uid);
    assert.equal(await b.send(A.uid, '你好，爱丽丝'), 0);
    const m2 = await a.receive();
    assert.equal(m2.push.content.kind === 'im' && m2.push.content.message.text, '你好，爱丽丝');
    await until(() => store.pendingCount(A.uid) === 0 && store.pendingCount(B.uid) === 0, 3000, 'acks recorded');

    // Status change reaches friends; invisible looks offline.
    a.peer.drain();
    assert.equal(changeStatusReplyCodec.decode(await c.request(ClassicCmd.CHANGE_STATUS, changeStatusRequestCodec.encode({ status: Status.INVISIBLE, misc: 0, extra: Buffer.alloc(0) }))).result, 0x30);
    const pushC = friendStatusPushCodec.decode((await a.push(ClassicCmd.FRIEND_STATUS)).plain);
    assert.deepEqual([pushC.friend.uid, pushC.friend.status], [C.uid, Status.OFFLINE]);

    // Logout: body TEA(session key, password key); friends see b go offline.
    b.fire(ClassicCmd.LOGOUT, logoutCodec.encode({ passwordKey: passwordKey(B.password) }));
    const pushOff = friendStatusPushCodec.decode((await a.push(ClassicCmd.FRIEND_STATUS)).plain);
    assert.deepEqual([pushOff.friend.uid, pushOff.friend.status], [B.uid, Status.OFFLINE]);
    assert.equal(server.hub.get(B.uid), undefined);
  } finally {
    for (const d of [a, b, c]) d.close();
    await server.close();
  }
});

test('offline receiver gets queued messages in order at next login; a repeated send is stored once', async () => {
  const { server, store } = await setup();
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  try {
    await a.login();
    for (let i = 1; i <= 5; i++) assert.equal(await a.send(C.uid, `msg ${i}`, { msgSeq: 100 + i, time: 1_700_000_000 + i }), 0);
    // The same send again (same seq): same reply, no second message.
    const seq = a.seq + 1;
    assert.equal(await a.send(C.uid, 'once', { msgSeq: 7, time: 1_700_000_100, seq }), 0);
    assert.equal(await a.send(C.uid, 'once', { msgSeq: 7, time: 1_700_000_100, seq }), 0);
    assert.equal(store.pendingCount(C.uid), 6);
    assert.equal(server.metrics.duplicates, 1);

    const c = await ClassicDriver.open(server.address.port, C.uid, C.password);
    await c.login();
    const texts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const m = await c.receive();
      texts.push(m.push.content.kind === 'im' ? fragmentString(m.push.content.message.text) : '?');
    }
    assert.deepEqual(texts, ['msg 1', 'msg 2', 'msg 3', 'msg 4', 'msg 5', 'once']);
    await until(() => store.pendingCount(C.uid) === 0, 3000, 'all acked');
    c.close();
  } finally {
    a.close();
    await server.close();
  }
});

test('a restart on the same database loses no acked message', async () => {
  const first = await setup();
  const a = await ClassicDriver.open(first.server.address.port, A.uid, A.password);
  await a.login();
  for (let i = 0; i < 3; i++) assert.equal(await a.send(B.uid, `before restart ${i}`, { msgSeq: i + 1 }), 0);
  a.close();
  await first.server.close();
  first.store.close();

  const second = await startServer({ dbPath: first.dbPath });
  const b = await ClassicDriver.open(second.server.address.port, B.uid, B.password);
  try {
    await b.login();
    const got = [];
    for (let i = 0; i < 3; i++) {
      const m = await b.receive();
      got.push(m.push.content.kind === 'im' ? m.push.content.message.text : '?');
    }
    assert.deepEqual(got, ['before restart 0', 'before restart 1', 'before restart 2']);
  } finally {
    b.close();
    await second.server.close();
  }
});

test('wrong password gets the failure reply (readable with the initial key); unknown uid too; bad input is counted', async () => {
  const { server } = await setup();
  const bad = await ClassicDriver.open(server.address.port, A.uid, 'not-the-password');
  const ghost = await ClassicDriver.open(server.address.port, 424242, 'x');
  try {
    const r = await bad.login();
    assert.equal(r.kind, 'failure');
    assert.ok(r.kind === 'failure' && /wrong password/.test(r.reason));
    const g = await ghost.login();
    assert.equal(g.kind, 'failure');
    assert.equal(server.hub.get(A.uid), undefined);
    // Junk and a session packet from a stranger.
    bad.peer.send(Buffer.from('hello'));
    bad.peer.send(Buffer.from('02ffff', 'hex'));
    bad.fire(ClassicCmd.KEEP_ALIVE, Buffer.alloc(4));
    await until(() => server.metrics.dropped.too_short + server.metrics.dropped.no_session >= 3, 2000, 'drops counted');
    assert.equal(server.metrics.dropped.too_short, 2);
    assert.equal(server.metrics.dropped.no_session, 1);
    assert.equal(server.metrics.loginsFailed, 2);
  } finally {
    bad.close();
    ghost.close();
    await server.close();
  }
});

test('a repeated login datagram gets the very same reply and opens no second session', async () => {
  const { server } = await setup();
  const d = await ClassicDriver.open(server.address.port, A.uid, A.password);
  try {
    const tok = tokenReplyCodec.decode(await d.raw(ClassicCmd.REQUEST_LOGIN_TOKEN, tokenRequestCodec.encode({ sub: 0 })));
    const body = buildLoginBody({ initialKey: Buffer.alloc(16, 3), passwordKey: passwordKey(A.password), token: tok.token, status: Status.ONLINE });
    const first = await d.raw(ClassicCmd.LOGIN, body, 0x5000);
    const session = server.hub.get(A.uid);
    assert.ok(session);
    const again = await d.raw(ClassicCmd.LOGIN, body, 0x5000);
    assert.deepEqual(again, first, 'byte for byte');
    assert.equal(server.hub.get(A.uid), session, 'the same session');
    assert.equal(server.metrics.duplicates, 1);
    assert.equal(server.metrics.loginsOk, 1);
  } finally {
    d.close();
    await server.close();
  }
});
