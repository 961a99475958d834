// The classic 2007/2008 login chain, logout, signature, group-name and friend-operation codecs, field by field:
// offsets and values written out here from the layouts (PROTOCOL.md §5, the codecs' layout notes) and pinned on the
// bytes real clients sent (test/vectors), every cut naming its field and offset, every value a field cannot hold
// refused naming the field, and each error's whole message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/protocol/bodies/classic/login2007.js';
import * as B from '../../src/protocol/bodies/classic/buddy-ops.js';
import * as G from '../../src/protocol/bodies/classic/group-names.js';
import * as S from '../../src/protocol/bodies/classic/signature.js';
import { logoutCodec } from '../../src/protocol/bodies/classic/logout.js';
import { SELECT_SERVER_BLOCK } from '../../src/protocol/families.js';
import { DecodeError } from '../../src/protocol/errors.js';
import type { BodyCodec } from '../../src/protocol/codec.js';
import { cutsName, failure, hex, pins, refuses, tooWide, type Field } from '../helpers/fields.js';
import { firstPlain, loadRepoVectors, packetsOf, type SessionsFile } from '../helpers/vectors.js';

const fixed = (n: number, b = 0x5a) => Buffer.alloc(n, b);
const zeros = (n: number) => '00'.repeat(n);
const ascii = (s: string) => Buffer.from(s, 'latin1');

const recorded = loadRepoVectors<SessionsFile>('classic-2007-sessions.json');
const plainOf = firstPlain;
const qq2007 = recorded.sessions[0]!;

test('0x0091 select server (2007/2008): the 15-byte block both ways, offsets of the reply', () => {
  assert.equal(SELECT_SERVER_BLOCK, 15);
  const req = plainOf(qq2007, 'c2s', 0x0091);
  pins(L.selectServerRequestCodec, req, { block: hex(zeros(15)) });
  // A redirected client echoes the reply: any bytes are kept as they are.
  pins(L.selectServerRequestCodec, hex('0102'), { block: hex('0102') });
  pins(L.selectServerReplyCodec, plainOf(qq2007, 's2c', 0x0091), { result: 0, unknown: hex(zeros(9)), serverIp: 0 });
  const body = hex('0001' + 'a0a1a2a3a4a5a6a7a8' + '7f000002');
  const v: L.SelectServerReply = { result: 1, unknown: hex('a0a1a2a3a4a5a6a7a8'), serverIp: 0x7f000002 };
  pins(L.selectServerReplyCodec, body, v);
  cutsName(L.selectServerReplyCodec, body, [['result', 0, 2], ['unknown', 2, 9], ['serverIp', 11, 4]]);
  assert.equal(failure(() => L.selectServerReplyCodec.decode(Buffer.concat([body, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 15)');
  refuses(L.selectServerReplyCodec, v, [...tooWide<L.SelectServerReply>([['result', 2], ['serverIp', 4]]), ['unknown', (x) => ({ ...x, unknown: fixed(8) })]]);
});

test('0x00BA token-ex (2007/2008): the recorded request and reply, every field at its offset', () => {
  const rec = plainOf(qq2007, 'c2s', 0x00ba);
  const token = rec.subarray(1, 25);
  pins(L.tokenExRequestCodec, rec, { token, sub: 3, unknown1: 5, unknown2: 0, fragmentIndex: 0, captchaToken: Buffer.alloc(0) });
  const body = hex('02 a1a2' + '03' + '0005' + '00000007' + '01' + '0002 c1c2');
  const v: L.TokenExRequest = { token: hex('a1a2'), sub: 3, unknown1: 5, unknown2: 7, fragmentIndex: 1, captchaToken: hex('c1c2') };
  pins(L.tokenExRequestCodec, body, v);
  cutsName(L.tokenExRequestCodec, body, [
    ['token length', 0, 1], ['token', 1, 2], ['sub', 3, 1], ['unknown1', 4, 2], ['unknown2', 6, 4], ['fragmentIndex', 10, 1],
    ['captchaToken length', 11, 2], ['captchaToken', 13, 2],
  ]);
  assert.equal(failure(() => L.tokenExRequestCodec.decode(Buffer.concat([body, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 15)');
  refuses(L.tokenExRequestCodec, v, [
    ...tooWide<L.TokenExRequest>([['sub', 1], ['unknown1', 2], ['unknown2', 4], ['fragmentIndex', 1]]),
    ['token', (x) => ({ ...x, token: fixed(256) })], ['captchaToken', (x) => ({ ...x, captchaToken: fixed(65536) })],
  ]);

  const reply = plainOf(qq2007, 's2c', 0x00ba);
  assert.equal(reply.readUInt16BE(4), 56);
  pins(L.tokenExReplyCodec, reply, { sub: 3, unknown: 5, result: 0, tokenEx: reply.subarray(6), captcha: Buffer.alloc(0) });
  const rbody = hex('03' + '0005' + '01' + '0002 d1d2' + 'eeff');
  const rv: L.TokenExReply = { sub: 3, unknown: 5, result: 1, tokenEx: hex('d1d2'), captcha: hex('eeff') };
  pins(L.tokenExReplyCodec, rbody, rv);
  cutsName(L.tokenExReplyCodec, rbody, [['sub', 0, 1], ['unknown', 1, 2], ['result', 3, 1], ['tokenEx length', 4, 2], ['tokenEx', 6, 2]]);
  refuses(L.tokenExReplyCodec, rv, [...tooWide<L.TokenExReply>([['sub', 1], ['unknown', 2], ['result', 1]]), ['tokenEx', (x) => ({ ...x, tokenEx: fixed(65536) })]]);
});

test('0x00DD check password (2007/2008): the recorded request, every field at its offset, the tail kept', () => {
  const rec = plainOf(qq2007, 'c2s', 0x00dd);
  const d = L.checkPasswordRequestCodec.decode(rec);
  assert.deepEqual([d.head, d.length, d.locale.toString('hex'), d.tokenEx.length, d.passwordCipher.length, d.unknown.length, d.tail.toString('hex')], [0, 0x77, '0000080401e0', 56, 32, 20, '000300354c']);
  assert.equal(d.tokenEx.toString('hex'), rec.subarray(9, 65).toString('hex'));
  assert.equal(d.passwordCipher.toString('hex'), rec.subarray(67, 99).toString('hex'));
  assert.equal(L.checkPasswordRequestCodec.encode(d).toString('hex'), rec.toString('hex'));
  const body = hex('00' + '77' + '0000080401e0' + '02 d1d2' + '0003 c1c2c3' + '0002 e1e2' + '000300');
  const v: L.CheckPasswordRequest = {
    head: 0, length: 0x77, locale: hex('0000080401e0'), tokenEx: hex('d1d2'), passwordCipher: hex('c1c2c3'), unknown: hex('e1e2'), tail: hex('000300'),
  };
  pins(L.checkPasswordRequestCodec, body, v);
  cutsName(L.checkPasswordRequestCodec, body, [
    ['head', 0, 1], ['length', 1, 1], ['locale', 2, 6], ['tokenEx length', 8, 1], ['tokenEx', 9, 2],
    ['passwordCipher length', 11, 2], ['passwordCipher', 13, 3], ['unknown length', 16, 2], ['unknown', 18, 2],
  ]);
  pins(L.checkPasswordRequestCodec, body.subarray(0, 20), { ...v, tail: Buffer.alloc(0) });
  refuses(L.checkPasswordRequestCodec, v, [
    ...tooWide<L.CheckPasswordRequest>([['head', 1], ['length', 1]]), ['locale', (x) => ({ ...x, locale: fixed(7) })],
    ['tokenEx', (x) => ({ ...x, tokenEx: fixed(256) })], ['passwordCipher', (x) => ({ ...x, passwordCipher: fixed(65536) })],
    ['unknown', (x) => ({ ...x, unknown: fixed(65536) })],
  ]);
});

/** Cuts a length-prefixed body at every length inside the fields (the length rewritten to match) and checks the error. */
function cutsWithLength(body: Buffer, fields: Field[]): void {
  for (const [name, off, len] of fields) {
    for (let n = off; n < off + len; n++) {
      const cut = Buffer.from(body.subarray(0, n));
      if (n >= 2) cut.writeUInt16BE(n - 2, 0);
      let err: unknown;
      try {
        L.checkPasswordReplyCodec.decode(cut);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof DecodeError, `cut at ${n}: a DecodeError`);
      assert.deepEqual([err.reason, err.field, err.offset], ['truncated', name, off], `cut at ${n}`);
    }
  }
}

test('0x00DD check password reply (2007/2008): the recorded success, the length computed, failures with a message', () => {
  const s = qq2007.keys!;
  const rec = plainOf(qq2007, 's2c', 0x00dd);
  const ok: L.CheckPasswordReply = {
    result: 0, unknown: 0, field1: Buffer.alloc(0), field2: Buffer.alloc(0), success: { loginToken: hex(s['login_token']!), loginKey: hex(s['login_key']!) },
  };
  pins(L.checkPasswordReplyCodec, rec, ok);
  assert.equal(rec.readUInt16BE(0), rec.length - 2);
  assert.deepEqual(L.CheckPasswordResult, { OK: 0, WRONG_PASSWORD: 0x34, NO_SUCH_UID: 0xbf, DENIED: 0x33 });

  const body = hex('001e' + '00' + '00000009' + '0001 f1' + '0000' + '0002 a1a2' + 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf');
  const v: L.CheckPasswordReply = { result: 0, unknown: 9, field1: hex('f1'), field2: Buffer.alloc(0), success: { loginToken: hex('a1a2'), loginKey: hex('b0b1b2b3b4b5b6b7b8b9babbbcbdbebf') } };
  pins(L.checkPasswordReplyCodec, body, v);
  cutsWithLength(body, [
    ['length', 0, 2], ['result', 2, 1], ['unknown', 3, 4], ['field1 length', 7, 2], ['field1', 9, 1], ['field2 length', 10, 2],
    ['loginToken length', 12, 2], ['loginToken', 14, 2], ['loginKey', 16, 16],
  ]);
  const longer = Buffer.concat([body, hex('00')]);
  assert.equal(failure(() => L.checkPasswordReplyCodec.decode(longer)), 'bad_value: length 30, body has 31 (field length at offset 0)');
  longer.writeUInt16BE(31, 0);
  assert.equal(failure(() => L.checkPasswordReplyCodec.decode(longer)), 'trailing_bytes: 1 byte(s) left over (field end at offset 32)');
  assert.equal(failure(() => L.checkPasswordReplyCodec.decode(body.subarray(0, 31))), 'bad_value: length 30, body has 29 (field length at offset 0)');

  const fail = hex('000d' + '34' + '00000000' + '0000' + '0000' + '0002 c4e3');
  pins(L.checkPasswordReplyCodec, fail, { result: 0x34, unknown: 0, field1: Buffer.alloc(0), field2: Buffer.alloc(0), message: '你' });
  cutsWithLength(fail, [['message length', 11, 2], ['message', 13, 2]]);
  assert.equal(failure(() => L.checkPasswordReplyCodec.encode({ result: 0x34, unknown: 0, field1: Buffer.alloc(0), field2: Buffer.alloc(0), message: 'x'.repeat(65536) })), 'cannot encode message: 65536 is not a u16');
  // No message given: an empty one.
  assert.equal(L.checkPasswordReplyCodec.encode({ result: 0x33, unknown: 0, field1: Buffer.alloc(0), field2: Buffer.alloc(0) }).toString('hex'), '000b' + '33' + zeros(4) + '0000' + '0000' + '0000');
  refuses(L.checkPasswordReplyCodec, v, [
    ...tooWide<L.CheckPasswordReply>([['result', 1], ['unknown', 4]]), ['field1', (x) => ({ ...x, field1: fixed(65536) })], ['field2', (x) => ({ ...x, field2: fixed(65536) })],
    ['loginToken', (x) => ({ ...x, success: { loginToken: fixed(65536), loginKey: fixed(16) } })], ['loginKey', (x) => ({ ...x, success: { loginToken: fixed(2), loginKey: fixed(15) } })],
  ]);
});

test('0x0022 login (2007/2008): the recorded plaintext, status after the password block, the body split', () => {
  const rec = plainOf(qq2007, 'c2s', 0x0022);
  const d = L.login2007RequestCodec.decode(rec);
  // u16 0, tok16 password block (32 bytes), proof[16] at 36, 36 bytes at 52, status at 88.
  assert.deepEqual([d.unknown, d.passwordCipher.length, d.status, d.filler.length, d.rest.length], [0, 32, rec[88], 36, 519 - 89]);
  assert.equal(d.proof.toString('hex'), rec.subarray(36, 52).toString('hex'));
  assert.equal(d.filler.toString('hex'), rec.subarray(52, 88).toString('hex'));
  assert.equal(L.login2007RequestCodec.encode(d).toString('hex'), rec.toString('hex'));

  const proof = hex('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf');
  const body = '0000' + '0003 c1c2c3' + proof.toString('hex') + zeros(36) + '0a' + 'f0f1';
  const b = hex(body);
  const v: L.Login2007Request = { unknown: 0, passwordCipher: hex('c1c2c3'), proof, filler: Buffer.alloc(36), status: 0x0a, rest: hex('f0f1') };
  pins(L.login2007RequestCodec, b, v);
  cutsName(L.login2007RequestCodec, b, [['unknown', 0, 2], ['passwordCipher length', 2, 2], ['passwordCipher', 4, 3], ['proof', 7, 16], ['filler', 23, 36], ['status', 59, 1]]);
  pins(L.login2007RequestCodec, b.subarray(0, 60), { ...v, rest: Buffer.alloc(0) });
  refuses(L.login2007RequestCodec, v, [
    ...tooWide<L.Login2007Request>([['unknown', 2], ['status', 1]]), ['passwordCipher', (x) => ({ ...x, passwordCipher: fixed(65536) })],
    ['proof', (x) => ({ ...x, proof: fixed(17) })], ['filler', (x) => ({ ...x, filler: fixed(35) })],
  ]);

  const split = L.splitLogin2007Body(hex('0002 a1a2 c0c1c2'));
  assert.ok(split.ok);
  assert.deepEqual(split.value, { loginToken: hex('a1a2'), cipher: hex('c0c1c2') });
  const cut = L.splitLogin2007Body(hex('0003 a1a2'));
  assert.ok(!cut.ok);
  assert.equal(cut.error.message, 'truncated: need 3 byte(s), 2 left (field loginToken at offset 2)');
  const none = L.splitLogin2007Body(hex('00'));
  assert.ok(!none.ok);
  assert.equal(none.error.message, 'truncated: need 2 byte(s), 1 left (field loginToken length at offset 0)');
});

test('0x0022 login reply (2007/2008): the recorded 139 bytes, last login at 131, failures as text', () => {
  assert.equal(L.LOGIN_2007_REPLY_LENGTH, 139);
  // The analyzer prints a codec's name; these two are not in the command table (0x0022 names the 2005 codecs).
  assert.deepEqual([L.login2007RequestCodec.name, L.login2007ReplyCodec.name], ['login2007Request', 'login2007Reply']);
  const rec = plainOf(qq2007, 's2c', 0x0022);
  const ok: L.Login2007Reply = {
    kind: 'success', sessionKey: hex(qq2007.session_key!), uid: 10001, clientIp: 0x7f000001, clientPort: 0x918b, localIp: 0x7f000001, localPort: 0x918b,
    loginTime: 0x6b081b60, unknown: Buffer.alloc(94), lastLoginIp: 0x7f000001, lastLoginTime: 0x6b081b60,
  };
  pins(L.login2007ReplyCodec, rec, ok);
  const body = hex('00' + 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf' + '00002711' + '0a000001' + '1f40' + 'c0a80001' + '1f41' + '60000000') ;
  const full = Buffer.concat([body, fixed(94, 0x11), hex('0a000002' + '60000001')]);
  const v = {
    kind: 'success' as const, sessionKey: hex('b0b1b2b3b4b5b6b7b8b9babbbcbdbebf'), uid: 10001, clientIp: 0x0a000001, clientPort: 8000, localIp: 0xc0a80001, localPort: 8001,
    loginTime: 0x60000000, unknown: fixed(94, 0x11), lastLoginIp: 0x0a000002, lastLoginTime: 0x60000001,
  };
  pins(L.login2007ReplyCodec, full, v);
  cutsName(L.login2007ReplyCodec, full, [
    ['result', 0, 1], ['sessionKey', 1, 16], ['uid', 17, 4], ['clientIp', 21, 4], ['clientPort', 25, 2], ['localIp', 27, 4], ['localPort', 31, 2],
    ['loginTime', 33, 4], ['unknown', 37, 94], ['lastLoginIp', 131, 4], ['lastLoginTime', 135, 4],
  ]);
  assert.equal(failure(() => L.login2007ReplyCodec.decode(Buffer.concat([full, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 139)');
  type Ok = Extract<L.Login2007Reply, { kind: 'success' }>;
  refuses(L.login2007ReplyCodec as unknown as BodyCodec<Ok>, v as Ok, [
    ...tooWide<Ok>([['uid', 4], ['clientIp', 4], ['clientPort', 2], ['localIp', 4], ['localPort', 2], ['loginTime', 4], ['lastLoginIp', 4], ['lastLoginTime', 4]]),
    ['sessionKey', (x) => ({ ...x, sessionKey: fixed(15) })], ['unknown', (x) => ({ ...x, unknown: fixed(93) })],
  ]);
  pins(L.login2007ReplyCodec, hex('05' + 'c4e3bac3'), { kind: 'failure', code: 5, reason: '你好' });
  pins(L.login2007ReplyCodec, hex('34'), { kind: 'failure', code: 0x34, reason: '' });
  refuses(L.login2007ReplyCodec, { kind: 'failure', code: 5, reason: '' }, [['code', () => ({ kind: 'failure' as const, code: 256, reason: '' })]]);
});

test('0x0001 logout: the password key as recorded, 16 bytes exactly', () => {
  const rec = plainOf(qq2007, 'c2s', 0x0001);
  pins(logoutCodec, rec, { passwordKey: hex(qq2007.pwd_key!) });
  cutsName(logoutCodec, rec, [['passwordKey', 0, 16]]);
  assert.equal(failure(() => logoutCodec.decode(Buffer.concat([rec, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 16)');
  refuses(logoutCodec, { passwordKey: rec }, [['passwordKey', () => ({ passwordKey: fixed(17) })]]);
});

test('0x0067 signature request: set, delete and get, every field at its offset', () => {
  assert.deepEqual(S.SignatureOp, { MODIFY: 1, DELETE: 2, GET: 3 });
  assert.equal(S.SIGNATURE_BYTES, 255);
  const set = hex('01' + '01' + '04 c4e3bac3');
  pins(S.signatureRequestCodec, set, { sub: 1, unknown: 1, text: '你好' });
  cutsName(S.signatureRequestCodec, set, [['sub', 0, 1], ['unknown', 1, 1], ['text length', 2, 1], ['text', 3, 4]]);
  assert.equal(failure(() => S.signatureRequestCodec.decode(Buffer.concat([set, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 7)');
  pins(S.signatureRequestCodec, hex('02'), { sub: 2 });
  assert.equal(failure(() => S.signatureRequestCodec.decode(hex('0200'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 1)');

  const get = hex('03' + '00' + '02' + '00002711 00000005' + '00002712 00000000');
  const gv: S.SignatureRequest = { sub: 3, unknown: 0, queries: [{ uid: 10001, time: 5 }, { uid: 10002, time: 0 }] };
  pins(S.signatureRequestCodec, get, gv);
  pins(S.signatureRequestCodec, hex('030700'), { sub: 3, unknown: 7, queries: [] });
  cutsName(S.signatureRequestCodec, get, [['sub', 0, 1], ['unknown', 1, 1], ['count', 2, 1]]);
  assert.equal(failure(() => S.signatureRequestCodec.decode(get.subarray(0, 18))), 'truncated: 15 byte(s) is not a whole number of 8-byte entries (field queries at offset 3)');
  assert.equal(failure(() => S.signatureRequestCodec.decode(hex('030003' + '00002711 00000005' + '00002712 00000000'))), 'bad_value: count 3 but 2 entries (field count at offset 2)');
  assert.equal(failure(() => S.signatureRequestCodec.decode(hex('030001' + '00002711 00000005' + '00002712 00000000'))), 'bad_value: count 1 but 2 entries (field count at offset 2)');
  assert.equal(failure(() => S.signatureRequestCodec.decode(hex('04'))), 'bad_value: signature sub-command 0x4 has no known layout (field sub at offset 0)');
  assert.equal(failure(() => S.signatureRequestCodec.decode(hex('ff00'))), 'bad_value: signature sub-command 0xff has no known layout (field sub at offset 0)');
  assert.equal(failure(() => S.signatureRequestCodec.decode(hex(''))), 'truncated: need 1 byte(s), 0 left (field sub at offset 0)');

  refuses(S.signatureRequestCodec, { sub: 1, unknown: 1, text: 'x' } as S.SignatureRequest, [
    ['unknown', () => ({ sub: 1 as const, unknown: 256, text: 'x' })], ['text', () => ({ sub: 1 as const, unknown: 1, text: 'x'.repeat(256) })],
    ['sub', () => ({ sub: 256 } as unknown as S.SignatureRequest)],
  ]);
  refuses(S.signatureRequestCodec, gv, [
    ['unknown', () => ({ ...gv, unknown: 256 })], ['count', () => ({ ...gv, queries: Array.from({ length: 256 }, () => ({ uid: 1, time: 1 })) })],
    ['queries[1].uid', () => ({ ...gv, queries: [{ uid: 1, time: 1 }, { uid: 2 ** 32, time: 1 }] })], ['queries[0].time', () => ({ ...gv, queries: [{ uid: 1, time: -1 }] })],
  ]);
});

test('0x0067 signature reply: result, next uid, entries with their times and texts', () => {
  const body = hex('03' + '00' + '00002713' + '00002711 00000005 04 c4e3bac3' + '00002712 00000006 00');
  const v: S.SignatureReply = { sub: 3, result: 0, get: { next: 10003, signatures: [{ uid: 10001, time: 5, text: '你好' }, { uid: 10002, time: 6, text: '' }] } };
  pins(S.signatureReplyCodec, body, v);
  // A get reply of sub-command and result only is whole (a failed get): the next uid is cut only from its second byte.
  cutsName(S.signatureReplyCodec, body, [
    ['sub', 0, 1], ['result', 1, 1], ['signatures[0].time', 10, 4], ['signatures[0].text length', 14, 1],
    ['signatures[0].text', 15, 4], ['signatures[1].time', 23, 4], ['signatures[1].text length', 27, 1],
  ]);
  // Entries are read while bytes remain: a cut before an entry is a shorter list, a cut inside its uid names it.
  for (const [i, at] of [[0, 6], [1, 19]] as const) {
    for (let n = at + 1; n < at + 4; n++) assert.equal(failure(() => S.signatureReplyCodec.decode(body.subarray(0, n))), `truncated: need 4 byte(s), ${n - at} left (field signatures[${i}].uid at offset ${at})`);
  }
  assert.deepEqual(S.signatureReplyCodec.decode(body.subarray(0, 19)), { ...v, get: { ...v.get!, signatures: [v.get!.signatures[0]!] } });
  for (const n of [3, 4, 5]) assert.equal(failure(() => S.signatureReplyCodec.decode(body.subarray(0, n))), `truncated: need 4 byte(s), ${n - 2} left (field next at offset 2)`);
  pins(S.signatureReplyCodec, hex('0300' + '00000000'), { sub: 3, result: 0, get: { next: 0, signatures: [] } });
  // A get that failed, and the other sub-commands: sub-command and result only, nothing after them.
  pins(S.signatureReplyCodec, hex('0301'), { sub: 3, result: 1 });
  pins(S.signatureReplyCodec, hex('0100'), { sub: 1, result: 0 });
  pins(S.signatureReplyCodec, hex('0200'), { sub: 2, result: 0 });
  assert.equal(failure(() => S.signatureReplyCodec.decode(hex('010000'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 2)');
  refuses(S.signatureReplyCodec, v, [
    ...tooWide<S.SignatureReply>([['sub', 1], ['result', 1]]), ['next', (x) => ({ ...x, get: { ...x.get!, next: 2 ** 32 } })],
    ['signatures[1].uid', (x) => ({ ...x, get: { next: 0, signatures: [{ uid: 1, time: 1, text: '' }, { uid: -1, time: 1, text: '' }] } })],
    ['signatures[0].time', (x) => ({ ...x, get: { next: 0, signatures: [{ uid: 1, time: 2 ** 32, text: '' }] } })],
    ['signatures[0].text', (x) => ({ ...x, get: { next: 0, signatures: [{ uid: 1, time: 1, text: 'x'.repeat(256) }] } })],
  ]);
});

test('0x003C group names: the recorded download, uploads of 17-byte entries, names cut on a character', () => {
  assert.deepEqual(G.GroupNameOp, { DOWNLOAD: 1, UPLOAD: 2 });
  assert.equal(G.GROUP_NAME_BYTES, 16);
  const luma = loadRepoVectors<SessionsFile>('lumaqq-sessions.json').sessions[0]!;
  pins(G.groupNameRequestCodec, plainOf(luma, 'c2s', 0x003c), { sub: 1, unknown: 2, reserved: 0 });
  pins(G.groupNameReplyCodec, plainOf(luma, 's2c', 0x003c), { sub: 1, result: 0, download: { reserved: 0, groups: [] } });

  const dl = hex('01' + '02' + '00000009');
  pins(G.groupNameRequestCodec, dl, { sub: 1, unknown: 2, reserved: 9 });
  cutsName(G.groupNameRequestCodec, dl, [['sub', 0, 1], ['unknown', 1, 1], ['reserved', 2, 4]]);
  assert.equal(failure(() => G.groupNameRequestCodec.decode(Buffer.concat([dl, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 6)');
  const gr = (x: object) => x as G.GroupNameRequest;
  refuses(G.groupNameRequestCodec, gr({ sub: 1, unknown: 2, reserved: 0 }), [
    ['unknown', () => gr({ sub: 1, unknown: 256, reserved: 0 })], ['reserved', () => gr({ sub: 1, unknown: 2, reserved: 2 ** 32 })], ['sub', () => gr({ sub: 256, unknown: 2, reserved: 0 })],
  ]);

  const name16 = 'abcdefghijklmnop';
  const up = hex('02' + '01' + 'c4e3bac3' + zeros(12) + '3f' + Buffer.from(name16).toString('hex'));
  const uv: G.GroupNameRequest = { sub: 2, groups: [{ index: 1, name: '你好' }, { index: 63, name: name16 }] };
  pins(G.groupNameRequestCodec, up, uv);
  // Entries are read while bytes remain: a cut before an index is a shorter list, a cut inside a name names it.
  cutsName(G.groupNameRequestCodec, up, [['name', 2, 16], ['name', 19, 16]]);
  pins(G.groupNameRequestCodec, up.subarray(0, 18), { sub: 2, groups: [uv.groups[0]!] });
  pins(G.groupNameRequestCodec, hex('02'), { sub: 2, groups: [] });
  // A name is cut to 16 bytes without splitting a character (GB18030: 2 bytes a hanzi, 4 an emoji).
  assert.equal(G.groupNameRequestCodec.encode({ sub: 2, groups: [{ index: 1, name: '一二三四五六七八九' }] }).toString('hex'), '0201' + 'd2bbb6fec8fdcbc4cee5c1f9c6dfb0cb');
  const emoji = G.groupNameRequestCodec.encode({ sub: 2, groups: [{ index: 1, name: 'abcdefghijklmn😀' }] });
  assert.equal(emoji.toString('hex'), '0201' + Buffer.from('abcdefghijklmn').toString('hex') + '0000');
  assert.deepEqual(G.groupNameRequestCodec.decode(emoji), { sub: 2, groups: [{ index: 1, name: 'abcdefghijklmn' }] });
  assert.equal(G.groupNameRequestCodec.encode({ sub: 2, groups: [{ index: 1, name: 'abcdefghijkl😀' }] }).toString('hex'), '0201' + Buffer.from('abcdefghijkl').toString('hex') + '9439fc36');
  // Bytes after the first NUL of a name are not part of it; a name of NULs is empty.
  assert.deepEqual(G.groupNameRequestCodec.decode(hex('02' + '05' + '00' + '41'.repeat(15))), { sub: 2, groups: [{ index: 5, name: '' }] });
  assert.deepEqual(G.groupNameRequestCodec.decode(hex('02' + '05' + '41004200' + zeros(12))), { sub: 2, groups: [{ index: 5, name: 'A' }] });
  refuses(G.groupNameRequestCodec, uv, [
    ['groups[1].index', () => gr({ sub: 2, groups: [{ index: 1, name: 'a' }, { index: 256, name: 'b' }] })],
    ['groups[0].name', () => gr({ sub: 2, groups: [{ index: 1, name: 'a\0b' }] })],
  ]);
  assert.equal(failure(() => G.groupNameRequestCodec.encode({ sub: 2, groups: [{ index: 1, name: 'a\0' }] })), 'cannot encode groups[0].name: contains NUL');
  // Another sub-operation keeps its bytes.
  pins(G.groupNameRequestCodec, hex('05aabb'), { sub: 5, data: hex('aabb') });
  pins(G.groupNameRequestCodec, hex('00'), { sub: 0, data: Buffer.alloc(0) });
  assert.equal(failure(() => G.groupNameRequestCodec.decode(hex(''))), 'truncated: need 1 byte(s), 0 left (field sub at offset 0)');
});

test('0x003C group-name reply and 0x003D group upload: fields at their offsets', () => {
  const body = hex('01' + '00' + '00000007' + '02' + 'c4e3' + zeros(14) + '03' + '41' + zeros(15));
  const v: G.GroupNameReply = { sub: 1, result: 0, download: { reserved: 7, groups: [{ index: 2, name: '你' }, { index: 3, name: 'A' }] } };
  pins(G.groupNameReplyCodec, body, v);
  cutsName(G.groupNameReplyCodec, body, [['sub', 0, 1], ['result', 1, 1], ['name', 7, 16], ['name', 24, 16]]);
  for (const n of [3, 4, 5]) assert.equal(failure(() => G.groupNameReplyCodec.decode(body.subarray(0, n))), `truncated: need 4 byte(s), ${n - 2} left (field reserved at offset 2)`);
  assert.deepEqual(G.groupNameReplyCodec.decode(body.subarray(0, 23)), { sub: 1, result: 0, download: { reserved: 7, groups: [{ index: 2, name: '你' }] } });
  // An upload's reply, a failed download, and a download with no names: sub-operation and result only.
  pins(G.groupNameReplyCodec, hex('0200'), { sub: 2, result: 0 });
  pins(G.groupNameReplyCodec, hex('0100'), { sub: 1, result: 0 });
  assert.deepEqual(G.groupNameReplyCodec.decode(hex('0101' + '00000000')), { sub: 1, result: 1 });
  assert.deepEqual(G.groupNameReplyCodec.decode(hex('0200' + '00000000')), { sub: 2, result: 0 });
  refuses(G.groupNameReplyCodec, v, [
    ...tooWide<G.GroupNameReply>([['sub', 1], ['result', 1]]), ['reserved', (x) => ({ ...x, download: { ...x.download!, reserved: 2 ** 32 } })],
    ['groups[0].index', (x) => ({ ...x, download: { reserved: 0, groups: [{ index: -1, name: '' }] } })],
  ]);

  const up = hex('00002711 01' + '00002712 00');
  const uv: G.UploadGroupsRequest = { entries: [{ uid: 10001, group: 1 }, { uid: 10002, group: 0 }] };
  pins(G.uploadGroupsRequestCodec, up, uv);
  pins(G.uploadGroupsRequestCodec, hex(''), { entries: [] });
  assert.equal(failure(() => G.uploadGroupsRequestCodec.decode(up.subarray(0, 9))), 'truncated: 9 byte(s) is not a whole number of 5-byte entries (field entries at offset 0)');
  refuses(G.uploadGroupsRequestCodec, uv, [
    ['entries[1].uid', () => ({ entries: [{ uid: 1, group: 0 }, { uid: 2 ** 32, group: 0 }] })], ['entries[0].group', () => ({ entries: [{ uid: 1, group: 256 }] })],
  ]);
});

const FS = '1f';
const RS = '1e';
const a = (s: string) => ascii(s).toString('hex');

test('0x0005 search request: by page, by uid and by nick, empty fields as "-", the closing NUL', () => {
  assert.deepEqual(B.SearchKind, { CUSTOM: 0, ALL_ONLINE: 1, BY_NICK: 2, BY_UID: 3 });
  // LumaQQ's recorded requests: everyone online (page 0), and a custom search by uid.
  const search = loadRepoVectors<SessionsFile>('by-hand-search-sessions.json').sessions[0]!;
  const reqs = packetsOf(search, 'c2s', 0x0005).map((p) => hex(p.plain));
  pins(B.searchRequestCodec, reqs[0]!, { kind: 1, page: 0 });
  pins(B.searchRequestCodec, reqs[2]!, { kind: B.SearchKind.CUSTOM, uid: 20024, page: 0 });
  pins(B.searchRequestCodec, hex(a('1') + FS + a('12')), { kind: 1, page: 12 });
  // The closing NUL some clients add is not part of the page.
  assert.deepEqual(B.searchRequestCodec.decode(hex(a('1') + FS + a('0') + '00')), { kind: 1, page: 0 });
  pins(B.searchRequestCodec, hex(a('3') + FS + a('10002') + FS + '2d' + FS + '2d' + FS + a('0') + '00'), { kind: 3, uid: 10002, page: 0 });
  pins(B.searchRequestCodec, hex(a('2') + FS + '2d' + FS + a('abc') + FS + '2d' + FS + a('1') + '00'), { kind: 2, nick: ascii('abc'), page: 1 });
  // A nick of one byte that is not "-" is a nick; an empty field is empty too.
  assert.deepEqual(B.searchRequestCodec.decode(hex(a('2') + FS + FS + a('x') + FS + FS + a('1'))), { kind: 2, nick: ascii('x'), page: 1 });
  assert.deepEqual(B.searchRequestCodec.decode(hex(a('2') + FS + '2d' + FS + FS + FS + a('1') + '00')), { kind: 2, page: 1 });
  // Only a lone "-" is the empty mark: a nick that starts with one is a nick.
  assert.deepEqual(B.searchRequestCodec.decode(hex(a('2') + FS + '2d' + FS + a('-ab') + FS + '2d' + FS + a('1') + '00')), { kind: 2, nick: ascii('-ab'), page: 1 });
  assert.equal(B.searchRequestCodec.encode({ kind: 2, nick: Buffer.alloc(0), page: 0 }).toString('hex'), a('2') + FS + '2d' + FS + '2d' + FS + '2d' + FS + a('0') + '00');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('1') + FS + a('1') + FS + a('2')))), 'bad_value: 3 fields, expected 2 (field fields at offset 0)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('1')))), 'bad_value: 1 fields, expected 2 (field fields at offset 0)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('3') + FS + a('1') + FS + '2d' + FS + a('0') + '00'))), 'bad_value: 4 fields, expected 5 (field fields at offset 0)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('3') + FS + a('1') + FS + '2d' + FS + '2d' + FS + a('0') + FS + '00'))), 'bad_value: 6 fields, expected 5 (field fields at offset 0)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(''))), 'bad_value: "" is not a decimal u32 (field kind at offset 0)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('x') + FS + a('0')))), 'bad_value: "x" is not a decimal u32 (field kind at offset 0)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('1') + FS + a('p')))), 'bad_value: "p" is not a decimal u32 (field page)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('3') + FS + a('u') + FS + '2d' + FS + '2d' + FS + a('0')))), 'bad_value: "u" is not a decimal u32 (field uid)');
  assert.equal(failure(() => B.searchRequestCodec.decode(hex(a('3') + FS + a('1') + FS + '2d' + FS + '2d' + FS + a('q')))), 'bad_value: "q" is not a decimal u32 (field page)');
  refuses(B.searchRequestCodec, { kind: 3, uid: 1, page: 0 }, [
    ['kind', (x) => ({ ...x, kind: -1 })], ['page', (x) => ({ ...x, page: 1.5 })], ['uid', (x) => ({ ...x, uid: 2 ** 32 })],
    ['fields[2]', (x) => ({ ...x, nick: hex('61' + FS) })],
  ]);
});

test('0x0005 search reply (LumaQQ\'s layout): the recorded pages, 0x1E between fields, 0x1F after each entry, "-1" at the end', () => {
  const search = loadRepoVectors<SessionsFile>('by-hand-search-sessions.json').sessions[0]!;
  const replies = packetsOf(search, 's2c', 0x0005).map((p) => hex(p.plain));
  const entry = (uid: string, nick: string, prov: string, face: string) => a(uid) + RS + a(nick) + RS + a(prov) + RS + a(face) + FS;
  // Everyone online, first page: three entries of uid, nick (GB18030), province, face.
  pins(B.searchReplyCodec, replies[0]!, {
    entries: [
      { uid: 20021, nick: hex('4c756d615151d3c3bba7'), province: Buffer.alloc(0), face: 0 },
      { uid: 20022, nick: hex('d4dacfdfbcd7'), province: Buffer.alloc(0), face: 0 },
      { uid: 20023, nick: ascii('OnlineBob'), province: Buffer.alloc(0), face: 0 },
    ],
  });
  // The next page has none: "-1" ends the search.
  assert.equal(replies[1]!.toString('latin1'), '-1');
  pins(B.searchReplyCodec, replies[1]!, { entries: [] });
  assert.deepEqual(B.searchReplyCodec.decode(Buffer.alloc(0)), { entries: [] });
  pins(B.searchReplyCodec, hex(entry('10002', 'ab', 'cd', '3')), { entries: [{ uid: 10002, nick: ascii('ab'), province: ascii('cd'), face: 3 }] });
  const noEnd = hex(a('1') + RS + RS + RS + a('0'));
  assert.equal(failure(() => B.searchReplyCodec.decode(noEnd)), `trailing_bytes: entries must end with 0x1F (field entries at offset ${noEnd.length})`);
  assert.equal(failure(() => B.searchReplyCodec.decode(hex(entry('1', '', '', '0') + a('2') + RS))), 'trailing_bytes: entries must end with 0x1F (field entries at offset 8)');
  assert.equal(failure(() => B.searchReplyCodec.decode(hex(a('1') + RS + RS + a('0') + FS))), 'bad_value: entry with 3 fields, expected 4 (field entries at offset 0)');
  assert.equal(failure(() => B.searchReplyCodec.decode(hex(a('1') + RS + RS + RS + a('0') + RS + FS))), 'bad_value: entry with 5 fields, expected 4 (field entries at offset 0)');
  assert.equal(failure(() => B.searchReplyCodec.decode(hex(entry('u', '', '', '0')))), 'bad_value: "u" is not a decimal u32 (field uid)');
  assert.equal(failure(() => B.searchReplyCodec.decode(hex(entry('1', '', '', 'f')))), 'bad_value: "f" is not a decimal u32 (field face)');
  const e: B.SearchEntry = { uid: 10002, nick: ascii('ab'), province: ascii('cd'), face: 3 };
  refuses(B.searchReplyCodec, { entries: [e] }, [
    ['entries[0][1]', () => ({ entries: [{ ...e, nick: hex('61' + RS) }] })], ['entries[0][1]', () => ({ entries: [{ ...e, nick: hex(FS) }] })],
    ['entries[0][2]', () => ({ entries: [{ ...e, province: hex(FS + '61') }] })], ['entries[1][2]', () => ({ entries: [e, { ...e, province: hex(RS) }] })],
    ['uid', () => ({ entries: [{ ...e, uid: -1 }] })], ['face', () => ({ entries: [{ ...e, face: 0.5 }] })],
  ]);
  assert.equal(failure(() => B.searchReplyCodec.encode({ entries: [{ ...e, nick: hex(RS) }] })), 'cannot encode entries[0][1]: contains a separator');
});

test('0x0009 add, 0x000B authorize: the recorded ASCII bodies, separators and actions', () => {
  const social = loadRepoVectors<SessionsFile>('by-hand-social-sessions.json').sessions[0]!;
  pins(B.uidTextCodec, plainOf(social, 'c2s', 0x0009), { uid: 20003 });
  pins(B.addNoAuthReplyCodec, plainOf(social, 's2c', 0x0009), { uid: 20001, outcome: B.AddOutcome.NEEDS_AUTH });
  assert.deepEqual(B.AddOutcome, { ADDED: 0, NEEDS_AUTH: 1, REFUSED: 2 });
  assert.equal(failure(() => B.uidTextCodec.decode(ascii('0123'))), 'bad_value: "0123" is not a decimal u32 (field uid at offset 0)');
  refuses(B.uidTextCodec, { uid: 1 }, [['uid', () => ({ uid: -1 })]]);
  assert.equal(failure(() => B.addNoAuthReplyCodec.decode(hex(a('1') + FS + a('1') + FS + a('1')))), 'bad_value: 3 fields, expected 2 (field fields at offset 0)');
  assert.equal(failure(() => B.addNoAuthReplyCodec.decode(hex(a('1')))), 'bad_value: 1 fields, expected 2 (field fields at offset 0)');
  assert.equal(failure(() => B.addNoAuthReplyCodec.decode(hex(a('x') + FS + a('1')))), 'bad_value: "x" is not a decimal u32 (field uid at offset 0)');
  assert.equal(failure(() => B.addNoAuthReplyCodec.decode(hex(a('1') + FS + a('y')))), 'bad_value: "y" is not a decimal u32 (field outcome)');
  refuses(B.addNoAuthReplyCodec, { uid: 1, outcome: 0 }, [['uid', (x) => ({ ...x, uid: -1 })], ['outcome', (x) => ({ ...x, outcome: 2 ** 32 })]]);

  assert.deepEqual(B.AuthAction, { APPROVE: 0x30, REJECT: 0x31, REQUEST: 0x32 });
  const authReqs = social.packets.filter((p) => p.dir === 'c2s' && p.command === 0x000b).map((p) => hex(p.plain));
  pins(B.authRequestCodec, authReqs[0]!, { uid: 20002, action: B.AuthAction.APPROVE });
  pins(B.authRequestCodec, authReqs[1]!, { uid: 20003, action: B.AuthAction.REQUEST, text: hex('ced2cac7c6a4c7d5d2bbbac5') });
  pins(B.authRequestCodec, hex(a('7') + FS + '31' + FS), { uid: 7, action: B.AuthAction.REJECT, text: Buffer.alloc(0) });
  assert.equal(failure(() => B.authRequestCodec.decode(hex(FS + '30'))), 'bad_value: expected uid, 0x1F, action (field fields at offset 0)');
  assert.equal(failure(() => B.authRequestCodec.decode(hex(a('12') + FS))), 'bad_value: expected uid, 0x1F, action (field fields at offset 0)');
  assert.equal(failure(() => B.authRequestCodec.decode(hex(a('12') + '30'))), 'bad_value: expected uid, 0x1F, action (field fields at offset 0)');
  assert.equal(failure(() => B.authRequestCodec.decode(hex(a('12') + FS + '32' + '20' + a('hi')))), 'bad_value: expected 0x1F before the text (field text at offset 4)');
  assert.equal(failure(() => B.authRequestCodec.decode(hex(a('1x') + FS + '30'))), 'bad_value: "1x" is not a decimal u32 (field uid at offset 0)');
  refuses(B.authRequestCodec, { uid: 1, action: 0x30 }, [['uid', (x) => ({ ...x, uid: 2 ** 32 })]]);

  pins(B.authReplyCodec, plainOf(social, 's2c', 0x000b), { ok: true });
  pins(B.authReplyCodec, hex(a('1') + FS + a('no')), { ok: false, reason: ascii('no') });
  assert.equal(B.authReplyCodec.encode({ ok: false }).toString('hex'), a('1') + FS);
  // Any code other than '0' alone is a refusal; the reason is what follows the first 0x1F.
  assert.deepEqual(B.authReplyCodec.decode(hex(a('12') + FS + a('r') + FS + a('s'))), { ok: false, reason: hex(a('r') + FS + a('s')) });
  assert.deepEqual(B.authReplyCodec.decode(hex(a('00'))), { ok: false, reason: Buffer.alloc(0) });
  assert.deepEqual(B.authReplyCodec.decode(hex('31')), { ok: false, reason: Buffer.alloc(0) });
});

test('0x000A remove: the 2005 ASCII form and the token form told apart by the first byte', () => {
  pins(B.removeRequestCodec, ascii('10002'), { uid: 10002 });
  // '1' … '9' start the 2005 form; any other first byte is the token's length.
  pins(B.removeRequestCodec, ascii('1'), { uid: 1 });
  pins(B.removeRequestCodec, ascii('9'), { uid: 9 });
  pins(B.removeRequestCodec, hex('02 a1a2' + a('10002')), { uid: 10002, token: hex('a1a2') });
  pins(B.removeRequestCodec, hex('00' + a('7')), { uid: 7, token: Buffer.alloc(0) });
  pins(B.removeRequestCodec, Buffer.concat([hex('30'), fixed(48), ascii('5')]), { uid: 5, token: fixed(48) });
  pins(B.removeRequestCodec, Buffer.concat([hex('3a'), fixed(58), ascii('6')]), { uid: 6, token: fixed(58) });
  assert.equal(failure(() => B.removeRequestCodec.decode(hex('02 a1a2' + a('x')))), 'bad_value: "x" is not a decimal u32 (field uid at offset 3)');
  assert.equal(failure(() => B.removeRequestCodec.decode(ascii('1x'))), 'bad_value: "1x" is not a decimal u32 (field uid at offset 0)');
  assert.equal(failure(() => B.removeRequestCodec.decode(hex(''))), 'truncated: need 1 byte(s), 0 left (field token length at offset 0)');
  assert.equal(failure(() => B.removeRequestCodec.decode(hex('05 a1'))), 'truncated: need 5 byte(s), 1 left (field token at offset 1)');
  refuses(B.removeRequestCodec, { uid: 1, token: hex('a1') }, [['token', (x) => ({ ...x, token: fixed(256) })], ['uid', (x) => ({ ...x, uid: -1 })], ['uid', () => ({ uid: 2 ** 32 })]]);
});

test('one-byte results, u32 uids, 0x00A7 add-ex and 0x00AE auth code: the recorded MyQQ bodies, fields at their offsets', () => {
  pins(B.resultOnlyCodec, hex('07'), { result: 7 });
  cutsName(B.resultOnlyCodec, hex('07'), [['result', 0, 1]]);
  assert.equal(failure(() => B.resultOnlyCodec.decode(hex('0000'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 1)');
  refuses(B.resultOnlyCodec, { result: 0 }, tooWide<B.ResultOnly>([['result', 1]]));

  const myqq = loadRepoVectors<SessionsFile>('by-hand-social-sessions.json').sessions[3]!;
  pins(B.uidU32Codec, plainOf(myqq, 'c2s', 0x00a7), { uid: 20001 });
  cutsName(B.uidU32Codec, hex('00004e21'), [['uid', 0, 4]]);
  assert.equal(failure(() => B.uidU32Codec.decode(hex('00004e2100'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 4)');
  refuses(B.uidU32Codec, { uid: 0 }, tooWide<B.UidU32>([['uid', 4]]));

  assert.equal(B.ADDED_EX, 0x99);
  assert.deepEqual(B.AuthType, { ANYONE: 0, NEEDS_AUTH: 1, NOBODY: 2 });
  pins(B.addExReplyCodec, plainOf(myqq, 's2c', 0x00a7), { uid: 20001, reply: 0, authType: B.AuthType.NEEDS_AUTH });
  const ex = hex('00002712' + '99' + '02');
  pins(B.addExReplyCodec, ex, { uid: 10002, reply: B.ADDED_EX, authType: 2 });
  // pidgin's reply stops after the reply byte.
  assert.deepEqual(B.addExReplyCodec.decode(ex.subarray(0, 5)), { uid: 10002, reply: 0x99, authType: 0 });
  cutsName(B.addExReplyCodec, ex, [['uid', 0, 4], ['reply', 4, 1]]);
  assert.equal(failure(() => B.addExReplyCodec.decode(Buffer.concat([ex, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 6)');
  refuses(B.addExReplyCodec, { uid: 1, reply: 0, authType: 0 }, tooWide<B.AddExReply>([['uid', 4], ['reply', 1], ['authType', 1]]));

  const acReq = plainOf(myqq, 'c2s', 0x00ae);
  pins(B.authCodeRequestCodec, acReq, { cmd: 1, sub: 1, uid: 20001 });
  cutsName(B.authCodeRequestCodec, acReq, [['cmd', 0, 1], ['sub', 1, 2], ['uid', 3, 4]]);
  assert.equal(failure(() => B.authCodeRequestCodec.decode(Buffer.concat([acReq, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 7)');
  refuses(B.authCodeRequestCodec, { cmd: 1, sub: 6, uid: 1 }, tooWide<B.AuthCodeRequest>([['cmd', 1], ['sub', 2], ['uid', 4]]));
  const acRep = plainOf(myqq, 's2c', 0x00ae);
  pins(B.authCodeReplyCodec, acRep, { cmd: 1, sub: 1, reply: 0, code: ascii('oicq-kit') });
  const rep = hex('01' + '0006' + '02' + '0002 c1c2');
  pins(B.authCodeReplyCodec, rep, { cmd: 1, sub: 6, reply: 2, code: hex('c1c2') });
  cutsName(B.authCodeReplyCodec, rep, [['cmd', 0, 1], ['sub', 1, 2], ['reply', 3, 1], ['code length', 4, 2], ['code', 6, 2]]);
  assert.equal(failure(() => B.authCodeReplyCodec.decode(Buffer.concat([rep, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 8)');
  refuses(B.authCodeReplyCodec, { cmd: 1, sub: 6, reply: 0, code: hex('') }, [
    ...tooWide<B.AuthCodeReply>([['cmd', 1], ['sub', 2], ['reply', 1]]), ['code', (x) => ({ ...x, code: fixed(65536) })],
  ]);
});

test('0x00A8 auth-ex: each sub-command\'s layout (the recorded MyQQ request with its note), replies', () => {
  assert.deepEqual(B.AuthExSub, { ADD: 0, APPROVE: 1, REQUEST: 2, APPROVE_ADD: 3, REFUSE: 4, QUESTION: 0x10 });
  const myqq = loadRepoVectors<SessionsFile>('by-hand-social-sessions.json').sessions[3]!;
  const rec = plainOf(myqq, 'c2s', 0x00a8);
  pins(B.authExRequestCodec, rec, { sub: 2, uid: 20001, code: ascii('oicq-kit'), allowReverse: 1, group: 0, note: Buffer.from('我是MyQQ，加我', 'utf8') });

  const req = hex('02' + '00002712' + '0000' + '0002 c1c2' + '01' + '03' + '02 d1d2');
  const rv: B.AuthExRequest = { sub: 2, uid: 10002, code: hex('c1c2'), allowReverse: 1, group: 3, note: hex('d1d2') };
  pins(B.authExRequestCodec, req, rv);
  cutsName(B.authExRequestCodec, req, [
    ['sub', 0, 1], ['uid', 1, 4], ['zero', 5, 2], ['code length', 7, 2], ['code', 9, 2], ['allowReverse', 11, 1], ['group', 12, 1], ['note', 14, 2],
  ]);
  assert.equal(failure(() => B.authExRequestCodec.decode(Buffer.concat([req, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 16)');
  // A request or a refusal without its note: an empty note.
  assert.deepEqual(B.authExRequestCodec.decode(req.subarray(0, 13)), { ...rv, note: Buffer.alloc(0) });
  pins(B.authExRequestCodec, hex('04' + '00002712' + '0000' + '0000' + '00' + '00' + '02 6e6f'), { sub: 4, uid: 10002, code: Buffer.alloc(0), allowReverse: 0, group: 0, note: ascii('no') });
  assert.equal(B.authExRequestCodec.encode({ sub: 4, uid: 10002 }).toString('hex'), '04' + '00002712' + '0000' + '0000' + '01' + '00' + '00');
  // Add (anyone may) and add after a question: code, allow-reverse and group, no note.
  pins(B.authExRequestCodec, hex('00' + '00002712' + '0000' + '0001 c1' + '01' + '05'), { sub: 0, uid: 10002, code: hex('c1'), allowReverse: 1, group: 5 });
  pins(B.authExRequestCodec, hex('10' + '00002712' + '0000' + '0000' + '00' + '01'), { sub: 0x10, uid: 10002, code: Buffer.alloc(0), allowReverse: 0, group: 1 });
  assert.equal(failure(() => B.authExRequestCodec.decode(hex('00' + '00002712' + '0000' + '0000' + '01' + '05' + '00'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 11)');
  // Approve: the code and a zero byte; approve-and-add: only the zero byte (both optional on decode).
  pins(B.authExRequestCodec, hex('01' + '00002712' + '0000' + '0001 c1' + '00'), { sub: 1, uid: 10002, code: hex('c1') });
  assert.deepEqual(B.authExRequestCodec.decode(hex('01' + '00002712' + '0000' + '0001 c1')), { sub: 1, uid: 10002, code: hex('c1') });
  assert.equal(failure(() => B.authExRequestCodec.decode(hex('01' + '00002712' + '0000' + '0001 c1' + '0000'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 11)');
  pins(B.authExRequestCodec, hex('03' + '00002712' + '0000' + '00'), { sub: 3, uid: 10002 });
  assert.deepEqual(B.authExRequestCodec.decode(hex('03' + '00002712' + '0000')), { sub: 3, uid: 10002 });
  assert.equal(failure(() => B.authExRequestCodec.decode(hex('03' + '00002712' + '0000' + '0000'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 8)');
  refuses(B.authExRequestCodec, rv, [
    ...tooWide<B.AuthExRequest>([['sub', 1], ['uid', 4], ['allowReverse', 1], ['group', 1]]), ['code', (x) => ({ ...x, code: fixed(65536) })],
    ['note', (x) => ({ ...x, note: fixed(256) })],
  ]);

  pins(B.authExReplyCodec, plainOf(myqq, 's2c', 0x00a8), { sub: 2, uid: 20001, result: 0 });
  const r = hex('01' + '00002712' + '05');
  pins(B.authExReplyCodec, r, { sub: 1, uid: 10002, result: 5 });
  assert.deepEqual(B.authExReplyCodec.decode(r.subarray(0, 5)), { sub: 1, uid: 10002, result: 0 });
  cutsName(B.authExReplyCodec, r, [['sub', 0, 1], ['uid', 1, 4]]);
  assert.equal(failure(() => B.authExReplyCodec.decode(Buffer.concat([r, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 6)');
  refuses(B.authExReplyCodec, { sub: 1, uid: 1, result: 0 }, tooWide<B.AuthExReply>([['sub', 1], ['uid', 4], ['result', 1]]));
});

test('0x0004 update info: passwords and the user-info fields, 0x1F-separated with a closing 0x1F', () => {
  assert.equal(B.UPDATE_INFO_AUTH_FIELD, 17);
  const body = hex(a('old') + FS + a('new') + FS + a('nick') + FS + a('1') + FS);
  const v: B.UpdateInfoRequest = { oldPassword: ascii('old'), newPassword: ascii('new'), fields: [ascii('nick'), ascii('1')] };
  pins(B.updateInfoRequestCodec, body, v);
  pins(B.updateInfoRequestCodec, hex(FS + FS), { oldPassword: Buffer.alloc(0), newPassword: Buffer.alloc(0), fields: [] });
  const msg = 'bad_value: expected passwords and fields ending with 0x1F (field fields at offset 0)';
  assert.equal(failure(() => B.updateInfoRequestCodec.decode(hex(FS))), msg);
  assert.equal(failure(() => B.updateInfoRequestCodec.decode(hex(a('a') + FS + a('b') + FS + a('c')))), msg);
  assert.equal(failure(() => B.updateInfoRequestCodec.decode(hex(''))), msg);
  refuses(B.updateInfoRequestCodec, v, [['fields[0]', (x) => ({ ...x, oldPassword: hex(FS) })], ['fields[3]', (x) => ({ ...x, fields: [ascii('a'), hex('62' + FS)] })]]);
});
