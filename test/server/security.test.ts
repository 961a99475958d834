import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt, teaEncrypt } from '../../src/protocol/tea.js';
import { cryptoRandom } from '../../src/protocol/random.js';
import { passwordMd5, verifyBlockKey } from '../../src/protocol/keys.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { keepAliveRequestCodec, keepAliveReplyCodec, logoutCodec, userInfoRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import { passwordKey } from '../../src/protocol/keys.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { startServer, seedAccounts, until, UdpPeer } from '../helpers/udp.js';
import { ioTurn } from '../helpers/quiescence.js';

const A = { uid: 20001, password: 'right-pw' };
const B = { uid: 20002, password: 'other-pw' };
const VERSION = 0x3639;

/** One modern pre-login exchange: returns request and reply sizes and the reply plaintext. */
async function modernStep(peer: UdpPeer, uid: number, cmd: number, seq: number, key: Buffer, plain: Buffer) {
  const req = encodePacket({ direction: 'c2s', version: VERSION, command: cmd, seq, uid, body: M.wrapKeyPrefixed(key, plain, cryptoRandom) });
  peer.send(req);
  const rep = await peer.next();
  const r = decodePacket(rep, 's2c');
  assert.ok(r.ok);
  return { req: req.length, rep: rep.length, plain: teaDecrypt(r.value.body, key) };
}

test('amplification: every reply sent before login is at most 3× its request', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A]);
  const peer = await UdpPeer.open(server.address.port);
  const d = new ClassicDriver(peer, A.uid, A.password);
  try {
    const sizes: [string, number, number][] = [];
    // Classic token and login (right and wrong password).
    const tokReq = d.packet(ClassicCmd.REQUEST_LOGIN_TOKEN, Buffer.from([0]));
    peer.send(tokReq);
    sizes.push(['classic token', tokReq.length, (await peer.next()).length]);
    await d.login();
    const wrong = new ClassicDriver(await UdpPeer.open(server.address.port), B.uid, 'nope');
    await wrong.login();
    wrong.close();
    // Modern touch, login request, verify (wrong password, unknown uid).
    const key = cryptoRandom(16);
    const t = await modernStep(peer, A.uid, ModernCmd.TOUCH, 1, key, M.touchRequest.encode(M.makeTouchRequest()));
    sizes.push(['modern touch', t.req, t.rep]);
    const touch = M.touchReply.decode(t.plain!);
    assert.ok(touch.ok);
    const l = await modernStep(peer, A.uid, ModernCmd.LOGIN_REQUEST, 2, key, M.loginRequest.encode(M.makeLoginRequest(touch.loginToken)));
    sizes.push(['modern login request', l.req, l.rep]);
    const tokenC = M.loginReply.decode(l.plain!).tokenC;
    const sealed = M.buildVerifyBlock({ uid: A.uid, passwordMd5: passwordMd5('wrong'), serverTime: touch.serverTime, serverIp: touch.serverIp }, cryptoRandom);
    assert.ok(M.openVerifyBlock(sealed, verifyBlockKey(passwordMd5('wrong'), A.uid)).ok, 'sealed with the wrong password');
    const v = await modernStep(peer, A.uid, ModernCmd.VERIFY, 3, key, M.verifyRequest.encode(M.makeVerifyRequest({ tokenC, verifyCipher: sealed }, cryptoRandom)));
    sizes.push(['modern verify (wrong password)', v.req, v.rep]);
    const vr = M.verifyReply.decode(v.plain!);
    assert.ok(!vr.ok && vr.code === M.VerifyCode.WRONG_PASSWORD);
    for (const [what, req, rep] of sizes) assert.ok(rep <= 3 * req, `${what}: reply ${rep} B for request ${req} B`);
    assert.ok(sizes.length >= 4);
  } finally {
    peer.close();
    await server.close();
  }
});

test('pre-login replies are rate-limited per source address', async () => {
  const { server } = await startServer({ guard: { preLoginPerSecond: 5 } });
  const peer = await UdpPeer.open(server.address.port);
  const d = new ClassicDriver(peer, A.uid, A.password);
  try {
    for (let i = 0; i < 40; i++) peer.send(d.packet(ClassicCmd.REQUEST_LOGIN_TOKEN, Buffer.from([0])));
    await until(() => server.metrics.received >= 40, 2000, 'all received');
    await ioTurn(); // replies to the last requests, sent as they were handled, are read
    const replies = peer.drain().length;
    assert.ok(replies >= 5 && replies <= 7, `${replies} replies to 40 requests at 5/s`);
    assert.ok(server.metrics.dropped.rate_limited >= 33);
  } finally {
    peer.close();
    await server.close();
  }
});

test('after N failed logins for a uid from an address, attempts from there are slowed down, even with the right password', async () => {
  const { server, store } = await startServer({ guard: { maxFailures: 3, windowMs: 60_000, cooldownMs: 60_000 } });
  seedAccounts(store, [A]);
  try {
    for (let i = 0; i < 3; i++) {
      const bad = await ClassicDriver.open(server.address.port, A.uid, `wrong-${i}`);
      const r = await bad.login();
      assert.ok(r.kind === 'failure' && /wrong password/.test(r.reason));
      bad.close();
    }
    const good = await ClassicDriver.open(server.address.port, A.uid, A.password);
    const r = await good.login();
    assert.equal(r.kind, 'failure');
    assert.ok(r.kind === 'failure' && /too many failed logins/.test(r.reason));
    assert.equal(server.hub.get(A.uid), undefined);
    assert.equal(server.metrics.dropped.login_refused, 1);
    good.close();
  } finally {
    await server.close();
  }
});

test('a wrong or stale session key is dropped; a valid packet replayed from another address is dropped; logout ends the key', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  const thief = await UdpPeer.open(server.address.port);
  try {
    await a.login();
    const ka = keepAliveRequestCodec.encode({ uid: A.uid, form: 'u32' });
    const kaReply = keepAliveReplyCodec.decode(await a.request(ClassicCmd.KEEP_ALIVE, ka));
    assert.ok(kaReply.form === 'text' && kaReply.onlineUsers === 1);

    // Encrypted with a wrong key: dropped as undecryptable, no reply.
    a.peer.send(encodePacket({ direction: 'c2s', version: 0x0d55, command: ClassicCmd.KEEP_ALIVE, seq: 900, uid: A.uid, body: teaEncrypt(ka, Buffer.alloc(16, 9)) }));
    await until(() => server.metrics.dropped.undecryptable === 1, 2000, 'undecryptable counted');

    // The very datagram a sent, replayed from another address: dropped.
    const valid = a.packet(ClassicCmd.KEEP_ALIVE, teaEncrypt(ka, a.sessionKey), 901);
    thief.send(valid);
    await until(() => server.metrics.dropped.wrong_address === 1, 2000, 'wrong address counted');
    assert.equal(thief.drain().length, 0, 'nothing answered to the thief');

    // A stale key: after logout the old session key no longer works (and a new login gets a new key).
    const oldKey = a.sessionKey;
    a.fire(ClassicCmd.LOGOUT, logoutCodec.encode({ passwordKey: passwordKey(A.password) }));
    await until(() => server.hub.get(A.uid) === undefined, 2000, 'logged out');
    a.peer.send(a.packet(ClassicCmd.KEEP_ALIVE, teaEncrypt(ka, oldKey), 902));
    await until(() => server.metrics.dropped.no_session === 1, 2000, 'stale key dropped');
    const again = await a.login();
    assert.ok(again.kind === 'success' && !again.sessionKey.equals(oldKey));
    a.peer.send(a.packet(ClassicCmd.KEEP_ALIVE, teaEncrypt(ka, oldKey), 903));
    await until(() => server.metrics.dropped.undecryptable === 2, 2000, 'old key dropped for the new session');
    // A logout body that is not the password key does not end the session.
    a.fire(ClassicCmd.LOGOUT, logoutCodec.encode({ passwordKey: Buffer.alloc(16) }));
    await until(() => server.metrics.dropped.bad_body === 1, 2000, 'forged logout dropped');
    assert.ok(server.hub.get(A.uid));
  } finally {
    a.close();
    thief.close();
    await server.close();
  }
});

test('bounded state: duplicate windows, login guard tables and mailboxes have caps', async () => {
  const { server, store } = await startServer({ hub: { maxPendingPerUser: 3 }, guard: { maxTracked: 50, preLoginPerSecond: 1_000_000 } });
  seedAccounts(store, [A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(server.address.port, A.uid, A.password);
  try {
    await a.login();
    // The mailbox of offline B holds 3; the 4th send is refused (result 01) and not stored.
    for (let i = 0; i < 3; i++) assert.equal(await a.send(B.uid, `m${i}`, { msgSeq: i + 1 }), 0);
    assert.equal(await a.send(B.uid, 'one too many', { msgSeq: 99 }), 1);
    assert.equal(store.pendingCount(B.uid), 3);
    // Many requests: the duplicate window stays at its capacity. (Keep-alive replies are not remembered at all.)
    const ka = keepAliveRequestCodec.encode({ uid: A.uid, form: 'u32' });
    const session = server.hub.get(A.uid)!;
    const before = session.replyWindow?.size ?? 0;
    for (let i = 0; i < 10; i++) await a.request(ClassicCmd.KEEP_ALIVE, ka);
    assert.equal(session.replyWindow?.size ?? 0, before, 'keep-alives leave the window as it was');
    for (let i = 0; i < 100; i++) await a.request(ClassicCmd.GET_USER_INFO, userInfoRequestCodec.encode({ uid: B.uid }));
    assert.equal(session.replyWindow!.size, session.replyWindow!.capacity);
    assert.equal(session.replyWindow!.slots, session.replyWindow!.capacity);
    // Failed logins from many uids: the guard forgets the oldest beyond its cap.
    for (let i = 0; i < 40; i++) {
      const d = await ClassicDriver.open(server.address.port, 30000 + i, 'x');
      await d.login();
      d.close();
    }
    const guard = (server as unknown as { ctx: { guard: { tracked: number } } }).ctx.guard;
    assert.ok(guard.tracked <= 50, `guard tracks ${guard.tracked}`);
  } finally {
    a.close();
    await server.close();
  }
});
