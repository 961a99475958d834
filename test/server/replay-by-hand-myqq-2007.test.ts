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
import { hex, loadRepoVectors, packetsOf as find, recordedReply, type SessionsFile, type VectorPacket, type VectorSession } from '../helpers/vectors.js';
import { startServer, seedAccounts } from '../helpers/udp.js';

// MyQQ 3.30 (20033) with pidgin 2.7.11 in its qq2007 (20031) and qq2008 (20032) modes, by hand:
// test/vectors/by-hand-myqq-2007-sessions.json (README, "Friends and Qun by hand").

const file = loadRepoVectors<SessionsFile>('by-hand-myqq-2007-sessions.json');
const [P07, P08, MQ] = file.sessions as [VectorSession, VectorSession, VectorSession];
const plain = (p: VectorPacket) => hex(p.plain);
/** pidgin's 2007/08 login chain has its own layouts; everything after it is the classic table's. */
const CLASSIC_CHAIN = new Set([0x91, 0x62, 0xba, 0xdd, 0x22]);
const classicQunTexts = (s: VectorSession) => find(s, 's2c', ClassicCmd.RECV_IM).map((p) => C.receiveImPushCodec.decode(plain(p)))
  .filter((m) => m.type === Q.QunPushType.CLASSIC_IM && m.content.kind === 'other')
  .map((m) => decodeGb(splitFontTrailer(Q.readClassicQunIm((m.content as { bytes: Buffer }).bytes).content).text).trim());

test('by hand, MyQQ with pidgin qq2007/qq2008: every recorded body decodes with its framing\'s command table', () => {
  assert.deepEqual(file.sessions.map((s) => [s.uid, s.version_tag]), [[20031, '0x111d'], [20032, '0x115b'], [20033, '0x2227']]);
  for (const s of file.sessions) {
    const framing = s.version_tag === '0x2227' ? 'modern' : 'classic';
    for (const p of s.packets.filter((x) => framing === 'modern' || !CLASSIC_CHAIN.has(x.command))) {
      const d = decodeBody(framing, p.command, p.dir, plain(p));
      assert.ok(d.ok, `${s.uid} ${p.dir} 0x${p.command.toString(16)} seq ${p.seq}: ${d.ok ? '' : d.error.message}`);
    }
  }
});

test('by hand, MyQQ with pidgin qq2007/qq2008: MyQQ asks both with a note, both approve, they chat both ways and in a Qun', () => {
  // MyQQ's notes travel as UTF-8 and reach pidgin as GB18030 (0x0080 code 2); pidgin approves with 0x000B '0'.
  const asked = find(MQ, 'c2s', M.MODERN_TABLE.ADD_FRIEND_AUTH_EX.code).map((p) => C.authExRequestCodec.decode(plain(p)))
    .map((a) => [a.sub, a.uid, a.note?.toString('utf8')]);
  assert.deepEqual(asked, [[C.AuthExSub.REQUEST, 20031, '我是MyQQ，加二零零七'], [C.AuthExSub.REQUEST, 20032, 'MyQQ asks 2008']]);
  for (const [s, note] of [[P07, '我是MyQQ，加二零零七'], [P08, 'MyQQ asks 2008']] as const) {
    assert.deepEqual(find(s, 's2c', ClassicCmd.SYSTEM_MESSAGE).map((p) => C.systemMessageCodec.decode(plain(p))).map((m) => [m.code, m.from, m.text]), [[2, 20033, note]]);
    assert.deepEqual(find(s, 'c2s', ClassicCmd.ADD_FRIEND_AUTH).map((p) => C.authRequestCodec.decode(plain(p))).map((a) => [a.uid, a.action]), [[20033, C.AuthAction.APPROVE]]);
  }
  // MyQQ was told "approved" (modern 0x0080 "43") once by each, under one sequence each (it never acks them).
  const told = find(MQ, 's2c', ModernCmd.SYSTEM_BROADCAST).map((p) => ({ seq: p.seq, m: M.systemBroadcast.decode(plain(p)) }));
  assert.deepEqual([...new Map(told.map((t) => [t.seq, [t.m.code, t.m.from]])).values()], [[M.BroadcastCode.APPROVED, 20031], [M.BroadcastCode.APPROVED, 20032]]);
  // Private messages both ways.
  const toMyqq = find(MQ, 's2c', ModernCmd.RECV_IM).map((p) => M.receiveIm.decode(plain(p))).filter((m) => m.kind === 'im');
  assert.deepEqual([...new Set(toMyqq.map((m) => (m.kind === 'im' ? `${m.sender}: ${M.imText(m.im)}` : '')))], ['20031: 你好MyQQ，我是二零零七', '20032: hello MyQQ from qq2008']);
  const fromMyqq = (s: VectorSession) => find(s, 's2c', ClassicCmd.RECV_IM).map((p) => C.receiveImPushCodec.decode(plain(p)))
    .flatMap((m) => (m.content.kind === 'im' ? [`${m.sender}: ${m.content.message.text}`] : []));
  assert.deepEqual(fromMyqq(P07), ['20033: 收到，二零零七你好 from MyQQ']);
  assert.deepEqual(fromMyqq(P08), ['20033: MyQQ 回复 qq2008']);
  // Qun 100001: qq2008 joined with the qq2007 creator's approval; each message reached each other member once.
  assert.deepEqual(find(P07, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('08')).map((p) => Q.readQunAuth(Q.qunRequestCodec.decode(plain(p)).data)).map((a) => [a.opt, a.uid]),
    [[Q.QunAuthOpt.APPROVE, 20032]]);
  assert.deepEqual(classicQunTexts(P07), ['qq2008 says hi to the Qun', 'MyQQ 在群里']);
  assert.deepEqual(classicQunTexts(P08), ['群主二零零七说话', 'MyQQ 在群里']);
  const mq = new Map(find(MQ, 's2c', ModernCmd.QUN_MESSAGE).map((p) => M.receiveIm.decode(plain(p)))
    .filter((m) => m.imType === Q.QunPushType.MODERN_IM && m.kind === 'raw')
    .map((m) => [m.serverSeq, M.imText(Q.readModernQunIm((m as { data: Buffer }).data).block).trim()]));
  assert.deepEqual([...mq.values()], ['群主二零零七说话', 'qq2008 says hi to the Qun']);
});

test("by hand, MyQQ with pidgin qq2007, replayed: the recorded add chain and approval get the answers and the push they got then", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [{ uid: 20031, password: 'q2007', nick: '皮钦七' }, { uid: 20032, password: 'q2008', nick: 'Pidgin08' }, { uid: 20033, password: 'myqq330', nick: 'MyQQ三' }]);
  const q = store.createQun(20031, 'Q0708', QunPolicy.NEEDS_AUTH, 20);
  store.qunChange({ qun: q.id, join: { uid: 20033, role: 0 }, notices: [] });
  const p07 = await ClassicDriver.open(server.address.port, 20031, 'q2007', undefined, 0x111d);
  const mq = await ModernDriver.openModern(server.address.port, 20033, 'myqq330');
  async function same(d: ClassicDriver, s: VectorSession, req: VectorPacket): Promise<void> {
    const got = await d.request(req.command, plain(req)).catch((e: Error) => assert.fail(`0x${req.command.toString(16)} seq ${req.seq}: ${e.message}`));
    assert.equal(got.toString('hex'), recordedReply(s, req).plain, `0x${req.command.toString(16)} seq ${req.seq}`);
  }
  try {
    assert.equal((await p07.login2007()).login?.kind, 'success');
    await mq.loginModern();
    // pidgin asks its Qun's info first, as it does at login (its pushes wait for that), byte for byte as recorded.
    await same(p07, P07, find(P07, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('04'))[0]!);
    for (const cmd of [0xa7, 0xae, 0xa8]) await same(mq, MQ, find(MQ, 'c2s', cmd)[0]!);
    const pushed = await p07.push(ClassicCmd.SYSTEM_MESSAGE);
    assert.equal(pushed.plain.toString('hex'), find(P07, 's2c', ClassicCmd.SYSTEM_MESSAGE)[0]!.plain);
    await same(p07, P07, find(P07, 'c2s', ClassicCmd.ADD_FRIEND_AUTH)[0]!);
    assert.equal(store.areFriends(20031, 20033), true);
  } finally {
    p07.close();
    mq.close();
    await server.close();
  }
});
