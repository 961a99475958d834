// Long Qun messages cut inside a character, as long private ones (long-messages-cut.test.ts): each fragment is stored
// once as its bytes and charset, pushed to members of the sender's charset as the very same bytes, to members of the
// other charset as text read after the bytes the fragment before left over, and put together by the SDK before it is
// decoded. Checked at the wire with raw clients, from a classic member (0x0030 sub 0x2A, GB18030) and from a modern
// one (0x0002 sub 0x2A, UTF-8), online and offline receivers of both framings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import * as Q from '../../src/protocol/bodies/qun.js';
import { ClassicCmd, ModernCmd } from '../../src/protocol/commands.js';
import { DEFAULT_FONT, decodeGb, encodeFontTrailer, encodeGb, fragmentBytes, fragmentTextOf, splitFontTrailer, type Charset, type TextBytes } from '../../src/protocol/text.js';
import { QunPolicy } from '../../src/store/store.js';
import type { QunMessage } from '../../src/client/index.js';
import { ClassicDriver } from '../helpers/classic-driver.js';
import { ModernDriver } from '../helpers/modern-driver.js';
import { until } from '../helpers/udp.js';
import { quiescence, serverProbe } from '../helpers/quiescence.js';
import { Clients, serverWith, type TestUser } from '../client/fixtures.js';

const A: TestUser = { uid: 10011, password: 'a-pw', nick: '经典甲' };
const E: TestUser = { uid: 10012, password: 'e-pw', nick: '经典乙' };
const B: TestUser = { uid: 10013, password: 'b-pw', nick: '现代甲' };
const F: TestUser = { uid: 10014, password: 'f-pw', nick: '现代乙' };
const C: TestUser = { uid: 10015, password: 'c-pw', nick: '离线' };
const USERS = [A, E, B, F, C];

/** A long Chinese text with some ASCII, so byte cuts fall inside characters in both charsets. */
const LONG = Array.from({ length: 60 }, (_, i) => `第${i}段：群里的长消息在字节处切开。`).join('');

/** Cuts bytes every `n` bytes, inside characters too (as LumaQQ and MyQQ 3.19 cut). */
function cutEvery(b: Buffer, n: number, charset: Charset): TextBytes[] {
  const out: TextBytes[] = [];
  for (let i = 0; i < b.length; i += n) out.push({ bytes: b.subarray(i, i + n), charset });
  return out;
}

function qun(d: ClassicDriver, command: number, sub: number, id: number, data: Buffer): Promise<Q.QunReply> {
  return d.request(command, Q.qunRequestCodec.encode({ sub, qun: id, data })).then((b) => Q.qunReplyCodec.decode(b));
}

/** Classic 0x0030 sub 0x2A: GB18030 fragments, the font trailer after the last one. */
async function sendClassic(d: ClassicDriver, id: number, parts: readonly TextBytes[], msgId: number): Promise<number[]> {
  const out: number[] = [];
  for (const [i, p] of parts.entries()) {
    const content = i === parts.length - 1 ? Buffer.concat([p.bytes, encodeFontTrailer(DEFAULT_FONT)]) : p.bytes;
    out.push((await qun(d, ClassicCmd.QUN, Q.QunSub.CLASSIC_SEND_IM_EX, id, Q.writeClassicQunSendImEx({ contentType: 1, fragCount: parts.length, fragIndex: i, msgId, content }))).result);
  }
  return out;
}

/** Modern 0x0002 sub 0x2A: UTF-8 fragments in MSG blocks. */
async function sendModern(d: ClassicDriver, id: number, parts: readonly TextBytes[], msgId: number, time: number): Promise<number[]> {
  const out: number[] = [];
  for (const [i, p] of parts.entries()) {
    const data = Q.writeQunSendImEx({ contentType: 1, fragCount: parts.length, fragIndex: i, msgId, block: M.textMsgBlock(p, time, msgId) });
    out.push((await qun(d, ModernCmd.QUN, Q.QunSub.SEND_IM_EX, id, data)).result);
  }
  return out;
}

/** A classic member's Qun message pushes (acked): fragment index and text bytes (the last without its font trailer). */
async function receiveClassic(d: ClassicDriver, n: number): Promise<{ serverSeq: number; fragIndex: number; bytes: Buffer }[]> {
  const out: { serverSeq: number; fragIndex: number; bytes: Buffer }[] = [];
  for (let i = 0; i < n; i++) {
    const { push } = await d.receive();
    assert.ok(push.content.kind === 'other' && push.type === Q.QunPushType.CLASSIC_IM);
    const m = Q.readClassicQunIm(push.content.bytes);
    const bytes = m.fragIndex === m.fragCount - 1 ? splitFontTrailer(m.content).text : m.content;
    out.push({ serverSeq: push.serverSeq, fragIndex: m.fragIndex, bytes });
  }
  return out;
}

/** A modern member's Qun message pushes (acked): fragment index and the text segment's bytes. */
async function receiveModern(d: ModernDriver, n: number): Promise<{ serverSeq: number; fragIndex: number; bytes: Buffer }[]> {
  const out: { serverSeq: number; fragIndex: number; bytes: Buffer }[] = [];
  for (let i = 0; i < n; i++) {
    const { push } = await d.qunPush();
    assert.ok(push.kind === 'raw' && push.imType === Q.QunPushType.MODERN_IM);
    const m = Q.readModernQunIm(push.data);
    out.push({ serverSeq: push.serverSeq, fragIndex: m.fragIndex, bytes: fragmentBytes(M.imFragmentText(m.block), 'utf8') });
  }
  return out;
}

async function setUp() {
  const h = await serverWith(USERS, []);
  const q = h.store.createQun(A.uid, '长消息群', QunPolicy.OPEN, 20);
  for (const u of USERS) if (u !== A) h.store.qunChange({ qun: q.id, join: { uid: u.uid, role: 0 }, notices: [] });
  const a = await ClassicDriver.open(h.port, A.uid, A.password);
  const e = await ClassicDriver.open(h.port, E.uid, E.password);
  const b = await ModernDriver.openModern(h.port, B.uid, B.password);
  const f = await ModernDriver.openModern(h.port, F.uid, F.password);
  assert.equal((await a.login()).kind, 'success');
  assert.equal((await e.login()).kind, 'success');
  await b.loginModern();
  await f.loginModern();
  return { ...h, id: q.id, a, e, b, f, close: async () => { for (const d of [a, e, b, f]) d.close(); await h.server.close(); } };
}

/** No further Qun push reaches `d` once the server owes none (each fragment arrived exactly once). */
async function noMore(d: ClassicDriver, server: Parameters<typeof serverProbe>[0], command: number): Promise<void> {
  await quiescence(serverProbe(server));
  assert.equal(d.peer.peek().filter((x) => x.length > 5 && x.readUInt16BE(3) === command).length, 0, 'no fragment pushed twice');
}

/** What the SDK of offline member C shows at login: [messages, Qun, text, fragments] of its Qun messages. */
async function queuedForC(cs: Clients, t: { port: number; server: Parameters<typeof serverProbe>[0] }, framing: 'classic' | 'modern'): Promise<unknown[]> {
  const c = cs.make(C, t.port, framing);
  const seen: QunMessage[] = [];
  c.on('qunMessage', (m) => seen.push(m));
  await c.login();
  await until(() => seen.length === 1, 3000, 'the queued Qun message');
  await quiescence(serverProbe(t.server));
  return [seen.length, seen[0]!.qun, seen[0]!.text, seen[0]!.fragments];
}

test('Qun, from a classic member: GB18030 cut inside characters reaches classic members byte for byte, modern ones as the whole text, once; an offline classic SDK member joins the bytes at login', async () => {
  const t = await setUp();
  const cs = new Clients();
  try {
    const parts = cutEvery(encodeGb(`L${LONG}`), 700, 'gb18030');
    assert.ok(parts.length >= 3 && parts.slice(0, -1).every((p) => typeof fragmentTextOf(p.bytes, 'gb18030') !== 'string'), 'cut inside characters');
    assert.deepEqual(await sendClassic(t.a, t.id, parts, 0x5151), parts.map(() => 0));

    const same = await receiveClassic(t.e, parts.length);
    assert.deepEqual(same.map((g) => [g.fragIndex, g.bytes.toString('hex')]), parts.map((p, i) => [i, p.bytes.toString('hex')]));
    const other = await receiveModern(t.b, parts.length);
    const texts = other.map((g) => g.bytes.toString('utf8'));
    assert.equal(texts.join(''), `L${LONG}`);
    assert.ok(texts.every((x) => !x.includes('\ufffd')), 'no character garbled at the cuts');
    assert.equal(new Set(other.map((g) => g.serverSeq)).size, parts.length);
    assert.deepEqual((await receiveModern(t.f, parts.length)).map((g) => g.bytes.toString('hex')), other.map((g) => g.bytes.toString('hex')));
    await noMore(t.e, t.server, ClassicCmd.RECV_IM);
    await noMore(t.b, t.server, ModernCmd.QUN_MESSAGE);

    // C is offline: its inbox holds the bytes as sent; at login the classic SDK joins them and shows the whole text, once.
    assert.deepEqual(t.store.pendingFor(C.uid).map((m) => (m.raw ? m.raw.bytes : encodeGb(m.text)).toString('hex')), parts.map((p) => p.bytes.toString('hex')));
    assert.deepEqual(await queuedForC(cs, t, 'classic'), [1, t.id, `L${LONG}`, parts.length]);
  } finally {
    await cs.closeAll();
    await t.close();
  }
});

test('Qun, from a modern member: UTF-8 cut inside characters reaches modern members byte for byte, classic ones as the whole text, once; an offline modern SDK member joins the bytes at login', async () => {
  const t = await setUp();
  const cs = new Clients();
  try {
    const parts = cutEvery(Buffer.from(LONG, 'utf8'), 700, 'utf8');
    assert.ok(parts.length >= 3 && parts.slice(0, -1).every((p) => typeof fragmentTextOf(p.bytes, 'utf8') !== 'string'), 'cut inside characters');
    assert.deepEqual(await sendModern(t.b, t.id, parts, 0x6161, 1_800_000_000), parts.map(() => 0));

    const same = await receiveModern(t.f, parts.length);
    assert.deepEqual(same.map((g) => [g.fragIndex, g.bytes.toString('hex')]), parts.map((p, i) => [i, p.bytes.toString('hex')]));
    const other = await receiveClassic(t.a, parts.length);
    assert.equal(decodeGb(Buffer.concat(other.map((g) => g.bytes))), LONG);
    assert.ok(other.every((g) => !decodeGb(g.bytes).includes('\ufffd')), 'each fragment is whole characters');
    assert.deepEqual((await receiveClassic(t.e, parts.length)).map((g) => g.bytes.toString('hex')), other.map((g) => g.bytes.toString('hex')));
    await noMore(t.f, t.server, ModernCmd.QUN_MESSAGE);
    await noMore(t.a, t.server, ClassicCmd.RECV_IM);

    assert.deepEqual(await queuedForC(cs, t, 'modern'), [1, t.id, LONG, parts.length]);
  } finally {
    await cs.closeAll();
    await t.close();
  }
});
