import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from '../../src/protocol/framing.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import { passwordKey } from '../../src/protocol/keys.js';
import { bodySpec, ClassicCmd, commandName, decodeBody } from '../../src/protocol/commands.js';
import { familyOf, statusPushLayout, usesLogin2007 } from '../../src/protocol/families.js';
import { login2007ReplyCodec, login2007RequestCodec, loginReplyCodec, loginRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import { hex, loadRepoVectors, type SessionsFile, type VectorPacket, type VectorSession } from '../helpers/vectors.js';

// The repository's own recordings of real clients (test/vectors): every datagram decodes, its body opens with
// the key the file names, and every body with a known layout decodes and re-encodes to the same bytes.

const file = loadRepoVectors<SessionsFile>('classic-2007-sessions.json');
const luma = loadRepoVectors<SessionsFile>('lumaqq-sessions.json');

/** Opens a recorded datagram's body with the key its entry names. */
function open(s: VectorSession, p: VectorPacket, body: Buffer): Buffer | null {
  if (p.key === 'none') return body;
  if (p.key.startsWith('request key (body')) return teaDecrypt(body.subarray(16), body.subarray(0, 16));
  if (p.key.startsWith('initial key (body')) return teaDecrypt(body.subarray(16), body.subarray(0, 16));
  if (p.key.startsWith('login key')) return teaDecrypt(body.subarray(2 + body.readUInt16BE(0)), hex(s.keys!['login_key']!));
  if (p.key === 'password key') return teaDecrypt(body, passwordKey(s.password));
  if (p.key === 'initial key') return teaDecrypt(body, hex(s.keys!['initial_key']!)); // a refused login's reply
  if (p.key === 'session key') return teaDecrypt(body, hex(s.session_key!));
  if (p.key === 'request key') return null; // needs the request's key: checked through the request below
  throw new Error(`unknown key name ${p.key}`);
}

for (const s of [...file.sessions, ...luma.sessions]) {
  test(`recorded ${s.client}: datagrams decode, bodies open and re-encode byte for byte`, () => {
    const version = Number(s.version_tag);
    assert.equal(familyOf(version)?.framing, 'classic');
    const requestKeys = new Map<string, Buffer>();
    let decoded = 0;
    for (const p of s.packets) {
      const r = decodePacket(hex(p.hex), p.dir);
      assert.ok(r.ok, `${p.dir} 0x${p.command.toString(16)} decodes`);
      assert.equal(r.value.framing, 'classic');
      assert.equal(r.value.command, p.command);
      const body = Buffer.from(r.value.body);
      if (p.key.startsWith('request key (body')) requestKeys.set(`${p.command}/${p.seq}`, body.subarray(0, 16));
      const plain = p.key === 'request key' ? teaDecrypt(body, requestKeys.get(`${p.command}/${p.seq}`)!) : open(s, p, body);
      assert.ok(plain, `${p.dir} 0x${p.command.toString(16)} seq ${p.seq} opens with the ${p.key}`);
      assert.equal(Buffer.from(plain).toString('hex'), p.plain);
      const bytes = hex(p.plain);
      // 0x0022 has two layouts; the family says which.
      const codec = p.command === ClassicCmd.LOGIN
        ? (p.dir === 'c2s' ? (usesLogin2007(version) ? login2007RequestCodec : loginRequestCodec) : (usesLogin2007(version) ? login2007ReplyCodec : loginReplyCodec))
        : bodySpec('classic', p.command, p.dir)?.codec;
      if (!codec) continue;
      const value = (codec.decode as (b: Buffer) => unknown)(bytes);
      assert.equal((codec.encode as (v: unknown) => Buffer)(value).toString('hex'), p.plain, `${commandName('classic', p.command)} ${p.dir} re-encodes`);
      if (p.command !== ClassicCmd.LOGIN) assert.ok(decodeBody('classic', p.command, p.dir, bytes).ok);
      decoded++;
    }
    assert.ok(decoded > s.packets.length / 2, `${decoded} of ${s.packets.length} bodies have a layout`);
  });
}

test('the recorded 2007/2008 sessions show the family layouts the server chose by tag', () => {
  for (const s of file.sessions) {
    const version = Number(s.version_tag);
    const pushes = s.packets.filter((p) => p.dir === 's2c' && p.command === ClassicCmd.FRIEND_STATUS);
    assert.ok(pushes.length > 0, `${s.client} got status pushes`);
    for (const p of pushes) assert.equal(hex(p.plain).length, statusPushLayout(version) === 'flagged' ? 42 : 35);
    const online = s.packets.filter((p) => p.dir === 's2c' && p.command === ClassicCmd.GET_ONLINE_FRIENDS);
    for (const p of online) assert.equal((hex(p.plain).length - 1) % (usesLogin2007(version) ? 42 : 38), 0);
    if (usesLogin2007(version)) {
      const chain = s.packets.filter((p) => p.dir === 'c2s').map((p) => p.command).slice(0, 5);
      assert.deepEqual(chain, [0x0091, 0x0062, 0x00ba, 0x00dd, 0x0022], 'the 2007/2008 login chain');
      const reply = s.packets.find((p) => p.dir === 's2c' && p.command === ClassicCmd.LOGIN)!;
      assert.equal(hex(reply.plain).length, 139);
    }
  }
});

test('the recorded LumaQQ sessions (0x0E1B): 42-byte status pushes, 0x003C group names answered, queued pushes only after its first request', () => {
  const [first, again] = luma.sessions;
  const pushes = first!.packets.filter((p) => p.dir === 's2c' && p.command === ClassicCmd.FRIEND_STATUS);
  assert.ok(pushes.length > 0);
  for (const p of pushes) assert.equal(hex(p.plain).length, 42);
  assert.ok(first!.packets.some((p) => p.dir === 's2c' && p.command === 0x003c), '0x003C answered');
  const i = again!.packets.findIndex((p) => p.dir === 's2c' && p.command === ClassicCmd.RECV_IM);
  const login = again!.packets.findIndex((p) => p.dir === 's2c' && p.command === ClassicCmd.LOGIN);
  assert.ok(i > login + 1 && again!.packets.slice(login + 1, i).some((p) => p.dir === 'c2s'), 'held until the client spoke');
  assert.ok(again!.packets.filter((p) => p.dir === 's2c' && p.command === ClassicCmd.RECV_IM).length >= 4, 'one queued message and a 3-fragment long one');
});
