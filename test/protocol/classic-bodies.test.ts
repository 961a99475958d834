import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../src/protocol/errors.js';
import fc from 'fast-check';
import { decodePacket, encodePacket, type Direction } from '../../src/protocol/framing.js';
import { teaDecrypt, teaDecryptBlock, teaEncrypt } from '../../src/protocol/tea.js';
import { replayRandom, seededRandom } from '../../src/protocol/random.js';
import { imKey, passwordKey } from '../../src/protocol/keys.js';
import { bodySpec, decodeBody } from '../../src/protocol/commands.js';
import type { BodyCodec, Wrap } from '../../src/protocol/codec.js';
import { Status, type StatusBlock } from '../../src/protocol/bodies/status-block.js';
import { DEFAULT_FONT, type FontTrailer } from '../../src/protocol/text.js';
import {
  CLASSIC_BODIES,
  buildLoginBody,
  changeStatusReplyCodec,
  changeStatusRequestCodec,
  checkPasswordProof,
  friendGroupsReplyCodec,
  friendGroupsRequestCodec,
  friendListReplyCodec,
  friendListRequestCodec,
  friendStatusPushCodec,
  systemMessageCodec,
  systemMessageAckCodec,
  memoRequestCodec,
  memoReplyCodec,
  groupNameRequestCodec,
  uploadGroupsRequestCodec,
  signatureRequestCodec,
  signatureReplyCodec,
  type GroupNameRequest,
  type MemoRequest,
  type SignatureRequest,
  keepAliveReply,
  keepAliveReplyCodec,
  keepAliveRequestCodec,
  keyReplyCodec,
  keyRequestCodec,
  levelsReplyCodec,
  LEVEL_2007,
  levelsRequestCodec,
  loginReplyCodec,
  loginRequestCodec,
  loginSuccess,
  logoutCodec,
  onlineFriendsReplyCodec,
  onlineFriendsRequestCodec,
  onlineStartUid,
  openLoginBody,
  receiveImAckCodec,
  receiveImAckFor,
  receiveImPushCodec,
  receiveImPushFor,
  sendImReplyCodec,
  sendImRequestCodec,
  tokenReplyCodec,
  tokenRequestCodec,
  userInfoReply,
  userInfoReplyCodec,
  userInfoRequestCodec,
  userInfoOf,
  LOGIN_PLAIN_LENGTH,
  type FriendGroupsReply,
  type FriendListReply,
  type ImMessage,
  type KeyReply,
  type LevelsReply,
  type LoginReply,
  type LoginRequest,
  type OnlineFriendsReply,
  type ReceiveImPush,
  type SendImRequest,
  type TokenReply,
  type UserInfoReply,
} from '../../src/protocol/bodies/classic/index.js';
import { decimalLength, parseDecimal, parseDecimalBytes, writeDecimal } from '../../src/protocol/bodies/classic/common.js';
import { lazy, loadVectors, hex, VECTORS, type SessionsFile, type VectorPacket } from '../helpers/vectors.js';

const MY_UID = 10002;
const PEER_UID = 20002;

test('the registry: wraps and codec names of every classic command', () => {
  const rows = [...CLASSIC_BODIES.entries()].map(([code, e]) => [code, e.c2s?.wrap ?? '-', e.c2s?.codec.name ?? '-', e.s2c?.wrap ?? '-', e.s2c?.codec.name ?? '-']);
  assert.deepEqual(rows, [
    [0x0001, 'session', 'logout', '-', '-'],
    [0x0002, 'session', 'keepAliveRequest', 'session', 'keepAliveReply'],
    [0x0004, 'session', 'updateInfoRequest', 'session', 'uidText'],
    [0x0005, 'session', 'searchRequest', 'session', 'searchReply'],
    [0x0006, 'session', 'userInfoRequest', 'session', 'userInfoReply'],
    [0x0009, 'session', 'uidText', 'session', 'addNoAuthReply'],
    [0x000a, 'session', 'removeRequest', 'session', 'resultOnly'],
    [0x000b, 'session', 'authRequest', 'session', 'authReply'],
    [0x000d, 'session', 'changeStatusRequest', 'session', 'changeStatusReply'],
    [0x0012, 'session', 'systemMessageAck', '-', '-'],
    [0x0016, 'session', 'sendImRequest', 'session', 'sendImReply'],
    [0x0017, 'session', 'receiveImAck', 'session', 'receiveImPush'],
    [0x001c, 'session', 'uidU32', 'session', 'resultOnly'],
    [0x001d, 'session', 'keyRequest', 'session', 'keyReply'],
    [0x0022, 'keyPrefixed', 'loginRequest', 'loginReply', 'loginReply'],
    [0x0026, 'session', 'friendListRequest', 'session', 'friendListReply'],
    [0x0027, 'session', 'onlineFriendsRequest', 'session', 'onlineFriendsReply'],
    [0x0030, 'session', 'qunRequest', 'session', 'qunReply'],
    [0x003c, 'session', 'groupNameRequest', 'session', 'groupNameReply'],
    [0x003d, 'session', 'uploadGroupsRequest', 'session', 'resultOnly'],
    [0x003e, 'session', 'memoRequest', 'session', 'memoReply'],
    [0x0058, 'session', 'friendGroupsRequest', 'session', 'friendGroupsReply'],
    [0x005c, 'session', 'levelsRequest', 'session', 'levelsReply'],
    [0x0062, 'none', 'tokenRequest', 'none', 'tokenReply'],
    [0x0067, 'session', 'signatureRequest', 'session', 'signatureReply'],
    [0x0080, '-', '-', 'session', 'systemMessage'],
    [0x0081, '-', '-', 'session', 'friendStatusPush'],
    [0x0091, 'keyPrefixed', 'selectServerRequest', 'loginReply', 'selectServerReply'],
    [0x00a7, 'session', 'uidU32', 'session', 'addExReply'],
    [0x00a8, 'session', 'authExRequest', 'session', 'authExReply'],
    [0x00ae, 'session', 'authCodeRequest', 'session', 'authCodeReply'],
    [0x00ba, 'keyPrefixed', 'tokenExRequest', 'loginReply', 'tokenExReply'],
    [0x00dd, 'keyPrefixed', 'checkPasswordRequest', 'loginReply', 'checkPasswordReply'],
  ]);
});

describe('pidgin session (../shared/vectors/classic-sessions.json)', () => {
  // Read on first use, inside a test.
  const rec = lazy(() => {
    const session = loadVectors<SessionsFile>('classic-sessions.json').sessions[0]!;
    return { session, PWD_KEY: hex(session.pwd_key), SESSION_KEY: hex(session.session_key!) };
  });

  const WRAP_OF_KEY: Record<string, Wrap> = {
    none: 'none',
    'init_key(first 16 body bytes)': 'keyPrefixed',
    pwd_key: 'loginReply',
    session_key: 'session',
  };

  /** Opens a recorded body with the key its record names: the plaintext, and the key and ciphertext if encrypted. */
  function open(p: VectorPacket, body: Buffer): { plain: Buffer; key?: Buffer; cipher?: Buffer } {
    switch (p.key) {
      case 'none':
        return { plain: body };
      case 'init_key(first 16 body bytes)': {
        const key = body.subarray(0, 16);
        const cipher = body.subarray(16);
        return { plain: teaDecrypt(cipher, key)!, key, cipher };
      }
      case 'pwd_key':
        return { plain: teaDecrypt(body, rec().PWD_KEY)!, key: rec().PWD_KEY, cipher: body };
      case 'session_key':
        return { plain: teaDecrypt(body, rec().SESSION_KEY)!, key: rec().SESSION_KEY, cipher: body };
      default:
        throw new Error(`unknown key name ${p.key}`);
    }
  }

  /** The random bytes QQ-TEA used (header, pad, salt), recovered from the first two blocks. */
  function teaRandomOf(cipher: Buffer, key: Buffer): Buffer {
    const c0 = cipher.subarray(0, 8);
    const x0 = teaDecryptBlock(c0, key);
    const p1 = teaDecryptBlock(Buffer.from(cipher.subarray(8, 16).map((b, i) => b ^ x0[i]!)), key).map((b, i) => b ^ c0[i]!);
    const pad = x0[0]! & 7;
    return Buffer.concat([x0, p1]).subarray(0, 1 + pad + 2);
  }

  interface Decoded {
    p: VectorPacket;
    plain: Buffer;
    value: unknown;
  }

  // Every datagram of the session, opened and decoded once.
  const decodedAll = lazy((): Decoded[] => rec().session.packets.map((p) => {
    const pk = decodePacket(hex(p.hex), p.dir);
    assert.ok(pk.ok);
    const { plain } = open(p, pk.value.body);
    const r = decodeBody('classic', p.command, p.dir, plain);
    assert.ok(r.ok, `${p.dir} 0x${p.command.toString(16)}: ${r.ok ? '' : r.error.message}`);
    return { p, plain, value: r.value.value };
  }));

  /** The decoded value of the one datagram with this command and direction. */
  function only<T>(command: number, dir: Direction): T {
    const found = decodedAll().filter((d) => d.p.command === command && d.p.dir === dir);
    assert.equal(found.length, 1, `one ${dir} 0x${command.toString(16)}`);
    return found[0]!.value as T;
  }

  test('every datagram opens with its named key to the recorded plaintext, decodes, and re-encodes to the same bytes', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    assert.equal(session.packets.length, 20);
    for (const p of session.packets) {
      const bytes = hex(p.hex);
      const pk = decodePacket(bytes, p.dir);
      assert.ok(pk.ok);
      const spec = bodySpec('classic', p.command, p.dir);
      assert.ok(spec, `layout for ${p.dir} 0x${p.command.toString(16)}`);
      assert.equal(spec.wrap, WRAP_OF_KEY[p.key], `wrap of ${p.dir} 0x${p.command.toString(16)}`);
      const { plain, key, cipher } = open(p, pk.value.body);
      assert.ok(plain, 'opens');
      assert.equal(plain.toString('hex'), p.plain);
      const r = decodeBody('classic', p.command, p.dir, plain);
      assert.ok(r.ok);
      assert.equal(r.value.codec, spec.codec.name);
      const again = spec.codec.encode(r.value.value);
      assert.equal(again.toString('hex'), p.plain, `re-encode ${spec.codec.name}`);
      // With the same random bytes, re-encrypting and re-framing gives the recorded datagram itself.
      let body = again;
      if (key && cipher) {
        body = teaEncrypt(again, key, replayRandom(teaRandomOf(cipher, key)));
        if (spec.wrap === 'keyPrefixed') body = Buffer.concat([key, body]);
      }
      assert.deepEqual(encodePacket({ ...pk.value, body }), bytes);
    }
  });

  test('token: request 00, reply 00 + 24-byte token (exactly 2 + length bytes)', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    assert.deepEqual(only(0x0062, 'c2s'), { sub: 0 });
    const reply = only<TokenReply>(0x0062, 's2c');
    assert.equal(reply.result, 0);
    assert.equal(reply.token.length, 24);
    assert.equal(decoded.find((d) => d.p.command === 0x0062 && d.p.dir === 's2c')!.plain.length, 26);
  });

  test('login request: status byte, the token of the token reply, a proof that opens with the password key', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const req = only<LoginRequest>(0x0022, 'c2s');
    const token = only<TokenReply>(0x0062, 's2c').token;
    assert.equal(req.status, Status.AWAY); // [52] = 0x1E in pidgin's login
    assert.deepEqual(req.token, token);
    assert.equal(req.filler.length, LOGIN_PLAIN_LENGTH - 70 - 24);
    assert.deepEqual(passwordKey(session.password), PWD_KEY);
    assert.equal(checkPasswordProof(req.proof, passwordKey('secret123')), true);
    assert.equal(checkPasswordProof(req.proof, passwordKey('secret124')), false);
    assert.equal(checkPasswordProof(req.proof.subarray(0, 8), PWD_KEY), false);

    // The raw body opens the same way through openLoginBody.
    const raw = session.packets.find((p) => p.command === 0x0022 && p.dir === 'c2s')!;
    const pk = decodePacket(hex(raw.hex), 'c2s');
    assert.ok(pk.ok);
    const opened = openLoginBody(pk.value.body);
    assert.ok(opened.ok);
    assert.deepEqual(opened.value.initialKey, pk.value.body.subarray(0, 16));
    assert.deepEqual(opened.value.request, req);
    const tampered = Buffer.from(pk.value.body);
    tampered[20] = tampered[20]! ^ 1;
    const bad = openLoginBody(tampered);
    assert.equal(bad.ok ? 'ok' : bad.error.reason, 'undecryptable');
    const short = openLoginBody(pk.value.body.subarray(0, 20));
    assert.equal(short.ok ? 'ok' : short.error.reason, 'truncated');
  });

  test('buildLoginBody → openLoginBody: key in clear, 416-byte plaintext, proof, status and token as given', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const initialKey = hex('00112233445566778899aabbccddeeff');
    const token = Buffer.alloc(24, 0x5a);
    const body = buildLoginBody({ initialKey, passwordKey: PWD_KEY, token, status: Status.ONLINE, random: seededRandom(7) });
    assert.deepEqual(body.subarray(0, 16), initialKey);
    assert.equal(body.length, 16 + 432); // QQ-TEA of 416 bytes is 432
    const opened = openLoginBody(body);
    assert.ok(opened.ok);
    const req = opened.value.request;
    assert.equal(req.status, 0x0a);
    assert.deepEqual(req.token, token);
    assert.equal(checkPasswordProof(req.proof, PWD_KEY), true);
    assert.equal(loginRequestCodec.encode(req).length, 416);
    // Same filler head as pidgin's.
    const pidgin = only<LoginRequest>(0x0022, 'c2s');
    assert.deepEqual(req.filler, pidgin.filler);
    // Deterministic with a deterministic random source.
    assert.deepEqual(buildLoginBody({ initialKey, passwordKey: PWD_KEY, token, status: 10, random: seededRandom(7) }), body);
  });

  test('login reply: ≥148 bytes, the session key of the file, uid 10002, addresses, previous login', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const reply = only<LoginReply>(0x0022, 's2c');
    assert.equal(reply.kind, 'success');
    if (reply.kind !== 'success') return;
    assert.ok(decoded.find((d) => d.p.command === 0x0022 && d.p.dir === 's2c')!.plain.length >= 148);
    assert.deepEqual(reply.sessionKey, SESSION_KEY);
    assert.equal(reply.uid, MY_UID);
    assert.deepEqual([reply.clientIp, reply.clientPort, reply.serverIp, reply.serverPort], [0x7f000001, 0x80ce, 0x7f000001, 8000]);
    assert.equal(reply.loginTime, 0x6b048885);
    assert.deepEqual([reply.lastLoginIp, reply.lastLoginTime], [0x7f000001, 0x6b047a75]);
    // The builder reproduces the accepted reply from its chosen fields.
    const built = loginSuccess({
      sessionKey: SESSION_KEY, uid: MY_UID, clientIp: 0x7f000001, clientPort: 0x80ce, serverIp: 0x7f000001, serverPort: 8000,
      loginTime: 0x6b048885, lastLoginTime: 0x6b047a75,
    });
    assert.equal(loginReplyCodec.encode(built).toString('hex'), decoded.find((d) => d.p.command === 0x0022 && d.p.dir === 's2c')!.p.plain);
  });

  test('login reply: failure 05 + GB18030 reason, redirect 01 + uid + IP + port', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const fail = loginReplyCodec.encode({ kind: 'failure', code: 5, reason: '密码错误' });
    assert.equal(fail.toString('hex'), '05c3dcc2ebb4edcef3');
    assert.deepEqual(loginReplyCodec.decode(fail), { kind: 'failure', code: 5, reason: '密码错误' });
    const redirect = hex('01 00002712 0a000001 1f40');
    assert.deepEqual(loginReplyCodec.decode(redirect), { kind: 'redirect', uid: MY_UID, ip: 0x0a000001, port: 8000, extra: Buffer.alloc(0) });
    assert.deepEqual(loginReplyCodec.encode(loginReplyCodec.decode(redirect)), redirect);
    assert.throws(() => loginReplyCodec.encode({ ...(loginReplyCodec.decode(hex(decoded.find((d) => d.p.command === 0x22 && d.p.dir === 's2c')!.p.plain)) as LoginReply & { kind: 'success' }), tail: Buffer.alloc(0) }), /148/);
  });

  test('session bodies: info, status, friend list, groups, levels, online — the recorded values', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    assert.deepEqual(only(0x0006, 'c2s'), { uid: MY_UID });
    const info = only<UserInfoReply>(0x0006, 's2c');
    assert.ok(info.fields.length >= 37);
    assert.equal(info.fields.length, 38);
    assert.equal(info.fields[0], '10002');
    assert.equal(info.info.uid, MY_UID);
    assert.equal(info.info.nick, '0');

    assert.deepEqual(only(0x000d, 'c2s'), { status: Status.ONLINE, misc: 0, extra: Buffer.alloc(0) });
    assert.deepEqual(only(0x000d, 's2c'), { result: 0x30 });
    assert.deepEqual(only(0x0026, 'c2s'), { start: 0, extra: hex('00') });
    assert.deepEqual(only(0x0026, 's2c'), { next: 0xffff, entries: [] });
    assert.deepEqual(only(0x0058, 'c2s'), { op: 1, sub: 2, reserved: 0, startUid: 0 });
    assert.deepEqual(only(0x0058, 's2c'), { op: 1, result: 0, reserved: 0, nextUid: 0, entries: [{ uid: PEER_UID, type: 1, group: 0 }] });
    assert.deepEqual(only(0x005c, 'c2s'), { sub: 0, uids: [MY_UID] });
    assert.deepEqual(only(0x005c, 's2c'), { sub: 0, entries: [{ uid: PEER_UID, activeTime: 3600, level: 1, daysLeft: 0 }] });
    const online = only<{ sub: number; position: number; extra: Buffer }>(0x0027, 'c2s');
    assert.deepEqual(online, { sub: 2, position: 0, extra: hex('000000') });
    assert.equal(onlineStartUid(online), 0);
    assert.equal(onlineStartUid({ sub: 2, position: 0, extra: hex('004e22') }), PEER_UID);
    assert.equal(onlineStartUid({ sub: 2, position: 5, extra: Buffer.alloc(0) }), 5);
    assert.deepEqual(only(0x0027, 's2c'), { next: 0xff, entries: [] });
  });

  test('messages: "hello from pidgin" with IM key MD5(10002 ‖ session key) and 宋体; the push and its ack', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const send = only<SendImRequest>(0x0016, 'c2s');
    assert.deepEqual([send.sender, send.receiver], [MY_UID, PEER_UID]);
    const m = send.message;
    assert.equal(m.text, 'hello from pidgin'); // no trailing space on the wire
    assert.deepEqual(m.imKey, imKey(MY_UID, SESSION_KEY));
    assert.deepEqual([m.senderVersion, m.sender, m.receiver, m.imType, m.msgSeq], [0x0d55, MY_UID, PEER_UID, 0x000b, 0x4767]);
    assert.deepEqual([m.fragCount, m.fragIndex, m.msgId, m.replyType], [0, 0, 0, 1]);
    assert.deepEqual(m.font, DEFAULT_FONT);
    assert.deepEqual(only(0x0016, 's2c'), { result: 0 });

    const push = only<ReceiveImPush>(0x0017, 's2c');
    assert.deepEqual([push.sender, push.receiver, push.serverSeq, push.senderIp, push.senderPort, push.type], [PEER_UID, MY_UID, 0x01020304, 0x7f000001, 4000, 9]);
    assert.equal(push.content.kind, 'im');
    if (push.content.kind !== 'im') return;
    assert.equal(push.content.message.text, 'hi from mock server');
    assert.equal(push.content.message.font, undefined); // has-font 0: no trailer
    assert.deepEqual([push.content.message.fragCount, push.content.message.msgId], [1, 1]);

    const ack = decoded.find((d) => d.p.command === 0x0017 && d.p.dir === 'c2s')!;
    const pushPlain = decoded.find((d) => d.p.command === 0x0017 && d.p.dir === 's2c')!.plain;
    assert.deepEqual(ack.plain, pushPlain.subarray(0, 16));
    assert.deepEqual(ack.value, receiveImAckFor(push));
    assert.deepEqual(receiveImAckCodec.encode(receiveImAckFor(push)), pushPlain.subarray(0, 16));
    const seqs = session.packets.filter((p) => p.command === 0x0017).map((p) => p.seq);
    assert.deepEqual(seqs, [4097, 4097]);
  });

  test('a send forwarded as a push carries the same message part, byte for byte', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const send = only<SendImRequest>(0x0016, 'c2s');
    const push = receiveImPushFor(send, { serverSeq: 7, senderIp: 0x7f000001, senderPort: 4000 });
    const sendPlain = sendImRequestCodec.encode(send);
    const pushPlain = receiveImPushCodec.encode(push);
    assert.deepEqual(pushPlain.subarray(20), sendPlain.subarray(8));
    assert.deepEqual(pushPlain.subarray(0, 8), sendPlain.subarray(0, 8));
    assert.equal(pushPlain.readUInt16BE(18), 0x0009);
    assert.deepEqual(receiveImPushCodec.decode(pushPlain), push);
  });

  test('keep alive, request key, status push, logout: layouts of PROTOCOL.md §5', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    assert.deepEqual(keepAliveRequestCodec.decode(hex('00002712')), { uid: MY_UID, form: 'u32' });
    assert.deepEqual(keepAliveRequestCodec.decode(Buffer.from('10002')), { uid: MY_UID, form: 'ascii' });
    assert.equal(keepAliveRequestCodec.encode({ uid: MY_UID, form: 'ascii' }).toString(), '10002');
    assert.throws(() => keepAliveRequestCodec.encode({ uid: 1234, form: 'ascii' }));
    const ka = keepAliveReply(0, '127.0.0.1', 4000);
    assert.ok(ka.form === 'text' && ka.onlineUsers === 1); // never 0
    assert.equal(keepAliveReplyCodec.encode(ka).toString('latin1'), '0\x1f0\x1f1\x1f127.0.0.1\x1f4000\x1f60');
    assert.deepEqual(keepAliveReplyCodec.decode(keepAliveReplyCodec.encode(ka)), ka);

    assert.deepEqual(keyRequestCodec.decode(hex('04')), { sub: 4, extra: Buffer.alloc(0) });
    const simple = Buffer.concat([hex('04 00'), Buffer.alloc(16, 0xab), Buffer.alloc(13)]);
    assert.equal(simple.length, 31);
    assert.deepEqual(keyReplyCodec.decode(simple), { sub: 4, result: 0, key: Buffer.alloc(16, 0xab), token: undefined, padding: Buffer.alloc(13) });
    const rich = Buffer.concat([hex('04 00'), Buffer.alloc(16, 0xab), hex('03 010203')]);
    assert.deepEqual(keyReplyCodec.decode(rich), { sub: 4, result: 0, key: Buffer.alloc(16, 0xab), token: hex('010203'), padding: Buffer.alloc(0) });
    assert.deepEqual(keyReplyCodec.encode(keyReplyCodec.decode(rich)), rich);

    const block: StatusBlock = { uid: PEER_UID, flag: 1, ip: 0x7f000001, port: 4000, unknown: 0, status: Status.AWAY, clientVersion: 0x0d55, key: Buffer.alloc(16, 7) };
    const push = friendStatusPushCodec.encode({ friend: block, myUid: MY_UID, extra: Buffer.alloc(0) });
    assert.equal(push.length, 35);
    assert.equal(push.readUInt32BE(31), MY_UID);
    assert.equal(push[12], Status.AWAY);
    assert.deepEqual(friendStatusPushCodec.decode(push).friend, block);

    // Logout: TEA(session key, password key) — the plaintext is the 16-byte password key.
    const body = teaEncrypt(logoutCodec.encode({ passwordKey: PWD_KEY }), SESSION_KEY, seededRandom(1));
    assert.deepEqual(logoutCodec.decode(teaDecrypt(body, SESSION_KEY)!), { passwordKey: PWD_KEY });
    assert.equal(bodySpec('classic', 0x0001, 'c2s')?.wrap, 'session');
    assert.equal(bodySpec('classic', 0x0001, 's2c'), undefined);
    assert.equal(bodySpec('classic', 0x0081, 'c2s'), undefined);
  });


  test('property: random and mutated bodies never throw out of decodeBody; successes re-encode to the same bytes', VECTORS, () => {
    const { session, PWD_KEY, SESSION_KEY } = rec();
    const decoded = decodedAll();
    const seeds = decoded.map((d) => ({ command: d.p.command, dir: d.p.dir, plain: d.plain }));
    const arb = fc.tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), u8), { maxLength: 4 }),
      fc.nat({ max: 30 }),
      fc.boolean(),
      someBytes(60),
    ).map(([s, muts, cut, random, noise]) => {
      let b = random ? noise : Buffer.from(s.plain);
      for (const [at, v] of muts) if (b.length) b[at % b.length] = v;
      if (cut % 3 === 0) b = b.subarray(0, Math.max(0, b.length - cut));
      return { command: s.command, dir: s.dir, body: b };
    });
    fc.assert(
      fc.property(arb, ({ command, dir, body }) => {
        const r = decodeBody('classic', command, dir, body);
        if (!r.ok) return;
        const spec = bodySpec('classic', command, dir)!;
        // GB18030 text is only byte-exact when it was valid GB18030; other bodies must be exact.
        const reencoded = spec.codec.encode(r.value.value);
        if (!['userInfoReply', 'friendListReply', 'sendImRequest', 'receiveImPush', 'loginReply'].includes(spec.codec.name)) {
          assert.deepEqual(reencoded, body, spec.codec.name);
        }
      }),
      { numRuns: 400 },
    );
  });
});

// ---- properties ------------------------------------------------------------------------------

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const uid1 = fc.integer({ min: 1, max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b));
const someBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
const plainObj = <T extends object>(a: fc.Arbitrary<T>) => a.map((v) => ({ ...v }) as T);

const arbFont: fc.Arbitrary<FontTrailer> = plainObj(
  fc.record({ name: text(8), size: fc.integer({ min: 0, max: 31 }), bold: fc.boolean(), italic: fc.boolean(), underline: fc.boolean(), color: fc.integer({ min: 0, max: 0xffffff }), charset: u16 }),
);
const arbStatusBlock: fc.Arbitrary<StatusBlock> = plainObj(
  fc.record({ uid: u32, flag: u8, ip: u32, port: u16, unknown: u8, status: u8, clientVersion: u16, key: bytes(16) }),
);
const arbMessage: fc.Arbitrary<ImMessage> = plainObj(
  fc.record({
    senderVersion: u16, sender: u32, receiver: u32, imKey: bytes(16), imType: u16, msgSeq: u16, sendTime: u32, face: u16,
    fragCount: u8, fragIndex: u8, msgId: u16, replyType: u8, text: text(30), font: fc.option(arbFont, { nil: undefined }),
  }),
);

/** decode(encode(v)) ≡ v, and encoding is stable. */
function roundTrips<T>(c: BodyCodec<T>, arb: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arb, (v) => {
      const b = c.encode(v);
      const back = c.decode(b);
      assert.deepEqual(back, v);
      assert.deepEqual(c.encode(back), b);
    }),
    { numRuns: 150 },
  );
}

test('property: list and entry codecs round-trip', () => {
  roundTrips<FriendListReply>(friendListReplyCodec, plainObj(fc.record({
    next: u16,
    // Real uids are never 0; a 2005 body with a uid 0 reads as the 2007 layout (4 more bytes per entry).
    entries: fc.array(plainObj(fc.record({ uid: uid1, face: u16, age: u8, gender: u8, nick: text(12), flagsUnknown: u16, ext: u8, comm: u8 })), { maxLength: 8 }),
  })));
  // The 2007 layout, with the zero tails servers send (what tells the two layouts apart).
  roundTrips<FriendListReply>(friendListReplyCodec, plainObj(fc.record({
    next: u16,
    entries: fc.array(plainObj(fc.record({ uid: uid1, face: u16, age: u8, gender: u8, nick: text(12), flagsUnknown: u16, ext: u8, comm: u8, tail: fc.constant(Buffer.alloc(4)) })), { minLength: 1, maxLength: 8 }),
  })));
  roundTrips<FriendGroupsReply>(friendGroupsReplyCodec, plainObj(fc.record({
    op: u8, result: u8, reserved: u32, nextUid: u32,
    entries: fc.array(plainObj(fc.record({ uid: u32, type: u8, group: fc.integer({ min: 0, max: 63 }) })), { maxLength: 10 }),
  })));
  roundTrips<LevelsReply>(levelsReplyCodec, plainObj(fc.record({
    sub: u8.filter((x) => x !== LEVEL_2007), entries: fc.array(plainObj(fc.record({ uid: u32, activeTime: u32, level: u16, daysLeft: u16 })), { maxLength: 10 }),
  })));
  roundTrips(levelsRequestCodec, plainObj(fc.record({ sub: u8.filter((x) => x !== LEVEL_2007), uids: fc.array(u32, { maxLength: 10 }) })));
  roundTrips(levelsRequestCodec, plainObj(fc.record({ sub: fc.constant(LEVEL_2007), uids: fc.tuple(u32).map((t) => [...t]), tail: someBytes(2) })));
  roundTrips<LevelsReply>(levelsReplyCodec, plainObj(fc.record({
    sub: fc.constant(LEVEL_2007), entries: fc.tuple(plainObj(fc.record({ uid: u32, activeTime: u32, level: u16, daysLeft: u16 }))).map((t) => [...t]), extra: someBytes(8),
  })));
  roundTrips<OnlineFriendsReply>(onlineFriendsReplyCodec, plainObj(fc.record({
    next: u8,
    entries: fc.array(plainObj(fc.record({ block: arbStatusBlock, unknown1: u16, ext: u8, comm: u8, unknown2: u16, end: u8 })), { maxLength: 5 }),
  })));
  // 42-byte entries (QQ2007/2008) whenever 38 does not divide the body.
  roundTrips<OnlineFriendsReply>(onlineFriendsReplyCodec, plainObj(fc.record({
    next: u8,
    entries: fc.array(plainObj(fc.record({ block: arbStatusBlock, unknown1: u16, ext: u8, comm: u8, unknown2: u16, end: u8, tail: bytes(4) })), { minLength: 1, maxLength: 5 }),
  })));
  roundTrips(onlineFriendsRequestCodec, plainObj(fc.record({ sub: u8, position: u8, extra: someBytes(6) })));
  roundTrips(friendListRequestCodec, plainObj(fc.record({ start: u16, extra: someBytes(3) })));
  roundTrips(friendGroupsRequestCodec, plainObj(fc.record({ op: u8, sub: u8, reserved: u32, startUid: u32 })));
  roundTrips(changeStatusRequestCodec, plainObj(fc.record({ status: u8, misc: u32, extra: someBytes(6) })));
  // A 42-byte body is the flagged layout: the short one never has exactly 7 extra bytes here.
  roundTrips(friendStatusPushCodec, plainObj(fc.record({ friend: arbStatusBlock, myUid: u32, extra: someBytes(12).filter((b) => b.length !== 7) })));
  roundTrips(friendStatusPushCodec, plainObj(fc.record({ friend: arbStatusBlock, userFlag: u32, myUid: u32, extra: bytes(3) })));
  roundTrips<KeyReply>(keyReplyCodec, fc.oneof(
    plainObj(fc.record({ sub: u8, result: u8, key: bytes(16), token: fc.constant(undefined), padding: fc.integer({ min: 0, max: 13 }).map((n) => Buffer.alloc(n)) })),
    plainObj(fc.record({ sub: u8, result: u8, key: bytes(16), token: fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => Buffer.from(b.map((x) => x | 1))), padding: someBytes(4) })),
  ));
  roundTrips(keepAliveRequestCodec, fc.oneof(
    plainObj(fc.record({ uid: u32, form: fc.constant<'u32'>('u32') })),
    plainObj(fc.record({ uid: u32, form: fc.constant<'u32time'>('u32time'), time: u32 })),
    plainObj(fc.record({ uid: fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 10000, max: 0xffffffff })), form: fc.constant<'ascii'>('ascii') })),
  ));
  roundTrips(keepAliveReplyCodec, fc.oneof(
    plainObj(fc.record({
      form: fc.constant<'text'>('text'), result: fc.stringMatching(/^[0-9a-z]{0,3}$/), unknown: fc.stringMatching(/^[0-9a-z]{0,3}$/), onlineUsers: u32,
      clientIp: fc.ipV4(), clientPort: u16, interval: fc.stringMatching(/^[0-9]{0,3}$/),
    })),
    plainObj(fc.record({
      form: fc.constant<'binary'>('binary'),
      reply: plainObj(fc.record({ result: u8, online: u32, clientIp: u32, clientPort: u16, interval: u16, serverTime: u32, tail: bytes(5) })),
    })).filter((v) => keepAliveReplyCodec.encode(v).filter((b) => b === 0x1f).length !== 5),
  ));
  roundTrips(tokenReplyCodec, plainObj(fc.record({ result: u8, token: someBytes(40) })));
  roundTrips(userInfoRequestCodec, plainObj(fc.record({ uid: u32 })));
});

test('property: the byte-level decimal helpers agree with the text ones (keep-alive uid in, counts and port out)', () => {
  const asText = (b: Uint8Array): number | 'error' => {
    try { return parseDecimal(Buffer.from(b).toString('latin1'), 'uid'); } catch (e) { assert.ok(e instanceof DecodeError); return 'error'; }
  };
  const asBytes = (b: Uint8Array): number | 'error' => {
    try { return parseDecimalBytes(b, 'uid'); } catch (e) { assert.ok(e instanceof DecodeError); return 'error'; }
  };
  // Digits-heavy bytes, so that leading zeros, 11-digit and just-over-u32 numbers come up, and the odd non-digit.
  const digitish = fc.array(fc.oneof(fc.integer({ min: 48, max: 57 }), fc.integer({ min: 48, max: 57 }), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }).map((a) => Uint8Array.from(a));
  fc.assert(fc.property(digitish, (b) => assert.equal(asBytes(b), asText(b))));
  for (const edge of ['', '0', '00', '01', '4294967295', '4294967296', '9999999999', '10000000000']) {
    assert.equal(asBytes(Buffer.from(edge)), asText(Buffer.from(edge)), edge);
  }
  fc.assert(fc.property(fc.oneof(u32, fc.constantFrom(0, 9, 10, 99999, 100000, 999999999, 1000000000, 0xffffffff)), (n) => {
    const b = Buffer.alloc(12, 0x2e);
    const end = writeDecimal(b, 1, n);
    assert.equal(end - 1, decimalLength(n));
    assert.equal(b.toString('latin1'), `.${n}${'.'.repeat(11 - end + 1)}`);
  }));
});

test('property: message parts round-trip in sends and pushes, with or without a font', () => {
  roundTrips<SendImRequest>(sendImRequestCodec, plainObj(fc.record({ sender: u32, receiver: u32, message: arbMessage })));
  roundTrips<ReceiveImPush>(receiveImPushCodec, fc.oneof(
    plainObj(fc.record({
      sender: u32, receiver: u32, serverSeq: u32, senderIp: u32, senderPort: u16, type: fc.constantFrom(9, 10),
      content: arbMessage.map((message) => ({ kind: 'im' as const, message })),
    })),
    plainObj(fc.record({
      sender: u32, receiver: u32, serverSeq: u32, senderIp: u32, senderPort: u16, type: u16.filter((t) => t !== 9 && t !== 10),
      content: someBytes(20).map((b) => ({ kind: 'other' as const, bytes: b })),
    })),
  ));
});

test('property: login bodies round-trip', () => {
  roundTrips<LoginRequest>(loginRequestCodec, plainObj(fc.record({
    proof: bytes(16), unknown16: bytes(36), status: u8, unknown53: bytes(16), token: someBytes(40), filler: someBytes(400),
  })));
  roundTrips<LoginReply>(loginReplyCodec, fc.oneof(
    plainObj(fc.record({
      kind: fc.constant<'success'>('success'), sessionKey: bytes(16), uid: u32, clientIp: u32, clientPort: u16, serverIp: u32,
      serverPort: u16, loginTime: u32, unknown37: bytes(86), lastLoginIp: u32, lastLoginTime: u32,
      tail: fc.integer({ min: 17, max: 40 }).chain((n) => bytes(n)),
    })),
    plainObj(fc.record({ kind: fc.constant<'failure'>('failure'), code: fc.integer({ min: 2, max: 255 }), reason: text(20) })),
    plainObj(fc.record({ kind: fc.constant<'redirect'>('redirect'), uid: u32, ip: u32, port: u16, extra: someBytes(6) })),
  ));
});

test('property: info replies round-trip; named fields override the raw list on encode', () => {
  const field = text(6).filter((s) => !s.includes('\x1e'));
  fc.assert(
    fc.property(fc.array(field, { minLength: 37, maxLength: 40 }), (fields) => {
      const body = userInfoReplyCodec.encode({ info: userInfoOf(fields), fields });
      const back = userInfoReplyCodec.decode(body);
      assert.deepEqual(back.fields, fields);
      assert.deepEqual(userInfoReplyCodec.encode(back), body);
    }),
    { numRuns: 100 },
  );
  const r = userInfoReply({ ...userInfoReplyCodec.decode(Buffer.from(Array(37).fill('').join('\x1e'))).info, uid: MY_UID, nick: '小明', age: 30, face: 3 });
  const back = userInfoReplyCodec.decode(userInfoReplyCodec.encode(r));
  assert.equal(back.fields.length, 38);
  assert.deepEqual([back.fields[0], back.fields[1], back.fields[7], back.fields[21], back.fields[19]], ['10002', '小明', '30', '3', '0']);
  assert.deepEqual([back.info.uid, back.info.nick, back.info.age, back.info.face], [MY_UID, '小明', 30, 3]);
});

// ---- bad bodies ------------------------------------------------------------------------------

const BAD: ReadonlyArray<readonly [reason: string, command: number, dir: Direction, body: string]> = [
  ['truncated', 0x0062, 'c2s', ''],
  ['trailing_bytes', 0x0062, 'c2s', '0000'],
  ['truncated', 0x0062, 's2c', '00 18 0102'],
  ['trailing_bytes', 0x0062, 's2c', '00 01 aa bb'],
  ['truncated', 0x0022, 'c2s', '00'.repeat(69)],
  ['truncated', 0x0022, 'c2s', '00'.repeat(69) + '05 0102'],
  ['truncated', 0x0022, 's2c', ''],
  ['truncated', 0x0022, 's2c', '00' + '11'.repeat(146)],
  ['truncated', 0x0022, 's2c', '01 00002712 7f00'],
  ['bad_value', 0x0006, 'c2s', '3130303032x'.replace('x', '41')],
  ['bad_value', 0x0006, 'c2s', '3031'],
  ['bad_value', 0x0006, 'c2s', ''],
  ['truncated', 0x0006, 's2c', '31303030321e30'],
  ['truncated', 0x000d, 'c2s', '0a000000'],
  ['trailing_bytes', 0x000d, 's2c', '3030'],
  ['truncated', 0x0026, 's2c', '0001 00004e22 0000 00 00 05 41'],
  ['truncated', 0x0026, 's2c', '0001 00004e22 0000 00 00 01 41 0000'],
  ['trailing_bytes', 0x0058, 'c2s', '0102 00000000 00000000 00'],
  ['truncated', 0x0058, 's2c', '01 00 00000000 00000000 00004e22 01'],
  ['bad_value', 0x0058, 's2c', '01 00 00000000 00000000 00004e22 01 05'],
  ['truncated', 0x005c, 'c2s', '00 000027'],
  ['truncated', 0x005c, 's2c', '00 00004e22 00000e10 0001 00'],
  ['truncated', 0x0027, 'c2s', '02'],
  ['truncated', 0x0027, 's2c', 'ff' + '00'.repeat(37)],
  ['bad_value', 0x0002, 'c2s', '313233'.replace('33', '3a')],
  ['bad_value', 0x0002, 's2c', '301f301f31'],
  ['bad_value', 0x0002, 's2c', '301f301f781f3132372e302e302e311f343030301f3630'],
  ['bad_value', 0x0002, 's2c', '301f301f311f3132372e302e302e311f39393939391f3630'],
  ['truncated', 0x001d, 'c2s', ''],
  ['truncated', 0x001d, 's2c', '04 00' + 'ab'.repeat(15)],
  ['truncated', 0x001d, 's2c', '04 00' + 'ab'.repeat(16) + '05 01'],
  ['truncated', 0x0081, 's2c', '00'.repeat(34)],
  ['truncated', 0x0016, 'c2s', '0000271200004e22 0d55'],
  ['bad_value', 0x0016, 'c2s', '0000271200004e22 0d55 00002712 00004e22' + '00'.repeat(16) + '000b 0001 00000000 0000 00000002 01 00 0000 01'],
  ['truncated', 0x0016, 'c2s', '0000271200004e22 0d55 00002712 00004e22' + '00'.repeat(16) + '000b 0001 00000000 0000 00000001 01 00 0000 01'],
  ['bad_value', 0x0016, 'c2s', '0000271200004e22 0d55 00002712 00004e22' + '00'.repeat(16) + '000b 0001 00000000 0000 00000001 01 00 0000 01 68696a6b6c6d 05'],
  ['trailing_bytes', 0x0016, 's2c', '0000'],
  ['truncated', 0x0017, 's2c', '00004e22 00002712 01020304 7f000001 0fa0 0009 0d55'],
  ['truncated', 0x0017, 'c2s', '00004e22 00002712 01020304 7f0000'],
  ['trailing_bytes', 0x0017, 'c2s', '00004e22 00002712 01020304 7f000001 0fa0'],
  ['truncated', 0x0001, 'c2s', '00'.repeat(15)],
  ['trailing_bytes', 0x0001, 'c2s', '00'.repeat(17)],
  ['unknown_command', 0x0081, 'c2s', '00'],
  ['unknown_command', 0x00cd, 'c2s', '00'],
];

test('bad bodies give DecodeError reasons, never other exceptions', () => {
  for (const [reason, command, dir, body] of BAD) {
    const r = decodeBody('classic', command, dir, hex(body));
    assert.equal(r.ok ? 'ok' : r.error.reason, reason, `${dir} 0x${command.toString(16)} ${body}`);
  }
});

test('system message (0x0080) and its ack (0x0012): fields, GB18030 text with separators inside, round trips', () => {
  const msg = { code: 6, from: 10000, to: 10002, text: '您的帐号在另一地点登录\x1fmore' };
  const bytes = systemMessageCodec.encode(msg);
  assert.equal(bytes.subarray(0, 14).toString('latin1'), '6\x1f10000\x1f10002\x1f');
  assert.deepEqual(systemMessageCodec.decode(bytes), msg);
  const ack = { code: 6, from: 10000, seq: 0x1234 };
  assert.equal(systemMessageAckCodec.encode(ack).toString('hex'), '361e31303030301e1234');
  assert.deepEqual(systemMessageAckCodec.decode(systemMessageAckCodec.encode(ack)), ack);
  // The 2007/08 codes have two digits: the ack carries them whole.
  assert.equal(systemMessageAckCodec.encode({ code: 41, from: 7, seq: 1 }).toString('hex'), '34311e371e0001');
  assert.throws(() => systemMessageCodec.decode(Buffer.from('6\x1f1')), (e: unknown) => e instanceof DecodeError && e.reason === 'truncated');
});

test('client uploads: 0x003C 02 names, 0x003D (uid, group) entries, 0x003E 01 memo write, 0x0067 signature ops — bytes both ways', () => {
  const up: GroupNameRequest = { sub: 2, groups: [{ index: 1, name: 'Work' }, { index: 2, name: '同学' }] };
  const upBytes = groupNameRequestCodec.encode(up);
  assert.equal(upBytes.toString('hex'), '02' + '01' + Buffer.from('Work').toString('hex').padEnd(32, '0') + '02' + 'cdacd1a7'.padEnd(32, '0'));
  assert.deepEqual(groupNameRequestCodec.decode(upBytes), up);
  assert.throws(() => groupNameRequestCodec.decode(upBytes.subarray(0, 10)), (e: unknown) => e instanceof DecodeError && e.reason === 'truncated');
  const moves = { entries: [{ uid: 10002, group: 1 }, { uid: 10004, group: 0 }] };
  assert.equal(uploadGroupsRequestCodec.encode(moves).toString('hex'), '0000271201' + '0000271400');
  assert.deepEqual(uploadGroupsRequestCodec.decode(uploadGroupsRequestCodec.encode(moves)), moves);
  assert.throws(() => uploadGroupsRequestCodec.decode(Buffer.from('00002712', 'hex')), (e: unknown) => e instanceof DecodeError);
  const modify: MemoRequest = { sub: 1, unknown1: 0, uid: 10002, unknown2: 0, fields: ['小明', '', '', '', '', '', ''] };
  assert.equal(memoRequestCodec.encode(modify).toString('hex'), '0100' + '00002712' + '00' + '04d0a1c3f7' + '00'.repeat(6));
  assert.deepEqual(memoRequestCodec.decode(memoRequestCodec.encode(modify)), modify);
  assert.deepEqual(memoReplyCodec.decode(Buffer.from('0100', 'hex')), { sub: 1, result: 0 });
  assert.throws(() => memoRequestCodec.decode(Buffer.from('0200002712', 'hex')), (e: unknown) => e instanceof DecodeError && e.reason === 'bad_value');
  assert.equal(signatureRequestCodec.encode({ sub: 1, unknown: 1, text: '你好' }).toString('hex'), '010104c4e3bac3');
  assert.deepEqual(signatureRequestCodec.decode(Buffer.from('02', 'hex')), { sub: 2 });
  const get: SignatureRequest = { sub: 3, unknown: 0, queries: [{ uid: 10002, time: 5 }] };
  assert.equal(signatureRequestCodec.encode(get).toString('hex'), '030001' + '00002712' + '00000005');
  assert.deepEqual(signatureRequestCodec.decode(signatureRequestCodec.encode(get)), get);
  assert.throws(() => signatureRequestCodec.decode(Buffer.from('030002' + '0000271200000005', 'hex')), (e: unknown) => e instanceof DecodeError && e.reason === 'bad_value');
  const reply = { sub: 3, result: 0, get: { next: 0, signatures: [{ uid: 10002, time: 7, text: '你好' }] } };
  assert.equal(signatureReplyCodec.encode(reply).toString('hex'), '0300' + '00000000' + '00002712' + '00000007' + '04c4e3bac3');
  assert.deepEqual(signatureReplyCodec.decode(signatureReplyCodec.encode(reply)), reply);
  assert.deepEqual(signatureReplyCodec.decode(Buffer.from('0100', 'hex')), { sub: 1, result: 0 });
});

test('buddy memo (0x003E): pidgin\'s request, the one-byte "no memo" reply, and a full memo round trip', () => {
  assert.deepEqual(memoRequestCodec.decode(Buffer.from('0300002712', 'hex')), { sub: 3, uid: 10002 });
  assert.equal(memoReplyCodec.encode({ sub: 3 }).toString('hex'), '03');
  const full = { sub: 3, memo: { uid: 10002, unknown: 0, fields: ['小明', '', '', '', 'a@b.c', '', 'note'] } };
  assert.deepEqual(memoReplyCodec.decode(memoReplyCodec.encode(full)), full);
});
