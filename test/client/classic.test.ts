// The SDK in the classic framing (PROTOCOL.md §5), alone and talking to modern clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status, type IncomingMessage } from '../../src/client/index.js';
import { ClassicCmd } from '../../src/protocol/commands.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { splitGbText } from '../../src/client/classic-session.js';
import { encodeGb } from '../../src/protocol/text.js';
import { UdpProxy } from '../helpers/udp-proxy.js';
import { until } from '../helpers/udp.js';
import { ManualClock } from '../../src/transport/clock.js';
import { ALICE, BOB, CAROL, Clients, serverWith, type TestUser } from './fixtures.js';

function commandOf(bytes: Buffer): number {
  const r = decodePacket(bytes, 'c2s');
  return r.ok ? r.value.command : -1;
}

test('classic login (0x0062 token, 0x0022 login); friends and groups; info; key; status; logout', async () => {
  const { server, store, port } = await serverWith([ALICE, BOB, CAROL], [[ALICE.uid, BOB.uid], [ALICE.uid, CAROL.uid]]);
  const g = store.addGroup(ALICE.uid, 'Family');
  store.moveFriend(ALICE.uid, BOB.uid, g);
  const proxy = await UdpProxy.start({ targetPort: port });
  const cs = new Clients();
  try {
    const a = await cs.online(ALICE, proxy.port, 'classic');
    assert.equal(server.hub.get(ALICE.uid)?.framing, 'classic');
    assert.equal(server.hub.get(ALICE.uid)?.version, 0x0d55);
    assert.deepEqual(proxy.seen('c2s').map((e) => commandOf(e.bytes)), [ClassicCmd.REQUEST_LOGIN_TOKEN, ClassicCmd.LOGIN]);
    assert.equal(proxy.seen('c2s')[0]!.bytes.length, 11 + 1 + 1, 'token request: header, body 00, tail');

    const list = await a.getFriends();
    assert.deepEqual(list.friends.map((f) => [f.uid, f.nick, f.group]), [[BOB.uid, 'Bob', g], [CAROL.uid, '小红', 0]]);
    assert.deepEqual(list.groups.map((x) => x.index), [0, g]);
    assert.equal((await a.getUserInfo(CAROL.uid)).nick, '小红');
    assert.equal((await a.requestKey(4)).length, 16);

    const seen: number[] = [];
    a.on('friendStatus', (s) => s.uid === BOB.uid && seen.push(s.status));
    const b = await cs.online(BOB, port, 'classic');
    await b.setStatus(Status.BUSY);
    await until(() => seen.length === 2, 3000, 'pushes');
    assert.deepEqual(seen, [Status.ONLINE, Status.BUSY]);
    assert.deepEqual((await a.getOnlineFriends()).map((f) => [f.uid, f.status]), [[BOB.uid, Status.BUSY]]);

    await b.logout();
    await until(() => seen.length === 3, 3000, 'offline push');
    assert.equal(seen[2], Status.OFFLINE);
    assert.equal(server.hub.get(BOB.uid), undefined);
    // A classic login straight into "away" (carried by the login body itself).
    const c = cs.make(CAROL, port, 'classic');
    await c.login(Status.AWAY);
    assert.equal(server.hub.get(CAROL.uid)?.status, Status.AWAY);
  } finally {
    await cs.closeAll();
    proxy.close();
    await server.close();
  }
});

test('classic online list over 30-entry pages: 33 friends online', async () => {
  const others: TestUser[] = Array.from({ length: 33 }, (_, i) => ({ uid: 30001 + i, password: `p${i}`, nick: `f${i}` }));
  const { server, port } = await serverWith([ALICE, ...others], others.map((o) => [ALICE.uid, o.uid] as [number, number]));
  const proxy = await UdpProxy.start({ targetPort: port });
  const cs = new Clients();
  try {
    await Promise.all(others.map((o, i) => cs.online(o, port, i % 2 ? 'classic' : 'modern')));
    const a = await cs.online(ALICE, proxy.port, 'classic');
    const online = await a.getOnlineFriends();
    assert.deepEqual(online.map((f) => f.uid), others.map((o) => o.uid));
    assert.equal(proxy.seen('c2s').filter((e) => commandOf(e.bytes) === ClassicCmd.GET_ONLINE_FRIENDS).length, 2);
  } finally {
    await cs.closeAll();
    proxy.close();
    await server.close();
  }
});

test('classic ↔ modern messages across framings, non-ASCII, long messages split both ways', async () => {
  const { server, store, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]]);
  const cs = new Clients();
  try {
    const classic = await cs.online(ALICE, port, 'classic');
    const modern = await cs.online(BOB, port, 'modern');
    const atModern: IncomingMessage[] = [];
    const atClassic: IncomingMessage[] = [];
    modern.on('message', (m) => atModern.push(m));
    classic.on('message', (m) => atClassic.push(m));

    await classic.sendMessage(BOB.uid, '你好，Bob! (GB18030 → UTF-8)');
    await modern.sendMessage(ALICE.uid, 'ok — 收到了 ✓');
    await until(() => atModern.length === 1 && atClassic.length === 1, 3000, 'both messages');
    assert.equal(atModern[0]!.text, '你好，Bob! (GB18030 → UTF-8)');
    assert.equal(atModern[0]!.from, ALICE.uid);
    assert.equal(atClassic[0]!.text, 'ok — 收到了 ✓');

    // Classic fragments are ≈700 GB18030 bytes (a CJK character is 2 bytes there, 3 in UTF-8).
    const long = '中文'.repeat(400) + ' and some ASCII '.repeat(30);
    const parts = splitGbText(long);
    assert.ok(parts.length >= 2 && parts.every((p) => encodeGb(p).length <= 700));
    await classic.sendMessage(BOB.uid, long);
    await modern.sendMessage(ALICE.uid, long);
    await until(() => atModern.length === 2 && atClassic.length === 2, 3000, 'long messages');
    assert.equal(atModern[1]!.text, long);
    assert.equal(atModern[1]!.fragments, parts.length);
    assert.equal(atClassic[1]!.text, long);
    assert.equal(atClassic[1]!.fragments, Math.ceil(Buffer.byteLength(long) / 700));
    await until(() => store.pendingCount(ALICE.uid) + store.pendingCount(BOB.uid) === 0, 3000, 'acked');
  } finally {
    await cs.closeAll();
    await server.close();
  }
});

test('a fresh classic SDK login releases the server\'s hold on pushes at once (its first request), not after the hold timer', async () => {
  // The server's time never moves, so the hold timer (PENDING_HOLD_MS) never fires: only the SDK's own first
  // request after login can let the message through. Turns due now (group commits) still run.
  const clock = new ManualClock(Date.now());
  const pump = setInterval(() => clock.advance(0), 2);
  const { server, port } = await serverWith([ALICE, BOB], [[ALICE.uid, BOB.uid]], { clock });
  const cs = new Clients();
  try {
    const bob = await cs.online(BOB, port, 'classic');
    const got: IncomingMessage[] = [];
    bob.on('message', (m) => got.push(m));
    const alice = await cs.online(ALICE, port, 'modern');
    await alice.sendMessage(BOB.uid, 'no hold');
    await until(() => got.length === 1, 5000, 'message at the classic client');
    assert.equal(got[0]!.text, 'no hold');
    assert.equal(server.hub.get(BOB.uid)!.pendingLoaded, true);
  } finally {
    clearInterval(pump);
    await cs.closeAll();
    await server.close();
  }
});
