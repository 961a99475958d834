import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { passwordKey } from '../../src/protocol/keys.js';
import { checkPasswordReplyCodec, login2007ReplyCodec, selectServerReplyCodec, tokenExReplyCodec, tokenReplyCodec } from '../../src/protocol/bodies/classic/index.js';
import { hex, loadRepoVectors, type SessionsFile, type VectorSession } from '../helpers/vectors.js';
import { recordedTokens, startServer, seedAccounts, UdpPeer } from '../helpers/udp.js';

// pidgin's recorded qq2007/qq2008 login chains (test/vectors), replayed datagram for datagram against a live
// server that hands out the recorded tokens: every reply opens with the key pidgin uses and says what it read.

const file = loadRepoVectors<SessionsFile>('classic-2007-sessions.json');

function plainOf(s: VectorSession, cmd: number): Buffer {
  return hex(s.packets.find((p) => p.dir === 's2c' && p.command === cmd)!.plain);
}

for (const s of file.sessions.filter((x) => x.version_tag !== '0x0d55')) {
  test(`${s.client}: the recorded chain 0x0091 → 0x0062 → 0x00BA → 0x00DD → 0x0022 logs in again`, async () => {
    const byKind: Record<string, Buffer> = {
      token: tokenReplyCodec.decode(plainOf(s, 0x62)).token,
      tokenEx: tokenExReplyCodec.decode(plainOf(s, 0xba)).tokenEx,
      loginToken: hex(s.keys!['login_token']!),
      loginKey: hex(s.keys!['login_key']!),
    };
    const { server, store } = await startServer({ tokens: recordedTokens(byKind) });
    seedAccounts(store, [{ uid: s.uid, password: s.password }]);
    const peer = await UdpPeer.open(server.address.port);
    try {
      const chain = s.packets.filter((p) => p.dir === 'c2s').slice(0, 5);
      const replies: Buffer[] = [];
      for (const p of chain) {
        peer.send(hex(p.hex));
        const r = decodePacket(await peer.next(), 's2c');
        assert.ok(r.ok);
        assert.equal(r.value.framing, 'classic');
        assert.deepEqual([r.value.command, r.value.seq], [p.command, p.seq], 'reply echoes command and sequence');
        replies.push(Buffer.from(r.value.body));
      }
      const key = (i: number) => hex(chain[i]!.hex).subarray(11, 27);
      assert.equal(selectServerReplyCodec.decode(teaDecrypt(replies[0]!, key(0))!).result, 0, 'stay on this server');
      assert.deepEqual(tokenReplyCodec.decode(replies[1]!).token, byKind.token);
      assert.equal(tokenExReplyCodec.decode(teaDecrypt(replies[2]!, key(2))!).result, 0, 'no captcha');
      const check = checkPasswordReplyCodec.decode(teaDecrypt(replies[3]!, key(3))!);
      assert.equal(check.result, 0);
      assert.deepEqual(check.success?.loginKey, byKind.loginKey);
      const login = teaDecrypt(replies[4]!, passwordKey(s.password));
      assert.ok(login, '0x0022 reply opens with the password key');
      assert.equal(login.length, 139);
      const v = login2007ReplyCodec.decode(login);
      assert.ok(v.kind === 'success' && v.uid === s.uid);
      assert.equal(server.hub.get(s.uid)?.version, Number(s.version_tag));
    } finally {
      peer.close();
      await server.close();
    }
  });
}
