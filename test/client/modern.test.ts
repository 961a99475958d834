// The SDK in its default (modern) framing against the in-process server on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from '../../src/client/index.js';
import type { IncomingMessage } from '../../src/client/index.js';
import { ManualClock } from '../../src/transport/clock.js';
import { ModernCmd } from '../../src/protocol/commands.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { UdpProxy } from '../helpers/udp-proxy.js';
import { until } from '../helpers/udp.js';
import { ALICE, BOB, CAROL, Clients, serverWith, type TestUser } from './fixtures.js';

test('modern login; friends with their groups; user info; request key; status changes reach the friend', async () => {
  const { server, store, port } = await serverWith([ALICE, BOB, CAROL], [[ALICE.uid, BOB.uid], [ALICE.uid, CAROL.uid]]);
  const work = store.addGroup(ALICE.uid, '同事 Work');
  store.moveFriend(ALICE.uid, CAROL.uid, work);
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, port);
    assert.equal(a.state, 'online');
    assert.equal(a.info?.uid, ALICE.uid);
    assert.equal(a.info?.clientPort, a.localPort);
    assert.equal(server.hub.get(ALICE.uid)?.framing, 'modern');
    assert.equal(server.hub.get(ALICE.uid)?.version, 0x3639, 'default version tag is the capture\'s');

    const list = await a.getFriends();
    assert.deepEqual(list.groups, [{ index: 0, name: 'My Friends' }, { index: work, name: '同事 Work' }]);
    assert.deepEqual(list.friends.map((f) => [f.uid, f.nick, f.group]), [[BOB.uid, 'Bob', 0], [CAROL.uid, '小红', work]]);

    assert.deepEqual(await a.getUserInfo(CAROL.uid), { uid: CAROL.uid, nick: '小红' });
    const key = await a.requestKey(4);
    assert.equal(key.length, 16);
    assert.deepEqual(key, server.hub.get(ALICE.uid)!.fileKey);

    // Bob logs in: Alice hears it; Bob goes away, then invisible (which friends see as offline).
    const seen: { uid: number; status: number }[] = [];
    a.on('friendStatus', (s) => seen.push(s));
    const b = await cs.online(BOB, port);
    await until(() => seen.length === 1, 3000, 'online push');
    assert.deepEqual((await a.getOnlineFriends()).map((f) => [f.uid, f.status, f.port]), [[BOB.uid, Status.ONLINE, b.localPort]]);
    await b.setStatus(Status.AWAY);
    await b.setStatus(Status.INVISIBLE);
    await until(() => seen.length === 3, 3000, 'status pushes');
    assert.deepEqual(seen, [
      { uid: BOB.uid, status: Status.ONLINE },
      { uid: BOB.uid, status: Status.AWAY },
      { uid: BOB.uid, status: Status.OFFLINE },
    ]);
    assert.deepEqual(await a.getOnlineFriends(), []);
    // A login straight into "away" (modern logs in online, then sets the status).
    const c = cs.make(CAROL, port);
    await c.login(Status.AWAY);
    assert.equal(server.hub.get(CAROL.uid)?.status, Status.AWAY);
  } finally {
    await cs.closeAll();
    await server.close();
  }
});

test('modern messages both ways, non-ASCII; a long message is split into fragments and reassembled', async () => {
  const { server, store, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, port);
    const b = await cs.online(BOB, port);
    const atB: IncomingMessage[] = [];
    const atA: IncomingMessage[] = [];
    b.on('message', (m) => atB.push(m));
    a.on('message', (m) => atA.push(m));

    const id = await a.sendMessage(BOB.uid, 'hello Bob — 你好 👋');
    await until(() => atB.length === 1, 3000, 'message at Bob');
    assert.equal(atB[0]!.from, ALICE.uid);
    assert.equal(atB[0]!.text, 'hello Bob — 你好 👋');
    assert.equal(atB[0]!.messageId, id);
    assert.equal(atB[0]!.fragments, 1);
    assert.ok(Math.abs(atB[0]!.time.getTime() - Date.now()) < 60_000);

    await b.sendMessage(ALICE.uid, 'réponse: ça va? 好的');
    await until(() => atA.length === 1, 3000, 'reply at Alice');
    assert.equal(atA[0]!.text, 'réponse: ça va? 好的');

    // 3 × 700 UTF-8 bytes + a bit: four fragments, never cut inside a character.
    const long = '长'.repeat(500) + 'x'.repeat(700) + '🙂'.repeat(100);
    await a.sendMessage(BOB.uid, long);
    await until(() => atB.length === 2, 3000, 'long message');
    assert.equal(atB[1]!.text, long);
    assert.equal(atB[1]!.fragments, Math.ceil(Buffer.byteLength(long) / 700));
    await until(() => store.pendingCount(BOB.uid) === 0, 3000, 'all fragments acked');
  } finally {
    await cs.closeAll();
    await server.close();
  }
});

/** The command of a datagram (c2s and s2c headers both have it at offset 3). */
function commandOf(bytes: Buffer): number {
  const r = decodePacket(bytes, 'c2s');
  return r.ok ? r.value.command : -1;
}

/** Users 20001… (to make friends of a test user). */
function crowd(n: number, base = 20001): TestUser[] {
  return Array.from({ length: n }, (_, i) => ({ uid: base + i, password: `pw${i}`, nick: `friend ${i}` }));
}

test('online list with more friends online than one 22-entry page: the client follows the paging', async () => {
  const others = crowd(25);
  const { server, port } = await serverWith([ALICE, ...others], others.map((o) => [ALICE.uid, o.uid] as [number, number]));
  const proxy = await UdpProxy.start({ targetPort: port });
  const cs = new Clients();
  try {
    await Promise.all(others.map((o) => cs.online(o, port)));
    const a = await cs.online(ALICE, proxy.port);
    const online = await a.getOnlineFriends();
    assert.deepEqual(online.map((f) => f.uid), others.map((o) => o.uid));
    const requests = proxy.seen('c2s').filter((e) => commandOf(e.bytes) === ModernCmd.GET_ONLINE_FRIENDS);
    assert.equal(requests.length, 2, 'two pages: 22 + 3');
    const friends = await a.getFriends();
    assert.equal(friends.friends.length, 25);
  } finally {
    await cs.closeAll();
    proxy.close();
    await server.close();
  }
});

test('keep-alive runs by itself on the injected clock; logout ends the session and leaves nothing running', async () => {
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const clock = new ManualClock(Date.now());
  const proxy = await UdpProxy.start({ targetPort: port });
  const cs = new Clients();
  try {
    const b = await cs.online(BOB, port);
    const offline: number[] = [];
    b.on('friendStatus', (s) => s.status === Status.OFFLINE && offline.push(s.uid));
    const a = cs.make(ALICE, proxy.port, 'modern', { clock, keepAliveMs: 30_000 });
    await a.login();
    assert.equal(clock.pending, 1, 'only the keep-alive timer');
    const keepAlives = () => proxy.seen('s2c').filter((e) => commandOf(e.bytes) === ModernCmd.KEEP_ALIVE).length;
    clock.advance(29_999);
    assert.equal(keepAlives(), 0);
    clock.advance(1);
    await until(() => keepAlives() === 1, 3000, 'keep-alive reply');
    await until(() => clock.pending === 1, 3000, 'next keep-alive scheduled');
    clock.advance(30_000);
    await until(() => keepAlives() === 2, 3000, 'second keep-alive reply');

    await a.logout();
    assert.equal(a.state, 'closed');
    assert.equal(a.localPort, 0, 'socket closed');
    await until(() => clock.pending === 0, 3000, 'no timers left');
    await until(() => server.hub.get(ALICE.uid) === undefined, 3000, 'server closed the session');
    await until(() => offline.includes(ALICE.uid), 3000, 'friend saw the logout');
    const last = proxy.seen('c2s').at(-1)!;
    assert.equal(commandOf(last.bytes), ModernCmd.LOGOUT);
    assert.equal(last.bytes.length, 22 + 32 + 1, '16 zero bytes under TEA = 32 bytes');
    await assert.rejects(a.getFriends(), { name: 'ClosedError' });
  } finally {
    await cs.closeAll();
    proxy.close();
    await server.close();
  }
});
