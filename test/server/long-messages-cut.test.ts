// Long messages cut inside a character. MyQQ 3.19 cuts long text every 700 bytes, wherever that falls: such a fragment
// is not text on its own. The server takes it as bytes, stores it and pushes the very same bytes; the receiver puts
// the message together and decodes it once. Checked at the wire with raw clients, in each framing that carries it:
// 0x1663 (modern bodies in classic headers), classic 0x0016/0x0017 (GB18030) and modern (UTF-8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import { imKey } from '../../src/protocol/keys.js';
import { IM_TEXT, sendImRequestCodec } from '../../src/protocol/bodies/classic/index.js';
import { decodeGb, encodeGb, fragmentBytes, fragmentTextOf, type Charset, type FragmentText, type TextBytes } from '../../src/protocol/text.js';
import { MAX_FRAGMENT_BYTES } from '../../src/server/message-id.js';
import { CutTexts } from '../../src/server/cut-text.js';
import type { IncomingMessage } from '../../src/client/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ModernDriver } from '../helpers/modern-driver.js';
import { login2009, QQ2009 } from '../helpers/qq2009-login.js';
import { hex, loadRepoVectors, type SessionsFile } from '../helpers/vectors.js';
import { until } from '../helpers/udp.js';
import { quiescence, serverProbe } from '../helpers/quiescence.js';
import { Clients, serverWith, type TestUser } from '../client/fixtures.js';

const A: TestUser = { uid: 10001, password: 'myqq-319', nick: 'MyQQ319用户' };
const B: TestUser = { uid: 10002, password: 'bob-pw', nick: 'Bob' };
const C: TestUser = { uid: 10003, password: 'carol-pw', nick: '小红' };
const FRIENDS: [number, number][] = [[A.uid, B.uid], [A.uid, C.uid], [B.uid, C.uid]];

/** A long Chinese text (with some ASCII, so 700-byte cuts fall inside characters in both charsets). */
const LONG = Array.from({ length: 60 }, (_, i) => `第${i}段：长消息在字节处切开。`).join('');

/** Cuts bytes every `n` bytes, as MyQQ 3.19 does (inside characters too). */
function cutEvery(b: Buffer, n: number, charset: Charset): TextBytes[] {
  const out: TextBytes[] = [];
  for (let i = 0; i < b.length; i += n) out.push({ bytes: b.subarray(i, i + n), charset });
  return out;
}

/** Sends modern-body fragments (0x00CD) from a raw client; returns the result bytes. */
async function sendModern(d: ClassicDriver, to: number, parts: readonly FragmentText[], msgId: number): Promise<number[]> {
  const results: number[] = [];
  for (const [i, text] of parts.entries()) {
    const im = M.makeImText({
      sender: d.uid, receiver: to, imKey: imKey(d.uid, d.sessionKey), senderVersion: d.version, text, msgSeq: 0x200 + i,
      sendTime: 1_800_000_000, msgId, fragCount: parts.length, fragIndex: i,
    });
    results.push(M.sendImReply.decode(await d.request(ModernCmd.SEND_IM, M.sendIm.encode({ sender: d.uid, receiver: to, im }))).result);
  }
  return results;
}

/** Sends classic fragments (0x0016) from a raw client; returns the result bytes. */
async function sendClassic(d: ClassicDriver, to: number, parts: readonly FragmentText[], msgId: number): Promise<number[]> {
  const results: number[] = [];
  for (const [i, text] of parts.entries()) {
    const body = sendImRequestCodec.encode({
      sender: d.uid, receiver: to,
      message: {
        senderVersion: d.version, sender: d.uid, receiver: to, imKey: imKey(d.uid, d.sessionKey), imType: IM_TEXT, msgSeq: 0x300 + i,
        sendTime: 1_800_000_001, face: 0, fragCount: parts.length, fragIndex: i, msgId, replyType: 1, text, font: undefined,
      },
    });
    results.push((await d.request(ClassicCmd.SEND_IM, body))[0]!);
  }
  return results;
}

/** A raw receiver's message pushes: every one acked as its client does, with the fragment's text bytes as pushed. */
async function receiveAll(d: ClassicDriver, n: number, body: 'modern' | 'classic'): Promise<{ serverSeq: number; fragIndex: number; bytes: Buffer }[]> {
  const out: { serverSeq: number; fragIndex: number; bytes: Buffer }[] = [];
  for (let i = 0; i < n; i++) {
    if (body === 'classic') {
      const { push } = await d.receive();
      assert.ok(push.content.kind === 'im');
      out.push({ serverSeq: push.serverSeq, fragIndex: push.content.message.fragIndex, bytes: fragmentBytes(push.content.message.text, 'gb18030') });
      continue;
    }
    const p = await d.push(ModernCmd.RECV_IM);
    const push = M.receiveIm.decode(p.plain);
    assert.ok(push.kind === 'im');
    // MyQQ 3.19 acks a 0x00CE under 0x0017 (its first 16 bytes); MyQQ 3.30 under 0x00CE.
    if (d.version === QQ2009) d.fire(ModernCmd.QUN_MESSAGE, p.plain.subarray(0, 16), p.seq);
    else d.fire(ModernCmd.RECV_IM, M.imAck.encode(M.imAckFor(push)), p.seq);
    const seg = push.im.segments[0];
    assert.ok(seg?.kind === 'text' && push.im.segments.length === 1);
    out.push({ serverSeq: push.serverSeq, fragIndex: push.im.fragIndex, bytes: fragmentBytes(seg.text, 'utf8') });
  }
  return out;
}

/** No further message push reaches `d` once the server owes none (each fragment arrived exactly once). */
async function noMore(d: ClassicDriver, server: Parameters<typeof serverProbe>[0], command: number): Promise<void> {
  await quiescence(serverProbe(server));
  const extra = d.peer.peek().filter((b) => b.length > 5 && b.readUInt16BE(3) === command);
  assert.equal(extra.length, 0, 'no fragment pushed twice');
}

test('0x1663: the recorded MyQQ 3.19 sends it cut inside characters are accepted and pushed byte for byte, once; the SDK reads a cut message whole', async () => {
  const file = loadRepoVectors<SessionsFile>('qq2009-sessions.json');
  const s = file.sessions[0]!;
  // The recorded long sends: two messages of two fragments; the server of the recording refused three of them.
  const sends = s.packets.filter((p) => p.dir === 'c2s' && p.command === ModernCmd.SEND_IM).map((p) => M.sendIm.decode(hex(p.plain)));
  const long = sends.filter((v) => v.im.fragCount === 2);
  assert.equal(long.length, 4);
  assert.ok(long.some((v) => typeof M.imFragmentText(v.im) !== 'string'), 'the recording holds fragments that are not UTF-8 on their own');
  const { server, port } = await serverWith([A, B, C], FRIENDS);
  const cs = new Clients();
  const a = await ClassicDriver.open(port, A.uid, A.password, undefined, QQ2009);
  const b = await ModernDriver.openModern(port, B.uid, B.password);
  try {
    await b.loginModern();
    assert.ok((await login2009(a)).login?.ok);
    // The recorded plaintexts, under this session's key: every fragment answered 00.
    for (const v of long) assert.equal(M.sendImReply.decode(await a.request(ModernCmd.SEND_IM, M.sendIm.encode(v))).result, 0);
    const got = await receiveAll(b, long.length, 'modern');
    assert.deepEqual(got.map((g) => g.bytes.toString('hex')), long.map((v) => fragmentBytes(M.imFragmentText(v.im), 'utf8').toString('hex')));
    await noMore(b, server, ModernCmd.RECV_IM);
    // (In this recording MyQQ 3.19 sent one long text as three messages of at most two fragments; its cuts fell
    // between those messages, which no receiver joins. A cut between fragments is mended below.)

    // The SDK (what `oicq chat` and the OneBot gateway show) gets the whole text, once.
    const c = await cs.online(C, port, 'modern');
    const seen: IncomingMessage[] = [];
    c.on('message', (m) => seen.push(m));
    const parts = cutEvery(Buffer.from(LONG, 'utf8'), 700, 'utf8');
    assert.ok(parts.length >= 3 && parts.slice(0, -1).every((p) => typeof fragmentTextOf(p.bytes, 'utf8') !== 'string'), 'cut inside characters');
    assert.deepEqual(await sendModern(a, C.uid, parts, 0x4242), parts.map(() => 0));
    await until(() => seen.length === 1, 3000, 'the message');
    await quiescence(serverProbe(server));
    assert.deepEqual([seen.length, seen[0]!.text, seen[0]!.fragments, seen[0]!.incomplete], [1, LONG, parts.length, false]);
  } finally {
    a.close();
    b.close();
    await cs.closeAll();
    await server.close();
  }
});

test('classic 0x0016/0x0017: a GB18030 message cut inside characters arrives byte for byte, once, read whole by the SDK; offline too', async () => {
  const { server, port, store } = await serverWith([A, B, C], FRIENDS);
  const cs = new Clients();
  const a = await ClassicDriver.open(port, A.uid, A.password);
  const b = await ClassicDriver.open(port, B.uid, B.password);
  try {
    assert.equal((await a.login()).kind, 'success');
    assert.equal((await b.login()).kind, 'success');
    const gb = encodeGb(LONG);
    const parts = cutEvery(gb, 701, 'gb18030');
    assert.ok(parts.length >= 3 && parts.slice(0, -1).every((p) => typeof fragmentTextOf(p.bytes, 'gb18030') !== 'string'), 'cut inside characters');
    assert.deepEqual(await sendClassic(a, B.uid, parts, 0x51), parts.map(() => 0));
    const got = await receiveAll(b, parts.length, 'classic');
    assert.deepEqual(got.map((g) => [g.fragIndex, g.bytes.toString('hex')]), parts.map((p, i) => [i, p.bytes.toString('hex')]));
    await noMore(b, server, ClassicCmd.RECV_IM);

    // To a receiver who is offline: stored as bytes, pushed as the same bytes at its login, read whole by the SDK.
    assert.deepEqual(await sendClassic(a, C.uid, parts, 0x52), parts.map(() => 0));
    // The last part happens to end on a character: stored as text, the others as their bytes.
    assert.deepEqual(store.pendingFor(C.uid).map((m) => (m.raw ? m.raw.bytes : encodeGb(m.text)).toString('hex')), parts.map((p) => p.bytes.toString('hex')));
    assert.deepEqual(store.pendingFor(C.uid).map((m) => m.raw?.charset), [...parts.slice(0, -1).map(() => 'gb18030'), undefined]);
    const c = cs.make(C, port, 'classic');
    const seen: IncomingMessage[] = [];
    c.on('message', (m) => seen.push(m));
    await c.login();
    await until(() => seen.length === 1, 3000, 'the queued message');
    await quiescence(serverProbe(server));
    assert.deepEqual([seen.length, seen[0]!.text, seen[0]!.fragments], [1, LONG, parts.length]);
  } finally {
    a.close();
    b.close();
    await cs.closeAll();
    await server.close();
  }
});

test('modern framing: a UTF-8 message cut inside characters reaches a QQ2009 friend byte for byte, once', async () => {
  const { server, port } = await serverWith([A, B, C], FRIENDS);
  const a = await ClassicDriver.open(port, A.uid, A.password, undefined, QQ2009);
  const b = await ModernDriver.openModern(port, B.uid, B.password);
  try {
    await b.loginModern();
    assert.ok((await login2009(a)).login?.ok);
    const parts = cutEvery(Buffer.from(LONG, 'utf8'), 700, 'utf8');
    assert.deepEqual(await sendModern(b, A.uid, parts, 0x61), parts.map(() => 0));
    const got = await receiveAll(a, parts.length, 'modern');
    assert.deepEqual(got.map((g) => [g.fragIndex, g.bytes.toString('hex')]), parts.map((p, i) => [i, p.bytes.toString('hex')]));
    assert.equal(new Set(got.map((g) => g.serverSeq)).size, parts.length);
    await noMore(a, server, ModernCmd.RECV_IM);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('cut fragments keep the limits: over 2048 bytes or a bad fragment number gets the failure reply', async () => {
  const { server, port, store } = await serverWith([A, B], [[A.uid, B.uid]]);
  const a = await ClassicDriver.open(port, A.uid, A.password, undefined, QQ2009);
  try {
    assert.ok((await login2009(a)).login?.ok);
    const big: TextBytes = { bytes: Buffer.concat([Buffer.from('好'.repeat(682), 'utf8'), Buffer.from([0xe5, 0xa5, 0xbd].slice(0, MAX_FRAGMENT_BYTES + 1 - 682 * 3))]), charset: 'utf8' };
    assert.equal(big.bytes.length, MAX_FRAGMENT_BYTES + 1);
    assert.deepEqual(await sendModern(a, B.uid, [big], 1), [1]);
    assert.deepEqual(await sendModern(a, B.uid, [{ bytes: big.bytes.subarray(1), charset: 'utf8' }], 2), [0], '2048 bytes are taken');
    // A fragment index beyond its count: refused, and nothing stored.
    const im = M.makeImText({ sender: A.uid, receiver: B.uid, imKey: imKey(A.uid, a.sessionKey), senderVersion: QQ2009, text: { bytes: hex('e4bd'), charset: 'utf8' }, msgSeq: 9, sendTime: 1, msgId: 3, fragCount: 2, fragIndex: 2 });
    assert.equal(M.sendImReply.decode(await a.request(ModernCmd.SEND_IM, M.sendIm.encode({ sender: A.uid, receiver: B.uid, im }))).result, 1);
    assert.equal(store.pendingFor(B.uid).length, 1);
  } finally {
    a.close();
    await server.close();
  }
});

test('across charsets: a cut fragment is read with the bytes its predecessor left over, so the other framing reads the whole text', async () => {
  const { server, port } = await serverWith([A, B, C], FRIENDS);
  const cs = new Clients();
  const a = await ClassicDriver.open(port, A.uid, A.password);
  const q = await ClassicDriver.open(port, C.uid, C.password, undefined, QQ2009);
  const b = await ModernDriver.openModern(port, B.uid, B.password);
  try {
    assert.equal((await a.login()).kind, 'success');
    assert.ok((await login2009(q)).login?.ok);
    await b.loginModern();
    // GB18030 from a classic sender (LumaQQ's 700-byte cuts), to a modern receiver: UTF-8 text, one piece per fragment.
    const gbParts = cutEvery(encodeGb(`L${LONG}`), 700, 'gb18030');
    assert.deepEqual(await sendClassic(a, B.uid, gbParts, 0x71), gbParts.map(() => 0));
    const got = await receiveAll(b, gbParts.length, 'modern');
    const texts = got.map((g) => g.bytes.toString('utf8'));
    assert.equal(texts.join(''), `L${LONG}`, 'no character garbled at the cuts');
    assert.ok(texts.every((t) => !t.includes('\ufffd')));
    // UTF-8 from QQ2009 (MyQQ 3.19's 700-byte cuts), to a classic receiver: GB18030 text, whole again.
    const u8Parts = cutEvery(Buffer.from(LONG, 'utf8'), 700, 'utf8');
    assert.deepEqual(await sendModern(q, A.uid, u8Parts, 0x72), u8Parts.map(() => 0));
    const back = await receiveAll(a, u8Parts.length, 'classic');
    assert.equal(decodeGb(Buffer.concat(back.map((g) => g.bytes))), LONG);
    await quiescence(serverProbe(server));
  } finally {
    a.close();
    q.close();
    b.close();
    await cs.closeAll();
    await server.close();
  }
});

test('CutTexts: each fragment reads as the characters that end in it; out of order it reads alone; bounded', () => {
  const t = new CutTexts(2);
  const parts = cutEvery(encodeGb('L你好世界'), 2, 'gb18030');
  assert.deepEqual(parts.map((p, i) => t.textOf('m', i, parts.length, fragmentTextOf(p.bytes, 'gb18030'))), ['L', '你', '好', '世', '界']);
  assert.equal(t.size, 0, 'forgotten after the last fragment');
  assert.equal(t.textOf('whole', 0, 2, '整'), '整', 'whole characters need no help');
  assert.equal(t.size, 0);
  // A message whose first fragment never came: its second reads as if alone (U+FFFD, no throw).
  const u = cutEvery(Buffer.from('你好', 'utf8'), 4, 'utf8');
  assert.equal(t.textOf('late', 1, 2, u[1]!), '\ufffd\ufffd');
  for (const k of ['a', 'b', 'c']) t.textOf(k, 0, 2, u[0]!);
  assert.equal(t.size, 2, 'the oldest open message is forgotten past the capacity');
  assert.equal(t.textOf('a', 1, 2, u[1]!), '\ufffd\ufffd', 'forgotten: read alone');
  assert.equal(t.textOf('c', 1, 2, u[1]!), '好');
});
