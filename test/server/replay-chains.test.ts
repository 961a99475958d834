import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { bodySpec, ModernCmd } from '../../src/protocol/commands.js';
import { familyOf, loginDialectOf } from '../../src/protocol/families.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { hex, loadRepoVectors, type SessionsFile, type VectorPacket, type VectorSession } from '../helpers/vectors.js';
import { recordedTokens, startServer, seedAccounts, UdpPeer } from '../helpers/udp.js';

// The recorded sessions of the modern chain's other readers (test/vectors): MyQQ 3.19 (QQ2009, classic headers) and
// pidgin-libqq (qq2010/qq2011). Every body opens with the key its entry names and decodes and re-encodes byte for
// byte with the modern layouts; the recorded login datagrams, replayed against a live server, get replies they read.

const file = loadRepoVectors<SessionsFile>('qq2009-sessions.json');
const libqq = loadRepoVectors<SessionsFile>('libqq-sessions.json');

/** Opens a recorded body with the key its entry names (login-chain keys from the session's `keys`). */
function open(s: VectorSession, p: VectorPacket, body: Buffer, requestKeys: Map<string, Buffer>): Buffer | null {
  const k = (name: string) => hex(s.keys![name]!);
  if (p.key.startsWith('request key (body')) return teaDecrypt(body.subarray(16), body.subarray(0, 16));
  if (p.key === 'request key') return teaDecrypt(body, requestKeys.get(`${p.command}/${p.seq}`)!);
  if (p.key.startsWith('login_info_key1')) return teaDecrypt(body.subarray(2 + body.readUInt16BE(0)), k('login_info_key1'));
  if (p.key === 'verify_key2' || p.key === 'login_info_key3' || p.key === 'login_info_key2') return teaDecrypt(body, k(p.key));
  if (p.key === 'e3 key') return teaDecrypt(body, k('e3_key'));
  if (p.key === 'session key') return teaDecrypt(body, hex(s.session_key!));
  throw new Error(`unknown key name ${p.key}`);
}

/** A send MyQQ 3.19 cut inside a UTF-8 character (it splits long text every 700 bytes), refused (01) when recorded. */
function isCutSend(s: VectorSession, p: VectorPacket): boolean {
  return p.command === ModernCmd.SEND_IM && p.dir === 'c2s' && s.packets.some((r) => r.dir === 's2c' && r.command === p.command && r.seq === p.seq && r.plain === '01');
}

for (const s of [...file.sessions, ...libqq.sessions]) {
  const framing = familyOf(Number(s.version_tag))!.framing;
  test(`recorded ${s.client}: ${framing} headers, bodies open with the named keys and re-encode byte for byte`, () => {
    assert.equal(familyOf(Number(s.version_tag))?.chain, framing === 'classic' ? 'qq2009' : 'modern');
    const requestKeys = new Map<string, Buffer>();
    let decoded = 0;
    for (const p of s.packets) {
      const r = decodePacket(hex(p.hex), p.dir);
      assert.ok(r.ok && r.value.framing === framing && r.value.command === p.command);
      const body = Buffer.from(r.value.body);
      if (p.key.startsWith('request key (body')) requestKeys.set(`${p.command}/${p.seq}`, body.subarray(0, 16));
      const plain = open(s, p, body, requestKeys);
      assert.ok(plain, `${p.dir} 0x${p.command.toString(16)} seq ${p.seq} opens with the ${p.key}`);
      assert.equal(Buffer.from(plain).toString('hex'), p.plain);
      const codec = bodySpec('modern', p.command, p.dir)?.codec as { decode(b: Buffer): unknown; encode(v: unknown): Buffer } | undefined;
      if (!codec) continue;
      if (isCutSend(s, p)) {
        // Now its text is kept as the bytes sent (and accepted: see long-messages-cut.test.ts).
        const im = (codec.decode(hex(p.plain)) as M.SendIm).im;
        assert.equal(typeof M.imFragmentText(im), 'object', 'the text is not whole UTF-8 characters on its own');
      }
      assert.equal(codec.encode(codec.decode(hex(p.plain))).toString('hex'), p.plain, `0x${p.command.toString(16)} ${p.dir} re-encodes`);
      decoded++;
    }
    assert.ok(decoded > s.packets.length * 0.9, `${decoded} of ${s.packets.length} bodies have a layout`);
  });
}

test('the recorded QQ2009 sessions show its layouts: 0x00CA verify, 0x00E5 with nickname, 0x0018, 139-byte 0x0030, 27-byte friend entries', () => {
  const first = file.sessions[0]!;
  const plain = (dir: 'c2s' | 's2c', cmd: number) => hex(first.packets.find((p) => p.dir === dir && p.command === cmd)!.plain);
  const chain = first.packets.filter((p) => p.dir === 'c2s').map((p) => p.command).slice(0, 6);
  assert.deepEqual(chain, [0x0091, 0x00ba, 0x00dd, 0x00e5, 0x0018, 0x0030]);
  assert.equal(M.verifyRequest.decode(plain('c2s', 0xdd)).dialect, 'qq2009');
  assert.equal(M.loginInfoRequest.decode(plain('c2s', 0xe5)).dialect, 'qq2009');
  assert.equal(M.loginInfoReply.decode(plain('s2c', 0xe5)).nickname, 'MyQQ319用户');
  assert.equal(M.sendLoginInfoRequest.decode(plain('c2s', 0x30)).dialect, 'qq2009');
  assert.equal(plain('s2c', 0x30).length, 139);
  assert.equal(M.loginListReply.decode(plain('s2c', 0x18)).entries.length, 3);
  const friends = M.friendListReply.decode(plain('s2c', 0x126));
  assert.equal(friends.dialect, loginDialectOf(Number(first.version_tag)));
  assert.ok(friends.friends.every((f) => f.extra?.length === 27));
  // Its acks of 0x00CE go under 0x0017 with the push's sequence and first 16 bytes.
  const push = first.packets.find((p) => p.dir === 's2c' && p.command === ModernCmd.RECV_IM)!;
  const ack = first.packets.find((p) => p.dir === 'c2s' && p.command === ModernCmd.QUN_MESSAGE && p.seq === push.seq)!;
  assert.equal(ack.plain, push.plain.slice(0, 32));
});

test('the recorded pidgin-libqq sessions show its layouts: 0x00E5 reply ≥ 175 bytes with the e3 key and tokens, 0x00E3, the longer 0x0030 reply, 0x005C 0x89', () => {
  for (const s of libqq.sessions.filter((x) => x.session_key)) {
    const plain = (dir: 'c2s' | 's2c', cmd: number) => hex(s.packets.find((p) => p.dir === dir && p.command === cmd)!.plain);
    const chain = s.packets.filter((p) => p.dir === 'c2s').map((p) => p.command).slice(0, 6);
    assert.deepEqual(chain, [0x0091, 0x00ba, 0x00dd, 0x00e5, 0x00e3, 0x0030]);
    const info = M.loginInfoReply.decode(plain('s2c', 0xe5));
    assert.equal(info.dialect, 'libqq');
    assert.ok(plain('s2c', 0xe5).length >= 175);
    assert.deepEqual(M.verifyE3Request.decode(plain('c2s', 0xe3)).e3Token, info.e3Token);
    assert.equal(M.verifyE3Reply.decode(plain('s2c', 0xe3)).result, 0);
    const done = M.sendLoginInfoReply.decode(plain('s2c', 0x30));
    assert.ok(done.ok && done.dialect === 'libqq' && done.loginToken?.length === 16);
    // What decided it: the 0x00E5 field where MyQQ echoes unknown1.
    const dd = M.verifyReply.decode(plain('s2c', 0xdd));
    assert.ok(dd.ok);
    assert.equal(M.loginInfoRequest.decode(plain('c2s', 0xe5)).unknown1, ((dd.loginInfoData.length + 8) << 16) | 2);
  }
  const levels = libqq.sessions[0]!.packets.filter((p) => p.command === 0x5c && p.dir === 's2c').map((p) => M.levelReply.decode(hex(p.plain)));
  assert.ok(levels.some((l) => 'levels' in l), 'pidgin-libqq asks its friends\' levels with 0x89');
});

for (const s of [file.sessions[0]!, file.sessions[2]!, libqq.sessions[0]!, libqq.sessions[3]!]) {
  test(`${s.client}: the recorded 0x0091 → 0x00BA → 0x00DD get replies the client reads`, async () => {
    const plainOf = (cmd: number) => hex(s.packets.find((p) => p.dir === 's2c' && p.command === cmd)!.plain);
    const touch = M.touchReply.decode(plainOf(0x91));
    assert.ok(touch.ok);
    const byKind: Record<string, Buffer> = { touch: touch.loginToken, captcha: M.loginReply.decode(plainOf(0xba)).tokenC };
    const { server, store } = await startServer({ tokens: recordedTokens(byKind) });
    seedAccounts(store, [{ uid: s.uid, password: s.session_key ? s.password : 'the real one' }]);
    const peer = await UdpPeer.open(server.address.port);
    try {
      const chain = s.packets.filter((p) => p.dir === 'c2s').slice(0, 3);
      const replies: Buffer[] = [];
      for (const p of chain) {
        peer.send(hex(p.hex));
        const r = decodePacket(await peer.next(), 's2c');
        assert.ok(r.ok && r.value.framing === familyOf(Number(s.version_tag))!.framing);
        assert.deepEqual([r.value.command, r.value.seq], [p.command, p.seq]);
        replies.push(Buffer.from(r.value.body));
      }
      const at = familyOf(Number(s.version_tag))!.framing === 'classic' ? 11 : 22;
      const key = (i: number) => hex(chain[i]!.hex).subarray(at, at + 16);
      if (at === 11) assert.deepEqual(key(0), Buffer.alloc(16), 'MyQQ 3.19 touches with an all-zero key');
      assert.ok(M.touchReply.decode(teaDecrypt(replies[0]!, key(0))!).ok);
      assert.deepEqual(M.loginReply.decode(teaDecrypt(replies[1]!, key(1))!).tokenC, byKind.captcha);
      const vk2 = s.keys?.['verify_key2'] ? hex(s.keys['verify_key2']) : Buffer.alloc(16);
      const verify = M.verifyReply.decode(teaDecrypt(replies[2]!, vk2) ?? teaDecrypt(replies[2]!, key(2))!);
      if (s.session_key) assert.ok(verify.ok, 'the password opens the verify block; the reply is under verify_key2');
      else assert.ok(!verify.ok && verify.code === M.VerifyCode.WRONG_PASSWORD);
    } finally {
      peer.close();
      await server.close();
    }
  });
}
