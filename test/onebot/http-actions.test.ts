// The HTTP API over a real server on loopback: token, status codes, and every action's happy path and error code.
// Alice is the bot (a OneBot over her SDK session); Bob, her friend, and Carol, a stranger, are SDK users.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, IncomingMessage, QunMessage } from '../../src/client/index.js';
import { QunPolicy } from '../../src/store/store.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, CAROL } from '../client/fixtures.js';
import { httpCall, post, startWorld, type World } from './harness.js';

let w: World;
let bob: Client;
let carol: Client;
const atBob: IncomingMessage[] = [];
const qunAtBob: QunMessage[] = [];

before(async () => {
  w = await startWorld([ALICE, BOB, CAROL], [[ALICE.uid, BOB.uid]], ALICE);
  bob = await w.clients.online(BOB, w.port, 'classic');
  bob.on('message', (m) => atBob.push(m));
  bob.on('qunMessage', (m) => qunAtBob.push(m));
  carol = await w.clients.online(CAROL, w.port);
});
after(async () => w.close());


test('token: 401 without one, 403 when wrong, accepted as Bearer header or ?access_token=', async () => {
  const none = await httpCall(w, '/get_status', { token: null });
  assert.equal(none.status, 401);
  assert.equal(none.body.retcode, 1401);
  const wrong = await httpCall(w, '/get_status', { token: 'nope' });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.retcode, 1403);
  const query = await httpCall(w, '/get_status?access_token=bot-token', { token: null });
  assert.equal(query.status, 200);
  assert.deepEqual(query.body.data, { online: true, good: true });
});

test('unknown action: HTTP 404 and retcode 1404; bodies that do not parse: 400; other body types: 406', async () => {
  const r = await post(w, 'get_cookies');
  assert.equal(r.status, 404);
  assert.deepEqual([r.body.status, r.body.retcode], ['failed', 1404]);
  assert.match(r.body.message!, /unknown action 'get_cookies'/);
  const bad = await httpCall(w, '/get_status', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"oops"' });
  assert.equal(bad.status, 400);
  const xml = await httpCall(w, '/get_status', { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<a/>' });
  assert.equal(xml.status, 406);
});

test('get_login_info, get_status, get_version_info, can_send_image', async () => {
  assert.deepEqual((await post(w, 'get_login_info')).body.data, { user_id: ALICE.uid, nickname: 'Alice' });
  const v = (await httpCall(w, '/get_version_info')).body.data as Record<string, string>;
  assert.equal(v.app_name, 'oicq-kit');
  assert.equal(v.protocol_version, 'v11');
  assert.deepEqual((await post(w, 'can_send_image')).body.data, { yes: false });
});

test('send_private_msg: JSON, GET query and form bodies; CQ codes unescaped and faces carried; get_msg resolves the id later', async () => {
  atBob.length = 0;
  const r = await post(w, 'send_private_msg', { user_id: BOB.uid, message: 'hi &#91;Bob&#93; [CQ:face,id=14]!' });
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.status, r.body.retcode], ['ok', 0]);
  const id = (r.body.data as { message_id: number }).message_id;
  assert.ok(Number.isInteger(id) && id > 0 && id <= 0x7fffffff, 'message_id is a positive int32');
  await until(() => atBob.length === 1, 15_000, 'the message at Bob');
  assert.equal(atBob[0]!.text, 'hi [Bob] \x14\x0e!');

  const q = await httpCall(w, `/send_private_msg?user_id=${BOB.uid}&message=${encodeURIComponent('[CQ:face,id=1] via GET')}`);
  assert.equal(q.body.retcode, 0);
  const f = await httpCall(w, '/send_msg', {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ message_type: 'private', user_id: String(BOB.uid), message: '[CQ:x] literal', auto_escape: 'true' }).toString(),
  });
  assert.equal(f.body.retcode, 0);
  const seg = await post(w, 'send_private_msg', { user_id: String(BOB.uid), message: [{ type: 'text', data: { text: 'seg ' } }, { type: 'face', data: { id: 5 } }] });
  assert.equal(seg.body.retcode, 0);
  await until(() => atBob.length === 4, 15_000, 'four messages at Bob');
  assert.deepEqual(atBob.slice(1).map((m) => m.text), ['\x14\x01 via GET', '[CQ:x] literal', 'seg \x14\x05']);

  const g = await post(w, 'get_msg', { message_id: id });
  assert.equal(g.body.retcode, 0);
  const d = g.body.data as Record<string, unknown>;
  assert.deepEqual([d.message_type, d.message_id, d.message, d.sender], ['private', id, 'hi &#91;Bob&#93; [CQ:face,id=14]!', { user_id: ALICE.uid, nickname: 'Alice' }]);
  assert.equal(typeof d.real_id, 'number');

  // A received message is in the record too.
  const received = w.botClient.next('message');
  await bob.sendMessage(ALICE.uid, 'from Bob');
  const { recordId } = await received;
  assert.equal(recordId, id + 4, 'sent and received messages are numbered in one sequence');
  const last = (await post(w, 'get_msg', { message_id: recordId })).body.data as Record<string, unknown>;
  assert.deepEqual([last.message, (last.sender as { user_id: number }).user_id], ['from Bob', BOB.uid]);
});

test('send_*: 1400 for missing or malformed parameters and segments classic QQ cannot carry; 100 when the server refuses', async () => {
  const codes = async (action: string, params: Record<string, unknown>) => (await post(w, action, params)).body.retcode;
  assert.equal(await codes('send_private_msg', { message: 'no receiver' }), 1400);
  assert.equal(await codes('send_private_msg', { user_id: 'bob', message: 'x' }), 1400);
  assert.equal(await codes('send_private_msg', { user_id: BOB.uid }), 1400);
  assert.equal(await codes('send_private_msg', { user_id: BOB.uid, message: '[CQ:image,file=a.png]' }), 1400);
  assert.equal(await codes('send_private_msg', { user_id: BOB.uid, message: '[CQ:face,id=300]' }), 1400);
  assert.equal(await codes('send_private_msg', { user_id: BOB.uid, message: '' }), 1400);
  assert.equal(await codes('send_msg', { message_type: 'discuss', user_id: BOB.uid, message: 'x' }), 1400);
  assert.equal(await codes('send_group_msg', { message: 'x' }), 1400);
  const r = await post(w, 'send_private_msg', { user_id: 99999, message: 'nobody' });
  assert.deepEqual([r.status, r.body.status, r.body.retcode], [200, 'failed', 100]);
});

test('get_msg: 1400 without an int32, 100 for an id the record does not hold; delete_msg fails clearly (no recall)', async () => {
  assert.equal((await post(w, 'get_msg', {})).body.retcode, 1400);
  assert.equal((await post(w, 'get_msg', { message_id: 2 ** 31 })).body.retcode, 1400);
  const gone = await post(w, 'get_msg', { message_id: 123456 });
  assert.deepEqual([gone.body.status, gone.body.retcode], ['failed', 100]);
  assert.match(gone.body.message!, /not in the record/);
  const del = await post(w, 'delete_msg', { message_id: 1 });
  assert.deepEqual([del.body.status, del.body.retcode], ['failed', 100]);
  assert.match(del.body.message!, /no recall/);
  assert.equal((await post(w, 'delete_msg', {})).body.retcode, 1400);
});

test('get_friend_list and get_stranger_info (1400 without user_id, 100 for an unknown user)', async () => {
  assert.deepEqual((await post(w, 'get_friend_list')).body.data, [{ user_id: BOB.uid, nickname: 'Bob', remark: '' }]);
  const s = (await post(w, 'get_stranger_info', { user_id: CAROL.uid })).body.data as Record<string, unknown>;
  assert.deepEqual([s.user_id, s.nickname], [CAROL.uid, '小红']);
  assert.equal((await post(w, 'get_stranger_info', {})).body.retcode, 1400);
  assert.equal((await post(w, 'get_stranger_info', { user_id: 424242 })).body.retcode, 100);
});

test('Qun: send_group_msg, get_group_list / info / member_list with roles; 1400 without group_id, 100 for a Qun that does not exist', async () => {
  const qun = await w.botClient.createQun('bots', QunPolicy.OPEN);
  assert.equal(await bob.joinQun(qun), 'joined');
  qunAtBob.length = 0;
  const r = await post(w, 'send_group_msg', { group_id: qun, message: 'hello Qun [CQ:face,id=2]' });
  assert.equal(r.body.retcode, 0);
  await until(() => qunAtBob.length === 1, 15_000, 'the Qun message at Bob');
  assert.deepEqual([qunAtBob[0]!.qun, qunAtBob[0]!.from, qunAtBob[0]!.text], [qun, ALICE.uid, 'hello Qun \x14\x02']);
  const got = (await post(w, 'get_msg', { message_id: (r.body.data as { message_id: number }).message_id })).body.data as Record<string, unknown>;
  assert.deepEqual([got.message_type, got.group_id], ['group', qun]);
  const viaSendMsg = await post(w, 'send_msg', { group_id: qun, message: 'via send_msg' });
  assert.equal(viaSendMsg.body.retcode, 0);
  await until(() => qunAtBob.length === 2, 15_000, 'the second Qun message');

  assert.deepEqual((await post(w, 'get_group_list')).body.data, [{ group_id: qun, group_name: 'bots', member_count: 2, max_member_count: 0 }]);
  assert.deepEqual((await post(w, 'get_group_info', { group_id: qun })).body.data, { group_id: qun, group_name: 'bots', member_count: 2, max_member_count: 0 });
  const members = (await post(w, 'get_group_member_list', { group_id: qun })).body.data as Record<string, unknown>[];
  assert.deepEqual(members.map((m) => [m.user_id, m.nickname, m.role]), [[ALICE.uid, 'Alice', 'owner'], [BOB.uid, 'Bob', 'member']]);
  assert.equal((await post(w, 'get_group_info', {})).body.retcode, 1400);
  assert.equal((await post(w, 'get_group_member_list', { group_id: 'x' })).body.retcode, 1400);
  assert.equal((await post(w, 'get_group_info', { group_id: 77777 })).body.retcode, 100);
  assert.equal((await post(w, 'send_group_msg', { group_id: 77777, message: 'x' })).body.retcode, 100);
});

test('_async and _rate_limited: answered async (retcode 1) at once, done after, in order; their parameters still checked', async () => {
  atBob.length = 0;
  const a = await post(w, 'send_private_msg_async', { user_id: BOB.uid, message: 'async one' });
  assert.deepEqual([a.body.status, a.body.retcode, a.body.data], ['async', 1, null]);
  await until(() => atBob.length === 1, 15_000, 'the async message');
  for (const n of [1, 2, 3]) {
    const r = await post(w, 'send_private_msg_rate_limited', { user_id: BOB.uid, message: `limited ${n}` });
    assert.deepEqual([r.body.status, r.body.retcode], ['async', 1]);
  }
  await until(() => atBob.length === 4, 15_000, 'three rate-limited messages');
  assert.deepEqual(atBob.map((m) => m.text), ['async one', 'limited 1', 'limited 2', 'limited 3']);
  assert.equal((await post(w, 'send_private_msg_async', { message: 'x' })).body.retcode, 1400);
  assert.equal((await post(w, 'nothing_async')).body.retcode, 1404);
  // An async call that fails after its answer is reported by the bot.
  const failed = w.bot.next('asyncError');
  await post(w, 'send_private_msg_async', { user_id: 99999, message: 'nobody' });
  assert.equal((await failed).action, 'send_private_msg_async');
});

test('set_friend_add_request and set_group_add_request: approve and refuse through the SDK; 1400 for a bad flag or sub_type', async () => {
  // Carol asks Alice (who authorizes requests); the bot approves.
  const added = carol.next('friendAdded');
  const asked = w.botClient.next('friendRequest');
  assert.equal(await carol.addFriend(ALICE.uid, 'hi bot'), 'needs-authorization');
  await asked;
  const ok = await post(w, 'set_friend_add_request', { flag: String(CAROL.uid), approve: true });
  assert.equal(ok.body.retcode, 0);
  assert.deepEqual(await added, { uid: ALICE.uid });
  assert.ok(w.bot.isFriend(CAROL.uid), 'the friend list is reloaded after approving');
  assert.equal((await post(w, 'set_friend_add_request', { flag: 'carol' })).body.retcode, 1400);

  // Bob asks to join a Qun that needs approval; the bot refuses, then approves.
  const qun = await w.botClient.createQun('closed club', QunPolicy.NEEDS_AUTH);
  const applied = w.botClient.next('qunMembersChanged', (c) => c.change === 'applied');
  assert.equal(await bob.joinQun(qun, 'let me in'), 'needs-authorization');
  await applied;
  const refused = bob.next('qunMembersChanged', (c) => c.change === 'refused');
  assert.equal((await post(w, 'set_group_add_request', { flag: `${qun}:${BOB.uid}`, sub_type: 'add', approve: false, reason: 'full' })).body.retcode, 0);
  assert.equal((await refused).qun, qun);
  const again = w.botClient.next('qunMembersChanged', (c) => c.change === 'applied');
  await bob.joinQun(qun, 'please');
  await again;
  const approved = bob.next('qunMembersChanged', (c) => c.change === 'approved');
  assert.equal((await post(w, 'set_group_add_request', { flag: `${qun}:${BOB.uid}`, type: 'add' })).body.retcode, 0);
  assert.equal((await approved).qun, qun);
  assert.equal((await post(w, 'set_group_add_request', { flag: `${qun}-${BOB.uid}` })).body.retcode, 1400);
  assert.equal((await post(w, 'set_group_add_request', { flag: `${qun}:${BOB.uid}`, sub_type: 'invite' })).body.retcode, 1400);
});

test('the SDK session gone: get_status says offline, calls that need the server fail with 100, get_login_info still answers', async () => {
  await w.botClient.close();
  assert.deepEqual((await post(w, 'get_status')).body.data, { online: false, good: false });
  for (const [action, params] of [['get_friend_list', {}], ['get_group_list', {}], ['get_stranger_info', { user_id: BOB.uid }], ['send_private_msg', { user_id: BOB.uid, message: 'x' }], ['set_friend_add_request', { flag: '10003' }]] as const) {
    const r = await post(w, action, params);
    assert.deepEqual([r.status, r.body.status, r.body.retcode], [200, 'failed', 100], action);
  }
  assert.equal((await post(w, 'get_login_info')).body.retcode, 0);
});
