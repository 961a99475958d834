// The classic login, info, friend-list, memo, system-message, keep-alive and key codecs, field by field: offsets and
// values from PROTOCOL.md §5 written out here, every cut naming its field and offset, every value a field cannot
// hold refused naming the field, and each error's whole message (reason, detail, field, offset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/protocol/bodies/classic/index.js';
import { teaEncrypt } from '../../src/protocol/tea.js';
import { cutsName, failure, hex, pins, refuses, tooWide, type Field } from '../helpers/fields.js';

const KEY = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
const fixed = (n: number) => Buffer.alloc(n, 0x5a);
const zeros = (n: number) => '00'.repeat(n);

test('0x0062 token request and reply: layout, cuts and refusals', () => {
  pins(C.tokenRequestCodec, hex('00'), { sub: 0 });
  pins(C.tokenReplyCodec, hex('00' + '03' + 'a1a2a3'), { result: 0, token: hex('a1a2a3') });
  cutsName(C.tokenReplyCodec, hex('00' + '03' + 'a1a2a3'), [['result', 0, 1], ['token length', 1, 1], ['token', 2, 3]]);
  cutsName(C.tokenRequestCodec, hex('00'), [['sub', 0, 1]]);
  assert.equal(failure(() => C.tokenRequestCodec.decode(hex('0000'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 1)');
  refuses(C.tokenRequestCodec, { sub: 0 }, tooWide([['sub', 1]]));
  refuses(C.tokenReplyCodec, { result: 0, token: hex('a1') }, [...tooWide<C.TokenReply>([['result', 1]]), ['token', (v) => ({ ...v, token: fixed(256) })]]);
});

test('0x0022 login request: the plaintext layout (proof, status at 52, token at 69, filler)', () => {
  const body = hex(KEY + zeros(36) + '0a' + zeros(16) + '02' + 'c1c2' + 'f0f1');
  const v: C.LoginRequest = { proof: hex(KEY), unknown16: Buffer.alloc(36), status: 0x0a, unknown53: Buffer.alloc(16), token: hex('c1c2'), filler: hex('f0f1') };
  pins(C.loginRequestCodec, body, v);
  assert.equal(body[C.LOGIN_STATUS_OFFSET], 0x0a);
  assert.equal(body[C.LOGIN_TOKEN_OFFSET], 2);
  cutsName(C.loginRequestCodec, body, [['proof', 0, 16], ['unknown16', 16, 36], ['status', 52, 1], ['unknown53', 53, 16], ['token length', 69, 1], ['token', 70, 2]]);
  refuses(C.loginRequestCodec, v, [
    ['proof', (x) => ({ ...x, proof: fixed(15) })], ['unknown16', (x) => ({ ...x, unknown16: fixed(37) })], ['status', (x) => ({ ...x, status: 256 })],
    ['unknown53', (x) => ({ ...x, unknown53: fixed(15) })], ['token', (x) => ({ ...x, token: fixed(256) })],
  ]);
});

test('0x0022 login body: built 416 bytes with the filler, opened again, proof checked', () => {
  const passwordKey = hex('00112233445566778899aabbccddeeff');
  const initialKey = hex(KEY);
  const random = (n: number) => Buffer.alloc(n, 0x11);
  const init = { initialKey, passwordKey, token: hex('c1c2c3'), status: 0x1e, random };
  const req = C.buildLoginRequest(init);
  const plain = C.loginRequestCodec.encode(req);
  assert.equal(plain.length, C.LOGIN_PLAIN_LENGTH);
  // After the token: the 100 observed filler bytes, then zeros up to 416.
  assert.equal(C.LOGIN_FILLER_HEAD.length, 100);
  assert.equal(plain.subarray(73, 173).toString('hex'), C.LOGIN_FILLER_HEAD.toString('hex'));
  assert.equal(plain.subarray(173).toString('hex'), zeros(C.LOGIN_PLAIN_LENGTH - 173));
  assert.deepEqual([req.unknown16, req.unknown53, req.status], [Buffer.alloc(36), Buffer.alloc(16), 0x1e]);
  assert.equal(req.proof.toString('hex'), teaEncrypt(Buffer.alloc(0), passwordKey, random).toString('hex'));
  assert.ok(C.checkPasswordProof(req.proof, passwordKey));
  assert.ok(!C.checkPasswordProof(req.proof, initialKey));
  assert.ok(!C.checkPasswordProof(req.proof.subarray(0, 15), passwordKey));
  // A proof that opens with the key but holds data is not the empty proof.
  assert.ok(!C.checkPasswordProof(teaEncrypt(hex('00'), passwordKey, random).subarray(0, 16), passwordKey));

  // A shorter plaintext cuts the filler; one shorter than the token refuses.
  assert.equal(C.loginRequestCodec.encode(C.buildLoginRequest({ ...init, plainLength: 80 })).length, 80);
  assert.equal(C.buildLoginRequest({ ...init, plainLength: 73 }).filler.length, 0);
  assert.equal(failure(() => C.buildLoginRequest({ ...init, plainLength: 72 })), 'cannot encode token: too long for a 72-byte login plaintext');

  const body = C.buildLoginBody(init);
  assert.equal(body.subarray(0, 16).toString('hex'), KEY);
  assert.equal(body.subarray(16).toString('hex'), teaEncrypt(plain, initialKey, random).toString('hex'));
  const opened = C.openLoginBody(body);
  assert.ok(opened.ok);
  assert.deepEqual(opened.value, { initialKey, request: req });
  assert.equal(failure(() => C.buildLoginBody({ ...init, initialKey: initialKey.subarray(0, 15) })), 'cannot encode initialKey: must be 16 bytes');

  const short = C.openLoginBody(body.subarray(0, 31));
  assert.ok(!short.ok);
  assert.equal(short.error.message, 'truncated: login body of 31 bytes (field initialKey at offset 0)');
  const wrong = C.openLoginBody(Buffer.concat([hex(zeros(16)), body.subarray(16)]));
  assert.ok(!wrong.ok);
  assert.equal(wrong.error.message, 'undecryptable: login body does not open with its initial key (field body at offset 16)');
  // 32 bytes is enough to try: a TEA block pair that opens is a (short) plaintext the codec then reads.
  const tiny = C.openLoginBody(Buffer.concat([initialKey, teaEncrypt(Buffer.alloc(0), initialKey, random)]));
  assert.ok(!tiny.ok);
  assert.equal(tiny.error.message, 'truncated: need 16 byte(s), 0 left (field proof at offset 0)');
});

const SUCCESS_HEX =
  '00' + KEY + '00002712' + '7f000001' + '1f40' + '0a000002' + '1f41' + '6b048885' + '030a' + zeros(84) + '0a000003' + '6b048800' + zeros(29);
const SUCCESS: C.LoginSuccess = {
  kind: 'success', sessionKey: hex(KEY), uid: 10002, clientIp: 0x7f000001, clientPort: 8000, serverIp: 0x0a000002, serverPort: 8001,
  loginTime: 0x6b048885, unknown37: C.LOGIN_REPLY_UNKNOWN37, lastLoginIp: 0x0a000003, lastLoginTime: 0x6b048800, tail: Buffer.alloc(29),
};

test('0x0022 login reply: success at its offsets, redirect, failure', () => {
  const body = hex(SUCCESS_HEX);
  assert.equal(body.length, 160);
  pins(C.loginReplyCodec, body, SUCCESS);
  assert.deepEqual(
    C.loginSuccess({ sessionKey: hex(KEY), uid: 10002, clientIp: 0x7f000001, clientPort: 8000, serverIp: 0x0a000002, serverPort: 8001, loginTime: 0x6b048885 }),
    { ...SUCCESS, lastLoginIp: 0x7f000001, lastLoginTime: 0x6b048885 },
  );
  assert.equal(C.LOGIN_REPLY_UNKNOWN37.toString('hex'), '030a' + zeros(84));
  // Cuts: below 148 bytes a success is refused as a whole, naming its length.
  for (const n of [1, 100, 147]) {
    assert.equal(failure(() => C.loginReplyCodec.decode(body.subarray(0, n))), `truncated: success reply of ${n} bytes < 148 (field loginReply at offset ${n})`);
  }
  assert.equal(C.loginReplyCodec.decode(body.subarray(0, 148)).kind, 'success');
  assert.equal(failure(() => C.loginReplyCodec.decode(Buffer.alloc(0))), 'truncated: need 1 byte(s), 0 left (field code at offset 0)');
  assert.equal(failure(() => C.loginReplyCodec.encode({ ...SUCCESS, tail: Buffer.alloc(16) })), 'cannot encode tail: reply of 147 bytes; clients need ≥ 148');
  assert.equal(C.loginReplyCodec.encode({ ...SUCCESS, tail: Buffer.alloc(17) }).length, 148);
  refuses(C.loginReplyCodec, SUCCESS as C.LoginReply, [
    ['sessionKey', (v) => ({ ...v, sessionKey: fixed(15) }) as C.LoginReply],
    ...tooWide<C.LoginSuccess>([['uid', 4], ['clientIp', 4], ['clientPort', 2], ['serverIp', 4], ['serverPort', 2], ['loginTime', 4], ['lastLoginIp', 4], ['lastLoginTime', 4]]) as [string, (v: C.LoginReply) => C.LoginReply][],
    ['unknown37', (v) => ({ ...v, unknown37: fixed(85) }) as C.LoginReply],
  ]);

  const redirect = hex('01' + '00002712' + '0a000009' + '1f42' + 'ee');
  pins(C.loginReplyCodec, redirect, { kind: 'redirect', uid: 10002, ip: 0x0a000009, port: 8002, extra: hex('ee') });
  cutsName(C.loginReplyCodec, redirect, [['uid', 1, 4], ['ip', 5, 4], ['port', 9, 2]]);
  const r: C.LoginReply = { kind: 'redirect', uid: 1, ip: 2, port: 3, extra: Buffer.alloc(0) };
  refuses(C.loginReplyCodec, r, tooWide<C.LoginRedirect>([['uid', 4], ['ip', 4], ['port', 2]]) as [string, (v: C.LoginReply) => C.LoginReply][]);

  pins(C.loginReplyCodec, hex('05' + 'd3c3bba7'), { kind: 'failure', code: 5, reason: '用户' });
  pins(C.loginReplyCodec, hex('06'), { kind: 'failure', code: 6, reason: '' });
  for (const code of [0, 1]) assert.equal(failure(() => C.loginReplyCodec.encode({ kind: 'failure', code, reason: 'x' })), `cannot encode code: ${code} is not a failure code`);
  refuses(C.loginReplyCodec, { kind: 'failure', code: 5, reason: '' } as C.LoginReply, [['code', (v) => ({ ...v, code: 256 }) as C.LoginReply]]);
});

test('0x0002 keep alive: u32, u32 + time and ASCII requests; text and binary replies', () => {
  pins(C.keepAliveRequestCodec, hex('00002712'), { uid: 10002, form: 'u32' });
  pins(C.keepAliveRequestCodec, hex('00002712' + '6b048885'), { uid: 10002, form: 'u32time', time: 0x6b048885 });
  pins(C.keepAliveRequestCodec, Buffer.from('10002'), { uid: 10002, form: 'ascii' });
  // Eight ASCII digits are a uid, not a uid and a time.
  pins(C.keepAliveRequestCodec, Buffer.from('12345678'), { uid: 12345678, form: 'ascii' });
  assert.equal(failure(() => C.keepAliveRequestCodec.encode({ uid: 1234, form: 'ascii' })), 'cannot encode uid: 1234 in ASCII would read back as a u32');
  assert.equal(failure(() => C.keepAliveRequestCodec.encode({ uid: -1, form: 'ascii' })), 'cannot encode uid: -1 is not a u32');
  assert.equal(failure(() => C.keepAliveRequestCodec.decode(Buffer.from('1x'))), 'bad_value: "1x" is not a decimal u32 (field uid at offset 0)');
  refuses(C.keepAliveRequestCodec, { uid: 1, form: 'u32' } as C.KeepAliveRequest, [['uid', (v) => ({ ...v, uid: 2 ** 32 })]]);
  refuses(C.keepAliveRequestCodec, { uid: 1, form: 'u32time', time: 2 } as C.KeepAliveRequest, [['uid', (v) => ({ ...v, uid: 2 ** 32 })], ['time', (v) => ({ ...v, time: 2 ** 32 })]]);

  const text = Buffer.from('0\x1f0\x1f7\x1f127.0.0.1\x1f4000\x1f60', 'latin1');
  pins(C.keepAliveReplyCodec, text, C.keepAliveReply(7, '127.0.0.1', 4000));
  // Clients drop the connection on 0 users online: the builder says at least 1.
  assert.deepEqual(C.keepAliveReply(0, '127.0.0.1', 4000), { ...C.keepAliveReply(1, '127.0.0.1', 4000) });
  assert.equal(C.keepAliveReplyCodec.encode(C.keepAliveReply(0, '127.0.0.1', 4000)).toString('latin1').split('\x1f')[2], '1');
  assert.equal(failure(() => C.keepAliveReplyCodec.decode(Buffer.from('0\x1f0\x1f7', 'latin1'))), 'bad_value: 3 field(s), expected 6 (field fields at offset 0)');
  assert.equal(failure(() => C.keepAliveReplyCodec.decode(Buffer.from('0\x1f0\x1f7\x1f1.2.3.4\x1f65536\x1f60', 'latin1'))), 'bad_value: port 65536 (field clientPort)');
  assert.equal(C.keepAliveReplyCodec.decode(Buffer.from('0\x1f0\x1f7\x1f1.2.3.4\x1f65535\x1f60', 'latin1')).form === 'text', true);
  assert.deepEqual(C.keepAliveReplyCodec.decode(Buffer.from('0\x1f0\x1f7\x1f1.2.3.4\x1f65535\x1f60', 'latin1')), { form: 'text', result: '0', unknown: '0', onlineUsers: 7, clientIp: '1.2.3.4', clientPort: 65535, interval: '60' });
  assert.equal(failure(() => C.keepAliveReplyCodec.decode(Buffer.from('0\x1f0\x1f7\x1f1.2.3.4\x1fx\x1f60', 'latin1'))), 'bad_value: "x" is not a decimal u32 (field clientPort)');
  assert.equal(failure(() => C.keepAliveReplyCodec.decode(Buffer.from('0\x1f0\x1fx\x1f1.2.3.4\x1f1\x1f60', 'latin1'))), 'bad_value: "x" is not a decimal u32 (field onlineUsers)');
  const t = C.keepAliveReply(7, '127.0.0.1', 4000);
  assert.equal(failure(() => C.keepAliveReplyCodec.encode({ ...t, clientPort: 65536 } as C.KeepAliveReply)), 'cannot encode clientPort: 65536 is not a u16');
  assert.equal(failure(() => C.keepAliveReplyCodec.encode({ ...t, clientPort: 1.5 } as C.KeepAliveReply)), 'cannot encode clientPort: 1.5 is not a u16');
  assert.equal(failure(() => C.keepAliveReplyCodec.encode({ ...t, clientPort: -1 } as C.KeepAliveReply)), 'cannot encode clientPort: -1 is not a u16');
  assert.equal(C.keepAliveReplyCodec.encode({ ...t, clientPort: 65535 } as C.KeepAliveReply).toString('latin1'), '0\x1f0\x1f7\x1f127.0.0.1\x1f65535\x1f60');
  assert.equal(C.keepAliveReplyCodec.encode({ ...t, clientPort: 0 } as C.KeepAliveReply).toString('latin1'), '0\x1f0\x1f7\x1f127.0.0.1\x1f0\x1f60');
  assert.equal(failure(() => C.keepAliveReplyCodec.encode({ ...t, onlineUsers: -1 } as C.KeepAliveReply)), 'cannot encode onlineUsers: -1 is not a u32');
  assert.equal(failure(() => C.keepAliveReplyCodec.encode({ ...t, clientIp: '中' } as C.KeepAliveReply)), 'cannot encode fields[3]: not single-byte text');
  assert.equal(failure(() => C.keepAliveReplyCodec.encode({ ...t, clientIp: '1\x1f2' } as C.KeepAliveReply)), 'cannot encode fields[3]: contains the separator 0x1f');
  assert.equal(C.keepAliveReplyCodec.encode({ ...t, clientIp: '\xff' } as C.KeepAliveReply).toString('latin1'), '0\x1f0\x1f7\x1f\xff\x1f4000\x1f60');

  // 22 bytes that are not six text fields: the binary layout of the modern 0x0058 reply.
  const binary = hex('00' + '00000007' + '7f000001' + '0fa0' + '003c' + '6b048885' + zeros(5));
  assert.equal(binary.length, 22);
  const b = C.keepAliveReplyCodec.decode(binary);
  assert.equal(b.form, 'binary');
  assert.equal(C.keepAliveReplyCodec.encode(b).toString('hex'), binary.toString('hex'));
  // A 22-byte text reply stays text.
  const text22 = Buffer.from('0\x1f0\x1f7\x1f10.0.0.1\x1f4000\x1f60', 'latin1');
  assert.equal(text22.length, 22);
  assert.equal(C.keepAliveReplyCodec.decode(text22).form, 'text');
});

test('0x001D key request and reply: simple and token forms, cuts and refusals', () => {
  pins(C.keyRequestCodec, hex('04' + 'ab'), { sub: C.KeySub.FILE, extra: hex('ab') });
  cutsName(C.keyRequestCodec, hex('04'), [['sub', 0, 1]]);
  refuses(C.keyRequestCodec, { sub: 4, extra: Buffer.alloc(0) }, tooWide([['sub', 1]]));

  const simple = hex('04' + '00' + KEY + zeros(C.KEY_REPLY_PADDING));
  assert.equal(simple.length, 31);
  pins(C.keyReplyCodec, simple, { sub: 4, result: 0, key: hex(KEY), token: undefined, padding: Buffer.alloc(13) });
  const token = hex('06' + '00' + KEY + '02' + 'd1d2' + 'e0');
  pins(C.keyReplyCodec, token, { sub: 6, result: 0, key: hex(KEY), token: hex('d1d2'), padding: hex('e0') });
  cutsName(C.keyReplyCodec, token, [['sub', 0, 1], ['result', 1, 1], ['key', 2, 16], ['token', 19, 2]]);
  const v: C.KeyReply = { sub: 6, result: 0, key: hex(KEY), token: hex('d1'), padding: Buffer.alloc(0) };
  refuses(C.keyReplyCodec, v, [...tooWide<C.KeyReply>([['sub', 1], ['result', 1]]), ['key', (x) => ({ ...x, key: fixed(15) })], ['token', (x) => ({ ...x, token: fixed(256) })]]);
});

test('0x003E memo: request and reply layouts, cuts naming each of the seven fields', () => {
  pins(C.memoRequestCodec, hex('03' + '00002712'), { sub: C.MEMO_GET, uid: 10002 });
  cutsName(C.memoRequestCodec, hex('03' + '00002712'), [['sub', 0, 1], ['uid', 1, 4]]);
  refuses(C.memoRequestCodec, { sub: 3, uid: 1 }, tooWide([['sub', 1], ['uid', 4]]));

  pins(C.memoReplyCodec, hex('03'), { sub: 3 });
  assert.equal(failure(() => C.memoReplyCodec.decode(Buffer.alloc(0))), 'truncated: need 1 byte(s), 0 left (field sub at offset 0)');
  const fields = ['a', '', 'c', '', '', '', 'g'];
  const body = hex('03' + '00002712' + '00' + '0161' + '00' + '0163' + '00' + '00' + '00' + '0167');
  pins(C.memoReplyCodec, body, { sub: 3, memo: { uid: 10002, unknown: 0, fields } });
  assert.equal(C.MEMO_FIELDS, 7);
  const cuts: Field[] = [['uid', 1, 4], ['unknown', 5, 1], ['fields[0] length', 6, 1], ['fields[0]', 7, 1], ['fields[1] length', 8, 1], ['fields[2] length', 9, 1], ['fields[2]', 10, 1]];
  cutsName(C.memoReplyCodec, body, cuts.filter(([, o]) => o > 1));
  assert.equal(failure(() => C.memoReplyCodec.decode(Buffer.concat([body, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 16)');
  // Missing fields are written empty.
  assert.equal(C.memoReplyCodec.encode({ sub: 3, memo: { uid: 1, unknown: 0, fields: ['x'] } }).toString('hex'), '03' + '00000001' + '00' + '0178' + '00'.repeat(6));
  for (const n of [2, 3, 4]) assert.equal(failure(() => C.memoReplyCodec.decode(body.subarray(0, n))), `truncated: need 4 byte(s), ${n - 1} left (field uid at offset 1)`);
  // Modify (pidgin's 01): `01 00 uid 00` and the seven fields; the reply is the sub-command and a result.
  const modify = hex('01' + '00' + '00002712' + '00' + '0161' + '00' + '0163' + '00' + '00' + '00' + '0167');
  pins(C.memoRequestCodec, modify, { sub: C.MemoOp.MODIFY, unknown1: 0, uid: 10002, unknown2: 0, fields });
  cutsName(C.memoRequestCodec, modify, [['unknown1', 1, 1], ['uid', 2, 4], ['unknown2', 6, 1], ['fields[0] length', 7, 1], ['fields[0]', 8, 1], ['fields[1] length', 9, 1]]);
  assert.equal(failure(() => C.memoRequestCodec.decode(hex('02' + '00002712'))), 'bad_value: memo sub-command 0x2 has no known layout (field sub at offset 0)');
  assert.equal(failure(() => C.memoRequestCodec.decode(hex('0300002712' + '00'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 5)');
  refuses(C.memoRequestCodec, { sub: C.MemoOp.MODIFY, unknown1: 0, uid: 1, unknown2: 0, fields } as C.MemoRequest, [
    ['sub', (x) => ({ ...x, sub: 256 }) as unknown as C.MemoRequest], ['unknown1', (x) => ({ ...x, unknown1: 256 })], ['uid', (x) => ({ ...x, uid: 2 ** 32 })],
    ['unknown2', (x) => ({ ...x, unknown2: 256 })], ['fields[0]', (x) => ({ ...x, fields: ['f'.repeat(256)] })],
  ]);
  pins(C.memoReplyCodec, hex('01' + '00'), { sub: 1, result: 0 });
  assert.equal(failure(() => C.memoReplyCodec.decode(hex('01' + '00' + '00'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 2)');
  refuses(C.memoReplyCodec, { sub: 1, result: 0 }, [['result', (x) => ({ ...x, result: 256 })]]);
  refuses(C.memoReplyCodec, { sub: 3, memo: { uid: 1, unknown: 0, fields } } as C.MemoReply, [
    ['sub', (x) => ({ ...x, sub: 256 })], ['uid', (x) => ({ ...x, memo: { ...x.memo!, uid: 2 ** 32 } })], ['unknown', (x) => ({ ...x, memo: { ...x.memo!, unknown: 256 } })],
    ['fields[6]', (x) => ({ ...x, memo: { ...x.memo!, fields: [...fields.slice(0, 6), 'z'.repeat(256)] } })],
  ]);
});

test('0x0080 system message and its 0x0012 ack: fields, separators and errors', () => {
  const body = Buffer.concat([Buffer.from('2\x1f10001\x1f10002\x1f', 'latin1'), hex('c4e3bac3'), Buffer.from('\x1fok', 'latin1')]);
  // The text may hold the separator: everything after the third is text.
  pins(C.systemMessageCodec, body, { code: 2, from: 10001, to: 10002, text: '你好\x1fok' });
  assert.equal(failure(() => C.systemMessageCodec.decode(Buffer.from('2\x1f10001\x1f10002', 'latin1'))), 'truncated: 3 of 4 fields (field fields at offset 13)');
  assert.equal(failure(() => C.systemMessageCodec.decode(Buffer.from('02\x1f1\x1f2\x1f', 'latin1'))), 'bad_value: "02" is not a decimal u32 (field code at offset 0)');
  assert.equal(failure(() => C.systemMessageCodec.decode(Buffer.from('2\x1fx\x1f2\x1f', 'latin1'))), 'bad_value: "x" is not a decimal u32 (field from)');
  assert.equal(failure(() => C.systemMessageCodec.decode(Buffer.from('2\x1f1\x1fy\x1f', 'latin1'))), 'bad_value: "y" is not a decimal u32 (field to)');
  refuses(C.systemMessageCodec, { code: 1, from: 2, to: 3, text: '' }, tooWide([['code', 4], ['from', 4], ['to', 4]]));

  const ack = Buffer.concat([Buffer.from('41\x1e10001\x1e', 'latin1'), hex('0102')]);
  pins(C.systemMessageAckCodec, ack, { code: 41, from: 10001, seq: 0x0102 });
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('\x1e1\x1e\x00\x01', 'latin1'))), 'bad_value: expected the code, then 0x1E (field code at offset 0)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41', 'latin1'))), 'bad_value: expected the code, then 0x1E (field code at offset 0)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41\x1e10001', 'latin1'))), 'bad_value: expected from uid, 0x1E, u16 seq (field from at offset 3)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41\x1e12', 'latin1'))), 'bad_value: expected from uid, 0x1E, u16 seq (field from at offset 3)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41\x1e\x1e\x00\x01', 'latin1'))), 'bad_value: "" is not a decimal u32 (field from at offset 3)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41\x1e10001\x1e\x00', 'latin1'))), 'bad_value: expected from uid, 0x1E, u16 seq (field from at offset 3)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41\x1e10001\x1e\x00\x01\x02', 'latin1'))), 'bad_value: expected from uid, 0x1E, u16 seq (field from at offset 3)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('4x\x1e1\x1e\x00\x01', 'latin1'))), 'bad_value: "4x" is not a decimal u32 (field code at offset 0)');
  assert.equal(failure(() => C.systemMessageAckCodec.decode(Buffer.from('41\x1ey\x1e\x00\x01', 'latin1'))), 'bad_value: "y" is not a decimal u32 (field from at offset 3)');
  refuses(C.systemMessageAckCodec, { code: 1, from: 2, seq: 3 }, tooWide([['code', 4], ['from', 4], ['seq', 2]]));
  assert.equal(C.removedYouText(10001), '10001 removed you from their friends');
  assert.ok(C.REMOVED_YOU_TEXT.test(C.removedYouText(10001)));
  assert.ok(!C.REMOVED_YOU_TEXT.test(`x${C.removedYouText(10001)}`) && !C.REMOVED_YOU_TEXT.test(`${C.removedYouText(10001)}.`));
});

test('0x0006 user info: the ASCII uid request and the 0x1E-separated reply', () => {
  pins(C.userInfoRequestCodec, Buffer.from('10002'), { uid: 10002 });
  assert.equal(failure(() => C.userInfoRequestCodec.decode(Buffer.from('0x1'))), 'bad_value: "0x1" is not a decimal u32 (field uid at offset 0)');
  refuses(C.userInfoRequestCodec, { uid: 1 }, tooWide([['uid', 4]]));

  // Field i holds "f<i>", numeric fields a number: index 0 uid, 7 age, 8 gender, 18 auth type, 21 face.
  const raw = Array.from({ length: C.INFO_FIELDS }, (_, i) => `f${i}`);
  Object.assign(raw, { 0: '10002', 7: '23', 8: '1', 18: '2', 21: '96' });
  const body = Buffer.from(raw.join('\x1e'), 'latin1');
  const r = C.userInfoReplyCodec.decode(body);
  assert.deepEqual(r.fields, raw);
  assert.deepEqual(r.info, {
    uid: 10002, nick: 'f1', country: 'f2', province: 'f3', zip: 'f4', address: 'f5', telephone: 'f6', age: 23, gender: 1, name: 'f9',
    email: 'f10', pagerSn: 'f11', pagerNumber: 'f12', pagerProvider: 'f13', pagerBaseNumber: 'f14', pagerType: 'f15', occupation: 'f16',
    homepage: 'f17', authType: 2, face: 96, mobile: 'f22', mobileType: 'f23', intro: 'f24', city: 'f25', publishMobile: 'f29',
    publishContact: 'f30', college: 'f31', horoscope: 'f32', zodiac: 'f33', bloodType: 'f34', show: 'f35',
  });
  assert.equal(C.userInfoReplyCodec.encode(r).toString('latin1'), body.toString('latin1'));
  // Lenient numbers: "", "-", eleven digits and 2^32 read as 0; 4294967295 is kept.
  const lenient = (s: string) => C.userInfoOf(Object.assign([...raw], { 7: s })).age;
  assert.deepEqual(['', '-', '12345678901', '4294967296', '4294967295', '0', ' 12', '12 ', '1e3'].map(lenient), [0, 0, 0, 0, 4294967295, 0, 0, 0, 0]);
  assert.equal(C.userInfoOf([]).uid, 0);
  assert.equal(C.userInfoOf([]).nick, '');
  // Named fields win on encode; a number equal to its field's reading keeps the field's text.
  const changed = C.userInfoReplyCodec.encode({ info: { ...r.info, nick: 'new', age: 30 }, fields: raw });
  assert.deepEqual(C.userInfoReplyCodec.decode(changed).fields.slice(0, 9), ['10002', 'new', 'f2', 'f3', 'f4', 'f5', 'f6', '30', '1']);
  assert.equal(C.userInfoReplyCodec.encode({ info: { ...r.info, age: 0 }, fields: Object.assign([...raw], { 7: '-' }) }).toString('latin1').split('\x1e')[7], '-');
  // Too few fields are padded to 37; the builder sends 38, unknowns "0".
  const few = C.userInfoReplyCodec.encode({ info: r.info, fields: [] });
  assert.equal(few.toString('latin1').split('\x1e').length, C.INFO_MIN_FIELDS);
  // The padding is empty text: the unknown fields 19, 20, 26–28 and 36 stay empty.
  assert.deepEqual([19, 20, 26, 27, 28, 36].map((i) => few.toString('latin1').split('\x1e')[i]), ['', '', '', '', '', '']);
  assert.equal(C.INFO_MIN_FIELDS, 37);
  assert.deepEqual(C.userInfoReply(r.info).fields, Array(38).fill('0'));
  assert.equal(failure(() => C.userInfoReplyCodec.decode(Buffer.from(raw.slice(0, 36).join('\x1e'), 'latin1'))), `truncated: 36 field(s), need ≥ 37 (field fields at offset ${raw.slice(0, 36).join('\x1e').length})`);
  for (const bad of [-1, 2 ** 32, 1.5]) {
    assert.equal(failure(() => C.userInfoReplyCodec.encode({ info: { ...r.info, face: bad }, fields: raw })), `cannot encode info.face: ${bad} is not a u32`);
  }
  assert.equal(C.userInfoReplyCodec.decode(C.userInfoReplyCodec.encode({ info: { ...r.info, face: 2 ** 32 - 1 }, fields: raw })).info.face, 2 ** 32 - 1);
  assert.equal(failure(() => C.userInfoReplyCodec.encode({ info: { ...r.info, nick: 'a\x1eb' }, fields: raw })), 'cannot encode fields[1]: contains the separator 0x1e');
});

test('0x0026 friend list: QQ2005 and QQ2007 entries, cuts and refusals', () => {
  pins(C.friendListRequestCodec, hex('0000' + '00'), { start: 0, extra: hex('00') });
  cutsName(C.friendListRequestCodec, hex('0001'), [['start', 0, 2]]);
  refuses(C.friendListRequestCodec, { start: 0, extra: Buffer.alloc(0) }, tooWide([['start', 2]]));

  const entry = '00002712' + '0003' + '17' + '01' + '02' + '6162' + '0000' + '01' + '00';
  const e: C.FriendEntry = { uid: 10002, face: 3, age: 23, gender: 1, nick: 'ab', flagsUnknown: 0, ext: 1, comm: 0 };
  pins(C.friendListReplyCodec, hex('ffff' + entry + entry), { next: C.FRIEND_LIST_END, entries: [e, e] });
  // Two bytes are a whole reply with no entries; a cut inside the first entry names the field it falls in.
  assert.deepEqual(C.friendListReplyCodec.decode(hex('0005')), { next: 5, entries: [] });
  for (const n of [3, 4, 5]) assert.equal(failure(() => C.friendListReplyCodec.decode(hex('0005' + entry).subarray(0, n))), `truncated: need 4 byte(s), ${n - 2} left (field uid at offset 2)`);
  cutsName(C.friendListReplyCodec, hex('0005' + entry), [['next', 0, 2], ['face', 6, 2], ['age', 8, 1], ['gender', 9, 1], ['nick length', 10, 1], ['nick', 11, 2], ['flagsUnknown', 13, 2], ['ext', 15, 1], ['comm', 16, 1]]);
  // A QQ2007 body: four more bytes per entry, which a QQ2005 reading would take for a uid 0.
  const tail = 'c0c1c2c3';
  pins(C.friendListReplyCodec, hex('ffff' + entry + tail), { next: 0xffff, entries: [{ ...e, tail: hex(tail) }] });
  pins(C.friendListReplyCodec, hex('0005' + entry + zeros(4) + entry + zeros(4)), { next: 5, entries: [{ ...e, tail: Buffer.alloc(4) }, { ...e, tail: Buffer.alloc(4) }] });
  assert.equal(C.ENTRY_TAIL_2007, 4);
  // This QQ2007 body also reads whole as three QQ2005 entries, the second with uid 0 (its first tail): it is QQ2007.
  const e1 = '00002712' + '0003' + '17' + '01' + '02' + '6162' + '0000' + '01' + '00' + zeros(4);
  const e2 = '00002713' + '0004' + '12' + '00' + '05' + '68656c6c6f' + '0000' + '00' + '00' + zeros(4);
  assert.deepEqual(C.friendListReplyCodec.decode(hex('ffff' + e1 + e2)).entries.map((x) => [x.uid, x.nick, x.tail?.length]), [[10002, 'ab', 4], [10003, 'hello', 4]]);
  assert.equal(failure(() => C.friendListReplyCodec.decode(hex('0005' + entry + 'c0c1'))), 'truncated: need 4 byte(s), 2 left (field tail at offset 17)');
  refuses(C.friendListReplyCodec, { next: 0, entries: [e] }, [
    ['next', (v) => ({ ...v, next: 0x10000 })],
    ...(['uid', 'face', 'age', 'gender', 'flagsUnknown', 'ext', 'comm'] as const).map((k): [string, (v: C.FriendListReply) => C.FriendListReply] => [k, (v) => ({ ...v, entries: [{ ...e, [k]: 2 ** 32 }] })]),
    ['nick', (v) => ({ ...v, entries: [{ ...e, nick: 'n'.repeat(256) }] })],
    ['tail', (v) => ({ ...v, entries: [{ ...e, tail: fixed(3) }] })],
  ]);
});

test('0x0058 friend groups: request and reply layouts, the group byte as index × 4', () => {
  const req = hex('01' + '02' + '00000000' + '00002712');
  pins(C.friendGroupsRequestCodec, req, { op: 1, sub: 2, reserved: 0, startUid: 10002 });
  cutsName(C.friendGroupsRequestCodec, req, [['op', 0, 1], ['sub', 1, 1], ['reserved', 2, 4], ['startUid', 6, 4]]);
  refuses(C.friendGroupsRequestCodec, { op: 1, sub: 2, reserved: 0, startUid: 0 }, tooWide([['op', 1], ['sub', 1], ['reserved', 4], ['startUid', 4]]));

  const body = hex('01' + '00' + '00000000' + '00000000' + '00002712' + '01' + '0c' + '00009c41' + '04' + '00');
  pins(C.friendGroupsReplyCodec, body, {
    op: 1, result: 0, reserved: 0, nextUid: 0,
    entries: [{ uid: 10002, type: C.GroupEntryType.FRIEND, group: 3 }, { uid: 40001, type: C.GroupEntryType.QUN, group: 0 }],
  });
  cutsName(C.friendGroupsReplyCodec, body, [['op', 0, 1], ['result', 1, 1], ['reserved', 2, 4], ['nextUid', 6, 4]]);
  assert.equal(failure(() => C.friendGroupsReplyCodec.decode(body.subarray(0, 15))), 'truncated: 5 byte(s) is not a whole number of 6-byte entries (field entries at offset 10)');
  const odd = Buffer.from(body);
  odd[15] = 0x0d;
  assert.equal(failure(() => C.friendGroupsReplyCodec.decode(odd)), 'bad_value: group byte 0xd is not index × 4 (field group at offset 15)');
  const v: C.FriendGroupsReply = { op: 1, result: 0, reserved: 0, nextUid: 0, entries: [{ uid: 1, type: 1, group: 63 }] };
  assert.equal(C.friendGroupsReplyCodec.encode(v).subarray(14).toString('hex'), '01' + 'fc');
  assert.equal(C.friendGroupsReplyCodec.encode({ ...v, entries: [{ uid: 1, type: 1, group: 0 }] }).subarray(14).toString('hex'), '01' + '00');
  for (const group of [64, -1, 1.5]) assert.equal(failure(() => C.friendGroupsReplyCodec.encode({ ...v, entries: [{ uid: 1, type: 1, group }] })), `cannot encode group: ${group} is not 0–63`);
  refuses(C.friendGroupsReplyCodec, v, [
    ...tooWide<C.FriendGroupsReply>([['op', 1], ['result', 1], ['reserved', 4], ['nextUid', 4]]),
    ['uid', (x) => ({ ...x, entries: [{ uid: 2 ** 32, type: 1, group: 0 }] })], ['type', (x) => ({ ...x, entries: [{ uid: 1, type: 256, group: 0 }] })],
  ]);
});

test('0x005C levels: list and QQ2007 forms, cuts and refusals', () => {
  pins(C.levelsRequestCodec, hex('00' + '00002712' + '00002713'), { sub: 0, uids: [10002, 10003] });
  pins(C.levelsRequestCodec, hex('08' + '00002712' + '00'), { sub: C.LEVEL_2007, uids: [10002], tail: hex('00') });
  assert.equal(failure(() => C.levelsRequestCodec.decode(hex('00' + '000027'))), 'truncated: 3 byte(s) is not a whole number of 4-byte entries (field uids at offset 1)');
  cutsName(C.levelsRequestCodec, hex('08' + '00002712'), [['sub', 0, 1], ['uid', 1, 4]]);
  refuses(C.levelsRequestCodec, { sub: 0, uids: [1] }, [['sub', (v) => ({ ...v, sub: 256 })], ['uid', (v) => ({ ...v, uids: [2 ** 32] })]]);

  const entry = '00002712' + '00000e10' + '0005' + '0003';
  const le: C.LevelEntry = { uid: 10002, activeTime: 3600, level: 5, daysLeft: 3 };
  pins(C.levelsReplyCodec, hex('00' + entry + entry), { sub: 0, entries: [le, le] });
  pins(C.levelsReplyCodec, hex('08' + entry + zeros(6)), { sub: 8, entries: [le], extra: C.LEVEL_2007_EXTRA });
  assert.equal(C.LEVEL_2007_EXTRA.toString('hex'), zeros(6));
  // Exactly 12 bytes after LEVEL_2007 are its one entry (with nothing after).
  assert.deepEqual(C.levelsReplyCodec.decode(hex('08' + entry)), { sub: 8, entries: [le], extra: Buffer.alloc(0) });
  // Fewer than 12 after LEVEL_2007: read as a list, which is not whole.
  assert.equal(failure(() => C.levelsReplyCodec.decode(hex('08' + entry.slice(0, 22)))), 'truncated: 11 byte(s) is not a whole number of 12-byte entries (field entries at offset 1)');
  cutsName(C.levelsReplyCodec, hex('00'), [['sub', 0, 1]]);
  refuses(C.levelsReplyCodec, { sub: 0, entries: [le] }, [
    ['sub', (v) => ({ ...v, sub: 256 })],
    ...(['uid', 'activeTime', 'level', 'daysLeft'] as const).map((k): [string, (v: C.LevelsReply) => C.LevelsReply] => [k, (v) => ({ ...v, entries: [{ ...le, [k]: 2 ** 32 }] })]),
  ]);
});

test('every classic codec is named after its export (the analyzer shows the name)', () => {
  const codecs = Object.entries(C).filter(([, v]) => v !== null && typeof v === 'object' && 'encode' in v && 'decode' in v && 'name' in v);
  assert.ok(codecs.length >= 40);
  for (const [name, c] of codecs) assert.equal((c as { name: string }).name, name.replace(/Codec$/, ''));
});
