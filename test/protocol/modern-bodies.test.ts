import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bodySpec, decodeBody } from '../../src/protocol/commands.js';
import type { BodyCodec } from '../../src/protocol/codec.js';
import { DecodeError, EncodeError } from '../../src/protocol/errors.js';
import { decodePacket, encodePacket, type Direction, type Packet } from '../../src/protocol/framing.js';
import { imKey, passwordMd5, verifyBlockKey } from '../../src/protocol/keys.js';
import { replayRandom, seededRandom, type RandomSource } from '../../src/protocol/random.js';
import { teaCipherLength, teaDecrypt, teaDecryptBlock } from '../../src/protocol/tea.js';
import { ipToU32, Status, type StatusBlock } from '../../src/protocol/bodies/status-block.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { lazy, loadVectors, hex, VECTORS, type SessionsFile, type VectorPacket, type VectorSession } from '../helpers/vectors.js';

test('the wraps named by the table match PROTOCOL-MODERN.md §6', () => {
  const wraps = (code: number) => [bodySpec('modern', code, 'c2s')?.wrap, bodySpec('modern', code, 's2c')?.wrap];
  assert.deepEqual(wraps(0x0091), ['keyPrefixed', 'loginReply']);
  assert.deepEqual(wraps(0x00ba), ['keyPrefixed', 'loginReply']);
  assert.deepEqual(wraps(0x00dd), ['keyPrefixed', 'loginReply']);
  assert.deepEqual(wraps(0x00e5), ['magicPrefixed', 'loginReply']);
  assert.deepEqual(wraps(0x0030), ['magicPrefixed', 'loginReply']);
  for (const c of [0x00eb, 0x00e9, 0x00ea, 0x00ed, 0x00ec, 0x0001, 0x005c, 0x000d, 0x0126, 0x0067, 0x00b5, 0x003e, 0x0027, 0x0058, 0x001d, 0x003c, 0x00cd, 0x00ce]) {
    assert.deepEqual(wraps(c), ['session', 'session'], `0x${c.toString(16)}`);
  }
  assert.deepEqual(wraps(0x0081), [undefined, 'session']);
  assert.deepEqual(wraps(0x0062), ['session', undefined]);
});

describe('MyQQ sessions (../shared/vectors/modern-session.json)', () => {

  const keyOf = (s: VectorSession, name: string): Buffer => {
    const k = s.keys?.[name];
    assert.ok(k !== undefined, `session keys name ${name}`);
    return hex(k);
  };
  const K = (s: VectorSession, prefix: string): Buffer => {
    const name = Object.keys(s.keys ?? {}).find((n) => n === prefix || n.startsWith(prefix + '('));
    assert.ok(name, `a key named ${prefix}`);
    return keyOf(s, name);
  };

  /** The random bytes teaEncrypt drew for a ciphertext (header byte, pad, salt), recovered from its first blocks. */
  function teaRandomOf(cipher: Buffer, key: Buffer): RandomSource {
    const x0 = teaDecryptBlock(cipher.subarray(0, 8), key);
    const in1 = Buffer.alloc(8);
    for (let i = 0; i < 8; i++) in1[i] = cipher[8 + i]! ^ x0[i]!;
    const x1 = teaDecryptBlock(in1, key);
    const p1 = Buffer.alloc(8);
    for (let i = 0; i < 8; i++) p1[i] = x1[i]! ^ cipher[i]!;
    const padded = Buffer.concat([x0, p1]);
    return replayRandom(padded.subarray(0, 3 + (padded[0]! & 7)));
  }

  interface Opened {
    p: VectorPacket;
    pk: Packet;
    key: Buffer;
    magic?: Buffer;
    plain: Buffer;
    value: unknown;
    codec: BodyCodec<unknown>;
    /** Rebuilds the datagram from a plaintext with the same key, magic and TEA random bytes. */
    rebuild(plain: Buffer): Buffer;
  }

  /** Opens one recorded datagram the way its command's wrap says, and decodes it with the table's codec. */
  function openPacket(s: VectorSession, p: VectorPacket): Opened {
    const bytes = hex(p.hex);
    const d = decodePacket(bytes, p.dir);
    assert.ok(d.ok, `${p.dir} 0x${p.command.toString(16)} frames`);
    const pk = d.value;
    const spec = bodySpec('modern', pk.command, p.dir);
    assert.ok(spec, `modern ${p.dir} 0x${p.command.toString(16)} has a body spec`);
    const named = keyOf(s, p.key);
    let key: Buffer, plain: Buffer, cipher: Buffer, magic: Buffer | undefined;
    let wrap: (plain: Buffer, random: RandomSource) => Buffer;
    if (spec.wrap === 'keyPrefixed') {
      const u = M.unwrapKeyPrefixed(pk.body);
      assert.ok(u.ok);
      key = u.value.key;
      assert.deepEqual(key, named, 'the clear key is the named key');
      plain = u.value.plain;
      cipher = pk.body.subarray(16);
      wrap = (pl, r) => M.wrapKeyPrefixed(key, pl, r);
    } else if (spec.wrap === 'magicPrefixed') {
      key = named;
      const u = M.unwrapMagicPrefixed(pk.body, key);
      assert.ok(u.ok);
      magic = u.value.magic;
      plain = u.value.plain;
      cipher = pk.body.subarray(2 + magic.length);
      const m = magic;
      wrap = (pl, r) => M.wrapMagicPrefixed(m, key, pl, r);
    } else {
      key = named;
      const pl = teaDecrypt(pk.body, key);
      assert.ok(pl, `opens with ${p.key}`);
      plain = Buffer.from(pl);
      cipher = pk.body;
      wrap = (x, r) => M.seal(key, x, r);
    }
    assert.equal(plain.toString('hex'), p.plain, 'plaintext = recorded plain');
    const dec = decodeBody('modern', pk.command, p.dir, plain);
    assert.ok(dec.ok, `decodes: ${dec.ok ? '' : dec.error.message}`);
    assert.equal(dec.value.codec, spec.codec.name);
    const out: Opened = {
      p,
      pk,
      key,
      plain,
      value: dec.value.value,
      codec: spec.codec,
      rebuild: (x) => encodePacket({ ...pk, body: wrap(x, teaRandomOf(cipher, key)) }),
    };
    if (magic) out.magic = magic;
    return out;
  }

  const openAll = (s: VectorSession): Opened[] => s.packets.map((p) => openPacket(s, p));
  // Read and opened on first use, inside a test.
  const sessions = lazy(() => {
    const [full, wrong] = loadVectors<SessionsFile>('modern-session.json').sessions as [VectorSession, VectorSession];
    return { full, wrong, S1: openAll(full), S2: openAll(wrong) };
  });

  function find<T>(all: Opened[], cmd: number, dir: Direction, nth = 0): T & object {
    const hits = all.filter((o) => o.pk.command === cmd && o.p.dir === dir);
    const o = hits[nth];
    assert.ok(o, `packet 0x${cmd.toString(16)} ${dir} #${nth}`);
    return o.value as T & object;
  }
  const findOpened = (all: Opened[], cmd: number, dir: Direction, nth = 0): Opened => all.filter((o) => o.pk.command === cmd && o.p.dir === dir)[nth]!;

  test('every datagram of both sessions opens with its named key, decodes, and re-encodes to the same bytes', VECTORS, () => {
    const { full, wrong, S1, S2 } = sessions();
    let n = 0;
    for (const all of [S1, S2]) {
      for (const o of all) {
        const again = o.codec.encode(o.value);
        assert.equal(again.toString('hex'), o.p.plain, `0x${o.pk.command.toString(16)} ${o.p.dir} re-encodes`);
        assert.deepEqual(o.codec.decode(again), o.value);
        assert.equal(o.rebuild(again).toString('hex'), o.p.hex, `0x${o.pk.command.toString(16)} ${o.p.dir} datagram rebuilds`);
        n++;
      }
    }
    assert.equal(n, 49 + 6);
  });

  test('§2 key chain: md5_pass_qq opens the verify block; the chain keys open each next step; IM key = MD5(uid ‖ SK)', VECTORS, () => {
    const { full, wrong, S1, S2 } = sessions();
    const uid = full.uid;
    const md5pass1 = passwordMd5(full.password);
    assert.deepEqual(md5pass1, K(full, 'md5_pass1'));
    const passQq = verifyBlockKey(md5pass1, uid);
    assert.deepEqual(passQq, K(full, 'md5_pass_qq'));

    const touch = find<M.TouchReply>(S1, 0x0091, 's2c');
    assert.ok(touch.ok);
    assert.equal(touch.serverTime, 0x6b048b2c);
    assert.equal(touch.serverIp, ipToU32('127.0.0.1'));
    assert.equal(touch.loginToken.length, 24);
    assert.equal(touch.redirect, null);
    const touchReq = find<M.TouchRequest>(S1, 0x0091, 'c2s');
    assert.deepEqual(touchReq, M.makeTouchRequest(), 'the first touch is MQ constants and a zero blob');
    const ba = find<M.LoginRequest>(S1, 0x00ba, 'c2s');
    assert.deepEqual(ba, M.makeLoginRequest(touch.loginToken), 'MQ uses the touch token verbatim');
    const baReply = find<M.LoginReply>(S1, 0x00ba, 's2c');
    assert.deepEqual([baReply.kind, baReply.pngFlag, baReply.captcha, baReply.tokenC.length, baReply.png], [3, 0, 0, 56, null]);

    // 0x00DD: the 120-byte TEA part opens with md5_pass_qq into verify_block_plain.
    const dd = find<M.VerifyRequest>(S1, 0x00dd, 'c2s');
    assert.deepEqual(dd.tokenC, baReply.tokenC);
    assert.equal(dd.verifyCipher.length, M.VERIFY_CIPHER_LENGTH);
    assert.equal(teaDecrypt(dd.verifyCipher, passQq)?.toString('hex'), full.verify_block_plain);
    assert.deepEqual([dd.random20.length, dd.entries.map((e) => [e.tag, e.key.length]), dd.zeroPad], [20, [[1, 16], [2, 16]], 328]);
    const opened = M.checkVerifyBlock(dd.verifyCipher, md5pass1, uid);
    assert.ok(opened.ok);
    const block = opened.block;
    assert.deepEqual(block.passwordMd5, md5pass1);
    assert.equal(block.uid, uid);
    assert.equal(block.serverTime, touch.serverTime);
    assert.equal(block.serverIp, touch.serverIp);
    assert.equal(block.rand, 0xc0887092);
    assert.deepEqual(block.verifyKey2, K(full, 'verify_key2'));
    assert.ok(M.verifyBlockMatches(block, md5pass1));
    assert.ok(!M.verifyBlockMatches(block, passwordMd5('other')));
    // The client-side builder makes the same block from the same inputs (and the same random draws).
    const rand4 = Buffer.alloc(4);
    rand4.writeUInt32BE(block.rand);
    const made = M.makeVerifyBlock({ uid, passwordMd5: md5pass1, serverTime: touch.serverTime, serverIp: touch.serverIp }, replayRandom(rand4));
    assert.equal(M.verifyBlock.encode(made).toString('hex'), full.verify_block_plain);
    assert.deepEqual(M.sealVerifyBlock(made, teaRandomOf(dd.verifyCipher, passQq)), dd.verifyCipher);

    // 0x00DD reply opens with verify_key2 and carries key1/key3.
    const ddReply = find<M.VerifyReply>(S1, 0x00dd, 's2c');
    assert.ok(ddReply.ok);
    assert.deepEqual(findOpened(S1, 0x00dd, 's2c').key, block.verifyKey2);
    assert.deepEqual(ddReply.loginInfoKey1, K(full, 'login_info_key1'));
    assert.deepEqual(ddReply.loginInfoKey3, K(full, 'login_info_key3'));
    assert.deepEqual([ddReply.head, ddReply.unknown1, ddReply.serverTime], [0x0100, 0x11223344, touch.serverTime]);
    assert.deepEqual([ddReply.loginInfoToken.length, ddReply.loginInfoData.length, ddReply.loginInfoMagic.length], [32, 16, 24]);

    // 0x00E5 request: clear magic from the 0x00DD reply, opened with key1; reply opened with key3 carries key2.
    const e5o = findOpened(S1, 0x00e5, 'c2s');
    const e5Body = M.unwrapMagicPrefixed(e5o.pk.body, ddReply.loginInfoKey1);
    assert.ok(e5Body.ok);
    assert.deepEqual(e5Body.value.magic, ddReply.loginInfoMagic);
    assert.deepEqual(e5o.value, M.makeLoginInfoRequest(baReply.tokenC, ddReply));
    const e5Reply = findOpened(S1, 0x00e5, 's2c');
    assert.ok(teaDecrypt(e5Reply.pk.body, ddReply.loginInfoKey3));
    const info = e5Reply.value as M.LoginInfoReply;
    assert.deepEqual(info.loginInfoKey2, K(full, 'login_info_key2'));
    assert.deepEqual([info.head, info.sub, info.fixed?.toString('hex'), info.unknown2, info.serverTime, info.clientIp, info.loginInfoLarge.length], [0x0166, 0x0100, '0000000100000064', 0x00c80002, touch.serverTime, ipToU32('127.0.0.1'), 64]);

    // 0x0030: request opened with key1 (same magic), echoing the 0x00E5 reply; reply opened with key2 → session key.
    const s30 = findOpened(S1, 0x0030, 'c2s');
    const s30Body = M.unwrapMagicPrefixed(s30.pk.body, ddReply.loginInfoKey1);
    assert.ok(s30Body.ok);
    assert.deepEqual(s30Body.value.magic, ddReply.loginInfoMagic);
    const req30 = s30.value as M.SendLoginInfoRequest;
    assert.equal(s30.plain.length, 594, '594 B with L = 64');
    assert.deepEqual([req30.unknown2, req30.serverTime, req30.clientIp, req30.mode, req30.randomByte, req30.zeroPad], [info.unknown2, info.serverTime, info.clientIp, M.LoginMode.ONLINE, 0x1e, 251]);
    assert.deepEqual(req30.loginInfoLarge, info.loginInfoLarge);
    assert.deepEqual(req30.tokenC, baReply.tokenC);
    assert.deepEqual(req30.exeHash, M.MODERN_EXE_HASH);
    assert.deepEqual([req30.entry1.tag, req30.entry1.rand, req30.entry2.tag, req30.entry2.rand], [1, 0xe9a96ba2, 2, 0xee265e5e]);
    // Offsets of the §3.5 table, shifted by L.
    const L = req30.loginInfoLarge.length;
    assert.deepEqual(s30.plain.subarray(71 + L, 87 + L), M.MODERN_EXE_HASH);
    assert.equal(s30.plain[88 + L], M.LoginMode.ONLINE);
    assert.deepEqual(s30.plain.subarray(114 + L, 120 + L), M.MODERN_LOCALE);
    assert.equal(s30.plain.readUInt16BE(136 + L), baReply.tokenC.length);
    const r30o = findOpened(S1, 0x0030, 's2c');
    assert.ok(teaDecrypt(r30o.pk.body, info.loginInfoKey2));
    const r30 = r30o.value as M.SendLoginInfoReply;
    assert.ok(r30.ok);
    assert.deepEqual(r30.sessionKey, hex(full.session_key!));
    assert.deepEqual(r30.sessionKey, K(full, 'session_key'));
    assert.deepEqual([r30.uid, r30.clientIp, r30.clientPort, r30.loginTime, r30.flag, r30.mode], [uid, ipToU32('127.0.0.1'), 0xacca, touch.serverTime, 3, 0x0a]);

    // IM key.
    const cd = find<M.SendIm>(S1, 0x00cd, 'c2s');
    assert.deepEqual(cd.im.imKey, imKey(uid, r30.sessionKey));
    assert.deepEqual(cd.im.imKey, K(full, 'im_key'));
  });

  test('the wrong-password session: the block does not open with the real password; the failure reply says 0x34', VECTORS, () => {
    const { full, wrong, S1, S2 } = sessions();
    const uid = wrong.uid;
    const real = passwordMd5('secret123');
    const dd = find<M.VerifyRequest>(S2, 0x00dd, 'c2s');
    const shut = M.openVerifyBlock(dd.verifyCipher, verifyBlockKey(real, uid));
    assert.deepEqual(shut, { ok: false, reason: 'cannot_open' });
    assert.equal(M.checkVerifyBlock(dd.verifyCipher, real, uid).ok, false);
    // It does open with the password the client typed, and carries that password's MD5.
    assert.deepEqual(verifyBlockKey(passwordMd5(wrong.password), uid), K(wrong, 'md5_pass_qq'));
    const typed = M.checkVerifyBlock(dd.verifyCipher, passwordMd5(wrong.password), uid);
    assert.ok(typed.ok);
    assert.deepEqual(typed.block.passwordMd5, K(wrong, 'md5_pass1'));
    // The failure reply is sealed with the request's clear (zero) key.
    const fo = findOpened(S2, 0x00dd, 's2c');
    assert.deepEqual(fo.key, K(wrong, 'verify_key'));
    const f = fo.value as M.VerifyReply;
    assert.ok(!f.ok);
    assert.equal(f.code, M.VerifyCode.WRONG_PASSWORD);
    assert.equal(f.message, 'wrong password');
    assert.equal(fo.plain.readUInt16BE(11), 14, 'MQ reads the message length at offset 11');
    assert.deepEqual(M.verifyReply.encode(M.makeVerifyFailure(0x34, 'wrong password')), fo.plain);
    const noSuch = M.verifyReply.decode(M.verifyReply.encode(M.makeVerifyFailure(M.VerifyCode.NO_SUCH_UID, '无此号码')));
    assert.ok(!noSuch.ok);
    assert.deepEqual([noSuch.code, noSuch.message], [0xbf, '无此号码']);
  });

  test('post-login bodies decode to the recorded values', VECTORS, () => {
    const { full, wrong, S1, S2 } = sessions();
    const idx = find<M.BuddyIndexReply>(S1, 0x00eb, 's2c');
    assert.deepEqual(find<M.BuddyIndexRequest>(S1, 0x00eb, 'c2s'), { page: 1 });
    assert.deepEqual([idx.result, idx.updateTime, idx.totalPages, idx.currentPage], [0, 0x6b048b2c, 1, 1]);
    assert.deepEqual(idx.entries.map((e) => [e.uid, e.type, e.group]), [[100002, M.IndexType.BUDDY, 1], [100003, M.IndexType.BUDDY, 2]]);
    assert.equal(findOpened(S1, 0x00ec, 'c2s').plain.toString('hex'), '01000a');
    assert.deepEqual(find<M.RawBody>(S1, 0x00e9, 's2c'), M.CHAIN_REPLY_OK);

    assert.deepEqual(find<M.GroupLabelsRequest>(S1, 0x0001, 'c2s'), { start: 0 });
    const labels = find<M.GroupLabelsReply>(S1, 0x0001, 's2c');
    assert.deepEqual(labels.labels, [{ id: 1, order: 0, name: 'Friends' }, { id: 2, order: 1, name: 'Work' }]);

    assert.deepEqual(find<M.LevelRequest>(S1, 0x005c, 'c2s'), { uid: 100001 });
    const lvl = find<M.LevelReplyOne>(S1, 0x005c, 's2c');
    assert.deepEqual([lvl.uid, lvl.unknown1, lvl.level, lvl.activeDays, lvl.daysToUpgrade], [100001, 3, 12, 0x159, 7]);

    assert.equal(find<M.ChangeStatusRequest>(S1, 0x000d, 'c2s').mode, 0x0a);
    assert.equal(find<M.ChangeStatusRequest>(S1, 0x000d, 'c2s', 1).mode, 0x1e);
    assert.deepEqual(find<M.ResultByte>(S1, 0x000d, 's2c'), { result: M.CHANGE_STATUS_OK });

    assert.deepEqual(find<M.FriendListRequest>(S1, 0x0126, 'c2s'), { start: 0 });
    const fl = find<M.FriendListReply>(S1, 0x0126, 's2c');
    assert.equal(fl.next, M.FRIEND_LIST_LAST);
    assert.deepEqual(fl.friends.map((f) => [f.uid, f.face, f.age, f.sex, f.nick]), [[100002, 3, 22, M.Sex.FEMALE, 'Alice'], [100003, 6, 30, M.Sex.MALE, 'Bob']]);
    assert.deepEqual(M.friendListReply.encode(M.friendListPage(fl.friends.map(({ extra: _e, ...f }) => f), 0)), findOpened(S1, 0x0126, 's2c').plain);

    assert.deepEqual(find<M.SignaturesRequest>(S1, 0x0067, 'c2s').queries.map((q) => q.uid), [100001, 100002, 100003]);
    const sig = find<M.SignaturesReply>(S1, 0x0067, 's2c');
    assert.deepEqual(sig.signatures.map((s) => [s.uid, s.text]), [[100002, 'hello world'], [100003, 'busy coding']]);

    assert.deepEqual(find<M.AccountsRequest>(S1, 0x00b5, 'c2s'), { uid: 100001, uids: [100001, 100002, 100003] });
    const acc = find<M.AccountsReply>(S1, 0x00b5, 's2c');
    assert.deepEqual(acc, { uid: 100001, result: 1, next: 0, accounts: [{ uid: 100002, flag: 0 }, { uid: 100003, flag: 0 }] });

    assert.deepEqual(find<M.AliasesRequest>(S1, 0x003e, 'c2s'), { start: 0 });
    assert.deepEqual(find<M.AliasesReply>(S1, 0x003e, 's2c'), { last: 1, aliases: [{ uid: 100002, alias: 'Ally' }] });

    assert.deepEqual(find<M.OnlineListRequest>(S1, 0x0027, 'c2s'), { start: 0 });
    const on = find<M.OnlineListReply>(S1, 0x0027, 's2c');
    assert.equal(on.next, M.ONLINE_LIST_LAST);
    assert.deepEqual(on.entries.map((e) => [e.block.uid, e.block.status, e.block.port, e.block.clientVersion]), [[100002, Status.ONLINE, 4000, 0x2227], [100003, Status.AWAY, 4000, 0x2227]]);
    assert.equal(findOpened(S1, 0x0027, 's2c').plain.length, 1 + 2 * M.ONLINE_ENTRY_LENGTH);

    const push = find<M.StatusPush>(S1, 0x0081, 's2c');
    assert.equal(push.form, 'short', "the run's 39-byte push is the block + 8 bytes");
    assert.ok(push.form === 'short');
    assert.deepEqual([push.block.uid, push.block.status, push.block.port, push.trailer.toString('hex')], [100003, Status.ONLINE, 4001, '0000000000000000']);

    const det = find<M.DetailsRequest>(S1, 0x003c, 'c2s');
    assert.deepEqual(det, { uid: 100002, tags: [...M.MYQQ_DETAIL_TAGS] });
    const detR = find<M.DetailsReply>(S1, 0x003c, 's2c');
    assert.equal(M.detailText(detR, M.DetailTag.NICK), 'Alice');
    assert.equal(detR.uid, 100002);

    assert.deepEqual(find<M.KeepAliveRequest>(S1, 0x0058, 'c2s'), { uid: 100001, form: 'ascii' });
    const ka = find<M.KeepAliveReply>(S1, 0x0058, 's2c');
    assert.deepEqual([ka.result, ka.online, ka.clientIp, ka.clientPort, ka.interval, ka.serverTime], [0, 3, ipToU32('127.0.0.1'), 0xacca, 60, 0x6b048b4a]);
    assert.deepEqual(M.keepAliveReply.encode(M.makeKeepAliveReply({ online: 3, clientIp: ka.clientIp, clientPort: 0xacca, serverTime: 0x6b048b4a })), findOpened(S1, 0x0058, 's2c').plain);
  });

  test('messages: 0x00CD "hello from myqq", 0x00CE pushes and their acks', VECTORS, () => {
    const { full, wrong, S1, S2 } = sessions();
    const sendO = findOpened(S1, 0x00cd, 'c2s');
    const send = sendO.value as M.SendIm;
    assert.equal(M.imText(send.im), 'hello from myqq');
    assert.deepEqual(find<M.ResultByte>(S1, 0x00cd, 's2c'), { result: 0 });
    const p1 = find<M.ReceiveIm>(S1, 0x00ce, 's2c', 0);
    const p2 = find<M.ReceiveIm>(S1, 0x00ce, 's2c', 1);
    assert.ok(p1.kind === 'im' && p2.kind === 'im');
    assert.equal(M.imText(p1.im), 'hi from the stand-in server');
    assert.equal(M.imText(p2.im), 'echo: hello from myqq');
    assert.deepEqual([p1.sender, p1.receiver, p1.serverSeq, p1.senderIp, p1.senderPort, p1.imType], [100002, 100001, 0x01004101, ipToU32('127.0.0.1'), 4000, M.IM_TYPE_BUDDY]);
    assert.deepEqual([p1.im.receiver, p1.im.face, p1.im.msgId, p1.im.fontName], [100001, 3, 0x4101, '宋体']);
    for (const [n, push] of [[0, p1], [1, p2]] as const) {
      const ackO = findOpened(S1, 0x00ce, 'c2s', n);
      const pushO = findOpened(S1, 0x00ce, 's2c', n);
      assert.equal(ackO.pk.seq, pushO.pk.seq, 'the ack echoes the push seq');
      assert.deepEqual(ackO.plain, pushO.plain.subarray(0, 16), 'the ack is the push’s first 16 bytes');
      assert.deepEqual(M.imAck.encode(M.imAckFor(push)), ackO.plain);
      // Bytes [20:] of the push have the layout of bytes [8:] of a 0x00CD.
      assert.deepEqual(M.sendIm.encode({ sender: push.sender, receiver: push.receiver, im: push.im }).subarray(8), pushO.plain.subarray(20));
      assert.deepEqual(M.receiveIm.encode(M.forwardIm({ sender: push.sender, receiver: push.receiver, im: push.im }, push)), pushO.plain);
    }
  });

  test('§5.1 worked example: field offsets, and the builder reproduces the plaintext', VECTORS, () => {
    const { full, wrong, S1, S2 } = sessions();
    const plain = findOpened(S1, 0x00cd, 'c2s').plain;
    const exampleHex =
      '000186a1000186a20000000800010004000000002227000186a1000186a2ca73229e771d6012053bff4239d3c902000b' +
      '2f8a6b048b360000000000010100dab1014d534700000000006b048b36dab1dab100000000090086000006e5ae8be4bd93' +
      '000001001201000f68656c6c6f2066726f6d206d797171';
    assert.equal(plain.toString('hex'), exampleHex);
    const sk = hex('51de8ab39bcb7557815d728b6d66b5bf');
    const [built, ...more] = M.makeSendIms({ sender: 100001, receiver: 100002, sessionKey: sk, senderVersion: M.MYQQ_VERSION, text: 'hello from myqq', msgSeq: 0x2f8a, sendTime: 0x6b048b36, msgId: 0xdab1 });
    assert.equal(more.length, 0);
    const b = M.sendIm.encode(built!);
    assert.equal(b.toString('hex'), exampleHex);
    assert.equal(b.length, M.SEND_IM_HEADER_LENGTH + 15);
    const at = (o: number, n: number) => b.subarray(o, o + n).toString('hex');
    assert.deepEqual(
      [at(0, 4), at(4, 4), at(8, 12), at(20, 2), at(22, 4), at(26, 4), at(30, 16), at(46, 2), at(48, 2), at(50, 4), at(54, 2), at(56, 4)],
      ['000186a1', '000186a2', '000000080001000400000000', '2227', '000186a1', '000186a2', 'ca73229e771d6012053bff4239d3c902', '000b', '2f8a', '6b048b36', '0000', '00000001'],
    );
    assert.deepEqual(
      [at(60, 1), at(61, 1), at(62, 2), at(64, 1), at(65, 8), at(73, 4), at(77, 4), at(81, 4), at(85, 4), at(89, 8), at(97, 2), at(99, 1), at(100, 2), at(102, 1), at(103, 2)],
      ['01', '00', 'dab1', '01', '4d53470000000000', '6b048b36', 'dab1dab1', '00000000', '09008600', '0006e5ae8be4bd93', '0000', '01', '0012', '01', '000f'],
    );
    assert.equal(b.subarray(105).toString('utf8'), 'hello from myqq');
    // The full 159-byte datagram and its reply, as printed in §5.1.
    assert.equal(findOpened(S1, 0x00cd, 'c2s').p.hex.length / 2, 159);
    assert.equal(findOpened(S1, 0x00cd, 's2c').p.hex, '02222700cd2f8a000186a1000000a9c2f5dc03dba3973fe2c244bd01854603');
  });
});

test('PROTOCOL.md §7 sizes at the body level', () => {
  const r = seededRandom(7);
  const dgram = (dir: Direction, command: number, plain: Buffer) =>
    encodePacket({ direction: dir, version: 0x3639, command, seq: 1, uid: 393148612, body: M.seal(Buffer.alloc(16), plain, r) }).length;
  const ka = M.keepAliveReply.encode(M.makeKeepAliveReply({ online: 1, clientIp: 1, clientPort: 2, serverTime: 3 }));
  assert.equal(ka.length, M.KEEP_ALIVE_REPLY_LENGTH);
  assert.equal(dgram('s2c', 0x58, ka), 47);
  assert.equal(dgram('c2s', 0x58, M.keepAliveRequest.encode({ uid: 393148612, form: 'u32' })), 39);
  // MQ's ASCII form fits the same 39 bytes for uids of up to 6 digits; the capture's 9-digit uid needs the u32 form.
  assert.equal(dgram('c2s', 0x58, M.keepAliveRequest.encode({ uid: 100001, form: 'ascii' })), 39);
  assert.equal(dgram('c2s', 0x58, M.keepAliveRequest.encode({ uid: 393148612, form: 'ascii' })), 47);
  const key = M.keyReply.encode({ sub: 4, result: 0, key: Buffer.alloc(16, 7) });
  assert.equal(key.length, M.KEY_REPLY_LENGTH);
  assert.equal(dgram('s2c', 0x1d, key), 63);
  assert.equal(dgram('c2s', 0x1d, M.keyRequest.encode({ sub: 4 })), 39);
  const block: StatusBlock = { uid: 100003, flag: 1, ip: ipToU32('10.0.0.2'), port: 4000, unknown: 0, status: Status.ONLINE, clientVersion: 0x3639, key: Buffer.alloc(16, 1) };
  const push = M.statusPush.encode(M.makeStatusPush(block, 393148612, 1_700_000_000));
  assert.equal(push.length, M.STATUS_PUSH_LENGTH);
  assert.equal(push.length, 50);
  assert.equal(dgram('s2c', 0x81, push), 79);
  assert.deepEqual(M.statusPush.decode(push), M.makeStatusPush(block, 393148612, 1_700_000_000));
  for (const text of ['abcdef', '1234567890abc', '你好']) {
    const [m] = M.makeSendIms({ sender: 1, receiver: 2, sessionKey: Buffer.alloc(16), senderVersion: 0x3639, text, msgSeq: 1, sendTime: 2, msgId: 3 });
    const plain = M.sendIm.encode(m!);
    assert.equal(plain.length, 105 + Buffer.byteLength(text));
    assert.equal(dgram('c2s', 0xcd, plain), 151);
  }
  assert.equal(dgram('s2c', 0xcd, M.sendImReply.encode({ result: 0 })), 31);
  assert.equal(dgram('c2s', 0xce, M.imAck.encode({ sender: 1, receiver: 2, serverSeq: 3, senderIp: 4 })), 55);
  assert.equal(M.logoutRequest.encode({}).toString('hex'), '0'.repeat(32));
  assert.equal(teaCipherLength(M.logoutRequest.encode({}).length), 32);
});

test('server and client builders of the login chain round-trip through their codecs', () => {
  const r = seededRandom(42);
  const touch = M.makeTouchReply({ serverTime: 1, serverIp: 2 }, r);
  assert.deepEqual(M.touchReply.decode(M.touchReply.encode(touch)), touch);
  assert.equal(M.touchReply.encode(touch).at(-1), 0, 'redirect flag 00');
  const login = M.makeLoginReply(r);
  assert.equal(login.pngFlag, 0);
  assert.deepEqual(M.loginReply.decode(M.loginReply.encode(login)), login);
  const ok = M.makeVerifySuccess({ serverTime: 5 }, r);
  assert.deepEqual(M.verifyReply.decode(M.verifyReply.encode(ok)), ok);
  const info = M.makeLoginInfoReply({ serverTime: 5, clientIp: 6 }, r);
  assert.deepEqual(M.loginInfoReply.decode(M.loginInfoReply.encode(info)), info);
  const sk = r(16);
  const done = M.makeSendLoginInfoReply({ sessionKey: sk, uid: 100001, clientIp: 6, clientPort: 7, loginTime: 8, mode: M.LoginMode.HIDDEN });
  assert.equal(M.sendLoginInfoReply.encode(done).length, 37);
  assert.deepEqual(M.sendLoginInfoReply.decode(M.sendLoginInfoReply.encode(done)), done);
  // Client requests for a 32-byte large token: 594 − 64 + 32.
  const req = M.makeSendLoginInfoRequest({ tokenC: login.tokenC, info: { ...info, loginInfoLarge: r(32) }, mode: M.LoginMode.ONLINE }, r);
  const enc = M.sendLoginInfoRequest.encode(req);
  assert.equal(enc.length, 594 - 32);
  assert.equal(enc[88 + 32], M.LoginMode.ONLINE);
  assert.deepEqual(M.sendLoginInfoRequest.decode(enc), req);
  const pw = passwordMd5('pw');
  const cipher = M.buildVerifyBlock({ uid: 123456, passwordMd5: pw, serverTime: 9, serverIp: 10 }, r);
  assert.equal(cipher.length, M.VERIFY_CIPHER_LENGTH);
  const vr = M.makeVerifyRequest({ tokenC: login.tokenC, verifyCipher: cipher }, r);
  assert.equal(M.verifyRequest.encode(vr).length, 601);
  assert.ok(M.checkVerifyBlock(cipher, pw, 123456).ok);
  assert.equal(M.checkVerifyBlock(cipher, pw, 123457).ok, false);
  assert.equal(M.checkVerifyBlock(cipher, passwordMd5('pX'), 123456).ok, false);
  // Wraps with a random source; opened by the helpers.
  const kp = M.wrapKeyPrefixed(r(16), M.touchRequest.encode(M.makeTouchRequest()), r);
  const u = M.unwrapKeyPrefixed(kp);
  assert.ok(u.ok);
  assert.deepEqual(M.touchRequest.decode(u.value.plain), M.makeTouchRequest());
  const mp = M.wrapMagicPrefixed(ok.loginInfoMagic, ok.loginInfoKey1, Buffer.from('x'), r);
  const split = M.splitMagicPrefixed(mp);
  assert.ok(split.ok);
  assert.deepEqual(split.value.magic, ok.loginInfoMagic);
  const bad = M.unwrapMagicPrefixed(mp, ok.loginInfoKey3);
  assert.ok(!bad.ok);
  assert.equal(bad.error.reason, 'undecryptable');
  const tried = M.openWith(M.seal(ok.loginInfoKey3, Buffer.from('y'), r), ok.loginInfoKey1, ok.loginInfoKey3);
  assert.ok(tried.ok);
  assert.equal(tried.value.keyIndex, 1);
});

// ---------------------------------------------------------------- properties

// Plain-prototype records, so deepStrictEqual compares them with decoded values.
const rec = <T extends Record<string, unknown>>(m: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> => fc.record(m, { noNullPrototype: true }) as unknown as fc.Arbitrary<T>;
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const text8 = fc.string({ unit: 'binary', maxLength: 60 });
const statusBlock: fc.Arbitrary<StatusBlock> = rec({ uid: u32, flag: u8, ip: u32, port: u16, unknown: u8, status: u8, clientVersion: u16, key: bytes(16) });

function roundTrips<T>(c: BodyCodec<T>, arb: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arb, (v) => {
      const b = c.encode(v);
      const d = c.decode(b);
      assert.deepEqual(d, v);
      assert.deepEqual(c.encode(d), b);
    }),
    { numRuns: 150 },
  );
}

test('property: list codecs round-trip', () => {
  // A name that starts with U+FEFF (bytes EF BB BF) keeps it: fast-check found it dropped, as a UTF-8 byte-order mark.
  const bom = { next: 0, unknown1: 0, unknown2: 0, labels: [{ id: 1, order: 0, name: '\ufeff' }, { id: 2, order: 1, name: '\ufeffx' }] };
  assert.deepEqual(M.groupLabelsReply.decode(M.groupLabelsReply.encode(bom)), bom);
  roundTrips(M.groupLabelsReply, rec({ next: u32, unknown1: u8, unknown2: u16, labels: fc.array(rec({ id: fc.integer({ min: 1, max: 255 }), order: u8, name: text8 }), { maxLength: 6 }) }));
  roundTrips(M.friendListReply, rec({ head: bytes(10), next: u16, gap: bytes(5), trailer: bytes(5), friends: fc.array(rec({ uid: u32, face: u16, age: u8, sex: u8, nick: text8, extra: bytes(32) }), { maxLength: 5 }) }));
  roundTrips(M.signaturesRequest, rec({ queries: fc.array(rec({ uid: u32, time: u32 }), { maxLength: 20 }) }));
  roundTrips(M.signaturesReply, rec({ result: u8, next: u32, signatures: fc.array(rec({ uid: u32, time: u32, text: text8 }), { maxLength: 5 }) }));
  roundTrips(M.accountsRequest, rec({ uid: u32, uids: fc.array(u32, { maxLength: 20 }) }));
  roundTrips(
    M.accountsReply,
    rec({
      uid: u32,
      result: u16,
      next: u32,
      accounts: fc.array(fc.oneof(rec({ uid: u32, flag: fc.constant(0) }), rec({ uid: u32, flag: fc.integer({ min: 1, max: 0xffffffff }), account: text8 })), { maxLength: 5 }),
    }) as fc.Arbitrary<M.AccountsReply>,
  );
  roundTrips(M.aliasesReply, rec({ last: u8, aliases: fc.array(rec({ uid: u32, alias: text8 }), { maxLength: 5 }) }));
  roundTrips(M.onlineListReply, rec({ next: u8, entries: fc.array(rec({ block: statusBlock, extension: bytes(11) }), { maxLength: 5 }) }));
  roundTrips(M.buddyIndexReply, rec({ result: u8, unknown1: u32, unknown2: u32, updateTime: u32, totalPages: u16, currentPage: u16, entries: fc.array(rec({ uid: u32, type: u8, group: fc.integer({ min: 0, max: 63 }), groupFlags: fc.integer({ min: 0, max: 3 }) }), { maxLength: 8 }) }));
  roundTrips(M.detailsReply, rec({ result: u8, uid: u32, unknown: u32, fields: fc.array(rec({ tag: u16, value: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) }), { maxLength: 6 }) }));
});

test('property: the message codec round-trips random UTF-8 text, fragments of ≤ 700 bytes join back', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 900 }), u16, u32, u16, (text, seq, time, msgId) => {
      const sends = M.makeSendIms({ sender: 100001, receiver: 100002, sessionKey: Buffer.alloc(16, 9), senderVersion: 0x3639, text, msgSeq: seq, sendTime: time, msgId });
      const bodies: M.ImBody[] = [];
      for (const s of sends) {
        const b = M.sendIm.encode(s);
        const d = M.sendIm.decode(b);
        assert.deepEqual(d, s);
        assert.deepEqual(M.sendIm.encode(d), b);
        assert.ok(Buffer.byteLength(M.imText(d.im)) <= M.IM_FRAGMENT_BYTES);
        assert.equal(d.im.fragCount, sends.length);
        const push = M.forwardIm(d, { serverSeq: time, senderIp: 1, senderPort: 2 });
        assert.deepEqual(M.receiveIm.decode(M.receiveIm.encode(push)), push);
        bodies.push(d.im);
      }
      assert.equal(M.joinImFragments(bodies.reverse()), text);
    }),
    { numRuns: 100 },
  );
  assert.deepEqual(M.splitImText('ab你c', 4), ['ab', '你c']);
  assert.deepEqual(M.splitImText(''), ['']);
  assert.equal(M.splitImText('x'.repeat(1401)).length, 3);
});

// ---------------------------------------------------------------- bad bodies

test('bad bodies → DecodeError reasons', () => {
  const rows: [string, number, Direction, string, string][] = [
    ['touch request cut short', 0x0091, 'c2s', '00010000080401e0', 'truncated'],
    ['touch request head 0002', 0x0091, 'c2s', '0002' + '00'.repeat(33), 'bad_value'],
    ['touch reply with a byte after the flag', 0x0091, 's2c', '00' + '00'.repeat(16) + '0000' + '00' + 'ff', 'trailing_bytes'],
    ['touch reply with non-zero reserved bytes', 0x0091, 's2c', '00' + '00'.repeat(8) + '01' + '00'.repeat(7) + '0000' + '00', 'bad_value'],
    ['login request of kind 05', 0x00ba, 'c2s', '0001' + '00'.repeat(18) + '0000' + '05', 'bad_value'],
    ['verify request with a non-zero pad', 0x00dd, 'c2s', '00de0001' + '00'.repeat(18) + '0000' + '0000' + '0000' + '0002' + '0001', 'bad_value'],
    ['verify reply cut inside a key', 0x00dd, 's2c', '010000' + '0000' + '00000000' + '00000000' + '0000' + '0000' + '00'.repeat(10), 'truncated'],
    ['verify failure with invalid UTF-8', 0x00dd, 's2c', '000034' + '00'.repeat(8) + '0002c3c3', 'bad_value'],
    ['buddy index: count 3, 2 entries', 0x00eb, 's2c', '0100' + '00'.repeat(12) + '000100010003' + '000186a20104000186a30108', 'truncated'],
    ['group label with id 0', 0x0001, 's2c', '1f00000000000000' + '000003616263', 'bad_value'],
    ['friend list with no trailer', 0x0126, 's2c', '01000000000000000002ffff00000000', 'truncated'],
    ['signature that is not UTF-8', 0x0067, 's2c', '8300ffffffff' + '000186a2' + '00000000' + '01ff', 'bad_value'],
    ['online list with half an entry', 0x0027, 's2c', 'ff' + '00'.repeat(30), 'truncated'],
    ['keep-alive request "abc"', 0x0058, 'c2s', '616263', 'bad_value'],
    ['keep-alive request "0123"… with a leading zero', 0x0058, 'c2s', '3031323334', 'bad_value'],
    ['level reply with a wrong sub', 0x005c, 's2c', '87' + '00'.repeat(16), 'bad_value'],
    ['change status reply of two bytes', 0x000d, 's2c', '3030', 'trailing_bytes'],
    ['0x00CE ack of 15 bytes', 0x00ce, 'c2s', '00'.repeat(15), 'truncated'],
    ['0x00CE ack of 17 bytes', 0x00ce, 'c2s', '00'.repeat(17), 'trailing_bytes'],
    ['0x00CD cut inside the IM key', 0x00cd, 'c2s', '000186a1000186a20000000800010004000000002227000186a1000186a2ca73', 'truncated'],
    ['logout with a non-zero byte', 0x0062, 'c2s', '00'.repeat(15) + '01', 'bad_value'],
    ['empty 0x0030 reply', 0x0030, 's2c', '', 'truncated'],
    ['no layout: 0x0081 from a client', 0x0081, 'c2s', '00', 'unknown_command'],
    ['no layout: 0x0062 from a server', 0x0062, 's2c', '00', 'unknown_command'],
  ];
  for (const [name, code, dir, h, reason] of rows) {
    const r = decodeBody('modern', code, dir, hex(h));
    assert.ok(!r.ok, `${name}: rejected`);
    assert.ok(r.error instanceof DecodeError);
    assert.equal(r.error.reason, reason, `${name}: ${r.error.message}`);
  }
  const short = M.unwrapKeyPrefixed(Buffer.alloc(31));
  assert.ok(!short.ok && short.error.reason === 'truncated');
  const shut = M.unwrapKeyPrefixed(Buffer.concat([Buffer.alloc(16), Buffer.alloc(16, 0x55)]));
  assert.ok(!shut.ok && shut.error.reason === 'undecryptable');
  const noMagic = M.splitMagicPrefixed(hex('0010abcd'));
  assert.ok(!noMagic.ok && noMagic.error.reason === 'truncated');
  assert.deepEqual(M.openVerifyBlock(Buffer.alloc(120), Buffer.alloc(16)), { ok: false, reason: 'cannot_open' });
});

test('encoders refuse values the layout cannot hold', () => {
  assert.throws(() => M.keepAliveRequest.encode({ uid: 1234, form: 'ascii' }), EncodeError);
  assert.throws(() => M.keepAliveRequest.encode({ uid: 2 ** 32, form: 'u32' }), EncodeError);
  assert.throws(() => M.groupLabelsReply.encode({ next: 0, unknown1: 0, unknown2: 0, labels: [{ id: 0, order: 0, name: 'x' }] }), EncodeError);
  assert.throws(() => M.aliasesReply.encode({ last: 1, aliases: [{ uid: 1, alias: 'x'.repeat(256) }] }), EncodeError);
  assert.throws(() => M.accountsReply.encode({ uid: 1, result: 1, next: 0, accounts: [{ uid: 2, flag: 1 }] }), EncodeError);
  assert.throws(() => M.verifyReply.encode(M.makeVerifyFailure(0, 'x')), EncodeError);
  assert.throws(() => M.statusPush.encode({ form: 'short', block: { uid: 1, flag: 1, ip: 0, port: 0, unknown: 0, status: 10, clientVersion: 0, key: Buffer.alloc(16) }, trailer: Buffer.alloc(19) }), EncodeError);
  assert.throws(() => M.buddyIndexReply.encode({ result: 0, unknown1: 0, unknown2: 0, updateTime: 0, totalPages: 1, currentPage: 1, entries: [{ uid: 1, type: 1, group: 64 }] }), EncodeError);
  assert.throws(() => M.keyReply.encode({ sub: 4, result: 0, key: Buffer.alloc(15) }), EncodeError);
});
