// Layouts pinned by offsets: every shared block (status block, IM header, font trailer, the 0x0081 status push of
// both framings) is checked field by field at its offset, in bytes written down here from the spec (each field a
// distinct value, so two swapped fields cannot pass) and in the recorded sessions of ../shared/vectors. Decoding
// must give each field's value; encoding the decoded value must give the same bytes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  friendStatusPushCodec, onlineFriendsReplyCodec, receiveImAckCodec, receiveImPushCodec, sendImRequestCodec,
} from '../../src/protocol/bodies/classic/index.js';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { readStatusBlock, STATUS_BLOCK_LENGTH, writeStatusBlock, type StatusBlock } from '../../src/protocol/bodies/status-block.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeFontTrailer, encodeFontTrailer, splitFontTrailer } from '../../src/protocol/text.js';
import { Writer } from '../../src/protocol/writer.js';
import { VECTORS, hex, loadVectors, type SessionsFile, type VectorPacket } from '../helpers/vectors.js';

/** `n` bytes at `offset`, as hex. */
const at = (b: Buffer, offset: number, n: number): string => b.subarray(offset, offset + n).toString('hex');
const u16 = (b: Buffer, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Buffer, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** The status block's fields and offsets (PROTOCOL.md §5 0x0027, PROTOCOL-MODERN.md §4.15). */
const BLOCK_FIELDS: [keyof StatusBlock, number, number][] = [
  ['uid', 0, 4], ['flag', 4, 1], ['ip', 5, 4], ['port', 9, 2], ['unknown', 11, 1], ['status', 12, 1], ['clientVersion', 13, 2], ['key', 15, 16],
];

/** Asserts every field of the block that starts at `base` of `b` against the bytes at its offset. */
function assertBlockAt(b: Buffer, base: number, block: StatusBlock): void {
  for (const [name, off, n] of BLOCK_FIELDS) {
    const v = block[name];
    const wire = at(b, base + off, n);
    if (Buffer.isBuffer(v)) assert.equal(v.toString('hex'), wire, `${name} at ${base + off}`);
    else assert.equal((v as number).toString(16).padStart(2 * n, '0'), wire, `${name} at ${base + off}`);
  }
}

// Every field a different value: uid 11223344, flag 01, ip 0a0b0c0d, port 1f40, unknown 5a, status 1e,
// version 0d55, key a0…af.
const KEY = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
const BLOCK_HEX = '11223344' + '01' + '0a0b0c0d' + '1f40' + '5a' + '1e' + '0d55' + KEY;
const BLOCK: StatusBlock = { uid: 0x11223344, flag: 1, ip: 0x0a0b0c0d, port: 8000, unknown: 0x5a, status: 30, clientVersion: 0x0d55, key: hex(KEY) };

test('status block: 31 bytes, uid · flag · ip · port · unknown · status · version · key at their offsets', () => {
  const b = hex(BLOCK_HEX);
  assert.equal(b.length, STATUS_BLOCK_LENGTH);
  const r = new Reader(b);
  assert.deepEqual(readStatusBlock(r), BLOCK);
  assert.equal(r.offset, 31);
  assertBlockAt(b, 0, BLOCK);
  assert.equal(writeStatusBlock(new Writer(31), BLOCK).finish().toString('hex'), BLOCK_HEX);
  // Each field moves only its own bytes.
  for (const [name, off, n] of BLOCK_FIELDS) {
    const changed = { ...BLOCK, [name]: name === 'key' ? Buffer.alloc(16, 0xee) : 0 } as StatusBlock;
    const out = writeStatusBlock(new Writer(31), changed).finish();
    for (let i = 0; i < 31; i++) {
      if (i >= off && i < off + n) continue;
      assert.equal(out[i], b[i], `changing ${name} changed byte ${i}`);
    }
    assert.notEqual(at(out, off, n), at(b, off, n), `${name} lives at ${off}`);
  }
});

test('classic 0x0081 status push: the block, then my uid at 31 (35 bytes)', () => {
  const b = hex(BLOCK_HEX + '00002712');
  const v = friendStatusPushCodec.decode(b);
  assert.deepEqual(v, { friend: BLOCK, myUid: 10002, extra: Buffer.alloc(0) });
  assertBlockAt(b, 0, v.friend);
  assert.equal(u32(b, 31), v.myUid);
  assert.equal(friendStatusPushCodec.encode(v).toString('hex'), b.toString('hex'));
  // Later servers append bytes; they are kept, not read as fields.
  const longer = hex(BLOCK_HEX + '00002712' + 'c0c1');
  assert.equal(friendStatusPushCodec.decode(longer).extra.toString('hex'), 'c0c1');
  assert.equal(friendStatusPushCodec.encode(friendStatusPushCodec.decode(longer)).toString('hex'), longer.toString('hex'));
});

test('modern 0x0081 status push: the 39-byte form of the run and the project\'s 50-byte form', () => {
  // PROTOCOL-MODERN.md §4.15 and the recorded run: block (uid 100003, 127.0.0.1:4001, status 0A, version 2227) + 8 zero bytes.
  const short = hex('000186a3' + '01' + '7f000001' + '0fa1' + '00' + '0a' + '2227' + '7a9203f2518f7819e1ef00c30128ef6f' + '0000000000000000');
  const s = M.statusPush.decode(short);
  assert.ok(s.form === 'short');
  assert.deepEqual([s.block.uid, s.block.flag, s.block.ip, s.block.port, s.block.unknown, s.block.status, s.block.clientVersion], [100003, 1, 0x7f000001, 4001, 0, 10, 0x2227]);
  assertBlockAt(short, 0, s.block);
  assert.equal(s.trailer.toString('hex'), '0000000000000000');
  assert.equal(M.statusPush.encode(s).toString('hex'), short.toString('hex'));

  // The extended form: block · my uid u32 at 31 · 11-byte extension at 35 · change time u32 at 46.
  const ext = hex(BLOCK_HEX + '000186a1' + 'b0b1b2b3b4b5b6b7b8b9ba' + '6b048b2c');
  assert.equal(ext.length, M.STATUS_PUSH_LENGTH);
  const e = M.statusPush.decode(ext);
  assert.ok(e.form === 'extended');
  assert.deepEqual(e.block, BLOCK);
  assertBlockAt(ext, 0, e.block);
  assert.equal(e.myUid, u32(ext, 31));
  assert.equal(e.myUid, 100001);
  assert.equal(e.extension.toString('hex'), at(ext, 35, 11));
  assert.equal(e.changeTime, u32(ext, 46));
  assert.equal(M.statusPush.encode(e).toString('hex'), ext.toString('hex'));
  assert.deepEqual(M.statusPush.encode(M.makeStatusPush(BLOCK, 100001, 0x6b048b2c, hex('b0b1b2b3b4b5b6b7b8b9ba'))), ext);
});

test('online lists: the status block at the start of each entry (classic 38 bytes, modern 42 bytes)', () => {
  // Classic 0x0027 reply: next u8, then entries of block · u16 · ext u8 · comm u8 · u16 · 00.
  const classic = hex('ff' + BLOCK_HEX + '1234' + '56' + '78' + '9abc' + '00');
  const c = onlineFriendsReplyCodec.decode(classic);
  assert.equal(c.next, 0xff);
  assert.deepEqual(c.entries, [{ block: BLOCK, unknown1: 0x1234, ext: 0x56, comm: 0x78, unknown2: 0x9abc, end: 0 }]);
  assertBlockAt(classic, 1, c.entries[0]!.block);
  assert.equal(onlineFriendsReplyCodec.encode(c).toString('hex'), classic.toString('hex'));
  // Modern 0x0027 reply: FF, then entries of block · 11 bytes.
  const modern = hex('ff' + BLOCK_HEX + 'c0c1c2c3c4c5c6c7c8c9ca' + BLOCK_HEX.replace('11223344', '55667788') + 'd0d1d2d3d4d5d6d7d8d9da');
  const m = M.onlineListReply.decode(modern);
  assert.equal(m.entries.length, 2);
  assertBlockAt(modern, 1, m.entries[0]!.block);
  assertBlockAt(modern, 1 + M.ONLINE_ENTRY_LENGTH, m.entries[1]!.block);
  assert.equal(m.entries[1]!.block.uid, 0x55667788);
  assert.equal(M.onlineListReply.encode(m).toString('hex'), modern.toString('hex'));
});

// Font trailer (PROTOCOL.md §5): 00 · attributes (bits 0–4 size, 5 bold, 6 italic, 7 underline) · R · G · B · 00 ·
// charset u16 · name (GB18030) · its own length.
test('font trailer: attributes, colour, charset, name and length byte at their offsets', () => {
  const b = hex('00' + 'a9' + '112233' + '00' + '8602' + 'cbcecce5' + '0d'); // size 9, bold, underline; 宋体
  const f = decodeFontTrailer(b);
  assert.deepEqual(f, { name: '宋体', size: 9, bold: true, italic: false, underline: true, color: 0x112233, charset: 0x8602 });
  assert.equal(encodeFontTrailer(f).toString('hex'), b.toString('hex'));
  assert.equal(b[1]! & 0x1f, f.size);
  assert.equal(at(b, 2, 3), f.color.toString(16).padStart(6, '0'));
  assert.equal(u16(b, 6), f.charset);
  assert.equal(b[b.length - 1], b.length);
  const italic = decodeFontTrailer(hex('00' + '4a' + '000000' + '00' + '8602' + '09'));
  assert.deepEqual([italic.size, italic.bold, italic.italic, italic.underline, italic.name], [10, false, true, false, '']);
  assert.equal(encodeFontTrailer({ ...italic, color: 0x0000ff }).toString('hex'), '004a0000ff00860209');
  // Read from the end: text bytes before it, whatever they hold.
  const split = splitFontTrailer(Buffer.concat([Buffer.from('hi'), b]));
  assert.equal(split.text.toString(), 'hi');
  assert.deepEqual(split.font, f);
});

// Classic message part (PROTOCOL.md §5, 0x0016 after sender and receiver; 0x0017 after its 20-byte head).
const IM_PART_FIELDS: [string, number, number][] = [
  ['senderVersion', 0, 2], ['sender', 2, 4], ['receiver', 6, 4], ['imKey', 10, 16], ['imType', 26, 2], ['msgSeq', 28, 2], ['sendTime', 30, 4],
  ['face', 34, 2], ['hasFont', 36, 4], ['fragCount', 40, 1], ['fragIndex', 41, 1], ['msgId', 42, 2], ['replyType', 44, 1],
];

/** Asserts a classic message part that starts at `base` of `b`. */
function assertImPartAt(b: Buffer, base: number, m: Record<string, unknown>): void {
  for (const [name, off, n] of IM_PART_FIELDS) {
    const wire = at(b, base + off, n);
    const v = name === 'hasFont' ? (m.font ? 1 : 0) : m[name];
    if (Buffer.isBuffer(v)) assert.equal(v.toString('hex'), wire, `${name} at ${base + off}`);
    else assert.equal((v as number).toString(16).padStart(2 * n, '0'), wire, `${name} at ${base + off}`);
  }
}

const IM_PART_HEX =
  '0d55' + '00002712' + '00004e22' + KEY + '000b' + '4767' + '6b048885' + '0003' + '00000001' + '02' + '01' + 'beef' + '01' +
  '6869' + '00' + '29' + '010203' + '00' + '8602' + 'cbcecce5' + '0d';

test('classic IM header: 0x0016 request, 0x0017 push and its ack, field by field', () => {
  const send = hex('00002712' + '00004e22' + IM_PART_HEX);
  const s = sendImRequestCodec.decode(send);
  assert.deepEqual([s.sender, s.receiver], [u32(send, 0), u32(send, 4)]);
  assert.deepEqual([s.sender, s.receiver], [10002, 20002]);
  assert.deepEqual(
    { ...s.message, imKey: s.message.imKey.toString('hex') },
    { senderVersion: 0x0d55, sender: 10002, receiver: 20002, imKey: KEY, imType: 0x0b, msgSeq: 0x4767, sendTime: 0x6b048885, face: 3, fragCount: 2, fragIndex: 1, msgId: 0xbeef, replyType: 1, text: 'hi', font: { name: '宋体', size: 9, bold: true, italic: false, underline: false, color: 0x010203, charset: 0x8602 } },
  );
  assertImPartAt(send, 8, s.message as unknown as Record<string, unknown>);
  assert.equal(sendImRequestCodec.encode(s).toString('hex'), send.toString('hex'));

  // 0x0017: sender · receiver · server seq u32 · sender ip · sender port · type, then the same part at 20.
  const push = hex('00002712' + '00004e22' + '01020304' + '7f000001' + '0fa0' + '0009' + IM_PART_HEX);
  const p = receiveImPushCodec.decode(push);
  assert.deepEqual([p.sender, p.receiver, p.serverSeq, p.senderIp, p.senderPort, p.type], [u32(push, 0), u32(push, 4), u32(push, 8), u32(push, 12), u16(push, 16), u16(push, 18)]);
  assert.deepEqual([p.sender, p.receiver, p.serverSeq, p.senderIp, p.senderPort, p.type], [10002, 20002, 0x01020304, 0x7f000001, 4000, 9]);
  assert.ok(p.content.kind === 'im');
  assert.deepEqual(p.content.message, s.message);
  assertImPartAt(push, 20, p.content.message as unknown as Record<string, unknown>);
  assert.equal(receiveImPushCodec.encode(p).toString('hex'), push.toString('hex'));
  // The ack is the push's first 16 bytes.
  const ack = receiveImAckCodec.decode(push.subarray(0, 16));
  assert.deepEqual(ack, { sender: 10002, receiver: 20002, serverSeq: 0x01020304, senderIp: 0x7f000001 });
  assert.equal(receiveImAckCodec.encode(ack).toString('hex'), at(push, 0, 16));
  // has-font 0: no trailer, the text runs to the end.
  const plain = hex('00002712' + '00004e22' + IM_PART_HEX.slice(0, 72) + '00000000' + '0201beef01' + '6869');
  const noFont = sendImRequestCodec.decode(plain).message;
  assert.deepEqual([noFont.text, noFont.font], ['hi', undefined]);
  assert.equal(sendImRequestCodec.encode({ sender: 10002, receiver: 20002, message: noFont }).toString('hex'), plain.toString('hex'));
});

// Modern 0x00CE (PROTOCOL-MODERN.md §5.2): the worked example's plaintext, as printed there.
const MODERN_PUSH_HEX =
  '000186a2000186a1010041017f0000010fa000a60000000800010004000000002227000186a2000186a190bdf3b9d7b3' +
  '3ccb98b173e34b9c1995000b01016b048b3200030000000101004101014d534700000000006b048b3241014101000000' +
  '00090086000006e5ae8be4bd93000001001e01001b68692066726f6d20746865207374616e642d696e20736572766572';

test('modern IM header: the 0x00CE worked example of §5.2 at its offsets', () => {
  const b = hex(MODERN_PUSH_HEX);
  assert.equal(b.length, 144);
  const p = M.receiveIm.decode(b);
  assert.ok(p.kind === 'im');
  assert.deepEqual([p.sender, p.receiver, p.serverSeq, p.senderIp, p.senderPort, p.imType], [u32(b, 0), u32(b, 4), u32(b, 8), u32(b, 12), u16(b, 16), u16(b, 18)]);
  assert.deepEqual([p.sender, p.receiver, p.serverSeq, p.senderIp, p.senderPort, p.imType], [100002, 100001, 0x01004101, 0x7f000001, 4000, 0x00a6]);
  const im = p.im;
  assert.deepEqual([im.headType, im.head!.toString('hex')], [u16(b, 20), at(b, 24, 8)]);
  assert.equal(u16(b, 22), 8);
  assert.deepEqual([im.senderVersion, im.sender, im.receiver], [u16(b, 32), u32(b, 34), u32(b, 38)]);
  assert.deepEqual([im.senderVersion, im.sender, im.receiver], [0x2227, 100002, 100001]);
  assert.equal(im.imKey.toString('hex'), at(b, 42, 16));
  assert.deepEqual([im.contentType, im.msgSeq, im.sendTime, im.face, im.hasFont], [u16(b, 58), u16(b, 60), u32(b, 62), u16(b, 66), u32(b, 68)]);
  assert.deepEqual([im.contentType, im.msgSeq, im.sendTime, im.face, im.hasFont], [0x000b, 0x0101, 0x6b048b32, 3, 1]);
  assert.deepEqual([im.fragCount, im.fragIndex, im.msgId, im.replyType], [b[72], b[73], u16(b, 74), b[76]]);
  assert.deepEqual([im.fragCount, im.fragIndex, im.msgId, im.replyType], [1, 0, 0x4101, 1]);
  assert.equal(im.msgTag!.toString('hex'), at(b, 77, 8));
  assert.deepEqual([im.time2, im.msgIdPair, im.color], [u32(b, 85), u32(b, 89), u32(b, 93)]);
  assert.deepEqual([im.fontSize, im.fontFlags, im.charset], [b[97], b[98], u16(b, 99)]);
  assert.deepEqual([im.fontSize, im.fontFlags, im.charset], [9, 0, 0x8600]);
  assert.equal(u16(b, 101), 6);
  assert.equal(im.fontName, b.subarray(103, 109).toString('utf8'));
  assert.equal(im.fontName, '宋体');
  assert.equal(im.reserved, u16(b, 109));
  // Segment: type 01 · u16 length (text + 3) · 01 · u16 text length · text.
  assert.deepEqual([b[111], u16(b, 112), b[114], u16(b, 115)], [1, 30, 1, 27]);
  assert.deepEqual(im.segments, [{ kind: 'text', text: b.subarray(117).toString('utf8') }]);
  assert.equal(M.imText(im), 'hi from the stand-in server');
  assert.equal(M.receiveIm.encode(p).toString('hex'), MODERN_PUSH_HEX);
  // Bytes [20:] of the push have the layout of bytes [8:] of a 0x00CD.
  const send = M.sendIm.decode(Buffer.concat([b.subarray(0, 8), b.subarray(20)]));
  assert.deepEqual(send.im, im);
  assert.deepEqual(M.imAck.decode(b.subarray(0, 16)), { sender: 100002, receiver: 100001, serverSeq: 0x01004101, senderIp: 0x7f000001 });
});

// ---- the recorded sessions --------------------------------------------------------------------------------------

function packets(file: string): VectorPacket[] {
  return loadVectors<SessionsFile>(file).sessions.flatMap((s) => s.packets);
}
const plainOf = (ps: VectorPacket[], command: number, dir: 'c2s' | 's2c', n = 0): Buffer => {
  const found = ps.filter((p) => p.command === command && p.dir === dir)[n];
  assert.ok(found, `the recording has 0x${command.toString(16)} ${dir} #${n}`);
  return hex(found.plain);
};

test('recorded: the modern status push and online list of MyQQ\'s run, at their offsets', VECTORS, () => {
  const ps = packets('modern-session.json');
  const push = plainOf(ps, 0x0081, 's2c');
  const v = M.statusPush.decode(push);
  assertBlockAt(push, 0, v.block);
  assert.deepEqual([v.block.uid, v.block.ip, v.block.port, v.block.status], [100003, 0x7f000001, 4001, 10]);
  assert.equal(M.statusPush.encode(v).toString('hex'), push.toString('hex'));
  const list = plainOf(ps, 0x0027, 's2c');
  const l = M.onlineListReply.decode(list);
  assert.equal(l.entries.length, 2);
  l.entries.forEach((e, i) => assertBlockAt(list, 1 + i * M.ONLINE_ENTRY_LENGTH, e.block));
  assert.deepEqual(l.entries.map((e) => [e.block.uid, e.block.status]), [[100002, 10], [100003, 30]]);
  assert.equal(M.onlineListReply.encode(l).toString('hex'), list.toString('hex'));
});

test('recorded: MyQQ\'s 0x00CE pushes and 0x00CD send, routing header and IM header at their offsets', VECTORS, () => {
  const ps = packets('modern-session.json');
  for (const n of [0, 1]) {
    const b = plainOf(ps, 0x00ce, 's2c', n);
    const p = M.receiveIm.decode(b);
    assert.ok(p.kind === 'im');
    assert.deepEqual([p.sender, p.receiver, p.serverSeq, p.senderIp, p.senderPort, p.imType], [u32(b, 0), u32(b, 4), u32(b, 8), u32(b, 12), u16(b, 16), u16(b, 18)]);
    assert.deepEqual([p.im.sender, p.im.receiver, p.im.msgSeq, p.im.sendTime, p.im.msgId], [u32(b, 34), u32(b, 38), u16(b, 60), u32(b, 62), u16(b, 74)]);
    assert.equal(p.im.imKey.toString('hex'), at(b, 42, 16));
    assert.equal(M.receiveIm.encode(p).toString('hex'), b.toString('hex'));
    assert.equal(plainOf(ps, 0x00ce, 'c2s', n).toString('hex'), at(b, 0, 16), 'the ack is the first 16 bytes');
  }
  const send = plainOf(ps, 0x00cd, 'c2s');
  const s = M.sendIm.decode(send);
  assert.deepEqual([s.sender, s.receiver, s.im.senderVersion, s.im.sender, s.im.receiver], [u32(send, 0), u32(send, 4), u16(send, 20), u32(send, 22), u32(send, 26)]);
  assert.equal(s.im.imKey.toString('hex'), at(send, 30, 16));
  assert.equal(M.sendIm.encode(s).toString('hex'), send.toString('hex'));
});

test('recorded: pidgin\'s 0x0016 and the accepted 0x0017 push, message part and font trailer at their offsets', VECTORS, () => {
  const ps = packets('classic-sessions.json');
  const send = plainOf(ps, 0x0016, 'c2s');
  const s = sendImRequestCodec.decode(send);
  assert.deepEqual([s.sender, s.receiver], [u32(send, 0), u32(send, 4)]);
  assertImPartAt(send, 8, s.message as unknown as Record<string, unknown>);
  assert.equal(s.message.text, 'hello from pidgin');
  // The trailer ends the body: its last byte is its length, the name sits before it.
  const len = send[send.length - 1]!;
  const trailer = send.subarray(send.length - len);
  assert.deepEqual(decodeFontTrailer(trailer), s.message.font);
  assert.equal(s.message.font!.size, trailer[1]! & 0x1f);
  assert.equal(s.message.font!.charset, u16(trailer, 6));
  assert.equal(sendImRequestCodec.encode(s).toString('hex'), send.toString('hex'));

  const push = plainOf(ps, 0x0017, 's2c');
  const p = receiveImPushCodec.decode(push);
  assert.deepEqual([p.sender, p.receiver, p.serverSeq, p.senderIp, p.senderPort, p.type], [u32(push, 0), u32(push, 4), u32(push, 8), u32(push, 12), u16(push, 16), u16(push, 18)]);
  assert.ok(p.content.kind === 'im');
  assertImPartAt(push, 20, p.content.message as unknown as Record<string, unknown>);
  assert.equal(receiveImPushCodec.encode(p).toString('hex'), push.toString('hex'));
  assert.equal(plainOf(ps, 0x0017, 'c2s').toString('hex'), at(push, 0, 16));
});
