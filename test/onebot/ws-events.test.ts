// Forward WebSocket and events over a real server on loopback: lifecycle.connect first on every connection, echo,
// roles of /, /api, /event, the token at the upgrade, and each event type with its fields. Alice is the bot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { Client } from '../../src/client/index.js';
import { AuthPolicy, QunPolicy } from '../../src/store/store.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, CAROL } from '../client/fixtures.js';
import { OneBot } from '../../src/onebot/bot.js';
import { isEvent, startWorld, WsPeer, type World } from './harness.js';

let w: World;
let bob: Client;
let carol: Client;

before(async () => {
  w = await startWorld([ALICE, BOB, CAROL], [[ALICE.uid, BOB.uid]], ALICE, { bot: { heartbeatMs: 50 } });
  bob = await w.clients.online(BOB, w.port, 'classic');
  carol = await w.clients.online(CAROL, w.port);
});
after(async () => w.close());

test('every WebSocket (/, /api, /event) gets lifecycle.connect as its very first frame', async () => {
  for (const path of ['/', '/api', '/event', '/event/']) {
    const p = await WsPeer.open(w, path);
    const first = await p.next(() => true);
    assert.deepEqual([first.post_type, first.meta_event_type, first.sub_type, first.self_id], ['meta_event', 'lifecycle', 'connect', ALICE.uid], path);
    assert.equal(typeof first.time, 'number');
    p.close();
  }
});

test('the token is checked at the upgrade: 401 without, 403 wrong, ?access_token= accepted; unknown paths 404', async () => {
  const status = (url: string, headers: Record<string, string> = {}) => new Promise<number>((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
  });
  const base = `ws://${w.gateway.ws!.address}`;
  assert.equal(await status(`${base}/`), 401);
  assert.equal(await status(`${base}/`, { Authorization: 'Bearer wrong' }), 403);
  assert.equal(await status(`${base}/api?access_token=bot-token`), 101);
  assert.equal(await status(`${base}/elsewhere`, { Authorization: 'Bearer bot-token' }), 404);
});

test('actions over / and /api come back with their echo (any JSON value); bad frames 1400, unknown actions 1404; /event takes no calls', async () => {
  const u = await WsPeer.open(w, '/');
  const r = await u.call('get_login_info', {}, { id: 'abc', n: [1, 2] });
  assert.deepEqual([r.status, r.retcode, r.data, r.echo], ['ok', 0, { user_id: ALICE.uid, nickname: 'Alice' }, { id: 'abc', n: [1, 2] }]);
  const nf = await u.call('set_group_kick', { group_id: 1, user_id: 2 }, 7);
  assert.deepEqual([nf.status, nf.retcode, nf.echo], ['failed', 1404, 7]);
  const bad = await u.call('send_private_msg', { user_id: 'x', message: 'y' }, 'e1');
  assert.deepEqual([bad.retcode, bad.echo], [1400, 'e1']);
  u.ws.send('this is not JSON');
  const junk = await u.next((f) => f.retcode === 1400 && f.echo === null);
  assert.equal(junk.status, 'failed');
  u.close();

  const api = await WsPeer.open(w, '/api');
  const s = await api.call('get_status', {}, 'status?');
  assert.deepEqual(s.data, { online: true, good: true });
  api.close();

  const ev = await WsPeer.open(w, '/event');
  ev.ws.send(JSON.stringify({ action: 'get_status', params: {}, echo: 'ignored' }));
  await ev.next(isEvent('meta_event', ['meta_event_type', 'heartbeat']));
  assert.equal(ev.frames.some((f) => f.echo === 'ignored'), false, '/event answers no calls');
  ev.close();
});

test('heartbeat meta events carry the status and the interval; /api gets no events', async () => {
  const api = await WsPeer.open(w, '/api');
  const u = await WsPeer.open(w, '/');
  const hb = await u.next(isEvent('meta_event', ['meta_event_type', 'heartbeat']));
  assert.deepEqual([hb.status, hb.interval, hb.self_id], [{ online: true, good: true }, 50, ALICE.uid]);
  await u.next((f) => f !== hb && f.meta_event_type === 'heartbeat');
  assert.deepEqual(api.frames.map((f) => f.meta_event_type), ['lifecycle'], '/api: only the connect event');
  api.close();
  u.close();
});

test('message.private.friend (CQ string, escaped, faces) and .other (a stranger)', async () => {
  const u = await WsPeer.open(w, '/event');
  await bob.sendMessage(ALICE.uid, 'hi [bot] & \x14\x0e');
  const m = await u.next(isEvent('message', ['message_type', 'private']));
  assert.deepEqual(
    [m.sub_type, m.user_id, m.message, m.raw_message, m.font, m.sender],
    ['friend', BOB.uid, 'hi &#91;bot&#93; &amp; [CQ:face,id=14]', 'hi &#91;bot&#93; &amp; [CQ:face,id=14]', 0, { user_id: BOB.uid, nickname: 'Bob', sex: 'unknown', age: 0 }],
  );
  assert.equal(w.botClient.messages.get(m.message_id as number)?.text, 'hi [bot] & \x14\x0e', 'message_id is the SDK record number');
  await carol.sendMessage(ALICE.uid, 'stranger here');
  const o = await u.next((f) => f.message_type === 'private' && f.user_id === CAROL.uid);
  assert.deepEqual([o.sub_type, (o.sender as { nickname: string }).nickname], ['other', '小红']);
  u.close();
});

test('message.group.normal with the sender role; request.group and request.friend with flags that the set_*_request actions take; notice.friend_add', async () => {
  const u = await WsPeer.open(w, '/');
  const qun = await w.botClient.createQun('ws club', QunPolicy.NEEDS_AUTH);
  await bob.joinQun(qun, 'me please');
  const req = await u.next(isEvent('request', ['request_type', 'group']));
  assert.deepEqual([req.sub_type, req.group_id, req.user_id, req.comment, req.flag], ['add', qun, BOB.uid, 'me please', `${qun}:${BOB.uid}`]);
  const ok = await u.call('set_group_add_request', { flag: req.flag, sub_type: req.sub_type, approve: true }, 'approve');
  assert.equal(ok.retcode, 0);

  await bob.sendQunMessage(qun, 'hello [CQ:fake] club');
  const g = await u.next(isEvent('message', ['message_type', 'group']));
  assert.deepEqual([g.sub_type, g.group_id, g.user_id, g.message, g.anonymous], ['normal', qun, BOB.uid, 'hello &#91;CQ:fake&#93; club', null]);
  assert.deepEqual([(g.sender as { role: string }).role, (g.sender as { nickname: string }).nickname], ['member', 'Bob']);

  const fr = carol.next('friendAdded');
  await carol.addFriend(ALICE.uid, 'be my friend');
  const rf = await u.next(isEvent('request', ['request_type', 'friend']));
  assert.deepEqual([rf.user_id, rf.comment, rf.flag], [CAROL.uid, 'be my friend', String(CAROL.uid)]);
  assert.equal((await u.call('set_friend_add_request', { flag: rf.flag, approve: true }, 1)).retcode, 0);
  await fr;

  // Someone adds the bot, who lets anyone add her: notice.friend_add.
  await carol.removeFriend(ALICE.uid);
  w.store.setAuthType(ALICE.uid, AuthPolicy.ANYONE);
  assert.equal(await carol.addFriend(ALICE.uid), 'accepted');
  const n = await u.next(isEvent('notice', ['notice_type', 'friend_add']));
  assert.equal(n.user_id, CAROL.uid);
  // Events came in the order their causes happened.
  const order = u.frames.filter((f) => f.post_type !== 'meta_event').map((f) => `${f.post_type}.${f.request_type ?? f.message_type ?? f.notice_type}`);
  assert.deepEqual(order.filter((x) => x !== 'undefined.undefined'), ['request.group', 'message.group', 'request.friend', 'notice.friend_add']);
  u.close();
});

test('a bot with messageFormat array sends segment arrays (text and face)', async () => {
  // Carol's account becomes a second bot (its new session replaces her SDK one).
  await carol.close();
  const c2 = w.clients.make(CAROL, w.port);
  const arr = new OneBot(c2, { messageFormat: 'array', heartbeatMs: 0 });
  const events: Record<string, unknown>[] = [];
  arr.on('event', (e) => events.push(e));
  await c2.login();
  await arr.start();
  await bob.sendMessage(CAROL.uid, 'a\x14\x02b');
  await until(() => events.length > 0, 15_000, 'the event of the second bot');
  assert.deepEqual(events[0]!.message, [{ type: 'text', data: { text: 'a' } }, { type: 'face', data: { id: '2' } }, { type: 'text', data: { text: 'b' } }]);
  assert.equal(events[0]!.raw_message, 'a[CQ:face,id=2]b');
  arr.stop();
});
