// The Qun command and its pushes, field by field: the bodies pidgin 2.7.11 (classic 0x0030) and MyQQ 3.30 (modern
// 0x0002) exchanged with this server in the by-hand session (test/vectors), each field read at the offset written
// out here; every cut naming its field and offset, every value a field cannot hold refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Q from '../../src/protocol/bodies/qun.js';
import { textMsgBlock } from '../../src/protocol/bodies/modern/message.js';
import { DecodeError, EncodeError } from '../../src/protocol/errors.js';
import { failure, hex, type Field } from '../helpers/fields.js';
import { firstPlain, loadRepoVectors, packetsOf, type SessionsFile, type VectorSession } from '../helpers/vectors.js';

const social = loadRepoVectors<SessionsFile>('by-hand-social-sessions.json');
const pidgin = social.sessions[0]!;
const pidgin2 = social.sessions[1]!;
const myqq = social.sessions[3]!;

/** Plaintexts of the `dir` packets of `command` in a session whose body starts with `prefix` (hex). */
const plains = (s: VectorSession, dir: 'c2s' | 's2c', command: number, prefix: string) => packetsOf(s, dir, command, (p) => p.plain.startsWith(prefix)).map((p) => hex(p.plain));
const first = firstPlain;
const fixed = (n: number, b = 0x5a) => Buffer.alloc(n, b);
const gb = (h: string) => hex(h);

/** Cuts `data` at every length inside the fields and checks `read` fails naming the field at its offset. */
function cuts(read: (b: Buffer) => unknown, data: Buffer, fields: Field[]): void {
  for (const [name, off, len] of fields) {
    for (let n = off; n < off + len; n++) {
      let err: unknown;
      try {
        read(data.subarray(0, n));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof DecodeError, `cut at ${n}: a DecodeError`);
      assert.deepEqual([err.reason, err.field, err.offset], ['truncated', name, off], `cut at ${n}`);
    }
  }
}

/** Checks `write` refuses each bad value naming its field. */
function refuses(bads: [field: string, write: () => unknown][]): void {
  for (const [field, write] of bads) assert.throws(write, (e: unknown) => e instanceof EncodeError && e.field === field, field);
}

/** A text segment of 40 000 bytes: two of them overflow a u16 length, one does not. */
const BIG = { kind: 'text' as const, text: 'x'.repeat(40_000) };
const trailing = (at: number) => `trailing_bytes: 1 byte(s) left over (field end at offset ${at})`;
const plus0 = (b: Buffer) => Buffer.concat([b, hex('00')]);

test('Qun constants: sub-commands, results, join codes, options, policies, roles, push types', () => {
  assert.deepEqual(Q.QunSub, {
    CREATE: 1, MEMBER_OPT: 2, CHANGE_INFO: 3, GET_INFO: 4, ACTIVATE: 5, SEARCH: 6, JOIN: 7, AUTH: 8, QUIT: 9, SEND_IM: 10, GET_ONLINES: 11, GET_MEMBERS: 12,
    GET_NAMES: 15, CLASSIC_SEND_IM_EX: 0x1a, SEND_IM_EX: 0x2a, GET_INFO_EX: 0x72,
  });
  assert.deepEqual(Q.QunResult, { OK: 0, NOT_MEMBER: 2, NO_SUCH_QUN: 4, REFUSED: 0xff });
  assert.deepEqual(Q.QunJoin, { OK: 1, NEEDS_AUTH: 2, DENIED: 3 });
  assert.deepEqual(Q.QunAuthOpt, { APPLY: 1, APPROVE: 2, REJECT: 3 });
  assert.deepEqual(Q.QunAuthType, { OPEN: 1, NEEDS_AUTH: 2, CLOSED: 3 });
  assert.deepEqual(Q.QunRole, { MEMBER: 0, ADMIN: 1 });
  assert.equal(Q.QUN_TYPE_PERMANENT, 1);
  assert.deepEqual(Q.QunPushType, { ADDED: 0x21, REMOVED: 0x22, APPLY: 0x23, APPROVED: 0x24, REJECTED: 0x25, CLASSIC_IM: 0x2b, MODERN_IM: 0x52 });
  // The analyzer prints the codec's name.
  assert.deepEqual([Q.qunRequestCodec.name, Q.qunReplyCodec.name], ['qunRequest', 'qunReply']);
});

test('Qun request and reply: the Qun id after the sub-command except for create and search', () => {
  const get = first(pidgin, 'c2s', 0x0030, '04');
  assert.deepEqual(Q.qunRequestCodec.decode(get), { sub: Q.QunSub.GET_INFO, qun: 100001, data: Buffer.alloc(0) });
  assert.equal(Q.qunRequestCodec.encode({ sub: 4, qun: 100001, data: Buffer.alloc(0) }).toString('hex'), get.toString('hex'));
  const search = first(pidgin, 'c2s', 0x0030, '06');
  assert.deepEqual(Q.qunRequestCodec.decode(search), { sub: Q.QunSub.SEARCH, qun: 0, data: hex('01000186a2') });
  assert.equal(Q.qunRequestCodec.encode({ sub: 6, qun: 99, data: hex('01000186a2') }).toString('hex'), search.toString('hex'));
  assert.deepEqual(Q.qunRequestCodec.decode(hex('01 0102')), { sub: Q.QunSub.CREATE, qun: 0, data: hex('0102') });
  assert.equal(Q.qunRequestCodec.encode({ sub: 1, qun: 7, data: hex('0102') }).toString('hex'), '010102');
  assert.deepEqual(Q.qunRequestCodec.decode(hex('02 00000007 aa')), { sub: Q.QunSub.MEMBER_OPT, qun: 7, data: hex('aa') });
  assert.deepEqual(Q.qunRequestCodec.decode(hex('05 00000007')), { sub: Q.QunSub.ACTIVATE, qun: 7, data: Buffer.alloc(0) });
  cuts((b) => Q.qunRequestCodec.decode(b), get, [['sub', 0, 1], ['qun', 1, 4]]);
  refuses([['sub', () => Q.qunRequestCodec.encode({ sub: 256, qun: 0, data: Buffer.alloc(0) })], ['qun', () => Q.qunRequestCodec.encode({ sub: 4, qun: 2 ** 32, data: Buffer.alloc(0) })]]);

  const reply = first(pidgin, 's2c', 0x0030, '08');
  assert.deepEqual(Q.qunReplyCodec.decode(reply), { sub: Q.QunSub.AUTH, result: Q.QunResult.OK, data: hex('000186a1') });
  assert.equal(Q.qunReplyCodec.encode({ sub: 8, result: 0, data: hex('000186a1') }).toString('hex'), reply.toString('hex'));
  assert.deepEqual(Q.qunReplyCodec.decode(hex('04ff')), { sub: 4, result: 0xff, data: Buffer.alloc(0) });
  cuts((b) => Q.qunReplyCodec.decode(b), reply, [['sub', 0, 1], ['result', 1, 1]]);
  refuses([['sub', () => Q.qunReplyCodec.encode({ sub: -1, result: 0, data: Buffer.alloc(0) })], ['result', () => Q.qunReplyCodec.encode({ sub: 1, result: 256, data: Buffer.alloc(0) })]]);
  assert.equal(failure(() => Q.readQunData(hex('0001'), (r) => r.u8('x'))), trailing(1));
});

test('Qun create and change-info data: type, policy, category, the three texts, the members', () => {
  const create = hex('01' + '02' + '0000' + '0003' + '02 6162' + '0000' + '01 6e' + '01 69' + '00004e21 00004e22');
  const v: Q.QunCreate = { type: 1, authType: 2, category: 3, name: hex('6162'), notice: hex('6e'), intro: hex('69'), members: [20001, 20002] };
  assert.deepEqual(Q.readQunCreate(create), v);
  assert.equal(Q.writeQunCreate(v).toString('hex'), create.toString('hex'));
  assert.deepEqual(Q.readQunCreate(create.subarray(0, 15)), { ...v, members: [] });
  cuts(Q.readQunCreate, create, [
    ['type', 0, 1], ['authType', 1, 1], ['zero', 2, 2], ['category', 4, 2], ['name length', 6, 1], ['name', 7, 2], ['zero', 9, 2], ['notice length', 11, 1], ['notice', 12, 1],
    ['intro length', 13, 1], ['intro', 14, 1],
  ]);
  assert.equal(failure(() => Q.readQunCreate(create.subarray(0, 18))), 'truncated: 3 byte(s) is not a list of u32 (field members at offset 15)');
  assert.equal(failure(() => Q.readQunCreate(plus0(create))), 'truncated: 9 byte(s) is not a list of u32 (field members at offset 15)');
  refuses([
    ['type', () => Q.writeQunCreate({ ...v, type: 256 })], ['authType', () => Q.writeQunCreate({ ...v, authType: -1 })], ['category', () => Q.writeQunCreate({ ...v, category: 65536 })],
    ['name', () => Q.writeQunCreate({ ...v, name: fixed(256) })], ['notice', () => Q.writeQunCreate({ ...v, notice: fixed(256) })], ['intro', () => Q.writeQunCreate({ ...v, intro: fixed(256) })],
    ['members', () => Q.writeQunCreate({ ...v, members: [2 ** 32] })],
  ]);

  const change = hex('01' + '03' + '0000' + '0005' + '02 6162' + '0000' + '00' + '01 69');
  const c: Q.QunChangeInfo = { authType: 3, category: 5, name: hex('6162'), notice: Buffer.alloc(0), intro: hex('69') };
  assert.deepEqual(Q.readQunChangeInfo(change), c);
  assert.equal(Q.writeQunChangeInfo(c).toString('hex'), change.toString('hex'));
  cuts(Q.readQunChangeInfo, change, [
    ['flag', 0, 1], ['authType', 1, 1], ['zero', 2, 2], ['category', 4, 2], ['name length', 6, 1], ['name', 7, 2], ['zero', 9, 2], ['notice length', 11, 1], ['intro length', 12, 1], ['intro', 13, 1],
  ]);
  assert.equal(failure(() => Q.readQunChangeInfo(plus0(change))), trailing(14));
  refuses([
    ['authType', () => Q.writeQunChangeInfo({ ...c, authType: 256 })], ['category', () => Q.writeQunChangeInfo({ ...c, category: -1 })], ['name', () => Q.writeQunChangeInfo({ ...c, name: fixed(256) })],
    ['notice', () => Q.writeQunChangeInfo({ ...c, notice: fixed(256) })], ['intro', () => Q.writeQunChangeInfo({ ...c, intro: fixed(256) })],
  ]);
});

test('Qun search, auth, classic send and member list data: the recorded pidgin requests', () => {
  const search = Q.qunRequestCodec.decode(first(pidgin, 'c2s', 0x0030, '06')).data;
  assert.deepEqual(Q.readQunSearch(search), { type: 1, ext: 100002 });
  assert.equal(Q.writeQunSearch({ type: 1, ext: 100002 }).toString('hex'), search.toString('hex'));
  cuts(Q.readQunSearch, search, [['type', 0, 1], ['ext', 1, 4]]);
  assert.equal(failure(() => Q.readQunSearch(plus0(search))), trailing(5));
  refuses([['type', () => Q.writeQunSearch({ type: 256, ext: 1 })], ['ext', () => Q.writeQunSearch({ type: 1, ext: 2 ** 32 })]]);

  const auths = plains(pidgin, 'c2s', 0x0030, '08').map((b) => Q.qunRequestCodec.decode(b));
  assert.deepEqual(auths.map((a) => [a.qun, Q.readQunAuth(a.data)]), [[100001, { opt: Q.QunAuthOpt.APPROVE, uid: 20003, note: Buffer.alloc(0) }], [100001, { opt: Q.QunAuthOpt.APPROVE, uid: 20004, note: Buffer.alloc(0) }]]);
  const auth = hex('01' + '00000000' + '02 6869');
  assert.deepEqual(Q.readQunAuth(auth), { opt: 1, uid: 0, note: hex('6869') });
  assert.equal(Q.writeQunAuth({ opt: 1, uid: 0, note: hex('6869') }).toString('hex'), auth.toString('hex'));
  cuts(Q.readQunAuth, auth, [['opt', 0, 1], ['uid', 1, 4], ['note length', 5, 1], ['note', 6, 2]]);
  assert.equal(failure(() => Q.readQunAuth(plus0(auth))), trailing(8));
  refuses([['opt', () => Q.writeQunAuth({ opt: 256, uid: 0, note: Buffer.alloc(0) })], ['uid', () => Q.writeQunAuth({ opt: 1, uid: -1, note: Buffer.alloc(0) })], ['note', () => Q.writeQunAuth({ opt: 1, uid: 0, note: fixed(256) })]]);

  const send = Q.qunRequestCodec.decode(first(pidgin, 'c2s', 0x0030, '0a'));
  assert.equal(send.qun, 100001);
  assert.equal(send.data.readUInt16BE(0), 37);
  const content = Q.readQunSendIm(send.data);
  assert.equal(content.toString('hex'), send.data.subarray(2).toString('hex'));
  // The GB18030 text, then the font trailer (宋体, its own length 0x0D last).
  assert.equal(content.subarray(content.length - 13).toString('hex'), '000a000000008602cbcecce50d');
  assert.equal(Q.writeQunSendIm(content).toString('hex'), send.data.toString('hex'));
  cuts(Q.readQunSendIm, send.data, [['length', 0, 2], ['text', 2, 37]]);
  assert.equal(failure(() => Q.readQunSendIm(plus0(send.data))), trailing(39));
  refuses([['text', () => Q.writeQunSendIm(fixed(65536))]]);

  const members = Q.qunRequestCodec.decode(first(pidgin2, 'c2s', 0x0030, '0c'));
  assert.deepEqual([members.qun, Q.readUidList(members.data)], [100001, [20003, 20004]]);
  assert.equal(Q.writeUidList([20003, 20004]).toString('hex'), members.data.toString('hex'));
  assert.deepEqual(Q.readUidList(Buffer.alloc(0)), []);
  assert.equal(failure(() => Q.readUidList(members.data.subarray(0, 7))), 'truncated: 7 byte(s) is not a list of u32 (field uids at offset 0)');
  refuses([['uids', () => Q.writeUidList([1, 2 ** 32])]]);
});

test('Qun modern send (0x2A): the recorded MyQQ request, its length checked, the MSG block read', () => {
  const req = Q.qunRequestCodec.decode(first(myqq, 'c2s', 0x0002, '2a'));
  assert.equal(req.qun, 100001);
  const data = req.data;
  // u16 length (of what follows), content type u16 at 2, fragment count at 4, index at 5, message id u16 at 6, u32 0, MSG block at 12.
  assert.deepEqual([data.readUInt16BE(0), data.readUInt16BE(2), data[4], data[5], data.readUInt16BE(6), data.readUInt32BE(8)], [data.length - 2, 1, 1, 0, 0, 0]);
  assert.equal(data.subarray(12, 15).toString('latin1'), 'MSG');
  const v = Q.readQunSendImEx(data);
  assert.deepEqual([v.contentType, v.fragCount, v.fragIndex, v.msgId], [1, 1, 0, 0]);
  assert.equal(v.block.time2, 0x6b083fa7);
  assert.deepEqual(v.block.segments, [{ kind: 'text', text: 'MyQQ 在群里说话' }]);
  assert.equal(Q.writeQunSendImEx(v).toString('hex'), data.toString('hex'));
  assert.equal(failure(() => Q.readQunSendImEx(plus0(data))), `bad_value: length ${data.length - 2}, ${data.length - 1} byte(s) follow (field length at offset 0)`);
  const short = Buffer.from(data.subarray(0, data.length - 1));
  assert.equal(failure(() => Q.readQunSendImEx(short)), `bad_value: length ${data.length - 2}, ${data.length - 3} byte(s) follow (field length at offset 0)`);
  const small = hex('0005' + '0001' + '02' + '01' + '00');
  assert.equal(failure(() => Q.readQunSendImEx(small)), 'truncated: need 2 byte(s), 1 left (field msgId at offset 6)');
  for (const [name, at, n] of [['contentType', 2, 1], ['fragCount', 4, 2], ['fragIndex', 5, 3], ['msgId', 6, 4], ['zero', 8, 6]] as const) {
    const b = Buffer.concat([hex('0000'), data.subarray(2, 2 + n)]);
    b.writeUInt16BE(n, 0);
    const err = (() => { try { Q.readQunSendImEx(b); } catch (e) { return e; } })();
    assert.ok(err instanceof DecodeError && err.reason === 'truncated' && err.field === name && err.offset === at, `${name}: ${String(err)}`);
  }
  assert.equal(failure(() => Q.readQunSendImEx(hex('00'))), 'truncated: need 2 byte(s), 1 left (field length at offset 0)');
  const w = { contentType: 1, fragCount: 1, fragIndex: 0, msgId: 9, block: textMsgBlock('hi', 5, 9) };
  assert.equal(Q.writeQunSendImEx(w).subarray(0, 12).toString('hex'), Q.writeQunSendImEx(w).readUInt16BE(0).toString(16).padStart(4, '0') + '0001' + '01' + '00' + '0009' + '00000000');
  assert.deepEqual(Q.readQunSendImEx(Q.writeQunSendImEx(w)), w);
  refuses([
    ['contentType', () => Q.writeQunSendImEx({ ...w, contentType: 65536 })], ['fragCount', () => Q.writeQunSendImEx({ ...w, fragCount: 256 })],
    ['fragIndex', () => Q.writeQunSendImEx({ ...w, fragIndex: -1 })], ['msgId', () => Q.writeQunSendImEx({ ...w, msgId: 65536 })],
    ['content', () => Q.writeQunSendImEx({ ...w, block: { ...w.block, segments: [BIG, BIG] } })],
  ]);
});

test('Qun replies: created, id, joined, onlines (recorded), member cards (recorded), names', () => {
  assert.equal(Q.writeQunCreated(100001, 100002).toString('hex'), '000186a1' + '000186a2');
  assert.deepEqual(Q.readQunCreated(hex('000186a1000186a2')), { id: 100001, ext: 100002 });
  cuts(Q.readQunCreated, hex('000186a1000186a2'), [['id', 0, 4], ['ext', 4, 4]]);
  assert.equal(failure(() => Q.readQunCreated(hex('000186a1000186a200'))), trailing(8));
  refuses([['id', () => Q.writeQunCreated(-1, 0)], ['ext', () => Q.writeQunCreated(0, 2 ** 32)]]);

  const idOnly = Q.qunReplyCodec.decode(first(pidgin, 's2c', 0x0030, '0a')).data;
  assert.equal(Q.readQunId(idOnly), 100001);
  assert.equal(Q.writeQunId(100001).toString('hex'), idOnly.toString('hex'));
  // Extra bytes after the id are ignored, as clients do.
  assert.equal(Q.readQunId(hex('000186a1 ff')), 100001);
  cuts(Q.readQunId, idOnly, [['id', 0, 4]]);
  refuses([['id', () => Q.writeQunId(2 ** 32)]]);

  const joined = Q.qunReplyCodec.decode(first(pidgin, 's2c', 0x0030, '07')).data;
  assert.deepEqual(Q.readQunJoined(joined), { id: 100002, code: Q.QunJoin.OK });
  assert.equal(Q.writeQunJoined(100002, 1).toString('hex'), joined.toString('hex'));
  cuts(Q.readQunJoined, joined, [['id', 0, 4], ['code', 4, 1]]);
  assert.equal(failure(() => Q.readQunJoined(plus0(joined))), trailing(5));
  refuses([['id', () => Q.writeQunJoined(-1, 1)], ['code', () => Q.writeQunJoined(1, 256)]]);

  const onl = Q.qunReplyCodec.decode(first(myqq, 's2c', 0x0002, '0b')).data;
  // id, 0x3C, the online uids.
  assert.equal(onl[4], 0x3c);
  assert.deepEqual(Q.readQunOnlines(onl), { id: 100001, online: [20001, 20002] });
  assert.equal(Q.writeQunOnlines(100001, [20001, 20002]).toString('hex'), onl.toString('hex'));
  assert.deepEqual(Q.readQunOnlines(hex('000186a1 3c')), { id: 100001, online: [] });
  cuts(Q.readQunOnlines, onl, [['id', 0, 4], ['unknown', 4, 1]]);
  assert.equal(failure(() => Q.readQunOnlines(onl.subarray(0, 8))), 'truncated: 3 byte(s) is not a list of u32 (field uids at offset 5)');
  refuses([['id', () => Q.writeQunOnlines(-1, [])], ['uids', () => Q.writeQunOnlines(1, [1, -1])]]);

  const cards = Q.qunReplyCodec.decode(first(pidgin2, 's2c', 0x0030, '0c')).data;
  // id, then uid u32, face u16, age u8, gender u8, tok8 nick, 4 bytes.
  const expected: Q.QunMemberCard[] = [
    { uid: 20003, face: 0, age: 0, gender: 0xff, nick: gb('d6d5b6cb') },
    { uid: 20004, face: 0, age: 0, gender: 0xff, nick: Buffer.from('Pidgin2') },
  ];
  assert.deepEqual(Q.readQunMembers(cards), { id: 100001, cards: expected });
  assert.equal(Q.writeQunMembers(100001, expected).toString('hex'), cards.toString('hex'));
  const one = hex('000186a1' + '00004e23' + '0102' + '03' + '01' + '02 6162' + '00000000');
  assert.deepEqual(Q.readQunMembers(one), { id: 100001, cards: [{ uid: 20003, face: 0x102, age: 3, gender: 1, nick: hex('6162') }] });
  cuts(Q.readQunMembers, one, [['id', 0, 4], ['face', 8, 2], ['age', 10, 1], ['gender', 11, 1], ['nick length', 12, 1], ['nick', 13, 2], ['skip', 15, 4]]);
  for (let n = 5; n < 8; n++) assert.equal(failure(() => Q.readQunMembers(one.subarray(0, n))), `truncated: need 4 byte(s), ${n - 4} left (field uid at offset 4)`);
  refuses([
    ['id', () => Q.writeQunMembers(-1, [])], ['uid', () => Q.writeQunMembers(1, [{ ...expected[0]!, uid: -1 }])], ['face', () => Q.writeQunMembers(1, [{ ...expected[0]!, face: 65536 }])],
    ['age', () => Q.writeQunMembers(1, [{ ...expected[0]!, age: 256 }])], ['gender', () => Q.writeQunMembers(1, [{ ...expected[0]!, gender: 256 }])],
    ['nick', () => Q.writeQunMembers(1, [{ ...expected[0]!, nick: fixed(256) }])],
  ]);

  // Modern GET_NAMES: id, position u32 0, u32 0, then uid and tok8 name per member.
  assert.equal(Q.writeQunNames(100001, [{ uid: 20001, name: hex('6162') }, { uid: 20002, name: Buffer.alloc(0) }]).toString('hex'), '000186a1' + '00000000' + '00000000' + '00004e21' + '02' + '6162' + '00004e22' + '00');
  refuses([['id', () => Q.writeQunNames(-1, [])], ['uid', () => Q.writeQunNames(1, [{ uid: 2 ** 32, name: Buffer.alloc(0) }])], ['name', () => Q.writeQunNames(1, [{ uid: 1, name: fixed(256) }])]]);
});

const INFO: Q.QunInfo = {
  id: 100001, ext: 100001, type: Q.QUN_TYPE_PERMANENT, creator: 20001, authType: Q.QunAuthType.NEEDS_AUTH, category: 0, maxMembers: 500,
  name: gb('cad6b9a4c8ba'), notice: Buffer.alloc(0), intro: Buffer.alloc(0),
  members: [{ uid: 20001, org: 0, role: Q.QunRole.ADMIN }, { uid: 20002, org: 0, role: Q.QunRole.MEMBER }],
};

test('Qun info (classic GET_INFO): the recorded reply, every field at its offset', () => {
  const data = Q.qunReplyCodec.decode(first(pidgin, 's2c', 0x0030, '04')).data;
  assert.deepEqual([data.readUInt32BE(0), data.readUInt32BE(4), data[8], data.readUInt32BE(13), data[17], data.readUInt32BE(24), data.readUInt16BE(28), data[32]], [100001, 100001, 1, 20001, 2, 0, 500, 6]);
  assert.deepEqual(Q.readQunInfo(data), INFO);
  assert.equal(Q.writeQunInfo(INFO).toString('hex'), data.toString('hex'));
  const b = hex('00000001' + '00000002' + '03' + '00000000' + '00000004' + '05' + '00000000' + '0000' + '00000006' + '0007' + '00' + '00' + '01 61' + '0000' + '01 62' + '01 63' + '00000008 09 0a');
  const v: Q.QunInfo = { id: 1, ext: 2, type: 3, creator: 4, authType: 5, category: 6, maxMembers: 7, name: hex('61'), notice: hex('62'), intro: hex('63'), members: [{ uid: 8, org: 9, role: 10 }] };
  assert.deepEqual(Q.readQunInfo(b), v);
  assert.equal(Q.writeQunInfo(v).toString('hex'), b.toString('hex'));
  cuts(Q.readQunInfo, b, [
    ['id', 0, 4], ['ext', 4, 4], ['type', 8, 1], ['unknown', 9, 4], ['creator', 13, 4], ['authType', 17, 1], ['oldCategory', 18, 4], ['unknown', 22, 2], ['category', 24, 4],
    ['maxMembers', 28, 2], ['unknown', 30, 1], ['unknown', 31, 1], ['name length', 32, 1], ['name', 33, 1], ['unknown', 34, 2], ['notice length', 36, 1], ['notice', 37, 1],
    ['intro length', 38, 1], ['intro', 39, 1], ['org', 44, 1], ['role', 45, 1],
  ]);
  for (let n = 41; n < 44; n++) assert.equal(failure(() => Q.readQunInfo(b.subarray(0, n))), `truncated: need 4 byte(s), ${n - 40} left (field uid at offset 40)`);
  assert.deepEqual(Q.readQunInfo(b.subarray(0, 40)), { ...v, members: [] });
  refuses(([['id', 4], ['ext', 4], ['type', 1], ['creator', 4], ['authType', 1], ['category', 4], ['maxMembers', 2]] as const).map(([f, w]) => [f, () => Q.writeQunInfo({ ...v, [f]: 2 ** (8 * w) })]));
  refuses([
    ['name', () => Q.writeQunInfo({ ...v, name: fixed(256) })], ['notice', () => Q.writeQunInfo({ ...v, notice: fixed(256) })], ['intro', () => Q.writeQunInfo({ ...v, intro: fixed(256) })],
    ['uid', () => Q.writeQunInfo({ ...v, members: [{ uid: -1, org: 0, role: 0 }] })], ['org', () => Q.writeQunInfo({ ...v, members: [{ uid: 1, org: 256, role: 0 }] })],
    ['role', () => Q.writeQunInfo({ ...v, members: [{ uid: 1, org: 0, role: 256 }] })],
  ]);
});

test('Qun info (classic GET_INFO) for pidgin qq2007/qq2008: the recorded reply with 7 more bytes before the name', () => {
  const hand = loadRepoVectors<SessionsFile>('by-hand-2007-social-sessions.json');
  const d2007 = Q.qunReplyCodec.decode(first(hand.sessions[1]!, 's2c', 0x0030, '04')).data;
  const d2005 = Q.qunReplyCodec.decode(first(hand.sessions[2]!, 's2c', 0x0030, '04')).data;
  // As qq2005 up to the two bytes at 30 and 31, then 7 bytes at 32 (00 00 01 00 00 00 fc), tok8 name at 39, u16 at 47, notice at 49, intro at 50, members from 51.
  assert.deepEqual([d2007.subarray(32, 39).toString('hex'), d2007[39], d2007.subarray(40, 47).toString(), d2005[32]], ['000001000000fc', 7, 'HandQun', 7]);
  const info: Q.QunInfo = {
    id: 100001, ext: 100001, type: 1, creator: 20013, authType: 2, category: 0, maxMembers: 500, name: Buffer.from('HandQun'), notice: Buffer.alloc(0), intro: Buffer.alloc(0),
    members: [{ uid: 20013, org: 0, role: 1 }, { uid: 20011, org: 0, role: 0 }, { uid: 20012, org: 0, role: 0 }, { uid: 20014, org: 0, role: 0 }],
  };
  assert.deepEqual(Q.readQunInfo(d2007, 'qq2007'), info);
  assert.equal(Q.writeQunInfo(info, 'qq2007').toString('hex'), d2007.toString('hex'));
  const info2005 = { ...info, members: [info.members[0]!, info.members[3]!] };
  assert.deepEqual(Q.readQunInfo(d2005, 'qq2005'), info2005);
  assert.equal(Q.writeQunInfo(info2005).toString('hex'), d2005.toString('hex'));
  assert.equal(Q.writeQunInfo(info2005, 'qq2005').toString('hex'), d2005.toString('hex'));
  // Read in the other layout, each misreads: the 7 bytes are taken for the name, or the name for them.
  const tryRead = (b: Buffer, d: Q.QunInfoDialect): unknown => { try { return Q.readQunInfo(b, d); } catch (e) { return e; } };
  assert.notDeepEqual(tryRead(d2007, 'qq2005'), info);
  assert.notDeepEqual(tryRead(d2005, 'qq2007'), info2005);
  for (let n = 32; n < 39; n++) {
    assert.equal(failure(() => Q.readQunInfo(d2007.subarray(0, n), 'qq2007')), `truncated: need 7 byte(s), ${n - 32} left (field qq2007 extra at offset 32)`);
  }
});

test('Qun info (modern GET_INFO_EX): the recorded MyQQ reply, status 3, the page of members', () => {
  const data = Q.qunReplyCodec.decode(first(myqq, 's2c', 0x0002, '72')).data;
  // id, ext, u16 0, 00, status 03 at 11, type at 12, u32, creator at 17, policy at 21, 6 bytes, category at 28, max at 32, 9 bytes, name at 43.
  assert.deepEqual([data.readUInt32BE(0), data.readUInt32BE(4), data[11], data[12], data.readUInt32BE(17), data[21], data.readUInt32BE(28), data.readUInt16BE(32), data[43]], [100001, 100001, 3, 1, 20001, 2, 0, 500, 9]);
  const info = { ...INFO, name: Buffer.from('手工群', 'utf8') };
  // Recorded before the fix: no u16 after the token, so MyQQ read its members 2 bytes late (uids 0x4e210001 and
  // 0x4e220000 in its next member-card request). The reply it needs has 00 05 there, then the same bytes.
  const tail = data.length - 5 - 6 * info.members.length;
  assert.equal(failure(() => Q.readQunInfoEx(data)), `truncated: need 1 byte(s), 0 left (field org at offset ${data.length})`);
  const fixed5 = Buffer.concat([data.subarray(0, tail), hex('0005'), data.subarray(tail)]);
  assert.deepEqual(Q.readQunInfoEx(fixed5), { info, lastUid: 20002, more: false });
  assert.equal(Q.writeQunInfoEx(info, 20002, false).toString('hex'), fixed5.toString('hex'));

  const b = hex('00000001' + '00000002' + '0000' + '00' + '03' + '04' + '00000000' + '00000005' + '06' + '000000000000' + '00000007' + '0008' + '000000000000000000' + '01 61' + '00' + '00' + '01 62' + '01 63' + '0000' + '0005' + '00000009' + '01' + '0000000a 0b 0c');
  const v = { info: { id: 1, ext: 2, type: 4, creator: 5, authType: 6, category: 7, maxMembers: 8, name: hex('61'), notice: hex('62'), intro: hex('63'), members: [{ uid: 10, org: 11, role: 12 }] }, lastUid: 9, more: true };
  assert.deepEqual(Q.readQunInfoEx(b), v);
  assert.equal(Q.writeQunInfoEx(v.info, 9, true).toString('hex'), b.toString('hex'));
  const more2 = Buffer.from(b);
  more2[59] = 2;
  assert.equal(Q.readQunInfoEx(more2).more, true);
  cuts(Q.readQunInfoEx, b, [
    ['id', 0, 4], ['ext', 4, 4], ['zero', 8, 2], ['zero', 10, 1], ['status', 11, 1], ['type', 12, 1], ['unknown', 13, 4], ['creator', 17, 4], ['authType', 21, 1], ['skip', 22, 6],
    ['category', 28, 4], ['maxMembers', 32, 2], ['skip', 34, 9], ['name length', 43, 1], ['name', 44, 1], ['zero', 45, 1], ['separator', 46, 1], ['notice length', 47, 1], ['notice', 48, 1],
    ['intro length', 49, 1], ['intro', 50, 1], ['token length', 51, 2], ['tail', 53, 2], ['lastUid', 55, 4], ['more', 59, 1], ['org', 64, 1], ['role', 65, 1],
  ]);
  for (let n = 61; n < 64; n++) assert.equal(failure(() => Q.readQunInfoEx(b.subarray(0, n))), `truncated: need 4 byte(s), ${n - 60} left (field uid at offset 60)`);
  const st = Buffer.from(b);
  st[11] = 2;
  assert.equal(failure(() => Q.readQunInfoEx(st)), 'bad_value: expected 0x3, got 0x2 (field status at offset 11)');
  // A token (u16 length) before the last uid is skipped.
  const tok = Buffer.concat([b.subarray(0, 51), hex('0002 eeee'), b.subarray(53)]);
  assert.deepEqual(Q.readQunInfoEx(tok), v);
  refuses([['lastUid', () => Q.writeQunInfoEx(v.info, -1, false)], ['type', () => Q.writeQunInfoEx({ ...v.info, type: 256 }, 0, false)], ['maxMembers', () => Q.writeQunInfoEx({ ...v.info, maxMembers: 65536 }, 0, false)]]);
  refuses(([['id', 4], ['ext', 4], ['creator', 4], ['authType', 1], ['category', 4]] as const).map(([f, w]) => [f, () => Q.writeQunInfoEx({ ...v.info, [f]: 2 ** (8 * w) }, 0, false)]));
  refuses([
    ['name', () => Q.writeQunInfoEx({ ...v.info, name: fixed(256) }, 0, false)], ['notice', () => Q.writeQunInfoEx({ ...v.info, notice: fixed(256) }, 0, false)],
    ['intro', () => Q.writeQunInfoEx({ ...v.info, intro: fixed(256) }, 0, false)], ['uid', () => Q.writeQunInfoEx({ ...v.info, members: [{ uid: -1, org: 0, role: 0 }] }, 0, false)],
    ['org', () => Q.writeQunInfoEx({ ...v.info, members: [{ uid: 1, org: 256, role: 0 }] }, 0, false)], ['role', () => Q.writeQunInfoEx({ ...v.info, members: [{ uid: 1, org: 0, role: 256 }] }, 0, false)],
  ]);
});

test('Qun found (classic SEARCH reply): the recorded reply, every field at its offset', () => {
  const data = Q.qunReplyCodec.decode(first(pidgin, 's2c', 0x0030, '06')).data;
  // search type, id at 1, ext at 5, type at 9, 4 bytes, creator at 14, 6 bytes, category at 24, name at 28.
  assert.deepEqual([data[0], data.readUInt32BE(1), data.readUInt32BE(5), data[9], data.readUInt32BE(14), data.readUInt32BE(24), data[28]], [1, 100002, 100002, 1, 20003, 0, 7]);
  assert.deepEqual(Q.readQunFound(data), { id: 100002, ext: 100002, creator: 20003, authType: Q.QunAuthType.OPEN, name: Buffer.from('OpenQun'), intro: Buffer.alloc(0) });
  const q: Q.QunInfo = { ...INFO, id: 100002, ext: 100002, creator: 20003, authType: 1, name: Buffer.from('OpenQun'), members: [] };
  assert.equal(Q.writeQunFound(1, q).toString('hex'), data.toString('hex'));
  const b = hex('01' + '00000002' + '00000003' + '04' + '00000000' + '00000005' + '000000000000' + '00000006' + '01 61' + '0000' + '07' + '01 62');
  assert.deepEqual(Q.readQunFound(b), { id: 2, ext: 3, creator: 5, authType: 7, name: hex('61'), intro: hex('62') });
  assert.equal(Q.writeQunFound(1, { ...q, id: 2, ext: 3, type: 4, creator: 5, category: 6, authType: 7, name: hex('61'), intro: hex('62') }).toString('hex'), b.toString('hex'));
  cuts(Q.readQunFound, b, [
    ['searchType', 0, 1], ['id', 1, 4], ['ext', 5, 4], ['type', 9, 1], ['skip', 10, 4], ['creator', 14, 4], ['skip', 18, 6], ['category', 24, 4], ['name length', 28, 1], ['name', 29, 1],
    ['unknown', 30, 2], ['authType', 32, 1], ['intro length', 33, 1], ['intro', 34, 1],
  ]);
  assert.equal(failure(() => Q.readQunFound(plus0(b))), trailing(35));
  refuses([['searchType', () => Q.writeQunFound(256, q)]]);
  refuses(([['id', 4], ['ext', 4], ['type', 1], ['creator', 4], ['category', 4], ['authType', 1]] as const).map(([f, w]) => [f, () => Q.writeQunFound(1, { ...q, [f]: 2 ** (8 * w) })]));
  refuses([['name', () => Q.writeQunFound(1, { ...q, name: fixed(256) })], ['intro', () => Q.writeQunFound(1, { ...q, intro: fixed(256) })]]);
});

/** The body of a recorded 0x0017 push after its 20-byte routing head, whose type is `type`. */
function pushBody(s: VectorSession, type: number): Buffer {
  const p = s.packets.find((x) => x.dir === 's2c' && x.command === 0x0017 && hex(x.plain).length > 20 && hex(x.plain).readUInt16BE(18) === type);
  assert.ok(p, `recorded push of type 0x${type.toString(16)}`);
  return hex(p.plain).subarray(20);
}

test('Qun pushes: the recorded classic and modern messages and the notices, every field at its offset', () => {
  const classic = pushBody(pidgin, Q.QunPushType.CLASSIC_IM);
  const c = Q.readClassicQunIm(classic);
  // ext, type at 4, sender at 5, u16 at 9, msgSeq at 11, time at 13, version at 17, length at 21, then content type, fragments, id, u32 0.
  assert.deepEqual([classic.readUInt32BE(0), classic[4], classic.readUInt32BE(5), classic.readUInt16BE(11), classic.readUInt32BE(13), classic.readUInt16BE(21)], [100001, 1, 20002, c.msgSeq, c.time, classic.length - 23]);
  assert.deepEqual({ ...c, content: undefined }, { ext: 100001, type: 1, sender: 20002, msgSeq: 0xd636, time: 0x6b083fa7, contentType: 1, fragCount: 1, fragIndex: 0, msgId: 0xd636, content: undefined });
  assert.equal(c.content.toString('hex'), classic.subarray(33).toString('hex'));
  assert.equal(Q.writeClassicQunIm(c).toString('hex'), classic.toString('hex'));
  const cb = Buffer.concat([hex('00000001' + '02' + '00000003' + '0001' + '0004' + '00000005' + '00000000' + '000c' + '0006' + '07' + '08' + '0009' + '00000000'), hex('6162')]);
  const cv: Q.ClassicQunIm = { ext: 1, type: 2, sender: 3, msgSeq: 4, time: 5, contentType: 6, fragCount: 7, fragIndex: 8, msgId: 9, content: hex('6162') };
  assert.deepEqual(Q.readClassicQunIm(cb), cv);
  assert.equal(Q.writeClassicQunIm(cv).toString('hex'), cb.toString('hex'));
  cuts(Q.readClassicQunIm, cb, [['ext', 0, 4], ['type', 4, 1], ['sender', 5, 4], ['unknown', 9, 2], ['msgSeq', 11, 2], ['time', 13, 4], ['version', 17, 4], ['length', 21, 2]]);
  assert.equal(failure(() => Q.readClassicQunIm(plus0(cb))), 'bad_value: length 12, 13 byte(s) follow (field length at offset 21)');
  assert.equal(failure(() => Q.readClassicQunIm(cb.subarray(0, 34))), 'bad_value: length 12, 11 byte(s) follow (field length at offset 21)');
  for (const [name, at, keep] of [['contentType', 23, 1], ['fragCount', 25, 2], ['fragIndex', 26, 3], ['msgId', 27, 5], ['zero', 29, 7]] as const) {
    const b = Buffer.from(cb.subarray(0, 23 + keep));
    b.writeUInt16BE(keep, 21);
    const err = (() => { try { Q.readClassicQunIm(b); } catch (e) { return e; } })();
    assert.ok(err instanceof DecodeError && err.reason === 'truncated' && err.field === name && err.offset === at, `${name}: ${String(err)}`);
  }
  refuses(([['ext', 4], ['type', 1], ['sender', 4], ['msgSeq', 2], ['time', 4], ['contentType', 2], ['fragCount', 1], ['fragIndex', 1], ['msgId', 2]] as const)
    .map(([f, w]) => [f, () => Q.writeClassicQunIm({ ...cv, [f]: 2 ** (8 * w) })]));
  refuses([['length', () => Q.writeClassicQunIm({ ...cv, content: fixed(65526) })]]);

  const modern = pushBody(myqq, Q.QunPushType.MODERN_IM);
  const m = Q.readModernQunIm(modern);
  // u32 0, ext at 4, type at 8, sender at 9, u16 0, msgId at 15, time at 17, version at 21, length at 25, content at 27.
  assert.deepEqual([modern.readUInt32BE(4), modern[8], modern.readUInt32BE(9), modern.readUInt16BE(15), modern.readUInt32BE(17), modern.readUInt16BE(25)], [100001, 1, 20001, m.msgId, m.time, modern.length - 27]);
  assert.deepEqual([m.ext, m.type, m.sender, m.time, m.contentType, m.fragCount, m.fragIndex], [100001, 1, 20001, 0x6b083fa2, 1, 1, 0]);
  assert.deepEqual(m.block.segments, [{ kind: 'text', text: '大家好，我是群主皮钦一号' }]);
  assert.equal(Q.writeModernQunIm(m).toString('hex'), modern.toString('hex'));
  const mv: Q.ModernQunIm = { ext: 1, type: 2, sender: 3, msgId: 4, time: 5, contentType: 6, fragCount: 7, fragIndex: 8, block: textMsgBlock('hi', 5, 4) };
  const mb = Q.writeModernQunIm(mv);
  assert.equal(mb.subarray(0, 37).toString('hex'), '00000000' + '00000001' + '02' + '00000003' + '0000' + '0004' + '00000005' + '00000000' + mb.readUInt16BE(25).toString(16).padStart(4, '0') + '0006' + '07' + '08' + '0004' + '00000000');
  assert.equal(mb.readUInt16BE(25), mb.length - 27);
  assert.deepEqual(Q.readModernQunIm(mb), mv);
  cuts(Q.readModernQunIm, mb, [['zero', 0, 4], ['ext', 4, 4], ['type', 8, 1], ['sender', 9, 4], ['zero', 13, 2], ['msgId', 15, 2], ['time', 17, 4], ['version', 21, 4], ['length', 25, 2]]);
  assert.equal(failure(() => Q.readModernQunIm(plus0(mb))), `bad_value: length ${mb.length - 27}, ${mb.length - 26} byte(s) follow (field length at offset 25)`);
  for (const [name, at, keep] of [['contentType', 27, 1], ['fragCount', 29, 2], ['fragIndex', 30, 3], ['msgId', 31, 5], ['zero', 33, 7]] as const) {
    const b = Buffer.from(mb.subarray(0, 27 + keep));
    b.writeUInt16BE(keep, 25);
    const err = (() => { try { Q.readModernQunIm(b); } catch (e) { return e; } })();
    assert.ok(err instanceof DecodeError && err.reason === 'truncated' && err.field === name && err.offset === at, `${name}: ${String(err)}`);
  }
  refuses(([['ext', 4], ['type', 1], ['sender', 4], ['msgId', 2], ['time', 4], ['contentType', 2], ['fragCount', 1], ['fragIndex', 1]] as const)
    .map(([f, w]) => [f, () => Q.writeModernQunIm({ ...mv, [f]: 2 ** (8 * w) })]));
  refuses([['length', () => Q.writeModernQunIm({ ...mv, block: { ...mv.block, segments: [BIG, BIG] } })]]);

  const added = pushBody(pidgin, Q.QunPushType.ADDED);
  assert.deepEqual(Q.readQunNotice(added), { ext: 100001, type: 1, uid: 20002 });
  assert.equal(Q.writeQunNotice({ ext: 100001, type: 1, uid: 20002 }).toString('hex'), added.toString('hex'));
  const apply = pushBody(pidgin, Q.QunPushType.APPLY);
  assert.deepEqual(Q.readQunNotice(apply), { ext: 100001, type: 1, uid: 20003, note: gb('c8c3ced2bdf8') });
  assert.equal(Q.writeQunNotice({ ext: 100001, type: 1, uid: 20003, note: gb('c8c3ced2bdf8') }).toString('hex'), apply.toString('hex'));
  // The approval pidgin got carries an empty note.
  assert.deepEqual(Q.readQunNotice(pushBody(social.sessions[2]!, Q.QunPushType.APPROVED)), { ext: 100001, type: 1, uid: 20001, note: Buffer.alloc(0) });
  cuts(Q.readQunNotice, apply, [['ext', 0, 4], ['type', 4, 1], ['uid', 5, 4], ['note', 10, 6]]);
  assert.equal(failure(() => Q.readQunNotice(plus0(apply))), trailing(16));
  refuses([
    ['ext', () => Q.writeQunNotice({ ext: -1, type: 1, uid: 1 })], ['type', () => Q.writeQunNotice({ ext: 1, type: 256, uid: 1 })], ['uid', () => Q.writeQunNotice({ ext: 1, type: 1, uid: 2 ** 32 })],
    ['note', () => Q.writeQunNotice({ ext: 1, type: 1, uid: 1, note: fixed(256) })],
  ]);
});
