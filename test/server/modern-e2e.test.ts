import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from '../../src/protocol/bodies/status-block.js';
import { Clients, serverWith } from '../client/fixtures.js';
import { ioTurn, quiescence, serverProbe } from '../helpers/quiescence.js';

const M1 = { uid: 60001, password: 'm1-pw', nick: 'Modern One' };
const M2 = { uid: 60002, password: 'm2-pw', nick: '现代二' };
const C = { uid: 60003, password: 'c-pw', nick: 'Classic' };

test('two modern users and one classic user: presence and chat across framings, offline delivery to a modern user', async () => {
  const { server } = await serverWith([M1, M2, C], [[M1.uid, M2.uid], [M1.uid, C.uid], [M2.uid, C.uid]]);
  const clients = new Clients();
  try {
    const m1 = await clients.online(M1, server.address.port, 'modern');
    const seenByM1 = m1.next('friendStatus', (e) => e.uid === C.uid && e.status === Status.ONLINE);
    const c = await clients.online(C, server.address.port, 'classic');
    await seenByM1; // a classic login is pushed to a modern friend
    const seenByC = c.next('friendStatus', (e) => e.uid === M2.uid && e.status === Status.ONLINE);
    let m2 = await clients.online(M2, server.address.port, 'modern');
    await seenByC; // and a modern login to a classic friend
    assert.equal(server.hub.get(M1.uid)?.framing, 'modern');
    assert.equal(server.hub.get(C.uid)?.framing, 'classic');

    assert.deepEqual((await m1.getOnlineFriends()).map((f) => f.uid).sort(), [M2.uid, C.uid]);
    assert.deepEqual((await c.getOnlineFriends()).map((f) => f.uid).sort(), [M1.uid, M2.uid]);

    // Modern → classic (UTF-8 in, GB18030 out) and classic → modern, and modern → modern.
    let got = c.next('message');
    await m1.sendMessage(C.uid, '你好，经典客户端 👋');
    // GB18030 covers all of Unicode, so even the emoji survives the trip into the classic framing.
    assert.deepEqual([(await got).from, (await got).text], [M1.uid, '你好，经典客户端 👋']);
    got = m2.next('message');
    await c.sendMessage(M2.uid, '从经典到现代');
    assert.deepEqual([(await got).from, (await got).text], [C.uid, '从经典到现代']);
    got = m1.next('message');
    await m2.sendMessage(M1.uid, 'modern to modern');
    assert.deepEqual([(await got).from, (await got).text], [M2.uid, 'modern to modern']);

    // A status change of the classic user reaches both modern friends.
    const away1 = m1.next('friendStatus', (e) => e.uid === C.uid && e.status === Status.AWAY);
    const away2 = m2.next('friendStatus', (e) => e.uid === C.uid && e.status === Status.AWAY);
    await c.setStatus(Status.AWAY);
    await Promise.all([away1, away2]);

    // Offline delivery to a modern user, in order, from both framings.
    const gone = m1.next('friendStatus', (e) => e.uid === M2.uid && e.status === Status.OFFLINE);
    await m2.logout();
    await gone;
    for (let i = 1; i <= 3; i++) await c.sendMessage(M2.uid, `while you were away ${i}`);
    await m1.sendMessage(M2.uid, 'and one from a modern friend');
    m2 = clients.make(M2, server.address.port, 'modern');
    const inbox: string[] = [];
    m2.on('message', (m) => inbox.push(m.text));
    await m2.login();
    await quiescence(serverProbe(server));
    assert.deepEqual(inbox.filter((t) => t.startsWith('while')), ['while you were away 1', 'while you were away 2', 'while you were away 3']);
    assert.ok(inbox.includes('and one from a modern friend'));
    assert.equal(inbox.length, 4);
  } finally {
    await clients.closeAll();
    await server.close();
  }
});

test('--reply-delay holds every reply back by the configured time (for MyQQ on loopback)', async () => {
  const { server } = await serverWith([M1], [], { replyDelayMs: 40 });
  const clients = new Clients();
  try {
    const started = Date.now();
    const m1 = await clients.online(M1, server.address.port, 'modern');
    // The modern login is five request/reply steps, each held back 40 ms.
    assert.ok(Date.now() - started >= 5 * 40, `login took ${Date.now() - started} ms`);
    const t0 = Date.now();
    await m1.requestKey(4);
    assert.ok(Date.now() - t0 >= 40);
  } finally {
    await clients.closeAll();
    await server.close();
  }
});

test('a message sent while a modern login holds its queue back arrives after the queued ones, not before', async () => {
  const { server } = await serverWith([M1, M2, C], [[M2.uid, C.uid]]);
  const clients = new Clients();
  try {
    const c = await clients.online(C, server.address.port, 'classic');
    await c.sendMessage(M2.uid, 'queued while offline');
    const m2 = clients.make(M2, server.address.port, 'modern');
    const inbox: string[] = [];
    m2.on('message', (m) => inbox.push(m.text));
    await m2.login();
    // The server holds the queue until the client's online-list request (or 1.5 s): this one must wait too.
    await c.sendMessage(M2.uid, 'sent during the hold');
    // The server decides whether to push in the same turn it answers the send: one more turn and a push would be here.
    await ioTurn();
    assert.deepEqual(inbox, []);
    assert.equal(server.outstandingPushes(), 2, 'both held back, neither pushed');
    await m2.getOnlineFriends();
    await quiescence(serverProbe(server));
    assert.deepEqual(inbox, ['queued while offline', 'sent during the hold']);
  } finally {
    await clients.closeAll();
    await server.close();
  }
});
