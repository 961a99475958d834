import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, ClassicCmd } from '../../src/protocol/commands.js';
import * as C from '../../src/protocol/bodies/classic/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { decodeGb, splitFontTrailer } from '../../src/protocol/text.js';
import { QunPolicy } from '../../src/store/store.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { hex, loadRepoVectors, packetsOf as find, recordedReply, type SessionsFile, type VectorPacket, type VectorSession } from '../helpers/vectors.js';
import { startServer, seedAccounts } from '../helpers/udp.js';

// The by-hand session of pidgin 2.7.11 in its qq2007 (20011), qq2008 (20012) and qq2005 (20013) modes with an
// `oicq chat` user (20014): test/vectors/by-hand-2007-social-sessions.json (README, "Friends and Qun by hand").

const file = loadRepoVectors<SessionsFile>('by-hand-2007-social-sessions.json');
const [P07, P08, P05, P08again] = file.sessions as [VectorSession, VectorSession, VectorSession, VectorSession];
const plain = (p: VectorPacket) => hex(p.plain);
/** The login chains (0x0091 … 0x0022) have their own layouts per family; everything after them is the table's. */
const CHAIN = new Set([0x91, 0x62, 0xba, 0xdd, 0x22]);
const systemOf = (s: VectorSession) => find(s, 's2c', ClassicCmd.SYSTEM_MESSAGE).map((p) => C.systemMessageCodec.decode(plain(p)));
/** The Qun messages a session got (store id → text), pidgin's trailing space dropped. */
function qunTexts(s: VectorSession): Map<number, string> {
  const out = new Map<number, string>();
  for (const p of find(s, 's2c', ClassicCmd.RECV_IM)) {
    const m = C.receiveImPushCodec.decode(plain(p));
    if (m.type !== Q.QunPushType.CLASSIC_IM || m.content.kind !== 'other') continue;
    out.set(m.serverSeq, decodeGb(splitFontTrailer(Q.readClassicQunIm(m.content.bytes).content).text).replace(/ $/, ''));
  }
  return out;
}

test('by hand, qq2007/qq2008: every recorded body after the login chain decodes with the command table', () => {
  assert.deepEqual(file.sessions.map((s) => [s.uid, s.version_tag]), [[20011, '0x111d'], [20012, '0x115b'], [20013, '0x0d55'], [20012, '0x115b']]);
  for (const s of file.sessions) {
    for (const p of s.packets.filter((x) => !CHAIN.has(x.command))) {
      const d = decodeBody('classic', p.command, p.dir, plain(p));
      assert.ok(d.ok, `${s.uid} ${p.dir} 0x${p.command.toString(16)} seq ${p.seq}: ${d.ok ? '' : d.error.message}`);
    }
  }
});

test('by hand, qq2007/qq2008: the 2007/08 add chain, approvals and refusals, removal, Qun join and chat, queued delivery — once each', () => {
  // qq2007 asks qq2008: 0x00A7 (needs authorization), 0x00AE (the code), 0x00A8 02 with its note; qq2008 approves (0x000B '0').
  assert.deepEqual(find(P07, 'c2s', ClassicCmd.ADD_FRIEND_EX).map((p) => C.uidU32Codec.decode(plain(p)).uid), [20012]);
  assert.equal(C.addExReplyCodec.decode(plain(recordedReply(P07, find(P07, 'c2s', ClassicCmd.ADD_FRIEND_EX)[0]!))).authType, C.AuthType.NEEDS_AUTH);
  const asks = (s: VectorSession) => find(s, 'c2s', ClassicCmd.ADD_FRIEND_AUTH_EX).map((p) => C.authExRequestCodec.decode(plain(p)))
    .map((a) => [a.sub, a.uid, decodeGb(a.note ?? Buffer.alloc(0))]);
  assert.deepEqual(asks(P07), [[C.AuthExSub.REQUEST, 20012, '我是二零零七，加我']]);
  assert.deepEqual(asks(P08), [[C.AuthExSub.REQUEST, 20013, 'I am pidgin 2008'], [C.AuthExSub.REQUEST, 20014, 'I am pidgin 2008']]);
  const answers = (s: VectorSession) => find(s, 'c2s', ClassicCmd.ADD_FRIEND_AUTH).map((p) => C.authRequestCodec.decode(plain(p)))
    .map((a) => [a.uid, a.action, decodeGb(a.text ?? Buffer.alloc(0))]);
  assert.deepEqual(answers(P08), [[20011, C.AuthAction.APPROVE, '']]);
  assert.deepEqual(answers(P08again), [[20014, C.AuthAction.APPROVE, '']]);
  // Refusals with a reason: qq2007 refuses qq2005, qq2005 refuses qq2008 (0x000B '1').
  assert.deepEqual(answers(P07), [[20013, C.AuthAction.REJECT, '2007 says no'], [20014, C.AuthAction.APPROVE, '']]);
  assert.deepEqual(answers(P05), [[20012, C.AuthAction.REJECT, '不认识你'], [20011, C.AuthAction.REQUEST, '我是2005']]);
  // What each was told, once each, the refusals' reasons ending in NUL.
  const told = (s: VectorSession) => systemOf(s).map((m) => [m.code, m.from, m.text]);
  assert.deepEqual(told(P07), [[3, 20012, ''], [2, 20013, '我是2005'], [2, 20014, '终端想加你']]);
  assert.deepEqual(told(P08), [[2, 20011, '我是二零零七，加我'], [4, 20013, '不认识你'], [4, 20014, 'not now'], [6, 20011, C.removedYouText(20011)]]);
  assert.deepEqual(told(P05), [[2, 20012, 'I am pidgin 2008'], [4, 20011, '2007 says no']]);
  assert.deepEqual(told(P08again), [[2, 20014, '终端离线请求']]);
  for (const p of [...find(P08, 's2c', ClassicCmd.SYSTEM_MESSAGE), ...find(P05, 's2c', ClassicCmd.SYSTEM_MESSAGE)]) {
    assert.equal(p.plain.endsWith('00'), p.plain.startsWith('34'), `seq ${p.seq}: NUL after a refusal's reason only`);
  }
  // Removal, the qq2007 way: 0x00AE sub 6 (remove), then 0x000A with the code and the uid.
  assert.deepEqual(find(P07, 'c2s', ClassicCmd.AUTH_CODE).map((p) => C.authCodeRequestCodec.decode(plain(p))), [{ cmd: 1, sub: 1, uid: 20012 }, { cmd: 1, sub: 6, uid: 20012 }]);
  assert.equal(find(P07, 'c2s', ClassicCmd.DELETE_FRIEND).length, 1);

  // Qun 100001: qq2007 and qq2008 search (06), join (07 → 02 needs authorization) and apply (08 01); the creator approves (08 02).
  for (const s of [P07, P08]) {
    assert.deepEqual(find(s, 'c2s', ClassicCmd.QUN, (p) => /^0[678]/.test(p.plain)).map((p) => p.plain.slice(0, 2)), ['06', '07', '08']);
    // Their info replies carry the qq2007 layout, so they read the Qun's name.
    for (const p of find(s, 's2c', ClassicCmd.QUN, (x) => x.plain.startsWith('04'))) {
      assert.equal(Q.readQunInfo(Q.qunReplyCodec.decode(plain(p)).data, 'qq2007').name.toString(), 'HandQun');
    }
  }
  assert.deepEqual(find(P05, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('08')).map((p) => Q.readQunAuth(Q.qunRequestCodec.decode(plain(p)).data)).map((a) => [a.opt, a.uid]),
    [[Q.QunAuthOpt.APPROVE, 20011], [Q.QunAuthOpt.APPROVE, 20012]]);
  for (const p of find(P05, 's2c', ClassicCmd.QUN, (x) => x.plain.startsWith('04'))) {
    assert.equal(Q.readQunInfo(Q.qunReplyCodec.decode(plain(p)).data).name.toString(), 'HandQun');
  }
  // Qun chat: each message reached each other member once (a retransmission keeps its store id).
  assert.deepEqual([...qunTexts(P07).values()], ['群主2005说：大家好', 'qq2008 in the Qun', '终端在群里', 'terminal while 2008 away']);
  assert.deepEqual([...qunTexts(P08).values()], ['群主2005说：大家好', '二零零七在群里说话', '终端在群里']);
  assert.deepEqual([...qunTexts(P05).values()], ['二零零七在群里说话', 'qq2008 in the Qun', '终端在群里', '二零零八不在时的群消息', 'terminal while 2008 away']);
  // qq2008 logged in again: its Qun info first (0x0030 04), then the two Qun messages queued while it was away, once each.
  const firstAsk = P08again.packets.findIndex((p) => p.dir === 'c2s' && p.command === ClassicCmd.QUN);
  const firstQueued = P08again.packets.findIndex((p) => p.dir === 's2c' && p.command === ClassicCmd.RECV_IM);
  assert.ok(firstAsk >= 0 && firstAsk < firstQueued, 'the Qun info was asked before the queued Qun messages came');
  assert.deepEqual([...qunTexts(P08again).values()], ['二零零八不在时的群消息', 'terminal while 2008 away']);
});

test("by hand, qq2007/qq2008, replayed: pidgin's recorded requests get the answers and pushes they got then", async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [
    { uid: 20011, password: 'p2007', nick: '皮钦二零零七' }, { uid: 20012, password: 'p2008', nick: 'Pidgin2008' },
    { uid: 20013, password: 'p2005', nick: '皮钦2005' }, { uid: 20014, password: 'term4', nick: '终端四' },
  ]);
  const q = store.createQun(20013, 'HandQun', QunPolicy.NEEDS_AUTH, 20);
  store.qunChange({ qun: q.id, join: { uid: 20014, role: 0 }, notices: [] });
  const p07 = await ClassicDriver.open(server.address.port, 20011, 'p2007', undefined, 0x111d);
  const p08 = await ClassicDriver.open(server.address.port, 20012, 'p2008', undefined, 0x115b);
  const p05 = await ClassicDriver.open(server.address.port, 20013, 'p2005');
  /** Sends a recorded request's plaintext and checks the reply against the recorded one. */
  async function same(d: ClassicDriver, s: VectorSession, req: VectorPacket): Promise<void> {
    const got = await d.request(req.command, plain(req)).catch((e: Error) => assert.fail(`0x${req.command.toString(16)} seq ${req.seq}: ${e.message}`));
    assert.equal(got.toString('hex'), recordedReply(s, req).plain, `0x${req.command.toString(16)} seq ${req.seq}`);
  }
  /** The next 0x0080 push, acked as pidgin does; its body must be the recorded one. */
  async function told(d: ClassicDriver, recorded: VectorPacket): Promise<void> {
    const p = await d.push(ClassicCmd.SYSTEM_MESSAGE).catch((e: Error) => assert.fail(`${d.uid} told (recorded seq ${recorded.seq}): ${e.message}`));
    const m = C.systemMessageCodec.decode(p.plain);
    d.fire(ClassicCmd.ACK_SYSTEM_MESSAGE, C.systemMessageAckCodec.encode({ code: m.code, from: m.from, seq: p.seq }));
    assert.equal(p.plain.toString('hex'), recorded.plain);
  }
  try {
    assert.equal((await p07.login2007()).login?.kind, 'success');
    assert.equal((await p08.login2007()).login?.kind, 'success');
    await p05.login();
    // As pidgin does, each asks something first (a classic client's pushes wait for its first request).
    // (and the creator asks its Qun's info, as pidgin does at login, which releases what waits for it).
    await same(p05, P05, find(P05, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('04'))[0]!);
    for (const d of [p07, p08, p05]) {
      await d.request(ClassicCmd.GET_USER_INFO, C.userInfoRequestCodec.encode({ uid: d.uid })).catch((e: Error) => assert.fail(`${d.uid} info: ${e.message}`));
    }
    // qq2007 asks qq2008 through the 2007/08 chain; qq2008 is asked and approves; qq2007 is told.
    for (const cmd of [0xa7, 0xae, 0xa8]) await same(p07, P07, find(P07, 'c2s', cmd)[0]!);
    await told(p08, find(P08, 's2c', ClassicCmd.SYSTEM_MESSAGE)[0]!);
    await same(p08, P08, find(P08, 'c2s', ClassicCmd.ADD_FRIEND_AUTH)[0]!);
    await told(p07, find(P07, 's2c', ClassicCmd.SYSTEM_MESSAGE)[0]!);
    assert.equal(store.areFriends(20011, 20012), true);
    // qq2008 asks qq2005, which refuses with a reason: qq2008 gets it NUL-terminated, as recorded.
    for (const cmd of [0xa7, 0xae, 0xa8]) await same(p08, P08, find(P08, 'c2s', cmd)[0]!);
    await told(p05, find(P05, 's2c', ClassicCmd.SYSTEM_MESSAGE)[0]!);
    await same(p05, P05, find(P05, 'c2s', ClassicCmd.ADD_FRIEND_AUTH)[0]!);
    await told(p08, find(P08, 's2c', ClassicCmd.SYSTEM_MESSAGE)[1]!);
    // qq2007 joins Qun 100001 (search, join, apply), the creator approves, and qq2007's info reply is byte for byte the recorded one.
    for (const sub of ['06', '07', '08']) await same(p07, P07, find(P07, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith(sub))[0]!);
    await same(p05, P05, find(P05, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('08') && p.plain.endsWith('4e2b00'))[0]!);
    await same(p07, P07, find(P07, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('04'))[0]!);
    // qq2007 removes qq2008 (0x00AE sub 6, 0x000A): qq2008 is told with a notice.
    await same(p07, P07, find(P07, 'c2s', ClassicCmd.AUTH_CODE)[1]!);
    await same(p07, P07, find(P07, 'c2s', ClassicCmd.DELETE_FRIEND)[0]!);
    await told(p08, find(P08, 's2c', ClassicCmd.SYSTEM_MESSAGE)[3]!);
    assert.equal(store.areFriends(20011, 20012), false);
  } finally {
    p07.close();
    p08.close();
    p05.close();
    await server.close();
  }
});

// A third run: qq2008 (20042) quits Qun 100001 of the qq2007 creator (20041) from its "Quit Qun" menu
// (test/vectors/by-hand-qun-quit-sessions.json).
const quit = loadRepoVectors<SessionsFile>('by-hand-qun-quit-sessions.json');
const [CREATOR, LEAVER] = quit.sessions as [VectorSession, VectorSession];

test('by hand, qq2008 quits a Qun (0x0030 09): the creator is told once, and later Qun messages reach the others only', () => {
  const quits = find(LEAVER, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith('09'));
  assert.deepEqual(quits.map((p) => Q.qunRequestCodec.decode(plain(p)).qun), [100001]);
  assert.equal(Q.qunReplyCodec.decode(plain(recordedReply(LEAVER, quits[0]!))).result, Q.QunResult.OK);
  const after = LEAVER.packets.slice(LEAVER.packets.indexOf(quits[0]!));
  assert.equal(after.filter((p) => p.dir === 's2c' && p.command === ClassicCmd.RECV_IM).length, 0, 'nothing from the Qun after quitting');
  const pushes = find(CREATOR, 's2c', ClassicCmd.RECV_IM).map((p) => C.receiveImPushCodec.decode(plain(p)));
  const left = pushes.filter((m) => m.type === Q.QunPushType.REMOVED);
  assert.deepEqual([...new Set(left.map((m) => m.serverSeq))].length, 1);
  assert.deepEqual([...qunTexts(CREATOR).values()], ['before I leave', 'terminal after 2008 left']);
});

test('by hand, qq2008 quits a Qun, replayed: the recorded quit gets the recorded answer and the member is gone', async () => {
  const { server, store } = await startServer();
  seedAccounts(store, [{ uid: 20041, password: 'q2007', nick: 'Creator07' }, { uid: 20042, password: 'q2008', nick: 'Member08' }, { uid: 20043, password: 'term43', nick: 'Term43' }]);
  const q = store.createQun(20041, 'LeaveQun', QunPolicy.NEEDS_AUTH, 20);
  for (const uid of [20042, 20043]) store.qunChange({ qun: q.id, join: { uid, role: 0 }, notices: [] });
  const d = await ClassicDriver.open(server.address.port, 20042, 'q2008', undefined, 0x115b);
  try {
    assert.equal((await d.login2007()).login?.kind, 'success');
    for (const sub of ['04', '0c', '09']) {
      const req = find(LEAVER, 'c2s', ClassicCmd.QUN, (p) => p.plain.startsWith(sub))[0]!;
      assert.equal((await d.request(req.command, plain(req))).toString('hex'), recordedReply(LEAVER, req).plain, `0x0030 ${sub}`);
    }
    assert.equal(store.isQunMember(q.id, 20042), false);
  } finally {
    d.close();
    await server.close();
  }
});
