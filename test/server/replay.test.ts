import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { passwordKey } from '../../src/protocol/keys.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { tokenReplyCodec, loginReplyCodec } from '../../src/protocol/bodies/classic/index.js';
import type { TokenSource } from '../../src/server/login-token.js';
import { lazy, loadVectors, hex, VECTORS, type SessionsFile, type VectorSession } from '../helpers/vectors.js';
import { startServer, seedAccounts, UdpPeer } from '../helpers/udp.js';

describe('recorded MyQQ and pidgin logins (../shared/vectors)', () => {
  const modern = lazy(() => loadVectors<SessionsFile>('modern-session.json'));
  const classic = lazy(() => loadVectors<SessionsFile>('classic-sessions.json'));

  /** Tokens as the stand-in chose them, so the recorded client datagrams (which echo them) are accepted. */
  function recordedTokens(byLabel: Record<string, Buffer>): TokenSource {
    return {
      issue: (_e, _now, label) => byLabel[label]!,
      check: (_e, token, _now, label) => Buffer.from(token).equals(byLabel[label]!),
    };
  }

  function packets(s: VectorSession, cmd: number, dir: 'c2s' | 's2c') {
    return s.packets.filter((p) => p.command === cmd && p.dir === dir);
  }

  async function exchange(peer: UdpPeer, datagram: Buffer) {
    const sent = decodePacket(datagram, 'c2s');
    assert.ok(sent.ok);
    peer.send(datagram);
    const bytes = await peer.next();
    const r = decodePacket(bytes, 's2c');
    assert.ok(r.ok);
    assert.equal(r.value.framing, 'modern');
    assert.equal(r.value.command, sent.value.command, 'reply echoes the command');
    assert.equal(r.value.seq, sent.value.seq, 'reply echoes the sequence');
    assert.equal(r.value.uid, sent.value.uid);
    assert.equal(bytes.length, 14 + r.value.body.length + 1, '14-byte server header');
    return r.value.body;
  }

  test("MyQQ's recorded touch, login request and password verify are answered in keys MyQQ opens", VECTORS, async () => {
    const s = modern().sessions[0]!;
    const k = s.keys!;
    const touchReply = M.touchReply.decode(Buffer.from(packets(s, 0x91, 's2c')[0]!.plain, 'hex'));
    const loginReply = M.loginReply.decode(Buffer.from(packets(s, 0xba, 's2c')[0]!.plain, 'hex'));
    assert.ok(touchReply.ok);
    const { server, store } = await startServer({ tokens: recordedTokens({ touch: touchReply.loginToken, captcha: loginReply.tokenC }) });
    seedAccounts(store, [{ uid: s.uid, password: s.password }]);
    const peer = await UdpPeer.open(server.address.port);
    try {
      // 0x0091: opens with the touch key the client chose; result 00, no redirect, the token MQ will echo.
      const t = await exchange(peer, hex(packets(s, 0x91, 'c2s')[0]!.hex));
      const tr = M.touchReply.decode(teaDecrypt(t, hex(k['touch_key(body[0:16])']!))!);
      assert.ok(tr.ok);
      assert.equal(tr.redirect, null);
      assert.deepEqual(tr.loginToken, touchReply.loginToken);
      // 0x00BA: opens with the (all-zero) request key; png flag 0, token_c for 0x00DD.
      const l = await exchange(peer, hex(packets(s, 0xba, 'c2s')[0]!.hex));
      const lr = M.loginReply.decode(teaDecrypt(l, Buffer.alloc(16))!);
      assert.equal(lr.pngFlag, 0);
      assert.equal(lr.captcha, 0);
      assert.deepEqual(lr.tokenC, loginReply.tokenC);
      // 0x00DD with the right password: opens with verify_key2 (zero in MQ) and carries key1/key3/magic.
      const v = await exchange(peer, hex(packets(s, 0xdd, 'c2s')[0]!.hex));
      const vr = M.verifyReply.decode(teaDecrypt(v, hex(k['verify_key2(from 0x00DD verify block)']!))!);
      assert.ok(vr.ok, 'verify succeeded');
      assert.equal(vr.loginInfoKey1.length, 16);
      assert.equal(vr.loginInfoKey3.length, 16);
      assert.ok(vr.loginInfoMagic.length > 0);
      // The same datagram again (MQ re-sends unanswered requests): the same reply, byte for byte.
      const again = await exchange(peer, hex(packets(s, 0xdd, 'c2s')[0]!.hex));
      assert.deepEqual(again, v);
    } finally {
      peer.close();
      await server.close();
    }
  });

  test("MyQQ's recorded wrong-password verify gets code 0x34 readable with the clear 0x00DD key", VECTORS, async () => {
    const s = modern().sessions[1]!;
    const real = modern().sessions[0]!;
    const touchReply = M.touchReply.decode(Buffer.from(packets(s, 0x91, 's2c')[0]!.plain, 'hex'));
    const loginReply = M.loginReply.decode(Buffer.from(packets(s, 0xba, 's2c')[0]!.plain, 'hex'));
    assert.ok(touchReply.ok);
    const { server, store } = await startServer({ tokens: recordedTokens({ touch: touchReply.loginToken, captcha: loginReply.tokenC }) });
    seedAccounts(store, [{ uid: s.uid, password: real.password }]);
    const peer = await UdpPeer.open(server.address.port);
    try {
      for (const cmd of [0x91, 0xba]) await exchange(peer, hex(packets(s, cmd, 'c2s')[0]!.hex));
      const v = await exchange(peer, hex(packets(s, 0xdd, 'c2s')[0]!.hex));
      const vr = M.verifyReply.decode(teaDecrypt(v, hex(s.keys!['verify_key(body[0:16])']!))!);
      assert.equal(vr.ok, false);
      assert.ok(!vr.ok && vr.code === M.VerifyCode.WRONG_PASSWORD);
      assert.ok(!vr.ok && /wrong password/.test(vr.message));
      assert.equal(server.metrics.loginsFailed, 1);
      assert.equal(server.hub.onlineCount(), 0);
    } finally {
      peer.close();
      await server.close();
    }
  });

  test("pidgin's recorded token request and login (password secret123) get replies pidgin reads", VECTORS, async () => {
    const s = classic().sessions[0]!;
    const tokenPlain = Buffer.from(packets(s, 0x62, 's2c')[0]!.plain, 'hex');
    const token = tokenReplyCodec.decode(tokenPlain).token;
    const { server, store } = await startServer({ tokens: recordedTokens({ token }) });
    seedAccounts(store, [{ uid: s.uid, password: s.password }]);
    const peer = await UdpPeer.open(server.address.port);
    try {
      peer.send(hex(packets(s, 0x62, 'c2s')[0]!.hex));
      const tr = decodePacket(await peer.next(), 's2c');
      assert.ok(tr.ok);
      assert.equal(tr.value.framing, 'classic');
      assert.equal(tr.value.uid, undefined, '7-byte classic server header');
      assert.deepEqual(tokenReplyCodec.decode(tr.value.body).token, token);
      assert.equal(tr.value.body.length, 2 + token.length);

      peer.send(hex(packets(s, 0x22, 'c2s')[0]!.hex));
      const lr = decodePacket(await peer.next(), 's2c');
      assert.ok(lr.ok);
      assert.equal(lr.value.seq, packets(s, 0x22, 'c2s')[0]!.seq);
      const plain = teaDecrypt(lr.value.body, passwordKey('secret123'));
      assert.ok(plain, 'opens with the password key');
      assert.ok(plain.length >= 148, `login reply is ${plain.length} bytes`);
      const reply = loginReplyCodec.decode(plain);
      assert.equal(reply.kind, 'success');
      assert.ok(reply.kind === 'success' && reply.uid === s.uid);
      assert.ok(reply.kind === 'success' && reply.sessionKey.length === 16);
      assert.equal(server.hub.get(s.uid)?.framing, 'classic');
    } finally {
      peer.close();
      await server.close();
    }
  });
});
