import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { decodeGb, splitFontTrailer } from '../../src/protocol/text.js';
import { QunPolicy } from '../../src/store/store.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ModernDriver } from '../helpers/modern-driver.js';
import { hex, loadRepoVectors, packetsOf, recordedReply, type SessionsFile, type VectorPacket, type VectorSession } from '../helpers/vectors.js';
import { startServer, seedAccounts } from '../helpers/udp.js';

// The by-hand session of issue #16 (test/vectors/by-hand-social-sessions.json): pidgin 2.7.11 (qq2005, users 20001
// and 20004) and MyQQ 3.30 (20002) adding each other with authorization, joining a Qun with approval, chatting
// in it, writing a memo and getting queued messages at login, against this server.

const file = loadRepoVectors<SessionsFile>('by-hand-social-sessions.json');
const framingOf = (s: VectorSession) => (s.version_tag === '0x2227' ? 'modern' : 'classic');
const sessionsOf = (uid: number) => file.sessions.filter((s) => s.uid === uid);
const [P1, P1again] = sessionsOf(20001) as [VectorSession, VectorSession];
const [P4] = sessionsOf(20004) as [VectorSession];
const [MQ, MQagain] = sessionsOf(20002) as [VectorSession, VectorSession];
const plain = (p: VectorPacket) => hex(p.plain);
/** The text of a classic Qun message's content: GB18030 before the font trailer, pidgin's trailing space dropped. */
const qunText = (content: Buffer) => decodeGb(splitFontTrailer(content).text).replace(/ $/, '');
const find = packetsOf;
const replyTo = recordedReply;

test('by hand: every recorded body of pidgin qq2005 and MyQQ 3.30 decodes with the command table', () => {
  assert.equal(file.sessions.length, 5);
  for (const s of file.sessions) {
    assert.ok(s.packets.length > 40, `${s.client} ${s.uid}`);
    for (const p of s.packets) {
      const d = decodeBody(framingOf(s), p.command, p.dir, plain(p));
      assert.ok(d.ok, `${s.uid} ${p.dir} 0x${p.command.toString(16)} seq ${p.seq}: ${d.ok ? '' : d.error.message}`);
    }
  }
});

test('by hand: what the clients sent and got — the add requests, approvals, acks under sequence 0, one-sequence broadcasts, memo, Qun messages once each', () => {
  // MyQQ asks with a note (0x00A8 sub 02); pidgin gets the request (0x0080 code 2) and authorizes with 0x000B '0'.
  const ask = M.MODERN_TABLE.ADD_FRIEND_AUTH_EX;
  const asked = find(MQ, 'c2s', ask.code).map((p) => C.authExRequestCodec.decode(plain(p)));
  assert.deepEqual(asked.map((a) => [a.sub, a.uid, a.note?.toString('utf8')]), [[C.AuthExSub.REQUEST, 20001, '我是MyQQ，加我']]);
  const told = find(P1, 's2c', ClassicCmd.SYSTEM_MESSAGE).map((p) => C.systemMessageCodec.decode(plain(p)));
  assert.deepEqual(told.map((m) => [m.code, m.from, m.text]), [[2, 20002, '我是MyQQ，加我'], [3, 20003, ''], [2, 20004, '我是皮钦二号']]);
  assert.deepEqual(find(P1, 'c2s', ClassicCmd.ADD_FRIEND_AUTH).map((p) => C.authRequestCodec.decode(plain(p)).uid), [20002, 20003, 20004]);
  // pidgin acks every 0x0080 under header sequence 0, naming the push in the body: each push went out once.
  const acks = find(P1, 'c2s', ClassicCmd.ACK_SYSTEM_MESSAGE);
  assert.deepEqual(acks.map((p) => p.seq), [0, 0, 0]);
  assert.deepEqual(acks.map((p) => C.systemMessageAckCodec.decode(plain(p)).seq), find(P1, 's2c', ClassicCmd.SYSTEM_MESSAGE).map((p) => p.seq));
  // MyQQ never acks 0x0080: its "added" broadcast went out under one sequence only.
  const broadcasts = find(MQ, 's2c', ModernCmd.SYSTEM_BROADCAST);
  assert.ok(broadcasts.length >= 1 && broadcasts.length <= 3, `${broadcasts.length} sends`);
  assert.equal(new Set(broadcasts.map((p) => p.seq)).size, 1);
  assert.equal(find(MQ, 'c2s', ModernCmd.SYSTEM_BROADCAST).length, 0);
  assert.equal(M.systemBroadcast.decode(plain(broadcasts[0]!)).code, M.BroadcastCode.APPROVED);

  // The memo pidgin wrote (0x003E 01, accepted 01 00) is what it got back after logging in again.
  const wrote = find(P1, 'c2s', ClassicCmd.BUDDY_MEMO, (p) => p.plain.startsWith('01'))[0]!;
  assert.deepEqual(C.memoRequestCodec.decode(plain(wrote)), { sub: 1, unknown1: 0, uid: 20002, unknown2: 0, fields: ['老麦', '', '', '', '', '', 'MyQQ的备注'] });
  assert.equal(replyTo(P1, wrote).plain, '0100');
  const back = find(P1again, 's2c', ClassicCmd.BUDDY_MEMO).map((p) => C.memoReplyCodec.decode(plain(p)));
  assert.deepEqual(back[0]!.memo?.fields, ['老麦', '', '', '', '', '', 'MyQQ的备注']);

  // Qun 100001: each message reached each other member once (retransmissions keep their store id).
  const classicQun = (s: VectorSession) => new Map(find(s, 's2c', ClassicCmd.RECV_IM).map((p) => C.receiveImPushCodec.decode(plain(p)))
    .filter((m) => m.type === Q.QunPushType.CLASSIC_IM && m.content.kind === 'other')
    .map((m) => [m.serverSeq, qunText(Q.readClassicQunIm((m.content as { bytes: Buffer }).bytes).content)]));
  const modernQun = (s: VectorSession) => new Map(find(s, 's2c', ModernCmd.QUN_MESSAGE).map((p) => M.receiveIm.decode(plain(p)))
    .filter((m) => m.imType === Q.QunPushType.MODERN_IM && m.kind === 'raw')
    .map((m) => [m.serverSeq, M.imText(Q.readModernQunIm((m as { data: Buffer }).data).block)]));
  const texts = (m: Map<number, string>) => [...m.values()].map((t) => t.trim());
  // MyQQ's first session: three messages acked; a fourth was pushed after MyQQ had been stopped, never acked.
  const first = modernQun(MQ);
  assert.deepEqual(texts(first), ['大家好，我是群主皮钦一号', '终端在群里说话', '皮钦二号也来了', 'MyQQ不在的时候皮钦二号说的话']);
  const lastSeq = [...first.keys()][3]!;
  const ackedSeqs = find(MQ, 'c2s', ModernCmd.QUN_MESSAGE).map((p) => M.imAck.decode(plain(p)).serverSeq);
  assert.equal(ackedSeqs.includes(lastSeq), false, 'the fourth was never acked in the first session');
  assert.deepEqual(texts(classicQun(P4)), ['大家好，我是群主皮钦一号', 'MyQQ 在群里说话', '终端在群里说话']);
  // MyQQ's second login: the Qun message and the private message queued while it was away, once each, acked.
  // … and came again at the next login under the same store id (the client can tell a repeat), once.
  const again = modernQun(MQagain);
  assert.deepEqual([...again.entries()], [[lastSeq, 'MyQQ不在的时候皮钦二号说的话']]);
  const ims = find(MQagain, 's2c', ModernCmd.RECV_IM).map((p) => M.receiveIm.decode(plain(p))).filter((m) => m.kind === 'im');
  assert.deepEqual([...new Set(ims.map((m) => m.kind === 'im' ? M.imText(m.im) : ''))], ['MyQQ离线时皮钦一号的私信']);
  assert.equal(find(MQagain, 'c2s', ModernCmd.RECV_IM).length, 1);
});

test("by hand, replayed: pidgin's and MyQQ's recorded requests get the answers they got then", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [
    { uid: 20001, password: 'p2005', nick: '皮钦二零零五' }, { uid: 20002, password: 'myqq330', nick: 'MyQQ用户' },
    { uid: 20003, password: 'term1', nick: '终端' }, { uid: 20004, password: 'p2005b', nick: 'Pidgin2' },
  ]);
  const q1 = store.createQun(20001, '手工群', QunPolicy.NEEDS_AUTH, 20);
  store.qunChange({ qun: q1.id, join: { uid: 20002, role: 0 }, notices: [] });
  store.createQun(20003, 'OpenQun', QunPolicy.OPEN, 20);
  const p1 = await ClassicDriver.open(server.address.port, 20001, 'p2005');
  const p4 = await ClassicDriver.open(server.address.port, 20004, 'p2005b');
  const mq = await ModernDriver.openModern(server.address.port, 20002, 'myqq330');
  /** Sends a recorded request's plaintext and checks the reply against the recorded one. */
  async function same(d: ClassicDriver, s: VectorSession, req: VectorPacket): Promise<void> {
    const got = await d.request(req.command, plain(req)).catch((e: Error) => assert.fail(`0x${req.command.toString(16)} seq ${req.seq}: ${e.message}`));
    assert.equal(got.toString('hex'), replyTo(s, req).plain, `0x${req.command.toString(16)} seq ${req.seq}`);
  }
  try {
    const step = <T>(what: string, p: Promise<T>) => p.catch((e: Error) => assert.fail(`${what}: ${e.message}`));
    await step('pidgin 20001 logs in', p1.login());
    await step('pidgin 20004 logs in', p4.login());
    await step('MyQQ logs in', mq.loginModern());
    // MyQQ: 0x00A7 (needs authorization), 0x00AE (the code), 0x00A8 02 with its note.
    for (const cmd of [0xa7, 0xae, 0xa8]) await same(mq, MQ, find(MQ, 'c2s', cmd)[0]!);
    // pidgin authorizes (0x000B '0'): friends now.
    await same(p1, P1, find(P1, 'c2s', ClassicCmd.ADD_FRIEND_AUTH)[0]!);
    assert.equal(store.areFriends(20001, 20002), true);
    // pidgin 20004: search Qun 100001, join (needs authorization), apply with its note; 20001 authorizes.
    for (const sub of ['06', '07', '08']) await same(p4, P4, find(P4, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith(sub))[0]!);
    await same(p1, P1, find(P1, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('08') && p.plain.endsWith('4e2400'))[0]!);
    assert.equal(store.isQunMember(q1.id, 20004), true);
    // The memo: written (01 00), then read back byte for byte as pidgin got it at its next login.
    await same(p1, P1, find(P1, 'c2s', ClassicCmd.BUDDY_MEMO, (p) => p.plain.startsWith('01'))[0]!);
    await same(p1, P1again, find(P1again, 'c2s', ClassicCmd.BUDDY_MEMO)[0]!);
    // pidgin's Qun message (0x0030 0A, GB18030 and its font trailer) reaches 20004 and MyQQ.
    await same(p1, P1, find(P1, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('0a'))[0]!);
    const next4 = async () => (await step('20004 gets a push', p4.receive())).push;
    let got = await next4();
    while (got.type !== Q.QunPushType.CLASSIC_IM) got = await next4();
    assert.ok(got.content.kind === 'other', 'a Qun message');
    assert.equal(qunText(Q.readClassicQunIm(got.content.bytes).content), '大家好，我是群主皮钦一号');
    const nextMq = async () => (await step('MyQQ gets a push', mq.qunPush())).push;
    let m = await nextMq();
    while (m.imType !== Q.QunPushType.MODERN_IM) m = await nextMq();
    assert.ok(m.kind === 'raw', 'a Qun message');
    assert.equal(M.imText(Q.readModernQunIm(m.data).block), '大家好，我是群主皮钦一号');
  } finally {
    p1.close();
    p4.close();
    mq.close();
    await server.close();
  }
});
