// The QQ2009 (MyQQ 3.19) and pidgin-libqq dialects of the modern login chain, field by field: the plaintexts those
// clients and this server exchanged (test/vectors/qq2009-sessions.json, libqq-sessions.json), each field read at the
// offset written out here from the layouts (PROTOCOL-MODERN.md §3 and the codecs' layout notes), every cut naming its
// field and offset, the dialect told from the sub-command, and each error's whole message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { passwordKeyFromMd5, verifyBlockKey } from '../../src/protocol/keys.js';
import { teaDecrypt, teaEncrypt } from '../../src/protocol/tea.js';
import { cutsName, failure, hex, pins, refuses, tooWide } from '../helpers/fields.js';
import { firstPlain, loadRepoVectors, type SessionsFile } from '../helpers/vectors.js';

const qq2009 = loadRepoVectors<SessionsFile>('qq2009-sessions.json').sessions[0]!;
const qq2009Wrong = loadRepoVectors<SessionsFile>('qq2009-sessions.json').sessions[2]!;
const libqq = loadRepoVectors<SessionsFile>('libqq-sessions.json').sessions[0]!;
const libqq2010 = loadRepoVectors<SessionsFile>('libqq-sessions.json').sessions[1]!;

const plainOf = firstPlain;
const zeros = (n: number) => '00'.repeat(n);
const fixed = (n: number, b = 0x5a) => Buffer.alloc(n, b);
/** A deterministic random source: bytes 1, 2, 3, … */
const counting = () => {
  let i = 0;
  return (n: number) => Buffer.from(Array.from({ length: n }, () => ++i & 0xff));
};

test('0x00DD verify (QQ2009): sub 0x00CA, no random20, the block sealed with the password key', () => {
  assert.deepEqual(M.VERIFY_SUB, { qq2011: 0x00de, qq2009: 0x00ca, libqq: 0x00de });
  const rec = plainOf(qq2009, 'c2s', 0x00dd);
  // sub at 0, head at 2, locale at 4, version spec at 10, tok16 token_c at 22 (56 bytes), tok16 verify block at 80
  // (120 bytes), tok16 random20 at 202 (empty), tok16 extension at 204.
  assert.deepEqual([rec.readUInt16BE(0), rec.readUInt16BE(2), rec.readUInt16BE(22), rec.readUInt16BE(80), rec.readUInt16BE(202), rec.readUInt16BE(204)], [0x00ca, 1, 56, 120, 0, rec.length - 206]);
  const v = M.verifyRequest.decode(rec);
  assert.equal(v.dialect, 'qq2009');
  assert.deepEqual([v.locale.toString('hex'), v.versionSpec.toString('hex'), v.random20.length, v.zeroPad, v.entries.map((e) => e.tag)], ['0000080401e0', rec.subarray(10, 22).toString('hex'), 0, 348, [1, 2]]);
  assert.equal(v.tokenC.toString('hex'), rec.subarray(24, 80).toString('hex'));
  assert.equal(v.verifyCipher.toString('hex'), rec.subarray(82, 202).toString('hex'));
  assert.equal(M.verifyRequest.encode(v).toString('hex'), rec.toString('hex'));
  // Without a dialect (and in libqq's) the sub-command is QQ2011's; a QQ2011 body decodes without one.
  const q11 = M.verifyRequest.encode({ ...v, dialect: undefined });
  assert.equal(q11.readUInt16BE(0), 0x00de);
  assert.equal('dialect' in M.verifyRequest.decode(q11), false);
  assert.equal(M.verifyRequest.encode({ ...v, dialect: 'libqq' }).toString('hex'), q11.toString('hex'));
  assert.equal(M.verifyRequest.encode({ ...v, dialect: 'qq2011' }).toString('hex'), q11.toString('hex'));
  const bad = Buffer.from(rec);
  bad.writeUInt16BE(0x00cb, 0);
  assert.equal(failure(() => M.verifyRequest.decode(bad)), 'bad_value: expected 0xde, got 0xcb (field sub at offset 0)');
  cutsName(M.verifyRequest, rec, [['sub', 0, 2], ['head', 2, 2], ['locale', 4, 6]]);

  // The block opens with the password key MD5(MD5(pw)) (not the QQ2011 key of MD5(pw) and uid).
  const md5 = hex(qq2009.pwd_md5!);
  assert.equal(M.verifySealKey(md5, 10001, 'qq2009').toString('hex'), qq2009.pwd_key);
  assert.equal(M.verifySealKey(md5, 10001, 'qq2009').toString('hex'), passwordKeyFromMd5(md5).toString('hex'));
  assert.equal(M.verifySealKey(md5, 10001, 'qq2011').toString('hex'), verifyBlockKey(md5, 10001).toString('hex'));
  assert.equal(M.verifySealKey(md5, 10001, 'libqq').toString('hex'), verifyBlockKey(md5, 10001).toString('hex'));
  assert.equal(M.verifySealKey(md5, 10001).toString('hex'), verifyBlockKey(md5, 10001).toString('hex'));
  const opened = M.checkVerifyBlock(v.verifyCipher, md5, 10001, 'qq2009');
  assert.ok(opened.ok);
  assert.deepEqual([opened.block.uid, opened.block.passwordMd5.toString('hex')], [10001, qq2009.pwd_md5]);
  assert.deepEqual(M.checkVerifyBlock(v.verifyCipher, md5, 10001, 'qq2011'), { ok: false, reason: 'cannot_open' });
  assert.deepEqual(M.checkVerifyBlock(v.verifyCipher, md5, 10001), { ok: false, reason: 'cannot_open' });
  // The password key does not depend on the uid: the block's own uid is compared.
  assert.deepEqual(M.checkVerifyBlock(v.verifyCipher, md5, 10002, 'qq2009'), { ok: false, reason: 'cannot_open' });
  assert.deepEqual(M.checkVerifyBlock(v.verifyCipher, hex(qq2009Wrong.pwd_md5!), 10001, 'qq2009'), { ok: false, reason: 'cannot_open' });
  // A cipher that opens with the key but holds no verify block is malformed.
  const junk = M.checkVerifyBlock(teaEncrypt(hex('0102'), passwordKeyFromMd5(md5), counting()), md5, 10001, 'qq2009');
  assert.equal(junk.ok ? 'ok' : junk.reason, 'malformed');

  // Sealing in a dialect uses its key; the default is QQ2011's.
  const sealed = M.sealVerifyBlock(opened.block, counting(), 'qq2009');
  assert.equal(Buffer.from(teaDecrypt(sealed, passwordKeyFromMd5(md5))!).toString('hex'), M.verifyBlock.encode(opened.block).toString('hex'));
  assert.equal(teaDecrypt(M.sealVerifyBlock(opened.block, counting()), passwordKeyFromMd5(md5)), null);
  assert.ok(teaDecrypt(M.sealVerifyBlock(opened.block, counting()), verifyBlockKey(md5, 10001)));
  const params = { uid: 10001, passwordMd5: md5, serverTime: 5, serverIp: 0x7f000001 };
  const built = M.buildVerifyBlock(params, counting(), 'qq2009');
  const back = M.checkVerifyBlock(built, md5, 10001, 'qq2009');
  assert.ok(back.ok);
  assert.deepEqual(M.checkVerifyBlock(M.buildVerifyBlock(params, counting()), md5, 10001, 'qq2011').ok, true);

  // pidgin-libqq seals with the QQ2011 key.
  const lv = M.verifyRequest.decode(plainOf(libqq, 'c2s', 0x00dd));
  assert.equal(lv.random20.length, 20);
  assert.equal(M.checkVerifyBlock(lv.verifyCipher, hex(libqq.pwd_md5!), 10004, 'libqq').ok, true);
  assert.equal(M.checkVerifyBlock(lv.verifyCipher, hex(libqq.pwd_md5!), 10004, 'qq2009').ok, false);
});

test('0x00E5 login info request (QQ2009): head 0x010D and no flag byte; the QQ2011 form pidgin-libqq sends', () => {
  const rec = plainOf(qq2009, 'c2s', 0x00e5);
  // sub 0x010D at 0, 00 at 2, 0x0101 at 3, locale at 5, version spec at 11, tok16 token_c at 23 (56), tok16 login-info token at 81 (32),
  // unknown1 at 115, server time at 119, tok16 data at 123 (16), u16 0 at 141, u32 0 at 143 (no flag): 147 bytes.
  assert.deepEqual([rec.readUInt16BE(0), rec[2], rec.readUInt16BE(3), rec.readUInt16BE(23), rec.readUInt16BE(81), rec.readUInt16BE(123), rec.length], [0x010d, 0, 0x0101, 56, 32, 16, 147]);
  const v = M.loginInfoRequest.decode(rec);
  assert.deepEqual([v.dialect, v.unknown1, v.serverTime, v.loginInfoData.toString('hex')], ['qq2009', rec.readUInt32BE(115), rec.readUInt32BE(119), rec.subarray(125, 141).toString('hex')]);
  assert.equal(v.loginInfoToken.toString('hex'), rec.subarray(83, 115).toString('hex'));
  assert.equal(M.loginInfoRequest.encode(v).toString('hex'), rec.toString('hex'));
  assert.equal(failure(() => M.loginInfoRequest.decode(Buffer.concat([rec, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 147)');
  const tail = Buffer.from(rec);
  tail[146] = 1;
  assert.equal(failure(() => M.loginInfoRequest.decode(tail)), 'bad_value: expected 0x0, got 0x1 (field reserved3 at offset 143)');

  const lrec = plainOf(libqq, 'c2s', 0x00e5);
  assert.deepEqual([lrec.readUInt16BE(0), lrec[143], lrec.length], [0x010e, 0x01, 148]);
  const lv = M.loginInfoRequest.decode(lrec);
  assert.equal('dialect' in lv, false);
  assert.equal(M.loginInfoRequest.encode(lv).toString('hex'), lrec.toString('hex'));
  // pidgin-libqq's dialect writes the QQ2011 form (its 0x00E5 request is QQ2011's).
  assert.equal(M.loginInfoRequest.encode({ ...lv, dialect: 'libqq' }).toString('hex'), lrec.toString('hex'));
  const flag = Buffer.from(lrec);
  flag[143] = 2;
  assert.equal(failure(() => M.loginInfoRequest.decode(flag)), 'bad_value: expected 0x1, got 0x2 (field flag at offset 143)');
  const sub = Buffer.from(lrec);
  sub.writeUInt16BE(0x010f, 0);
  assert.equal(failure(() => M.loginInfoRequest.decode(sub)), 'bad_value: expected 0x10e, got 0x10f (field sub at offset 0)');
  // A QQ2009 head with a flag byte, or a QQ2011 head without: trailing or misread, never the other dialect.
  const q9flag = Buffer.from(lrec);
  q9flag.writeUInt16BE(0x010d, 0);
  assert.equal(failure(() => M.loginInfoRequest.decode(q9flag)), 'bad_value: expected 0x0, got 0x1000000 (field reserved3 at offset 143)');
  const q11noflag = Buffer.from(rec);
  q11noflag.writeUInt16BE(0x010e, 0);
  assert.equal(failure(() => M.loginInfoRequest.decode(q11noflag)), 'bad_value: expected 0x1, got 0x0 (field flag at offset 143)');
  cutsName(M.loginInfoRequest, rec, [['sub', 0, 2], ['reserved', 2, 1], ['head', 3, 2], ['locale', 5, 6], ['reserved2', 141, 2], ['reserved3', 143, 4]]);
  cutsName(M.loginInfoRequest, lrec, [['flag', 143, 1], ['reserved3', 144, 4]]);
});

test('0x00E5 login info reply: the QQ2009 layout (token, then u32 and nickname) and pidgin-libqq\'s longer one', () => {
  const rec = plainOf(qq2009, 's2c', 0x00e5);
  // head at 0, sub at 2, key2 at 4, 8 fixed bytes at 20, unknown2 at 28, server time at 32, client IP at 36, unknown3 at 40,
  // tok16 large token at 44 (64), unknown4 at 110, tok8 nickname at 114 (UTF-8): 128 bytes.
  assert.deepEqual([rec.readUInt16BE(0), rec.readUInt16BE(2), rec.readUInt16BE(44), rec.readUInt32BE(110), rec[114], rec.length], [0x0166, 0x0100, 64, 0, 13, 128]);
  const v = M.loginInfoReply.decode(rec);
  assert.deepEqual(
    [v.dialect, v.loginInfoKey2.toString('hex'), v.fixed!.toString('hex'), v.unknown2, v.serverTime, v.clientIp, v.unknown3, v.unknown4, v.nickname],
    ['qq2009', qq2009.keys!['login_info_key2'], '0000000100000064', rec.readUInt32BE(28), rec.readUInt32BE(32), 0x7f000001, 0, 0, 'MyQQ319用户'],
  );
  assert.equal(v.loginInfoLarge.toString('hex'), rec.subarray(46, 110).toString('hex'));
  assert.equal(M.loginInfoReply.encode(v).toString('hex'), rec.toString('hex'));
  // No nickname given: an empty one.
  assert.equal(M.loginInfoReply.encode({ ...v, nickname: undefined }).toString('hex'), Buffer.concat([rec.subarray(0, 114), hex('00')]).toString('hex'));
  const badUtf8 = Buffer.concat([rec.subarray(0, 114), hex('01ff')]);
  // Every layout fails; the error is the first layout's (QQ2011: 66 bytes left over after its token).
  assert.match(failure(() => M.loginInfoReply.decode(badUtf8)), /^(trailing_bytes|truncated|bad_value): /);

  const lrec = plainOf(libqq, 's2c', 0x00e5);
  // … unknown3 at 40, unknown4 at 44, tok16 large token at 48 (64), e3 key at 114, tok16 e3 token at 130 (24), 41 bytes at 156,
  // tok16 third token at 197 (16): 215 bytes.
  assert.deepEqual([lrec.readUInt32BE(44), lrec.readUInt16BE(48), lrec.readUInt16BE(130), lrec.readUInt16BE(197), lrec.length], [0, 64, 24, 16, 215]);
  const lv = M.loginInfoReply.decode(lrec);
  assert.deepEqual(
    [lv.dialect, lv.e3Key!.toString('hex'), lv.e3Token!.toString('hex'), lv.reserved41!.toString('hex'), lv.thirdToken!.toString('hex')],
    ['libqq', libqq.keys!['e3_key'], lrec.subarray(132, 156).toString('hex'), zeros(41), lrec.subarray(199, 215).toString('hex')],
  );
  assert.equal(lv.loginInfoLarge.toString('hex'), lrec.subarray(50, 114).toString('hex'));
  assert.equal(M.loginInfoReply.encode(lv).toString('hex'), lrec.toString('hex'));
  // Defaults: zero e3 key and reserved bytes, empty tokens.
  const bare = M.loginInfoReply.encode({ ...lv, e3Key: undefined, e3Token: undefined, reserved41: undefined, thirdToken: undefined });
  assert.equal(bare.subarray(114).toString('hex'), zeros(16) + '0000' + zeros(41) + '0000');
  refuses(M.loginInfoReply, lv, [
    ['e3Key', (x) => ({ ...x, e3Key: fixed(15) })], ['e3Token', (x) => ({ ...x, e3Token: fixed(65536) })], ['reserved41', (x) => ({ ...x, reserved41: fixed(40) })],
    ['thirdToken', (x) => ({ ...x, thirdToken: fixed(65536) })], ...tooWide<M.LoginInfoReply>([['unknown4', 4]]), ['loginInfoLarge', (x) => ({ ...x, loginInfoLarge: fixed(65536) })],
  ]);
  refuses(M.loginInfoReply, v, [['nickname', (x) => ({ ...x, nickname: 'x'.repeat(256) })], ...tooWide<M.LoginInfoReply>([['unknown4', 4]]), ['loginInfoLarge', (x) => ({ ...x, loginInfoLarge: fixed(65536) })]]);

  // The server's reply in each dialect, from its random source.
  const q9 = M.makeLoginInfoReply({ serverTime: 5, clientIp: 6, dialect: 'qq2009', nickname: 'n' }, counting());
  assert.deepEqual([q9.dialect, q9.nickname, q9.e3Key], ['qq2009', 'n', undefined]);
  assert.equal(M.makeLoginInfoReply({ serverTime: 5, clientIp: 6, dialect: 'qq2009' }, counting()).nickname, '');
  const lq = M.makeLoginInfoReply({ serverTime: 5, clientIp: 6, dialect: 'libqq', loginInfoKey2: fixed(16), unknown2: 1, loginInfoLarge: fixed(64) }, counting());
  assert.deepEqual([lq.dialect, lq.e3Key!.toString('hex'), lq.e3Token!.length, lq.reserved41!.toString('hex'), lq.thirdToken!.length, lq.nickname], ['libqq', '0102030405060708090a0b0c0d0e0f10', 24, zeros(41), 16, undefined]);
  assert.equal(lq.e3Token![0], 17);
  assert.equal(lq.thirdToken![0], 41);
  const q11 = M.makeLoginInfoReply({ serverTime: 5, clientIp: 6 }, counting());
  assert.deepEqual(['dialect' in q11, 'nickname' in q11, 'e3Key' in q11], [false, false, false]);
  assert.deepEqual(M.loginInfoReply.decode(M.loginInfoReply.encode(lq)), lq);
  assert.deepEqual(M.loginInfoReply.decode(M.loginInfoReply.encode(q9)), q9);
});

test('0x00E3 (pidgin-libqq): the recorded request and its nickname reply, field by field', () => {
  const rec = plainOf(libqq, 'c2s', 0x00e3);
  // 00C8 at 0, 0001 at 2, locale at 4, version spec at 10, tok16 token_c at 22 (56), tok16 e3 token at 80 (24), u32 0x20 at 106, 32 zeros at 110.
  assert.deepEqual([rec.readUInt16BE(0), rec.readUInt16BE(2), rec.readUInt16BE(22), rec.readUInt16BE(80), rec.readUInt32BE(106), rec.length], [0x00c8, 1, 56, 24, 0x20, 142]);
  const v = M.verifyE3Request.decode(rec);
  const info = M.loginInfoReply.decode(plainOf(libqq, 's2c', 0x00e5));
  assert.equal(v.e3Token.toString('hex'), info.e3Token!.toString('hex'));
  assert.deepEqual([v.locale.toString('hex'), v.versionSpec.toString('hex'), v.tokenC.toString('hex')], ['0000080401e0', rec.subarray(10, 22).toString('hex'), rec.subarray(24, 80).toString('hex')]);
  pins(M.verifyE3Request, rec, v);
  assert.deepEqual(M.makeVerifyE3Request(v.tokenC, v.e3Token), { locale: M.MODERN_LOCALE, versionSpec: M.MODERN_VERSION_SPEC, tokenC: v.tokenC, e3Token: v.e3Token });
  cutsName(M.verifyE3Request, rec, [
    ['sub', 0, 2], ['head', 2, 2], ['locale', 4, 6], ['versionSpec', 10, 12], ['tokenC length', 22, 2], ['tokenC', 24, 56], ['e3Token length', 80, 2], ['e3Token', 82, 24],
    ['padLength', 106, 4], ['pad', 110, 32],
  ]);
  const at = (i: number, b: number) => { const x = Buffer.from(rec); x[i] = b; return x; };
  assert.equal(failure(() => M.verifyE3Request.decode(at(1, 0xc9))), 'bad_value: expected 0xc8, got 0xc9 (field sub at offset 0)');
  assert.equal(failure(() => M.verifyE3Request.decode(at(3, 2))), 'bad_value: expected 0x1, got 0x2 (field head at offset 2)');
  assert.equal(failure(() => M.verifyE3Request.decode(at(109, 0x21))), 'bad_value: expected 0x20, got 0x21 (field padLength at offset 106)');
  assert.equal(failure(() => M.verifyE3Request.decode(at(113, 1))), 'bad_value: filler byte 3 is 0x1, expected 0 (field pad at offset 113)');
  assert.equal(failure(() => M.verifyE3Request.decode(Buffer.concat([rec, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 142)');
  refuses(M.verifyE3Request, v, [
    ['locale', (x) => ({ ...x, locale: fixed(5) })], ['versionSpec', (x) => ({ ...x, versionSpec: fixed(13) })], ['tokenC', (x) => ({ ...x, tokenC: fixed(65536) })],
    ['e3Token', (x) => ({ ...x, e3Token: fixed(65536) })],
  ]);

  const reply = plainOf(libqq, 's2c', 0x00e3);
  // 7 bytes, tok8 nickname at 7 (UTF-8), result at the end.
  pins(M.verifyE3Reply, reply, { head: hex(zeros(7)), nickname: 'Pidgin2005', result: 0 });
  pins(M.verifyE3Reply, plainOf(libqq2010, 's2c', 0x00e3), { head: hex(zeros(7)), nickname: 'SDK用户', result: 0 });
  assert.equal(M.verifyE3Reply.encode({ nickname: 'Pidgin2005', result: 0 }).toString('hex'), reply.toString('hex'));
  cutsName(M.verifyE3Reply, reply, [['head', 0, 7], ['nickname length', 7, 1], ['nickname', 8, 10], ['result', 18, 1]]);
  assert.equal(failure(() => M.verifyE3Reply.decode(hex(zeros(7) + '01ff00'))), 'bad_value: not valid UTF-8 (field nickname at offset 7)');
  assert.equal(failure(() => M.verifyE3Reply.decode(Buffer.concat([reply, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 19)');
  refuses(M.verifyE3Reply, { nickname: 'a', result: 0 }, [['head', (x) => ({ ...x, head: fixed(6) })], ['nickname', (x) => ({ ...x, nickname: 'x'.repeat(256) })], ...tooWide<M.VerifyE3Reply>([['result', 1]])]);
});

test('0x0018 pre-login list (QQ2009): the recorded request and the index page, field by field', () => {
  const rec = plainOf(qq2009, 'c2s', 0x0018);
  // 011A at 0, 0001 at 2, locale at 4, version spec at 10, tok16 token_c at 22 (56), unknown2 at 80, server time at 84, client IP at 88,
  // u32 0 at 92, tok16 large token at 96 (64), page at 162, u16 0 at 164, tok16 pad at 166 (0x71 zeros): 281 bytes.
  assert.deepEqual([rec.readUInt16BE(0), rec.readUInt16BE(2), rec.readUInt16BE(22), rec.readUInt32BE(92), rec.readUInt16BE(96), rec.readUInt16BE(162), rec.readUInt16BE(166), rec.length], [0x011a, 1, 56, 0, 64, 0, 0x71, 281]);
  const v = M.loginListRequest.decode(rec);
  const info = M.loginInfoReply.decode(plainOf(qq2009, 's2c', 0x00e5));
  assert.deepEqual([v.unknown2, v.serverTime, v.clientIp, v.page, v.loginInfoLarge.toString('hex')], [info.unknown2, info.serverTime, info.clientIp, 0, info.loginInfoLarge.toString('hex')]);
  assert.equal(v.tokenC.toString('hex'), rec.subarray(24, 80).toString('hex'));
  pins(M.loginListRequest, rec, v);
  const made = M.makeLoginListRequest({ versionSpec: v.versionSpec, tokenC: v.tokenC, unknown2: v.unknown2, serverTime: v.serverTime, clientIp: v.clientIp, loginInfoLarge: v.loginInfoLarge, page: 0 });
  assert.equal(M.loginListRequest.encode(made).toString('hex'), rec.toString('hex'));
  assert.deepEqual(M.makeLoginListRequest({ ...made, locale: hex('010203040506') }).locale, hex('010203040506'));
  cutsName(M.loginListRequest, rec, [
    ['sub', 0, 2], ['head', 2, 2], ['locale', 4, 6], ['versionSpec', 10, 12], ['tokenC length', 22, 2], ['tokenC', 24, 56], ['unknown2', 80, 4], ['serverTime', 84, 4], ['clientIp', 88, 4],
    ['reserved', 92, 4], ['loginInfoLarge length', 96, 2], ['loginInfoLarge', 98, 64], ['page', 162, 2], ['reserved2', 164, 2], ['pad length', 166, 2], ['pad', 168, 113],
  ]);
  const at = (i: number, b: number) => { const x = Buffer.from(rec); x[i] = b; return x; };
  assert.equal(failure(() => M.loginListRequest.decode(at(1, 0x1b))), 'bad_value: expected 0x11a, got 0x11b (field sub at offset 0)');
  assert.equal(failure(() => M.loginListRequest.decode(at(2, 1))), 'bad_value: expected 0x1, got 0x101 (field head at offset 2)');
  assert.equal(failure(() => M.loginListRequest.decode(at(95, 1))), 'bad_value: expected 0x0, got 0x1 (field reserved at offset 92)');
  assert.equal(failure(() => M.loginListRequest.decode(at(165, 1))), 'bad_value: expected 0x0, got 0x1 (field reserved2 at offset 164)');
  // The pad's offsets count from its own first byte.
  assert.equal(failure(() => M.loginListRequest.decode(at(170, 7))), 'bad_value: filler byte 2 is 0x7, expected 0 (field pad at offset 2)');
  assert.equal(failure(() => M.loginListRequest.decode(Buffer.concat([rec, hex('00')]))), 'trailing_bytes: 1 byte(s) left over (field end at offset 281)');
  refuses(M.loginListRequest, v, [
    ...tooWide<M.LoginListRequest>([['unknown2', 4], ['serverTime', 4], ['clientIp', 4], ['page', 2]]), ['locale', (x) => ({ ...x, locale: fixed(7) })],
    ['versionSpec', (x) => ({ ...x, versionSpec: fixed(11) })], ['tokenC', (x) => ({ ...x, tokenC: fixed(65536) })], ['loginInfoLarge', (x) => ({ ...x, loginInfoLarge: fixed(65536) })],
  ]);

  const reply = plainOf(qq2009, 's2c', 0x0018);
  // head (the entries' byte count) at 0, u32 0 at 2, next page at 6, 6-byte entries from 8, u16 0 last.
  const rv: M.LoginListReply = { head: 18, next: 0, entries: [10002, 10003, 10004].map((uid) => ({ uid, type: 1, group: 0, groupFlags: 0 })) };
  pins(M.loginListReply, reply, rv);
  const page = hex('038a' + '00000000' + '0001' + '00002712 01 05' + '0000');
  pins(M.loginListReply, page, { head: 0x038a, next: 1, entries: [{ uid: 10002, type: 1, group: 1, groupFlags: 1 }] });
  pins(M.loginListReply, hex('0000' + '00000000' + '0000' + '0000'), { head: 0, next: 0, entries: [] });
  cutsName(M.loginListReply, page, [['head', 0, 2], ['reserved', 2, 4], ['next', 6, 2]]);
  assert.equal(failure(() => M.loginListReply.decode(page.subarray(0, 9))), 'truncated: need 2 byte(s), 1 left (field trailer at offset 8)');
  assert.equal(failure(() => M.loginListReply.decode(page.subarray(0, 12))), 'truncated: need 1 byte(s), 0 left (field entries[0].type at offset 12)');
  assert.equal(failure(() => M.loginListReply.decode(page.subarray(0, 14))), 'truncated: need 2 byte(s), 0 left (field trailer at offset 14)');
  assert.equal(failure(() => M.loginListReply.decode(page.subarray(0, 15))), 'truncated: need 2 byte(s), 1 left (field trailer at offset 14)');
  const t = Buffer.from(page);
  t[15] = 1;
  assert.equal(failure(() => M.loginListReply.decode(t)), 'bad_value: expected 0x0, got 0x1 (field trailer at offset 14)');
  const r0 = Buffer.from(page);
  r0[5] = 1;
  assert.equal(failure(() => M.loginListReply.decode(r0)), 'bad_value: expected 0x0, got 0x1 (field reserved at offset 2)');
  refuses(M.loginListReply, rv, [...tooWide<M.LoginListReply>([['head', 2], ['next', 2]]), ['entries[1].group', (x) => ({ ...x, entries: [rv.entries[0]!, { ...rv.entries[0]!, group: 64 }] })]]);
});

test('0x0030 send login info (QQ2009): one zero u32 before the large token, the 13-byte tail head; libqq as QQ2011', () => {
  const rec = plainOf(qq2009, 'c2s', 0x0030);
  // head at 0, version spec at 2, unknown2 at 14, server time at 18, client IP at 22, 4 zeros at 26, tok16 large token at 30 (64),
  // 35 zeros at 96, exe hash at 131, random byte at 147, mode at 148, 10 zeros, server blob at 159, locale at 174, 16 zeros,
  // tok16 token_c at 196 (56), tail head at 254 (13 bytes), entry 1 at 267, …, 249 zeros last: 587 bytes.
  assert.deepEqual([rec.readUInt16BE(0), rec.readUInt32BE(26), rec.readUInt16BE(30), rec[148], rec.readUInt16BE(196), rec.subarray(254, 267).toString('hex'), rec[267], rec.length], [1, 0, 64, 10, 56, '00000007000000000804180140', 1, 587]);
  const v = M.sendLoginInfoRequest.decode(rec);
  assert.deepEqual([v.dialect, v.mode, v.zeroPad, v.tailHead!.toString('hex'), v.exeHash.toString('hex')], ['qq2009', 10, 249, '00000007000000000804180140', rec.subarray(131, 147).toString('hex')]);
  assert.equal(v.loginInfoLarge.toString('hex'), rec.subarray(32, 96).toString('hex'));
  assert.equal(M.sendLoginInfoRequest.encode(v).toString('hex'), rec.toString('hex'));
  assert.equal(M.sendLoginInfoRequest.encode({ ...v, tailHead: undefined }).toString('hex'), rec.toString('hex'));
  // A QQ2009 body whose tail head is not MyQQ's reads as neither layout.
  const head = Buffer.from(rec);
  head[257] = 8;
  assert.throws(() => M.sendLoginInfoRequest.decode(head));
  const reserved = Buffer.from(rec);
  reserved[27] = 1;
  assert.throws(() => M.sendLoginInfoRequest.decode(reserved));

  const lrec = plainOf(libqq, 'c2s', 0x0030);
  // QQ2011's: 8 zeros at 26, tok16 large token at 34, tail head `…0140` of 14 bytes.
  assert.deepEqual([lrec.readUInt32BE(26), lrec.readUInt32BE(30), lrec.readUInt16BE(34)], [0, 0, 64]);
  const lv = M.sendLoginInfoRequest.decode(lrec);
  assert.deepEqual(['dialect' in lv, lv.tailHead!.toString('hex'), lv.mode], [false, '0000000800000000080410000140', 30]);
  assert.equal(M.sendLoginInfoRequest.encode(lv).toString('hex'), lrec.toString('hex'));
  assert.equal(M.sendLoginInfoRequest.encode({ ...lv, dialect: 'libqq', tailHead: undefined }).toString('hex'), lrec.toString('hex'));

  // The client's request in each dialect, from the 0x00E5 reply.
  const info9 = M.loginInfoReply.decode(plainOf(qq2009, 's2c', 0x00e5));
  const m9 = M.makeSendLoginInfoRequest({ tokenC: v.tokenC, info: info9, mode: M.LoginMode.ONLINE }, counting());
  assert.deepEqual([m9.dialect, m9.zeroPad, m9.tailHead!.toString('hex'), m9.loginInfoLarge.toString('hex')], ['qq2009', 249, '00000007000000000804180140', info9.loginInfoLarge.toString('hex')]);
  assert.equal(M.sendLoginInfoRequest.encode(m9).length, 587);
  assert.deepEqual(M.sendLoginInfoRequest.decode(M.sendLoginInfoRequest.encode(m9)), m9);
  const infoL = M.loginInfoReply.decode(plainOf(libqq, 's2c', 0x00e5));
  const mL = M.makeSendLoginInfoRequest({ tokenC: lv.tokenC, info: infoL, mode: M.LoginMode.ONLINE }, counting());
  assert.deepEqual(['dialect' in mL, mL.zeroPad, mL.tailHead!.toString('hex')], [false, 251, '0000000800000000080410000140']);
  assert.deepEqual(M.sendLoginInfoRequest.decode(M.sendLoginInfoRequest.encode(mL)), mL);
});

test('0x0030 send login info reply: QQ2009\'s 139 bytes and pidgin-libqq\'s login token, field by field', () => {
  const rec = plainOf(qq2009, 's2c', 0x0030);
  // 00, session key at 1, uid at 17, client IP at 21, port at 25, local IP at 27, local port at 31, login time at 33, flag at 37,
  // mode at 38, 96 zeros at 39, last login time at 135: 139 bytes.
  const v: M.SendLoginInfoReply = {
    ok: true, dialect: 'qq2009', sessionKey: hex(qq2009.session_key!), uid: 10001, clientIp: 0x7f000001, clientPort: rec.readUInt16BE(25), localIp: 0x7f000001,
    localPort: rec.readUInt16BE(31), loginTime: rec.readUInt32BE(33), flag: 3, mode: 10, unknown: 0, lastLoginTime: rec.readUInt32BE(135),
  };
  assert.deepEqual([rec[37], rec[38], rec.subarray(39, 135).toString('hex'), rec.length], [3, 10, zeros(96), 139]);
  pins(M.sendLoginInfoReply, rec, v);
  const body = hex('00' + 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf' + '00002711' + '0a000001' + '1f40' + 'c0a80001' + '1f41' + '60000000' + '03' + '0a' + zeros(96) + '5fffffff');
  const bv = {
    ok: true as const, dialect: 'qq2009' as const, sessionKey: hex('b0b1b2b3b4b5b6b7b8b9babbbcbdbebf'), uid: 10001, clientIp: 0x0a000001, clientPort: 8000,
    localIp: 0xc0a80001, localPort: 8001, loginTime: 0x60000000, flag: 3, mode: 10, unknown: 0, lastLoginTime: 0x5fffffff,
  };
  pins(M.sendLoginInfoReply, body, bv);
  // Absent local address and last login time: the client's and the login time.
  assert.equal(M.sendLoginInfoReply.encode({ ...bv, localIp: undefined, localPort: undefined, lastLoginTime: undefined }).toString('hex'),
    body.subarray(0, 27).toString('hex') + '0a000001' + '1f40' + '60000000' + '030a' + zeros(96) + '60000000');
  const gap = Buffer.from(body);
  gap[100] = 1;
  assert.throws(() => M.sendLoginInfoReply.decode(gap));
  refuses(M.sendLoginInfoReply, bv as M.SendLoginInfoReply, [
    ['localIp', () => ({ ...bv, localIp: 2 ** 32 })], ['localPort', () => ({ ...bv, localPort: 65536 })], ['lastLoginTime', () => ({ ...bv, lastLoginTime: -1 })],
    ['flag', () => ({ ...bv, flag: 256 })], ['mode', () => ({ ...bv, mode: 256 })], ['loginTime', () => ({ ...bv, loginTime: 2 ** 32 })],
  ]);
  const made9 = M.makeSendLoginInfoReply({ sessionKey: bv.sessionKey, uid: 10001, clientIp: 1, clientPort: 2, loginTime: 3, mode: 10, dialect: 'qq2009' });
  assert.deepEqual(made9, { ok: true, dialect: 'qq2009', sessionKey: bv.sessionKey, uid: 10001, clientIp: 1, clientPort: 2, loginTime: 3, unknown: 0, flag: 3, mode: 10, localIp: 1, localPort: 2, lastLoginTime: 3 });
  assert.equal(M.sendLoginInfoReply.encode(made9).length, 139);

  const lrec = plainOf(libqq, 's2c', 0x0030);
  // 00, session key at 1, uid at 17, client IP at 21, port at 25, login time at 27, local IP at 31, 42 zeros at 35, tok16 login token at 77: 95 bytes.
  const lv = {
    ok: true as const, dialect: 'libqq' as const, sessionKey: hex(libqq.session_key!), uid: 10004, clientIp: 0x7f000001, clientPort: lrec.readUInt16BE(25), loginTime: lrec.readUInt32BE(27),
    localIp: 0x7f000001, unknown: 0, flag: 0, mode: 0, loginToken: lrec.subarray(79, 95),
  };
  assert.deepEqual([lrec.readUInt32BE(31), lrec.subarray(35, 77).toString('hex'), lrec.readUInt16BE(77), lrec.length], [0x7f000001, zeros(42), 16, 95]);
  pins(M.sendLoginInfoReply, lrec, lv);
  assert.equal(M.sendLoginInfoReply.encode({ ...lv, localIp: undefined, loginToken: undefined }).toString('hex'), lrec.subarray(0, 77).toString('hex') + '0000');
  const lgap = Buffer.from(lrec);
  lgap[50] = 1;
  assert.throws(() => M.sendLoginInfoReply.decode(lgap));
  refuses(M.sendLoginInfoReply, lv as M.SendLoginInfoReply, [['localIp', () => ({ ...lv, localIp: -1 })], ['loginToken', () => ({ ...lv, loginToken: fixed(65536) })], ['loginTime', () => ({ ...lv, loginTime: -1 })]]);
  const madeL = M.makeSendLoginInfoReply({ sessionKey: lv.sessionKey, uid: 10004, clientIp: 1, clientPort: 2, loginTime: 3, mode: 10, dialect: 'libqq' });
  assert.deepEqual(madeL, { ok: true, dialect: 'libqq', sessionKey: lv.sessionKey, uid: 10004, clientIp: 1, clientPort: 2, loginTime: 3, unknown: 0, flag: 0, mode: 0, localIp: 1, loginToken: Buffer.alloc(16) });
  assert.equal(M.makeSendLoginInfoReply({ ...madeL, dialect: 'libqq', loginToken: fixed(16) }).loginToken!.toString('hex'), fixed(16).toString('hex'));
  const made11 = M.makeSendLoginInfoReply({ sessionKey: lv.sessionKey, uid: 1, clientIp: 1, clientPort: 2, loginTime: 3, mode: 10 });
  assert.deepEqual(made11, { ok: true, sessionKey: lv.sessionKey, uid: 1, clientIp: 1, clientPort: 2, loginTime: 3, unknown: 0, flag: 3, mode: 10 });
  assert.equal(M.sendLoginInfoReply.encode(made11).length, 37);
});
