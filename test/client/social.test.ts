import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthPolicy, QunPolicy } from '../../src/store/store.js';
import { ALICE, BOB, CAROL, Clients, serverWith } from './fixtures.js';
import { until } from '../helpers/udp.js';

test('SDK, both framings: search, add with authorization (request, refuse, approve), add without, remove — events on both sides', async () => {
  const { server, port, store } = await serverWith([ALICE, BOB, CAROL], []);
  store.setAuthType(CAROL.uid, AuthPolicy.ANYONE);
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, port, 'classic');
    const b = await cs.online(BOB, port, 'modern');
    assert.deepEqual((await b.searchUsers({ nick: 'ali' })).map((u) => [u.uid, u.nick]), [[ALICE.uid, 'Alice']]);
    assert.deepEqual((await a.searchUsers({ uid: CAROL.uid })).map((u) => u.nick), ['小红']);
    assert.deepEqual((await a.searchUsers({ online: true })).map((u) => u.uid), [ALICE.uid, BOB.uid]);

    // Classic asks modern; modern refuses, then approves the second request.
    const req = b.next('friendRequest');
    assert.equal(await a.addFriend(BOB.uid, 'hello Bob'), 'needs-authorization');
    assert.deepEqual(await req, { uid: ALICE.uid, note: 'hello Bob' });
    const refused = a.next('friendRefused');
    await b.answerFriend(ALICE.uid, false, 'who are you?');
    assert.deepEqual(await refused, { uid: BOB.uid, reason: 'who are you?' });
    const again = b.next('friendRequest');
    await a.addFriend(BOB.uid, 'it is me');
    await again;
    const added = a.next('friendAdded');
    await b.answerFriend(ALICE.uid, true);
    assert.deepEqual(await added, { uid: BOB.uid });
    assert.deepEqual((await a.getFriends()).friends.map((f) => f.uid), [BOB.uid]);

    // Modern asks classic the other way round, without a note: authorization needed, nothing sent.
    assert.equal(await b.addFriend(CAROL.uid), 'accepted');
    assert.ok(store.areFriends(BOB.uid, CAROL.uid));

    // Remove: the other side hears of it (modern removes classic).
    const removed = a.next('friendRemoved');
    await b.removeFriend(ALICE.uid);
    assert.deepEqual(await removed, { uid: BOB.uid });
    assert.equal(store.areFriends(ALICE.uid, BOB.uid), false);

    // Nobody may add: refused at once.
    store.setAuthType(ALICE.uid, AuthPolicy.NOBODY);
    assert.equal(await b.addFriend(ALICE.uid, 'please'), 'refused');
  } finally {
    await cs.closeAll();
    await server.close();
  }
});

test('SDK: a classic and a modern member chat in one Qun; approval, offline delivery, members with roles, leaving', async () => {
  const { server, port } = await serverWith([ALICE, BOB, CAROL], []);
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, port, 'classic');
    const b = await cs.online(BOB, port, 'modern');
    const qun = await a.createQun('周末', QunPolicy.NEEDS_AUTH);
    const applied = a.next('qunMembersChanged');
    assert.equal(await b.joinQun(qun, 'me too'), 'needs-authorization');
    assert.deepEqual(await applied, { qun, uid: BOB.uid, change: 'applied', note: 'me too' });
    const approved = b.next('qunMembersChanged');
    await a.answerQun(qun, BOB.uid, true);
    assert.equal((await approved).change, 'approved');

    const info = await b.qunMembers(qun);
    assert.equal(info.name, '周末');
    assert.deepEqual(info.members, [{ uid: ALICE.uid, role: 1 }, { uid: BOB.uid, role: 0 }]);
    assert.deepEqual(await a.qunOnline(qun), [ALICE.uid, BOB.uid]);

    const toB = b.next('qunMessage');
    await a.sendQunMessage(qun, '你好 from classic');
    const mb = await toB;
    assert.deepEqual([mb.qun, mb.from, mb.text], [qun, ALICE.uid, '你好 from classic']);
    const toA = a.next('qunMessage');
    await b.sendQunMessage(qun, 'hi from modern');
    const ma = await toA;
    assert.deepEqual([ma.qun, ma.from, ma.text], [qun, BOB.uid, 'hi from modern']);

    // Carol (offline) is added by the creator approving her request; messages sent meanwhile wait for her.
    const c0 = await cs.online(CAROL, port, 'modern');
    assert.equal(await c0.joinQun(qun, 'hi'), 'needs-authorization');
    await c0.close();
    await a.answerQun(qun, CAROL.uid, true);
    await a.sendQunMessage(qun, 'welcome Carol');
    const c = cs.make(CAROL, port, 'classic');
    const got: string[] = [];
    c.on('qunMessage', (m) => got.push(m.text));
    const welcome = c.next('qunMessage', (m) => m.text === 'welcome Carol');
    await c.login();
    await welcome;
    assert.deepEqual(got, ['welcome Carol']);

    // Bob leaves: Alice hears of it; Bob is no longer a member.
    const left = a.next('qunMembersChanged', (e) => e.change === 'left');
    await b.leaveQun(qun);
    assert.deepEqual((await left).uid, BOB.uid);
    assert.deepEqual((await a.qunMembers(qun)).members.map((m) => m.uid), [ALICE.uid, CAROL.uid]);
  } finally {
    await cs.closeAll();
    await server.close();
  }
});

test('SDK, both framings: a sender\'s messages in one second have ids of their own, so the server stores each (private and Qun)', async () => {
  const { server, port, store } = await serverWith([ALICE, BOB, CAROL], []);
  // A random source that always gives the same bytes: ids drawn from it per message were all equal, and a message
  // sent in the same second as one with its id was taken by the server for a repeat and answered without storing.
  const sameBytes = (n: number) => Buffer.alloc(n, 0x5a);
  const cs = new Clients();
  const N = 12;
  try {
    const a = await cs.online(ALICE, port, 'classic', { random: sameBytes });
    const c = await cs.online(CAROL, port, 'modern', { random: sameBytes });
    for (let i = 0; i < N; i++) await a.sendMessage(BOB.uid, `a${i}`);
    for (let i = 0; i < N; i++) await c.sendMessage(BOB.uid, `c${i}`);
    assert.equal(store.pendingCount(BOB.uid), 2 * N, 'every message stored for the offline receiver');
    const b = cs.make(BOB, port, 'classic');
    const got: string[] = [];
    b.on('message', (m) => got.push(m.text));
    await b.login();
    await until(() => got.length >= 2 * N, 5000, `${2 * N} messages at Bob`);
    assert.deepEqual([...got].sort(), [...Array.from({ length: N }, (_, i) => `a${i}`), ...Array.from({ length: N }, (_, i) => `c${i}`)].sort());

    // Qun: the modern send carries the client's id (the classic one the packet's sequence).
    const qun = await b.createQun('ids', QunPolicy.OPEN);
    assert.equal(await c.joinQun(qun), 'joined');
    const inQun: string[] = [];
    b.on('qunMessage', (m) => inQun.push(m.text));
    for (let i = 0; i < N; i++) await c.sendQunMessage(qun, `q${i}`);
    await until(() => inQun.length >= N, 5000, `${N} Qun messages at Bob`);
    assert.deepEqual(inQun, Array.from({ length: N }, (_, i) => `q${i}`));
  } finally {
    await cs.closeAll();
    await server.close();
  }
});
