import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { ClassicCmd, ModernCmd, bodySpec } from '../../src/protocol/commands.js';
import { commandTableOf } from '../../src/protocol/families.js';
import { receiveImPushCodec, sendImRequestCodec, systemMessageCodec, type ImMessage } from '../../src/protocol/bodies/classic/index.js';
import { fragmentBytes, joinFragmentTexts, type FragmentText } from '../../src/protocol/text.js';
import { hex, loadRepoVectors, type SessionsFile, type VectorSession } from '../helpers/vectors.js';

// The by-hand run of long messages (test/vectors/long-messages-sessions.json): the LumaQQ library (0x0E1B) and
// pidgin-libqq (qq2011) sending and receiving long Chinese messages with `oicq chat` in both framings.

const file = loadRepoVectors<SessionsFile>('long-messages-sessions.json');
const session = (tag: string): VectorSession => file.sessions.find((s) => s.version_tag === tag)!;
const plains = (s: VectorSession, dir: 'c2s' | 's2c', command: number) => s.packets.filter((p) => p.dir === dir && p.command === command);
const whole = (t: string) => t.length > 500 && !t.includes('\ufffd');

/** Fragment texts grouped by (sender, message id), in index order. */
function messages(ims: readonly { sender: number; msgId: number; fragIndex: number; fragCount: number; text: FragmentText }[]): Map<string, FragmentText[]> {
  const out = new Map<string, FragmentText[]>();
  for (const m of [...ims].sort((a, b) => a.fragIndex - b.fragIndex)) {
    const k = `${m.sender}:${m.msgId}`;
    out.set(k, [...(out.get(k) ?? []), m.text]);
  }
  return out;
}

for (const s of file.sessions) {
  test(`recorded ${s.client}: every body decodes with the table the server reads it with, and re-encodes byte for byte`, () => {
    const table = commandTableOf(Number(s.version_tag));
    let decoded = 0;
    for (const p of s.packets) {
      const codec = bodySpec(table, p.command, p.dir)?.codec as { decode(b: Buffer): unknown; encode(v: unknown): Buffer } | undefined;
      if (!codec) continue;
      assert.equal(codec.encode(codec.decode(hex(p.plain))).toString('hex'), p.plain, `0x${p.command.toString(16)} ${p.dir} seq ${p.seq}`);
      decoded++;
    }
    assert.ok(decoded > s.packets.length * 0.9, `${decoded} of ${s.packets.length} bodies have a layout`);
  });
}

test('LumaQQ: its 700-byte cuts inside characters are all answered 00 and read whole; three long messages reach it; 0x0080 goes once, never acked', () => {
  const s = session('0x0e1b');
  const sends = plains(s, 'c2s', ClassicCmd.SEND_IM).map((p) => ({ p, m: sendImRequestCodec.decode(hex(p.plain)).message }));
  const sent = messages(sends.map(({ m }) => m));
  assert.equal(sent.size, 3);
  for (const texts of sent.values()) {
    assert.equal(texts.length, 3);
    assert.ok(texts.slice(0, 2).every((t) => fragmentBytes(t, 'gb18030').length === 700), 'cut every 700 bytes');
    const text = joinFragmentTexts(texts);
    assert.ok(whole(text) && text.startsWith('L第0句'));
  }
  assert.ok([...sent.values()].flat().filter((t) => typeof t !== 'string').length >= 2, 'some cuts fell inside a character');
  for (const { p } of sends) assert.equal(plains(s, 's2c', ClassicCmd.SEND_IM).find((r) => r.seq === p.seq)?.plain, '00');
  // Each fragment carries its own send time: the three of one message straddled a second in this run.
  assert.ok(sends.some(({ m }) => m.sendTime !== sends[0]!.m.sendTime));

  const got = plains(s, 's2c', ClassicCmd.RECV_IM).map((p) => receiveImPushCodec.decode(hex(p.plain)))
    .flatMap((p) => (p.content.kind === 'im' ? [{ ...p.content.message, sender: p.sender } as ImMessage] : []));
  const received = messages(got);
  assert.deepEqual([...received.values()].map((t) => t.length).sort(), [3, 4, 5]);
  for (const texts of received.values()) assert.ok(whole(joinFragmentTexts(texts)));

  const notices = plains(s, 's2c', ClassicCmd.SYSTEM_MESSAGE);
  assert.equal(notices.length, 3, 'one "added you" per friend, none repeated');
  assert.ok(notices.every((p) => systemMessageCodec.decode(hex(p.plain)).code === 1));
  assert.equal(plains(s, 'c2s', ClassicCmd.ACK_SYSTEM_MESSAGE).length, 0, 'LumaQQ sends no 0x0012');
});

test('pidgin-libqq: its 5-fragment sends (whole characters) answered 00; LumaQQ\'s GB18030 cuts reach it as UTF-8 text that reads whole', () => {
  const s = session('0x2227');
  const sends = plains(s, 'c2s', ModernCmd.SEND_IM).map((p) => ({ p, im: M.sendIm.decode(hex(p.plain)).im }));
  assert.ok(sends.length >= 15);
  for (const { p } of sends) assert.equal(plains(s, 's2c', ModernCmd.SEND_IM).find((r) => r.seq === p.seq)?.plain, '00');
  const got = plains(s, 's2c', ModernCmd.RECV_IM).map((p) => M.receiveIm.decode(hex(p.plain)))
    .flatMap((p) => (p.kind === 'im' ? [{ sender: p.sender, msgId: p.im.msgId, fragIndex: p.im.fragIndex, fragCount: p.im.fragCount, text: M.imFragmentText(p.im) }] : []));
  const fromLuma = [...messages(got.filter((m) => m.sender === 10002)).values()];
  assert.equal(fromLuma.length, 1);
  assert.ok(fromLuma[0]!.every((t) => typeof t === 'string' && !t.includes('\ufffd')), 'each fragment is text, none garbled at a cut');
  assert.ok(whole(joinFragmentTexts(fromLuma[0]!)));
});
