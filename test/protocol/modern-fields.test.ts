// The modern session codecs field by field: offsets and values from PROTOCOL-MODERN.md written out here, every cut
// naming its field and offset, every value a field cannot hold refused naming the field, and each error's whole
// message (reason, detail, field, offset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import type { BodyCodec } from '../../src/protocol/codec.js';
import { EncodeError } from '../../src/protocol/errors.js';
import { verifyBlockKey } from '../../src/protocol/keys.js';
import { teaEncrypt } from '../../src/protocol/tea.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { cutsName, failure, hex, pins, refuses, shift, tooWide, type Field } from '../helpers/fields.js';

const KEY = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
const zeros = (n: number) => '00'.repeat(n);

const BLOCK_HEX = '00002712' + '01' + '7f000001' + '1f40' + '00' + '0a' + '2227' + KEY;
const BLOCK = { uid: 10002, flag: 1, ip: 0x7f000001, port: 8000, unknown: 0, status: 10, clientVersion: 0x2227, key: hex(KEY) };

test('0x000D change status and the 0x0081 push: layouts, forms and refusals', () => {
  pins(M.changeStatusRequest, hex('1e' + '00000000' + '00000001' + '0000'), { mode: 0x1e, misc: hex('00000000000000010000') });
  // Without misc, MyQQ's ten bytes.
  assert.equal(M.changeStatusRequest.encode({ mode: 10 }).toString('hex'), '0a' + '00000000' + '00000001' + '0000');
  cutsName(M.changeStatusRequest, hex('1e' + zeros(10)), [['mode', 0, 1], ['misc', 1, 10]]);
  assert.equal(failure(() => M.changeStatusRequest.encode({ mode: 10, misc: Buffer.alloc(9) })), 'cannot encode misc: must be 10 bytes, got 9');
  refuses(M.changeStatusRequest, { mode: 10 }, tooWide([['mode', 1]]));
  pins(M.changeStatusReply, hex('30'), { result: M.CHANGE_STATUS_OK });
  assert.equal(M.CHANGE_STATUS_OK, 0x30);
  assert.equal(failure(() => M.changeStatusReply.decode(hex('3030'))), 'trailing_bytes: 1 byte(s) left over (field end at offset 1)');
  assert.equal(failure(() => M.changeStatusReply.decode(Buffer.alloc(0))), 'truncated: need 1 byte(s), 0 left (field result at offset 0)');
  refuses(M.changeStatusReply, { result: 0 }, tooWide([['result', 1]]));

  // The project's 50-byte push: block (31), my uid, 11-byte extension, change time.
  assert.equal(M.STATUS_PUSH_LENGTH, 50);
  const ext = hex(BLOCK_HEX + '00004e22' + 'e0'.repeat(11) + '6b048885');
  pins(M.statusPush, ext, { form: 'extended', block: BLOCK, myUid: 20002, extension: Buffer.alloc(11, 0xe0), changeTime: 0x6b048885 });
  assert.deepEqual(M.makeStatusPush(BLOCK, 20002, 7), { form: 'extended', block: BLOCK, myUid: 20002, extension: Buffer.alloc(11), changeTime: 7 });
  pins(M.statusPush, hex(BLOCK_HEX + zeros(8)), { form: 'short', block: BLOCK, trailer: Buffer.alloc(8) });
  pins(M.statusPush, hex(BLOCK_HEX), { form: 'short', block: BLOCK, trailer: Buffer.alloc(0) });
  assert.equal(failure(() => M.statusPush.encode({ form: 'short', block: BLOCK, trailer: Buffer.alloc(19) })), 'cannot encode trailer: a 19-byte trailer is the extended form');
  assert.equal(M.statusPush.encode({ form: 'short', block: BLOCK, trailer: Buffer.alloc(18) }).length, 49);
  const e = M.makeStatusPush(BLOCK, 1, 2);
  refuses(M.statusPush, e, [['myUid', (v) => ({ ...v, myUid: 2 ** 32 })], ['extension', (v) => ({ ...v, extension: Buffer.alloc(10) })], ['changeTime', (v) => ({ ...v, changeTime: 2 ** 32 })]]);
});

test('0x005C level and 0x0062 logout: fixed bytes checked at their offsets', () => {
  pins(M.levelRequest, hex('88' + '00002712' + '00'), { uid: 10002 });
  cutsName(M.levelRequest, hex('88' + '00002712' + '00'), [['sub', 0, 1], ['uid', 1, 4], ['reserved', 5, 1]]);
  assert.equal(failure(() => M.levelRequest.decode(hex('87' + '00002712' + '00'))), 'bad_value: expected 0x88, got 0x87 (field sub at offset 0)');
  assert.equal(failure(() => M.levelRequest.decode(hex('88' + '00002712' + '01'))), 'bad_value: expected 0x0, got 0x1 (field reserved at offset 5)');
  refuses(M.levelRequest as unknown as BodyCodec<{ uid: number }>, { uid: 1 }, tooWide([['uid', 4]]));
  const reply = hex('88' + '00002712' + '00000003' + '0010' + '0123' + '0000' + '0007');
  const v: M.LevelReplyOne = { uid: 10002, unknown1: 3, level: 16, activeDays: 0x123, unknown2: 0, daysToUpgrade: 7 };
  // The one-user form (0x88); pidgin-libqq's 0x89 list form is pinned below.
  const levelOne = M.levelReply as unknown as BodyCodec<M.LevelReplyOne>;
  pins(levelOne, reply, v);
  cutsName(levelOne, reply, [['sub', 0, 1], ['uid', 1, 4], ['unknown1', 5, 4], ['level', 9, 2], ['activeDays', 11, 2], ['unknown2', 13, 2], ['daysToUpgrade', 15, 2]]);
  assert.equal(failure(() => M.levelReply.decode(Buffer.concat([hex('87'), reply.subarray(1)]))), 'bad_value: expected 0x88, got 0x87 (field sub at offset 0)');
  pins(M.levelReply, hex('89' + '00002712' + '0010' + '0000'), { levels: [{ uid: 10002, level: 16, unknown: 0 }] });
  pins(M.levelRequest, hex('89' + '00002712' + '00002711'), { uids: [10002, 10001] });
  refuses(levelOne, v, tooWide([['uid', 4], ['unknown1', 4], ['level', 2], ['activeDays', 2], ['unknown2', 2], ['daysToUpgrade', 2]]));

  pins(M.logoutRequest, Buffer.alloc(16), {});
  const bad = Buffer.alloc(16);
  bad[9] = 0x42;
  assert.equal(failure(() => M.logoutRequest.decode(bad)), 'bad_value: filler byte 9 is 0x42, expected 0 (field zeros at offset 9)');
  assert.equal(failure(() => M.logoutRequest.decode(Buffer.alloc(15))), 'truncated: need 16 byte(s), 15 left (field zeros at offset 0)');
  assert.equal(failure(() => M.logoutRequest.decode(Buffer.alloc(17))), 'trailing_bytes: 1 byte(s) left over (field end at offset 16)');
});

test('0x003C details: request tags and the tag-length-value reply', () => {
  const req = hex('0001' + '00002712' + zeros(22) + '0002' + '4e22' + '4e25');
  pins(M.detailsRequest, req, { uid: 10002, tags: [M.DetailTag.NICK, M.DetailTag.POST_CODE] });
  cutsName(M.detailsRequest, req, [['head', 0, 2], ['uid', 2, 4], ['reserved', 6, 22], ['count', 28, 2], ['tags[0]', 30, 2], ['tags[1]', 32, 2]]);
  assert.equal(failure(() => M.detailsRequest.decode(Buffer.concat([hex('0002'), req.subarray(2)]))), 'bad_value: expected 0x1, got 0x2 (field head at offset 0)');
  const dirty = Buffer.from(req);
  dirty[27] = 1;
  assert.equal(failure(() => M.detailsRequest.decode(dirty)), 'bad_value: filler byte 21 is 0x1, expected 0 (field reserved at offset 27)');
  // MyQQ's request: 26 tags, 82 bytes.
  assert.equal(M.MYQQ_DETAIL_TAGS.length, 26);
  assert.equal(M.detailsRequest.encode({ uid: 1, tags: [...M.MYQQ_DETAIL_TAGS] }).length, 82);
  refuses(M.detailsRequest, { uid: 1, tags: [1] }, [['uid', (v) => ({ ...v, uid: 2 ** 32 })], ['tags[0]', (v) => ({ ...v, tags: [0x10000] })], ['count', (v) => ({ ...v, tags: Array(0x10000).fill(1) })]]);

  const reply = hex('0001' + '00' + '00002712' + '00000005' + '0002' + '4e22' + '0003' + '626f62' + '4e25' + '0000');
  const v: M.DetailsReply = { result: 0, uid: 10002, unknown: 5, fields: [{ tag: 0x4e22, value: Buffer.from('bob') }, { tag: 0x4e25, value: Buffer.alloc(0) }] };
  pins(M.detailsReply, reply, v);
  cutsName(M.detailsReply, reply, [
    ['head', 0, 2], ['result', 2, 1], ['uid', 3, 4], ['unknown', 7, 4], ['count', 11, 2],
    ['fields[0].tag', 13, 2], ['fields[0].value length', 15, 2], ['fields[0].value', 17, 3], ['fields[1].tag', 20, 2], ['fields[1].value length', 22, 2],
  ]);
  assert.equal(failure(() => M.detailsReply.decode(Buffer.concat([hex('0000'), reply.subarray(2)]))), 'bad_value: expected 0x1, got 0x0 (field head at offset 0)');
  assert.equal(M.detailText(v, M.DetailTag.NICK), 'bob');
  assert.equal(M.detailText(v, 0x4e99), undefined);
  refuses(M.detailsReply, v, [
    ...tooWide<M.DetailsReply>([['result', 1], ['uid', 4], ['unknown', 4]]),
    ['fields[1].tag', (x) => ({ ...x, fields: [x.fields[0]!, { tag: 0x10000, value: Buffer.alloc(0) }] })],
    ['fields[0].value', (x) => ({ ...x, fields: [{ tag: 1, value: Buffer.alloc(0x10000) }] })],
    ['count', (x) => ({ ...x, fields: Array(0x10000).fill({ tag: 1, value: Buffer.alloc(0) }) })],
  ]);
});

test('modern 0x0080 system broadcast: ASCII code, uids and data; the note and its ack', () => {
  const body = Buffer.concat([Buffer.from('41\x1f10001\x1f10002\x1f', 'latin1'), hex('02' + '6869' + '01')]);
  pins(M.systemBroadcast, body, { code: M.BroadcastCode.ADD_REQUEST, from: 10001, to: 10002, data: hex('02' + '6869' + '01') });
  assert.equal(M.readBroadcastNote(hex('02' + '6869' + '01')).toString(), 'hi');
  assert.equal(M.readBroadcastNote(Buffer.alloc(0)).length, 0);
  assert.equal(M.readBroadcastNote(hex('02' + '6869')).toString(), 'hi');
  assert.equal(M.readBroadcastNote(hex('02' + '6869' + '0102')).toString(), 'hi');
  assert.throws(() => M.broadcastNote(Buffer.from('hi'), 256), (e: unknown) => e instanceof EncodeError && e.field === 'allowReverse');
  assert.equal(M.broadcastNote(Buffer.from('hi'), 1).toString('hex'), '02' + '6869' + '01');
  assert.equal(M.broadcastNote(Buffer.from('hi')).toString('hex'), '02' + '6869');
  assert.equal(M.broadcastNote(Buffer.alloc(300, 0x61)).length, 256);
  // The data may hold the separator: only the first three count.
  pins(M.systemBroadcast, Buffer.from('06\x1f1\x1f2\x1fa\x1fb', 'latin1'), { code: '06', from: 1, to: 2, data: Buffer.from('a\x1fb') });
  assert.equal(failure(() => M.systemBroadcast.decode(Buffer.from('41\x1f1\x1f2', 'latin1'))), 'truncated: 2 of 3 separators (field fields at offset 6)');
  assert.equal(failure(() => M.systemBroadcast.decode(Buffer.from('41\x1f1x\x1f2\x1f', 'latin1'))), 'bad_value: "1x" is not a uid (field from at offset 3)');
  assert.equal(failure(() => M.systemBroadcast.decode(Buffer.from('41\x1f1\x1f\x1f', 'latin1'))), 'bad_value: "" is not a uid (field to at offset 5)');
  assert.equal(failure(() => M.systemBroadcast.decode(Buffer.from('41\x1fx1\x1f2\x1f', 'latin1'))), 'bad_value: "x1" is not a uid (field from at offset 3)');
  assert.equal(failure(() => M.systemBroadcast.decode(Buffer.from('41\x1f4294967296\x1f1\x1f', 'latin1'))), 'bad_value: "4294967296" is not a uid (field from at offset 3)');
  assert.equal(failure(() => M.systemBroadcast.decode(Buffer.from('41\x1f12345678901\x1f1\x1f', 'latin1'))), 'bad_value: "12345678901" is not a uid (field from at offset 3)');
  assert.equal(M.systemBroadcast.decode(Buffer.from('41\x1f4294967295\x1f1\x1f', 'latin1')).from, 4294967295);
  for (const code of ['', '4a', '12345']) {
    assert.throws(() => M.systemBroadcast.encode({ code, from: 1, to: 2, data: Buffer.alloc(0) }), (e: unknown) => e instanceof EncodeError && e.message === `cannot encode code: code ${JSON.stringify(code)} is not 1–4 ASCII digits`);
  }
  assert.equal(M.systemBroadcast.encode({ code: '1234', from: 1, to: 2, data: Buffer.alloc(0) }).toString('latin1'), '1234\x1f1\x1f2\x1f');
  pins(M.broadcastAck, hex('0102'), { data: hex('0102') });
});

// The IM body of 0x00CD (from offset 8) and 0x00CE (from offset 20), PROTOCOL-MODERN.md §5.1.
const IM_FIELDS: Field[] = [
  ['headType', 0, 2], ['head length', 2, 2], ['head', 4, 8], ['senderVersion', 12, 2], ['sender', 14, 4], ['receiver', 18, 4], ['imKey', 22, 16],
  ['contentType', 38, 2], ['msgSeq', 40, 2], ['sendTime', 42, 4], ['face', 46, 2], ['hasFont', 48, 4], ['fragCount', 52, 1], ['fragIndex', 53, 1],
  ['msgId', 54, 2], ['replyType', 56, 1], ['msgTag', 57, 8], ['time2', 65, 4], ['msgIdPair', 69, 4], ['color', 73, 4], ['fontSize', 77, 1],
  ['fontFlags', 78, 1], ['charset', 79, 2], ['fontName length', 81, 2], ['fontName', 83, 6], ['reserved', 89, 2],
  ['segments[0].data length', 92, 2], ['segments[0].data', 94, 5],
];
const IM_HEX =
  '0000' + '0008' + '0001000400000000' + '2227' + '00002712' + '00004e22' + KEY + '000b' + '4767' + '6b048885' + '0000' + '00000001' +
  '02' + '01' + 'beef' + '01' + '4d53470000000000' + '6b048885' + 'beefbeef' + '00112233' + '09' + '03' + '8600' + '0006' + 'e5ae8be4bd93' +
  '0000' + '01' + '0005' + '01' + '0002' + '6869';

test('0x00CD send and 0x00CE push: every IM body field at its offset; cuts and refusals', () => {
  const send = hex('00002712' + '00004e22' + IM_HEX);
  assert.equal(send.length, M.SEND_IM_HEADER_LENGTH + 2);
  const im = M.makeImText({
    sender: 10002, receiver: 20002, imKey: hex(KEY), senderVersion: 0x2227, text: 'hi', msgSeq: 0x4767, sendTime: 0x6b048885, msgId: 0xbeef,
    fragCount: 2, fragIndex: 1, color: 0x112233, fontFlags: 3,
  });
  pins(M.sendIm, send, { sender: 10002, receiver: 20002, im });
  cutsName(M.sendIm, send, [['sender', 0, 4], ['receiver', 4, 4], ...shift(IM_FIELDS, 8)]);
  // Cut before the segments: a body with none; the first segment's type byte alone is cut in its data length.
  assert.deepEqual(M.sendIm.decode(send.subarray(0, 99)).im.segments, []);
  assert.equal(failure(() => M.sendIm.decode(send.subarray(0, 100))), 'truncated: need 2 byte(s), 0 left (field segments[0].data length at offset 100)');
  assert.equal(M.imText(im), 'hi');

  const push = hex('00002712' + '00004e22' + '00000009' + '7f000001' + '1f40' + '00a6' + IM_HEX);
  const recv: M.ReceiveIm = { sender: 10002, receiver: 20002, serverSeq: 9, senderIp: 0x7f000001, senderPort: 8000, imType: M.IM_TYPE_BUDDY, kind: 'im', im };
  pins(M.receiveIm, push, recv);
  assert.deepEqual(M.forwardIm({ sender: 10002, receiver: 20002, im }, { serverSeq: 9, senderIp: 0x7f000001, senderPort: 8000 }), recv);
  cutsName(M.receiveIm, push, [['sender', 0, 4], ['receiver', 4, 4], ['serverSeq', 8, 4], ['senderIp', 12, 4], ['senderPort', 16, 2], ['imType', 18, 2], ...shift(IM_FIELDS, 20)]);
  const raw = hex('00002712' + '00004e22' + '00000009' + '7f000001' + '1f40' + '0030' + 'c0c1');
  pins(M.receiveIm, raw, { sender: 10002, receiver: 20002, serverSeq: 9, senderIp: 0x7f000001, senderPort: 8000, imType: 0x30, kind: 'raw', data: hex('c0c1') });
  assert.equal(failure(() => M.receiveIm.encode({ ...recv, kind: 'raw', data: Buffer.alloc(0) })), 'cannot encode imType: type 00A6 carries an IM body');
  assert.equal(failure(() => M.receiveIm.encode({ ...recv, imType: 0x30 })), 'cannot encode imType: an IM body needs type 00A6');
  refuses(M.receiveIm, recv, tooWide<M.ReceiveIm>([['sender', 4], ['receiver', 4], ['serverSeq', 4], ['senderIp', 4], ['senderPort', 2], ['imType', 2]]));

  const ack = push.subarray(0, 16);
  pins(M.imAck, ack, M.imAckFor(recv));
  cutsName(M.imAck, ack, [['sender', 0, 4], ['receiver', 4, 4], ['serverSeq', 8, 4], ['senderIp', 12, 4]]);
  refuses(M.imAck, M.imAckFor(recv), tooWide([['sender', 4], ['receiver', 4], ['serverSeq', 4], ['senderIp', 4]]));

  const ims = (k: keyof M.ImBody, v: unknown) => (s: M.SendIm): M.SendIm => ({ ...s, im: { ...s.im, [k]: v } });
  refuses(M.sendIm, { sender: 1, receiver: 2, im }, [
    ...tooWide<M.SendIm>([['sender', 4], ['receiver', 4]]),
    ...(
      [['headType', 2], ['senderVersion', 2], ['sender', 4], ['receiver', 4], ['contentType', 2], ['msgSeq', 2], ['sendTime', 4], ['face', 2], ['hasFont', 4],
        ['fragCount', 1], ['fragIndex', 1], ['msgId', 2], ['replyType', 1], ['time2', 4], ['msgIdPair', 4], ['color', 4], ['fontSize', 1], ['fontFlags', 1],
        ['charset', 2], ['reserved', 2]] as const
    ).map(([k, w]): [string, (s: M.SendIm) => M.SendIm] => [k, ims(k, 2 ** (8 * w))]),
    ['imKey', ims('imKey', Buffer.alloc(15))], ['msgTag', ims('msgTag', Buffer.alloc(7))], ['head', ims('head', Buffer.alloc(0x10000))],
    ['fontName', ims('fontName', 'f'.repeat(0x10000))],
    // The segment's length (text + 3) overflows before its text's own u16 length can.
    ['segments[0].length', ims('segments', [{ kind: 'text', text: 't'.repeat(0xfffd) }])],
    ['segments[0].type', ims('segments', [{ kind: 'raw', type: 256, data: Buffer.alloc(0) }])],
    ['segments[0].data', ims('segments', [{ kind: 'raw', type: 2, data: Buffer.alloc(0x10000) }])],
  ]);
  // Defaults of a body written without head type, head and tag: MyQQ's.
  const bare = M.sendIm.encode({ sender: 10002, receiver: 20002, im: { ...im, headType: undefined, head: undefined, msgTag: undefined } });
  assert.equal(bare.toString('hex'), send.toString('hex'));
});

test('IM segments: text, other types kept, text not in the text form kept raw, text cut inside a character kept as bytes', () => {
  const base = hex('00002712' + '00004e22' + IM_HEX).subarray(0, 8 + 91);
  const withSeg = (seg: string) => Buffer.concat([base, hex(seg)]);
  const segs = (seg: string) => M.sendIm.decode(withSeg(seg)).im.segments;
  assert.deepEqual(segs('02' + '0002' + 'abcd'), [{ kind: 'raw', type: 2, data: hex('abcd') }]);
  // Only type 01 holds text, even when another type's data has the text form.
  assert.deepEqual(segs('02' + '0005' + '01' + '0002' + '6869'), [{ kind: 'raw', type: 2, data: hex('01' + '0002' + '6869') }]);
  // Type 1 but not `01 · u16 length · text`: kept as bytes.
  assert.deepEqual(segs('01' + '0002' + '0100'), [{ kind: 'raw', type: 1, data: hex('0100') }]);
  assert.deepEqual(segs('01' + '0005' + '02' + '0002' + '6869'), [{ kind: 'raw', type: 1, data: hex('02' + '0002' + '6869') }]);
  assert.deepEqual(segs('01' + '0005' + '01' + '0003' + '6869'), [{ kind: 'raw', type: 1, data: hex('01' + '0003' + '6869') }]);
  assert.deepEqual(segs('01' + '0003' + '01' + '0000'), [{ kind: 'text', text: '' }]);
  assert.deepEqual(segs('01' + '0005' + '01' + '0002' + '6869' + '02' + '0000'), [{ kind: 'text', text: 'hi' }, { kind: 'raw', type: 2, data: Buffer.alloc(0) }]);
  assert.equal(M.imText({ segments: [{ kind: 'text', text: 'a' }, { kind: 'raw', type: 2, data: Buffer.alloc(0) }, { kind: 'text', text: 'b' }] }), 'ab');
  // Not UTF-8 on its own (MyQQ 3.19 cuts every 700 bytes, inside characters too): the bytes, re-encoded as they came.
  assert.deepEqual(segs('01' + '0005' + '01' + '0002' + 'ff41'), [{ kind: 'text', text: { bytes: hex('ff41'), charset: 'utf8' } }]);
  const cut = withSeg('01' + '0003' + '01' + '0000' + '01' + '0006' + '01' + '0003' + 'e4bd' + '41');
  assert.deepEqual(M.sendIm.decode(cut).im.segments[1], { kind: 'text', text: { bytes: hex('e4bd41'), charset: 'utf8' } });
  assert.equal(M.sendIm.encode(M.sendIm.decode(cut)).toString('hex'), cut.toString('hex'));
  assert.deepEqual(M.imFragmentText(M.sendIm.decode(cut).im), { bytes: hex('e4bd41'), charset: 'utf8' });
  assert.equal(M.imText(M.sendIm.decode(cut).im), '\ufffdA', 'shown alone: U+FFFD at the cut');
  // Two segments whose bytes together are whole characters make one string.
  assert.equal(M.imFragmentText({ segments: [{ kind: 'text', text: { bytes: hex('e4'), charset: 'utf8' } }, { kind: 'text', text: { bytes: hex('bda0'), charset: 'utf8' } }] }), '你');
  // A font name that is not UTF-8, named at its offset (a string's offset is its length's).
  const badFont = hex('00002712' + '00004e22' + IM_HEX.replace('0006e5ae8be4bd93', '0006ffae8be4bd93'));
  assert.equal(failure(() => M.sendIm.decode(badFont)), 'bad_value: not valid UTF-8 (field fontName at offset 89)');
});

test('text messages: fragments of at most 700 UTF-8 bytes, MyQQ defaults, fragments joined in order', () => {
  assert.equal(M.IM_FRAGMENT_BYTES, 700);
  const parts = M.makeSendIms({ sender: 1, receiver: 2, sessionKey: hex(KEY), senderVersion: 0x2227, text: 'x'.repeat(701), msgSeq: 3, sendTime: 4, msgId: 0x8001 });
  assert.equal(parts.length, 2);
  assert.deepEqual(parts.map((p) => [p.im.fragCount, p.im.fragIndex, M.imText(p.im).length]), [[2, 0, 700], [2, 1, 1]]);
  const im = parts[0]!.im;
  assert.deepEqual(
    [im.headType, im.head?.toString('hex'), im.contentType, im.hasFont, im.replyType, im.msgTag?.toString('hex'), im.time2, im.msgIdPair, im.color, im.fontSize, im.fontFlags, im.charset, im.fontName, im.reserved, im.face],
    [0, '0001000400000000', M.IM_CONTENT_TEXT, 1, M.ReplyType.NORMAL, '4d53470000000000', 4, 0x80018001, 0, 9, 0, M.IM_CHARSET, '宋体', 0, 0],
  );
  assert.equal(M.IM_CHARSET, 0x8600);
  const custom = M.makeSendIms({ sender: 1, receiver: 2, sessionKey: hex(KEY), senderVersion: 1, text: 'a', msgSeq: 3, sendTime: 4, msgId: 5, face: 6, fontName: 'Arial', fontSize: 12, replyType: M.ReplyType.AUTO });
  assert.deepEqual([custom[0]!.im.face, custom[0]!.im.fontName, custom[0]!.im.fontSize, custom[0]!.im.replyType], [6, 'Arial', 12, 2]);
  assert.deepEqual(M.splitImText('abcde', 4), ['abcd', 'e']);
  assert.equal(M.joinImFragments([parts[1]!.im, parts[0]!.im]), 'x'.repeat(701));
  const ab = M.makeSendIms({ sender: 1, receiver: 2, sessionKey: hex(KEY), senderVersion: 1, text: 'a'.repeat(700) + 'b', msgSeq: 3, sendTime: 4, msgId: 5 });
  assert.equal(M.joinImFragments([ab[1]!.im, ab[0]!.im]), 'a'.repeat(700) + 'b');
  const block = M.textMsgBlock('t', 4, 0x8001);
  assert.deepEqual([block.msgIdPair, block.fontName, block.fontSize, block.charset, block.color, block.fontFlags, block.time2], [0x80018001, '宋体', 9, 0x8600, 0, 0, 4]);
  assert.deepEqual(block.segments, [{ kind: 'text', text: 't' }]);
  // A MSG block (what Qun messages carry) reads back field by field, to the end of its reader.
  const w = new Writer();
  M.writeMsgBlock(w, block);
  const bytes = w.finish();
  assert.equal(bytes.toString('hex'), '4d53470000000000' + '00000004' + '80018001' + '00000000' + '09' + '00' + '8600' + '0006' + 'e5ae8be4bd93' + '0000' + '01' + '0004' + '01' + '0001' + '74');
  assert.deepEqual(M.readMsgBlock(new Reader(bytes)), block);
  assert.deepEqual(M.readMsgBlock(new Reader(bytes.subarray(0, 34))).segments, []);
  const cut = (n: number) => failure(() => M.readMsgBlock(new Reader(bytes.subarray(0, n))));
  assert.deepEqual([cut(7), cut(11), cut(15), cut(19), cut(20), cut(21), cut(23), cut(25), cut(31), cut(33)], [
    'truncated: need 8 byte(s), 7 left (field msgTag at offset 0)', 'truncated: need 4 byte(s), 3 left (field time2 at offset 8)',
    'truncated: need 4 byte(s), 3 left (field msgIdPair at offset 12)', 'truncated: need 4 byte(s), 3 left (field color at offset 16)',
    'truncated: need 1 byte(s), 0 left (field fontSize at offset 20)', 'truncated: need 1 byte(s), 0 left (field fontFlags at offset 21)',
    'truncated: need 2 byte(s), 1 left (field charset at offset 22)', 'truncated: need 2 byte(s), 1 left (field fontName length at offset 24)',
    'truncated: need 6 byte(s), 5 left (field fontName at offset 26)', 'truncated: need 2 byte(s), 1 left (field reserved at offset 32)',
  ]);
  assert.equal(Buffer.from(M.KICKED_TEXT).toString('hex'), 'e682a8e79a84e5b890e58fb7e59ca8e58fa6e4b880e59cb0e782b9e799bbe5bd95');
  const styled = M.textMsgBlock('t', 4, 1, { name: 'Arial', size: 11, flags: 5, color: 0xff });
  assert.deepEqual([styled.fontName, styled.fontSize, styled.fontFlags, styled.color], ['Arial', 11, 5, 0xff]);
});

test('0x00CE type 0030 system notice: layout, cuts, bad UTF-8', () => {
  const body = hex('00000000' + '01' + '02' + '6869');
  pins(M.systemNotice, body, { unknown: 0, type: 1, text: 'hi' });
  cutsName(M.systemNotice, body, [['unknown', 0, 4], ['type', 4, 1], ['text length', 5, 1], ['text', 6, 2]]);
  assert.equal(failure(() => M.systemNotice.decode(hex('00000000' + '01' + '01' + 'ff'))), 'bad_value: not valid UTF-8 (field text at offset 5)');
  refuses(M.systemNotice, { unknown: 0, type: 1, text: '' }, [...tooWide<M.SystemNotice>([['unknown', 4], ['type', 1]]), ['text', (v) => ({ ...v, text: 'x'.repeat(256) })]]);
  assert.equal(M.IM_TYPE_SYSTEM, 0x30);
});

test('0x0001 group labels: request and reply, label ids never 0', () => {
  pins(M.groupLabelsRequest, hex('1f' + '01' + '00000002'), { start: 2 });
  cutsName(M.groupLabelsRequest, hex('1f' + '01' + '00000002'), [['sub', 0, 1], ['head', 1, 1], ['start', 2, 4]]);
  assert.equal(failure(() => M.groupLabelsRequest.decode(hex('1e' + '01' + '00000002'))), 'bad_value: expected 0x1f, got 0x1e (field sub at offset 0)');
  assert.equal(failure(() => M.groupLabelsRequest.decode(hex('1f' + '02' + '00000002'))), 'bad_value: expected 0x1, got 0x2 (field head at offset 1)');
  refuses(M.groupLabelsRequest, { start: 0 }, tooWide([['start', 4]]));
  const reply = hex('1f' + '00000000' + '05' + '0006' + '03' + '01' + '02' + '6869' + '04' + '02' + '00');
  const v: M.GroupLabelsReply = { next: 0, unknown1: 5, unknown2: 6, labels: [{ id: 3, order: 1, name: 'hi' }, { id: 4, order: 2, name: '' }] };
  pins(M.groupLabelsReply, reply, v);
  cutsName(M.groupLabelsReply, reply, [['sub', 0, 1], ['next', 1, 4], ['unknown1', 5, 1], ['unknown2', 6, 2], ['labels[0].order', 9, 1], ['labels[0].name length', 10, 1], ['labels[0].name', 11, 2], ['labels[1].order', 14, 1], ['labels[1].name length', 15, 1]]);
  assert.equal(failure(() => M.groupLabelsReply.decode(hex('1f' + '00000000' + '05' + '0006' + '03' + '01' + '00' + '00' + '01' + '00'))), 'bad_value: group id 0 (field labels[1].id at offset 11)');
  assert.equal(failure(() => M.groupLabelsReply.decode(hex('1e' + '00000000' + '05' + '0006'))), 'bad_value: expected 0x1f, got 0x1e (field sub at offset 0)');
  assert.equal(M.NO_GROUP_LABELS, 0x01000000);
  assert.equal(failure(() => M.groupLabelsReply.encode({ ...v, labels: [v.labels[0]!, { id: 0, order: 0, name: 'x' }] })), 'cannot encode labels[1].id: group 0 has no label');
  refuses(M.groupLabelsReply, v, [
    ...tooWide<M.GroupLabelsReply>([['next', 4], ['unknown1', 1], ['unknown2', 2]]),
    ['labels[0].id', (x) => ({ ...x, labels: [{ id: 256, order: 0, name: '' }] })], ['labels[0].order', (x) => ({ ...x, labels: [{ id: 1, order: 256, name: '' }] })],
    ['labels[0].name', (x) => ({ ...x, labels: [{ id: 1, order: 0, name: 'n'.repeat(256) }] })],
  ]);
});

test('0x0126 friend list: the 14-byte request, entries between a 17-byte head and a 5-byte trailer', () => {
  const req = hex('01' + '00000000' + '00000000' + '02' + '0003' + '0000');
  pins(M.friendListRequest, req, { start: 3 });
  cutsName(M.friendListRequest, req, [['sub', 0, 1], ['reserved', 1, 4], ['reserved2', 5, 4], ['head', 9, 1], ['start', 10, 2], ['reserved3', 12, 2]]);
  const at = (i: number, b: number) => {
    const x = Buffer.from(req);
    x[i] = b;
    return failure(() => M.friendListRequest.decode(x));
  };
  assert.deepEqual([at(0, 2), at(4, 1), at(8, 1), at(9, 1), at(13, 1)], [
    'bad_value: expected 0x1, got 0x2 (field sub at offset 0)', 'bad_value: expected 0x0, got 0x1 (field reserved at offset 1)',
    'bad_value: expected 0x0, got 0x1 (field reserved2 at offset 5)', 'bad_value: expected 0x2, got 0x1 (field head at offset 9)',
    'bad_value: expected 0x0, got 0x1 (field reserved3 at offset 12)',
  ]);
  refuses(M.friendListRequest, { start: 0 }, tooWide([['start', 2]]));

  const entry = '00002712' + '0003' + '17' + '01' + '03' + '626f62' + 'e1'.repeat(32);
  const body = hex('01' + zeros(8) + '02' + 'ffff' + zeros(5) + entry + 'f0'.repeat(5));
  const f: M.FriendEntry = { uid: 10002, face: 3, age: 23, sex: M.Sex.FEMALE, nick: 'bob', extra: Buffer.alloc(32, 0xe1) };
  pins(M.friendListReply, body, { head: hex('01' + zeros(8) + '02'), next: M.FRIEND_LIST_LAST, gap: Buffer.alloc(5), friends: [f], trailer: Buffer.alloc(5, 0xf0) });
  // Defaults: MyQQ's head, zero gap, extra and trailer.
  assert.equal(M.friendListReply.encode({ next: 0xffff, friends: [{ ...f, extra: undefined }] }).toString('hex'), '01' + zeros(8) + '02' + 'ffff' + zeros(5) + entry.replace('e1'.repeat(32), zeros(32)) + zeros(5));
  cutsName(M.friendListReply, body, [['head', 0, 10], ['next', 10, 2], ['gap', 12, 5]]);
  for (const n of [17, 21]) assert.equal(failure(() => M.friendListReply.decode(body.subarray(0, n))), `truncated: no room for the 5 trailing bytes (field trailer at offset 17)`);
  // A cut entry is reported at its offset in the body (the entries are read apart from the trailer).
  const cutAt = (n: number) => failure(() => M.friendListReply.decode(hex('01' + zeros(8) + '02' + 'ffff' + zeros(5) + entry.slice(0, 2 * n) + zeros(5))));
  assert.equal(cutAt(12), 'truncated: need 32 byte(s), 0 left (field friends[0].extra at offset 29)');
  assert.equal(cutAt(10), 'truncated: need 3 byte(s), 1 left (field friends[0].nick at offset 26)');
  assert.equal(cutAt(3), 'truncated: need 4 byte(s), 3 left (field friends[0].uid at offset 17)');
  assert.deepEqual([cutAt(5), cutAt(6), cutAt(7)], [
    'truncated: need 2 byte(s), 1 left (field friends[0].face at offset 21)', 'truncated: need 1 byte(s), 0 left (field friends[0].age at offset 23)',
    'truncated: need 1 byte(s), 0 left (field friends[0].sex at offset 24)',
  ]);
  const bad = hex('01' + zeros(8) + '02' + 'ffff' + zeros(5) + entry.replace('03626f62', '03ff6f62') + zeros(5));
  assert.equal(failure(() => M.friendListReply.decode(bad)), 'bad_value: not valid UTF-8 (field friends[0].nick at offset 25)');
  refuses(M.friendListReply, { next: 0, friends: [f] }, [
    ['next', (v) => ({ ...v, next: 0x10000 })], ['head', (v) => ({ ...v, head: Buffer.alloc(9) })], ['gap', (v) => ({ ...v, gap: Buffer.alloc(4) })], ['trailer', (v) => ({ ...v, trailer: Buffer.alloc(6) })],
    ...(['uid', 'face', 'age', 'sex'] as const).map((k): [string, (v: M.FriendListReply) => M.FriendListReply] => [`friends[0].${k}`, (v) => ({ ...v, friends: [{ ...f, [k]: 2 ** 32 }] })]),
    ['friends[0].nick', (v) => ({ ...v, friends: [{ ...f, nick: 'n'.repeat(256) }] })], ['friends[0].extra', (v) => ({ ...v, friends: [{ ...f, extra: Buffer.alloc(31) }] })],
  ]);
  // Pages of at most 50 from `start`; the last says FFFF.
  const all = Array.from({ length: 120 }, (_, i) => ({ ...f, uid: i + 1 }));
  assert.deepEqual([0, 50, 100].map((s) => { const p = M.friendListPage(all, s); return [p.next, p.friends.length, p.friends[0]!.uid]; }), [[50, 50, 1], [100, 50, 51], [0xffff, 20, 101]]);
  assert.deepEqual([M.friendListPage(all, 0, 120).next, M.friendListPage(all, 0, 119).next, M.friendListPage([], 0).next], [0xffff, 119, 0xffff]);
});

test('0x0067 signatures, 0x00B5 accounts, 0x003E aliases: layouts, cuts and refusals', () => {
  const sreq = hex('83' + '00' + '02' + '00002712' + '00000001' + '00002713' + '00000000');
  pins(M.signaturesRequest, sreq, { queries: [{ uid: 10002, time: 1 }, { uid: 10003, time: 0 }] });
  cutsName(M.signaturesRequest, sreq, [['sub', 0, 1], ['reserved', 1, 1], ['count', 2, 1], ['queries[0].uid', 3, 4], ['queries[0].time', 7, 4], ['queries[1].uid', 11, 4], ['queries[1].time', 15, 4]]);
  assert.equal(failure(() => M.signaturesRequest.decode(hex('84' + '00' + '00'))), 'bad_value: expected 0x83, got 0x84 (field sub at offset 0)');
  assert.equal(failure(() => M.signaturesRequest.decode(hex('83' + '01' + '00'))), 'bad_value: expected 0x0, got 0x1 (field reserved at offset 1)');
  refuses(M.signaturesRequest, { queries: [{ uid: 1, time: 2 }] }, [
    ['count', () => ({ queries: Array.from({ length: 256 }, () => ({ uid: 1, time: 2 })) })],
    ['queries[0].uid', () => ({ queries: [{ uid: 2 ** 32, time: 0 }] })], ['queries[0].time', () => ({ queries: [{ uid: 1, time: 2 ** 32 }] })],
  ]);
  const srep = hex('83' + '00' + 'ffffffff' + '00002712' + '00000001' + '02' + '6869');
  const sv: M.SignaturesReply = { result: 0, next: 0xffffffff, signatures: [{ uid: 10002, time: 1, text: 'hi' }] };
  pins(M.signaturesReply, srep, sv);
  cutsName(M.signaturesReply, srep, [['sub', 0, 1], ['result', 1, 1], ['next', 2, 4], ['signatures[0].time', 10, 4], ['signatures[0].text length', 14, 1], ['signatures[0].text', 15, 2]]);
  assert.equal(failure(() => M.signaturesReply.decode(hex('82' + '00' + '00000000'))), 'bad_value: expected 0x83, got 0x82 (field sub at offset 0)');
  assert.equal(failure(() => M.signaturesReply.decode(srep.subarray(0, 9))), 'truncated: need 4 byte(s), 3 left (field signatures[0].uid at offset 6)');
  refuses(M.signaturesReply, sv, [
    ...tooWide<M.SignaturesReply>([['result', 1], ['next', 4]]),
    ['signatures[0].uid', (x) => ({ ...x, signatures: [{ uid: 2 ** 32, time: 0, text: '' }] })], ['signatures[0].time', (x) => ({ ...x, signatures: [{ uid: 1, time: 2 ** 32, text: '' }] })],
    ['signatures[0].text', (x) => ({ ...x, signatures: [{ uid: 1, time: 0, text: 't'.repeat(256) }] })],
  ]);

  const areq = hex('01' + '00002712' + '02' + '00002713' + '00002714');
  pins(M.accountsRequest, areq, { uid: 10002, uids: [10003, 10004] });
  cutsName(M.accountsRequest, areq, [['sub', 0, 1], ['uid', 1, 4], ['count', 5, 1], ['uids[0]', 6, 4], ['uids[1]', 10, 4]]);
  assert.equal(failure(() => M.accountsRequest.decode(hex('02' + '00002712' + '00'))), 'bad_value: expected 0x1, got 0x2 (field sub at offset 0)');
  refuses(M.accountsRequest, { uid: 1, uids: [2] }, [
    ['uid', (x) => ({ ...x, uid: 2 ** 32 })], ['uids[0]', (x) => ({ ...x, uids: [2 ** 32] })], ['count', (x) => ({ ...x, uids: Array(256).fill(1) })],
  ]);
  const arep = hex('01' + '00002712' + '0001' + '00000000' + '0002' + '00002713' + '00000000' + '00002714' + '00000001' + '02' + '6162');
  const av: M.AccountsReply = { uid: 10002, result: 1, next: 0, accounts: [{ uid: 10003, flag: 0 }, { uid: 10004, flag: 1, account: 'ab' }] };
  pins(M.accountsReply, arep, av);
  cutsName(M.accountsReply, arep, [
    ['sub', 0, 1], ['uid', 1, 4], ['result', 5, 2], ['next', 7, 4], ['count', 11, 2], ['accounts[0].uid', 13, 4], ['accounts[0].flag', 17, 4],
    ['accounts[1].uid', 21, 4], ['accounts[1].flag', 25, 4], ['accounts[1].account length', 29, 1], ['accounts[1].account', 30, 2],
  ]);
  assert.equal(failure(() => M.accountsReply.decode(Buffer.concat([hex('00'), arep.subarray(1)]))), 'bad_value: expected 0x1, got 0x0 (field sub at offset 0)');
  for (const a of [{ uid: 1, flag: 0, account: 'x' }, { uid: 1, flag: 2 }]) {
    assert.equal(failure(() => M.accountsReply.encode({ ...av, accounts: [a] })), 'cannot encode accounts[0].account: present exactly when flag > 0');
  }
  refuses(M.accountsReply, av, [
    ...tooWide<M.AccountsReply>([['uid', 4], ['result', 2], ['next', 4]]),
    ['accounts[0].uid', (x) => ({ ...x, accounts: [{ uid: 2 ** 32, flag: 0 }] })], ['accounts[0].flag', (x) => ({ ...x, accounts: [{ uid: 1, flag: 2 ** 32, account: '' }] })],
    ['accounts[0].account', (x) => ({ ...x, accounts: [{ uid: 1, flag: 1, account: 'a'.repeat(256) }] })],
    ['count', (x) => ({ ...x, accounts: Array(0x10000).fill({ uid: 1, flag: 0 }) })],
  ]);

  pins(M.aliasesRequest, hex('68' + '05'), { start: 5 });
  cutsName(M.aliasesRequest, hex('68' + '05'), [['sub', 0, 1], ['start', 1, 1]]);
  assert.equal(failure(() => M.aliasesRequest.decode(hex('69' + '05'))), 'bad_value: expected 0x68, got 0x69 (field sub at offset 0)');
  refuses(M.aliasesRequest, { start: 0 }, tooWide([['start', 1]]));
  const alrep = hex('68' + '01' + '00002712' + '02' + '6162' + '00002713' + '00');
  const alv: M.AliasesReply = { last: 1, aliases: [{ uid: 10002, alias: 'ab' }, { uid: 10003, alias: '' }] };
  pins(M.aliasesReply, alrep, alv);
  cutsName(M.aliasesReply, alrep, [['sub', 0, 1], ['last', 1, 1], ['aliases[0].uid', 3, 3], ['aliases[0].alias length', 6, 1], ['aliases[0].alias', 7, 2], ['aliases[1].uid', 10, 3], ['aliases[1].alias length', 13, 1]].map(([n, o, l]) => [n, o === 3 || o === 10 ? o - 1 : o, l] as Field).filter(([, o]) => o !== 2 && o !== 9));
  assert.equal(failure(() => M.aliasesReply.decode(alrep.subarray(0, 4))), 'truncated: need 4 byte(s), 2 left (field aliases[0].uid at offset 2)');
  assert.equal(failure(() => M.aliasesReply.decode(hex('67' + '01'))), 'bad_value: expected 0x68, got 0x67 (field sub at offset 0)');
  refuses(M.aliasesReply, alv, [
    ['last', (x) => ({ ...x, last: 256 })], ['aliases[1].uid', (x) => ({ ...x, aliases: [alv.aliases[0]!, { uid: 2 ** 32, alias: '' }] })],
    ['aliases[0].alias', (x) => ({ ...x, aliases: [{ uid: 1, alias: 'a'.repeat(256) }] })],
  ]);
});

test('0x0027 online list: 42-byte entries (a status block and 11 bytes)', () => {
  pins(M.onlineListRequest, hex('02' + '00002712'), { start: 10002 });
  cutsName(M.onlineListRequest, hex('02' + '00002712'), [['sub', 0, 1], ['start', 1, 4]]);
  assert.equal(failure(() => M.onlineListRequest.decode(hex('03' + '00002712'))), 'bad_value: expected 0x2, got 0x3 (field sub at offset 0)');
  refuses(M.onlineListRequest, { start: 0 }, tooWide([['start', 4]]));
  assert.equal(M.ONLINE_ENTRY_LENGTH, 42);
  const body = hex('ff' + BLOCK_HEX + 'e2'.repeat(11) + BLOCK_HEX + zeros(11));
  const v: M.OnlineListReply = { next: M.ONLINE_LIST_LAST, entries: [{ block: BLOCK, extension: Buffer.alloc(11, 0xe2) }, { block: BLOCK, extension: Buffer.alloc(11) }] };
  pins(M.onlineListReply, body, v);
  assert.equal(M.onlineListReply.encode({ next: 0xff, entries: [{ block: BLOCK }] }).toString('hex'), 'ff' + BLOCK_HEX + zeros(11));
  cutsName(M.onlineListReply, body, [['next', 0, 1], ['entries[0].extension', 32, 11], ['entries[1].extension', 74, 11]]);
  refuses(M.onlineListReply, v, [['next', (x) => ({ ...x, next: 256 })], ['entries[1].extension', (x) => ({ ...x, entries: [x.entries[0]!, { block: BLOCK, extension: Buffer.alloc(10) }] })]]);
});

test('modern 0x001D key and 0x0058 keep-alive: layouts, forms, cuts and refusals', () => {
  pins(M.keyRequest, hex('04'), { sub: 4, extra: Buffer.alloc(0) });
  assert.equal(M.keyRequest.encode({ sub: 4 }).toString('hex'), '04');
  cutsName(M.keyRequest, hex('04'), [['sub', 0, 1]]);
  refuses(M.keyRequest, { sub: 4 }, tooWide([['sub', 1]]));
  const reply = hex('04' + '00' + KEY + zeros(13));
  assert.equal(reply.length, M.KEY_REPLY_LENGTH);
  pins(M.keyReply, reply, { sub: 4, result: 0, key: hex(KEY), tail: Buffer.alloc(13) });
  assert.equal(M.keyReply.encode({ sub: 4, result: 0, key: hex(KEY) }).toString('hex'), reply.toString('hex'));
  cutsName(M.keyReply, reply, [['sub', 0, 1], ['result', 1, 1], ['key', 2, 16]]);
  refuses(M.keyReply, { sub: 4, result: 0, key: hex(KEY) }, [...tooWide<M.KeyReply>([['sub', 1], ['result', 1]]), ['key', (v) => ({ ...v, key: Buffer.alloc(17) })]]);

  pins(M.keepAliveRequest, hex('00002712'), { uid: 10002, form: 'u32' });
  pins(M.keepAliveRequest, Buffer.from('4294967295'), { uid: 4294967295, form: 'ascii' });
  pins(M.keepAliveRequest, Buffer.from('1'), { uid: 1, form: 'ascii' });
  for (const s of ['', '0', '01', '4294967296', '12345678901', '1a']) {
    assert.equal(failure(() => M.keepAliveRequest.decode(Buffer.from(s))), 'bad_value: neither a u32 nor an ASCII decimal uid (field uid at offset 0)', s);
  }
  assert.equal(failure(() => M.keepAliveRequest.encode({ uid: 1234, form: 'ascii' })), 'cannot encode uid: a 4-digit ASCII uid would read back as a u32');
  for (const uid of [-1, 2 ** 32, 1.5]) assert.equal(failure(() => M.keepAliveRequest.encode({ uid, form: 'ascii' })), `cannot encode uid: ${uid} is not a u32`);
  assert.equal(M.keepAliveRequest.encode({ uid: 2 ** 32 - 1, form: 'ascii' }).toString(), '4294967295');
  assert.equal(M.keepAliveRequest.encode({ uid: 0, form: 'ascii' }).toString(), '0');
  refuses(M.keepAliveRequest, { uid: 1, form: 'u32' }, tooWide([['uid', 4]]));

  const ka = hex('00' + '00000007' + '7f000001' + '0fa0' + '003c' + '6b048885' + zeros(5));
  assert.equal(ka.length, M.KEEP_ALIVE_REPLY_LENGTH);
  const v = M.makeKeepAliveReply({ online: 7, clientIp: 0x7f000001, clientPort: 4000, serverTime: 0x6b048885 });
  pins(M.keepAliveReply, ka, v);
  assert.equal(M.keepAliveReply.encode({ ...v, tail: undefined }).toString('hex'), ka.toString('hex'));
  cutsName(M.keepAliveReply, ka, [['result', 0, 1], ['online', 1, 4], ['clientIp', 5, 4], ['clientPort', 9, 2], ['interval', 11, 2], ['serverTime', 13, 4]]);
  refuses(M.keepAliveReply, v, tooWide([['result', 1], ['online', 4], ['clientIp', 4], ['clientPort', 2], ['interval', 2], ['serverTime', 4]]));
});

test('modern wraps: key-prefixed and magic-prefixed bodies, their errors at their offsets', () => {
  const random = (n: number) => Buffer.alloc(n, 0x33);
  const key = hex(KEY);
  const body = M.wrapKeyPrefixed(key, hex('0102'), random);
  assert.equal(body.subarray(0, 16).toString('hex'), KEY);
  const opened = M.unwrapKeyPrefixed(body);
  assert.ok(opened.ok);
  assert.deepEqual(opened.value, { key, plain: hex('0102') });
  assert.throws(() => M.wrapKeyPrefixed(key.subarray(0, 15), hex('01'), random), (e: unknown) => e instanceof RangeError && e.message === 'key must be 16 bytes, got 15');
  const short = M.unwrapKeyPrefixed(body.subarray(0, 31));
  assert.ok(!short.ok);
  assert.equal(short.error.message, 'truncated: key-prefixed body of 31 bytes < 32 (field key at offset 0)');
  const wrongKey = M.unwrapKeyPrefixed(Buffer.concat([Buffer.alloc(16), body.subarray(16)]));
  assert.ok(!wrongKey.ok);
  assert.equal(wrongKey.error.message, 'undecryptable: does not open with its clear key (field cipher at offset 16)');

  const magic = hex('a1a2');
  const mbody = M.wrapMagicPrefixed(magic, key, hex('0304'), random);
  assert.equal(mbody.subarray(0, 4).toString('hex'), '0002' + magic.toString('hex'));
  const parts = M.splitMagicPrefixed(mbody);
  assert.ok(parts.ok);
  assert.deepEqual(parts.value.magic, magic);
  const mopen = M.unwrapMagicPrefixed(mbody, key);
  assert.ok(mopen.ok);
  assert.deepEqual(mopen.value, { magic, plain: hex('0304') });
  const bad = (r: { ok: boolean; error?: Error }) => (r.ok ? 'ok' : r.error!.message);
  assert.equal(bad(M.splitMagicPrefixed(hex('00'))), 'truncated: no magic length (field magic at offset 0)');
  assert.equal(bad(M.splitMagicPrefixed(hex('0003' + 'aaaa'))), 'truncated: magic of 3 bytes, 2 left (field magic at offset 2)');
  assert.equal(bad(M.splitMagicPrefixed(hex('0002' + 'aaaa'))), 'ok');
  assert.equal(bad(M.splitMagicPrefixed(hex('0000'))), 'ok');
  assert.throws(() => M.wrapMagicPrefixed(Buffer.alloc(0x10000), key, hex('01'), random), (e: unknown) => e instanceof EncodeError && e.field === 'magic');
  assert.equal(bad(M.unwrapMagicPrefixed(hex('0003' + 'aaaa'), key)), 'truncated: magic of 3 bytes, 2 left (field magic at offset 2)');
  assert.equal(bad(M.unwrapMagicPrefixed(mbody, Buffer.alloc(16))), 'undecryptable: does not open with login_info_key1 (field cipher at offset 4)');

  const sealed = M.seal(key, hex('05'), random);
  const w = M.openWith(sealed, Buffer.alloc(16), key);
  assert.ok(w.ok);
  assert.deepEqual(w.value, { plain: hex('05'), keyIndex: 1 });
  assert.equal(bad(M.openWith(sealed, Buffer.alloc(16))), 'undecryptable: opens with none of 1 key(s)');
});

test('0x00EB buddy index: request and reply, the group byte as id × 4 + flags', () => {
  const req = hex('01' + '00000000' + '00000000' + '0002');
  pins(M.buddyIndexRequest, req, { page: 2 });
  cutsName(M.buddyIndexRequest, req, [['sub', 0, 1], ['reserved', 1, 4], ['reserved2', 5, 4], ['page', 9, 2]]);
  const at = (i: number, b: number) => { const x = Buffer.from(req); x[i] = b; return failure(() => M.buddyIndexRequest.decode(x)); };
  assert.deepEqual([at(0, 2), at(2, 1), at(6, 1)], [
    'bad_value: expected 0x1, got 0x2 (field sub at offset 0)', 'bad_value: expected 0x0, got 0x10000 (field reserved at offset 1)', 'bad_value: expected 0x0, got 0x10000 (field reserved2 at offset 5)',
  ]);
  refuses(M.buddyIndexRequest, { page: 1 }, tooWide([['page', 2]]));
  const reply = hex('01' + '00' + '00000001' + '00000002' + '6b048885' + '0003' + '0001' + '0002' + '00002712' + '01' + '0d' + '00009c41' + '04' + '00');
  const v: M.BuddyIndexReply = {
    result: 0, unknown1: 1, unknown2: 2, updateTime: 0x6b048885, totalPages: 3, currentPage: 1,
    entries: [{ uid: 10002, type: M.IndexType.BUDDY, group: 3, groupFlags: 1 }, { uid: 40001, type: M.IndexType.QUN, group: 0, groupFlags: 0 }],
  };
  pins(M.buddyIndexReply, reply, v);
  cutsName(M.buddyIndexReply, reply, [
    ['sub', 0, 1], ['result', 1, 1], ['unknown1', 2, 4], ['unknown2', 6, 4], ['updateTime', 10, 4], ['totalPages', 14, 2], ['currentPage', 16, 2], ['count', 18, 2],
    ['entries[0].uid', 20, 4], ['entries[0].type', 24, 1], ['entries[0].group', 25, 1], ['entries[1].uid', 26, 4], ['entries[1].type', 30, 1], ['entries[1].group', 31, 1],
  ]);
  assert.equal(failure(() => M.buddyIndexReply.decode(Buffer.concat([hex('02'), reply.subarray(1)]))), 'bad_value: expected 0x1, got 0x2 (field sub at offset 0)');
  const one = (e: Partial<M.BuddyIndexEntry>) => ({ ...v, entries: [{ uid: 1, type: 1, group: 0, ...e }] });
  assert.equal(M.buddyIndexReply.encode(one({ group: 63, groupFlags: 3 })).subarray(-1).toString('hex'), 'ff');
  assert.equal(M.buddyIndexReply.encode(one({ group: 0 })).subarray(-1).toString('hex'), '00');
  for (const group of [64, -1, 1.5]) assert.equal(failure(() => M.buddyIndexReply.encode(one({ group }))), `cannot encode entries[0].group: ${group} is not 0..63`);
  for (const groupFlags of [4, -1]) assert.equal(failure(() => M.buddyIndexReply.encode(one({ groupFlags }))), `cannot encode entries[0].groupFlags: ${groupFlags} is not 0..3`);
  refuses(M.buddyIndexReply, v, [
    ...tooWide<M.BuddyIndexReply>([['result', 1], ['unknown1', 4], ['unknown2', 4], ['updateTime', 4], ['totalPages', 2], ['currentPage', 2]]),
    ['entries[0].uid', () => one({ uid: 2 ** 32 })], ['entries[0].type', () => one({ type: 256 })], ['count', () => ({ ...v, entries: Array(0x10000).fill({ uid: 1, type: 1, group: 0 }) })],
  ]);
  pins(M.chainRequest, hex('0101'), { data: hex('0101') });
  pins(M.chainReply, hex('0100'), M.CHAIN_REPLY_OK);
});

const LOCALE = '0000080401e0';
const VSPEC = '000003500000000100000d6f';

test('0x0091 touch: the 35-byte request and the reply with and without a redirect', () => {
  const req = hex('0001' + LOCALE + VSPEC + 'b0'.repeat(15));
  pins(M.touchRequest, req, { locale: M.MODERN_LOCALE, versionSpec: M.MODERN_VERSION_SPEC, serverBlob: Buffer.alloc(15, 0xb0) });
  assert.equal(M.touchRequest.encode(M.makeTouchRequest()).toString('hex'), '0001' + LOCALE + VSPEC + zeros(15));
  cutsName(M.touchRequest, req, [['head', 0, 2], ['locale', 2, 6], ['versionSpec', 8, 12], ['serverBlob', 20, 15]]);
  assert.equal(failure(() => M.touchRequest.decode(Buffer.concat([hex('0002'), req.subarray(2)]))), 'bad_value: expected 0x1, got 0x2 (field head at offset 0)');
  const tr = M.makeTouchRequest();
  refuses(M.touchRequest, tr, [['locale', (v) => ({ ...v, locale: Buffer.alloc(5) })], ['versionSpec', (v) => ({ ...v, versionSpec: Buffer.alloc(11) })], ['serverBlob', (v) => ({ ...v, serverBlob: Buffer.alloc(14) })]]);

  const ok = hex('00' + '6b048885' + '0a000001' + zeros(8) + '0003' + 'c1c2c3' + '00');
  const v = M.makeTouchReply({ serverTime: 0x6b048885, serverIp: 0x0a000001, loginToken: hex('c1c2c3') }, () => Buffer.alloc(0));
  pins(M.touchReply, ok, v);
  assert.equal(M.makeTouchReply({ serverTime: 1, serverIp: 2 }, (n) => Buffer.alloc(n, 7)).loginToken.toString('hex'), '07'.repeat(24));
  cutsName(M.touchReply, ok, [['result', 0, 1], ['serverTime', 1, 4], ['serverIp', 5, 4], ['reserved', 9, 8], ['loginToken length', 17, 2], ['loginToken', 19, 3], ['redirectFlag', 22, 1]]);
  const dirty = Buffer.from(ok);
  dirty[12] = 5;
  assert.equal(failure(() => M.touchReply.decode(dirty)), 'bad_value: filler byte 3 is 0x5, expected 0 (field reserved at offset 12)');
  const redirect = hex('00' + '6b048885' + '0a000001' + zeros(8) + '0003' + 'c1c2c3' + '01' + '02' + '00000003' + '00000004' + '0a000009');
  const rv: M.TouchReply = { ...v, redirect: { flag: 1, count: 2, ispId: 3, unknown: 4, serverIp: 0x0a000009 } };
  pins(M.touchReply, redirect, rv);
  cutsName(M.touchReply, redirect, [['redirect.count', 23, 1], ['redirect.ispId', 24, 4], ['redirect.unknown', 28, 4], ['redirect.serverIp', 32, 4]]);
  assert.equal(failure(() => M.touchReply.encode({ ...v, redirect: { flag: 0, count: 0, ispId: 0, unknown: 0, serverIp: 0 } })), 'cannot encode redirect.flag: a redirect needs a non-zero flag');
  refuses(M.touchReply, rv, [
    ...tooWide<M.TouchReplyOk>([['serverTime', 4], ['serverIp', 4]]) as [string, (x: M.TouchReply) => M.TouchReply][],
    ['loginToken', (x) => ({ ...x, loginToken: Buffer.alloc(0x10000) }) as M.TouchReply],
    ...(['flag', 'count', 'ispId', 'unknown', 'serverIp'] as const).map((k): [string, (x: M.TouchReply) => M.TouchReply] => [`redirect.${k}`, (x) => ({ ...x, redirect: { ...(x as M.TouchReplyOk).redirect!, [k]: 2 ** 32 } }) as M.TouchReply]),
  ]);
  // A failure: any non-zero first byte, and what follows it.
  pins(M.touchReply, hex('05' + 'eeff'), { ok: false, result: 5, data: hex('eeff') });
  assert.equal(failure(() => M.touchReply.encode({ ok: false, result: 0, data: Buffer.alloc(0) })), 'cannot encode result: a failed reply needs a non-zero result');
  assert.equal(failure(() => M.touchReply.decode(Buffer.alloc(0))), 'truncated: need 1 byte(s), 0 left (field result at offset 0)');
  refuses(M.touchReply, { ok: false, result: 5, data: Buffer.alloc(0) } as M.TouchReply, [['result', (x) => ({ ...x, result: 256 }) as M.TouchReply]]);
});

test('0x00BA login request (kinds 03 and 04) and reply (with a PNG fragment)', () => {
  const req = hex('0001' + LOCALE + VSPEC + '0002' + 'c1c2' + '03' + '00' + '05' + '00000000' + '01' + '0000');
  const v: M.LoginRequest = { locale: M.MODERN_LOCALE, versionSpec: M.MODERN_VERSION_SPEC, loginToken: hex('c1c2'), pngFlag: 1, captcha: null };
  pins(M.loginRequest, req, v);
  assert.deepEqual(M.makeLoginRequest(hex('c1c2')), { ...v, pngFlag: 0 });
  cutsName(M.loginRequest, req, [
    ['head', 0, 2], ['locale', 2, 6], ['versionSpec', 8, 12], ['loginToken length', 20, 2], ['loginToken', 22, 2], ['kind', 24, 1], ['reserved', 25, 1], ['sub', 26, 1],
    ['reserved2', 27, 4], ['pngFlag', 31, 1], ['reserved3', 32, 2],
  ]);
  const at = (i: number, b: number) => { const x = Buffer.from(req); x[i] = b; return failure(() => M.loginRequest.decode(x)); };
  assert.deepEqual([at(1, 2), at(24, 5), at(25, 1), at(26, 6), at(30, 1), at(33, 1)], [
    'bad_value: expected 0x1, got 0x2 (field head at offset 0)', 'bad_value: kind 0x5, expected 03 or 04 (field kind at offset 24)',
    'bad_value: expected 0x0, got 0x1 (field reserved at offset 25)', 'bad_value: expected 0x5, got 0x6 (field sub at offset 26)',
    'bad_value: expected 0x0, got 0x1 (field reserved2 at offset 27)', 'bad_value: expected 0x0, got 0x1 (field reserved3 at offset 32)',
  ]);
  const cap = hex('0001' + LOCALE + VSPEC + '0002' + 'c1c2' + '04' + 'd1d2d3d4' + '0001' + 'e1');
  const cv: M.LoginRequest = { ...v, pngFlag: 0, captcha: { code: hex('d1d2d3d4'), token: hex('e1') } };
  pins(M.loginRequest, cap, cv);
  cutsName(M.loginRequest, cap, [['captcha.code', 25, 4], ['captcha.token length', 29, 2], ['captcha.token', 31, 1]]);
  refuses(M.loginRequest, cv, [
    ['locale', (x) => ({ ...x, locale: Buffer.alloc(7) })], ['versionSpec', (x) => ({ ...x, versionSpec: Buffer.alloc(13) })], ['loginToken', (x) => ({ ...x, loginToken: Buffer.alloc(0x10000) })],
    ['captcha.code', (x) => ({ ...x, captcha: { code: Buffer.alloc(3), token: Buffer.alloc(0) } })], ['captcha.token', (x) => ({ ...x, captcha: { code: Buffer.alloc(4), token: Buffer.alloc(0x10000) } })],
    ['pngFlag', (x) => ({ ...x, captcha: null, pngFlag: 256 })],
  ]);

  const reply = hex('03' + '00' + '05' + '00' + '00000000' + '0003' + 'f1f2f3');
  const rv = M.makeLoginReply(() => Buffer.alloc(0), hex('f1f2f3'));
  pins(M.loginReply, reply, rv);
  assert.equal(M.makeLoginReply((n) => Buffer.alloc(n, 9)).tokenC.toString('hex'), '09'.repeat(56));
  cutsName(M.loginReply, reply, [['kind', 0, 1], ['reserved', 1, 1], ['sub', 2, 1], ['pngFlag', 3, 1], ['captcha', 4, 4], ['tokenC length', 8, 2], ['tokenC', 10, 3]]);
  assert.equal(failure(() => M.loginReply.decode(Buffer.concat([hex('0301'), reply.subarray(2)]))), 'bad_value: expected 0x0, got 0x1 (field reserved at offset 1)');
  assert.equal(failure(() => M.loginReply.decode(Buffer.concat([hex('030004'), reply.subarray(3)]))), 'bad_value: expected 0x5, got 0x4 (field sub at offset 2)');
  const png = hex('03' + '00' + '05' + '01' + '00000001' + '0001' + 'f1' + '0002' + 'a1a2' + '07' + '01' + '0001' + 'b1');
  const pv: M.LoginReply = { kind: 3, pngFlag: 1, captcha: 1, tokenC: hex('f1'), png: { fragment: hex('a1a2'), unknown: 7, more: 1, nextToken: hex('b1') } };
  pins(M.loginReply, png, pv);
  cutsName(M.loginReply, png, [['png.fragment length', 11, 2], ['png.fragment', 13, 2], ['png.unknown', 15, 1], ['png.more', 16, 1], ['png.nextToken length', 17, 2], ['png.nextToken', 19, 1]]);
  for (const x of [{ ...pv, png: null }, { ...rv, png: pv.png }]) assert.equal(failure(() => M.loginReply.encode(x)), 'cannot encode png: present exactly when pngFlag is 1');
  refuses(M.loginReply, pv, [
    ...tooWide<M.LoginReply>([['kind', 1], ['captcha', 4]]), ['tokenC', (x) => ({ ...x, tokenC: Buffer.alloc(0x10000) })],
    ['pngFlag', (x) => ({ ...x, pngFlag: 256, png: null })],
    ...(['unknown', 'more'] as const).map((k): [string, (x: M.LoginReply) => M.LoginReply] => [`png.${k}`, (x) => ({ ...x, png: { ...x.png!, [k]: 256 } })]),
    ...(['fragment', 'nextToken'] as const).map((k): [string, (x: M.LoginReply) => M.LoginReply] => [`png.${k}`, (x) => ({ ...x, png: { ...x.png!, [k]: Buffer.alloc(0x10000) } })]),
  ]);
});

test('the 104-byte verify block: layout, sealing with md5_pass_qq, the server check', () => {
  const pw = hex('00112233445566778899aabbccddeeff');
  const k1 = Buffer.alloc(16, 0x11);
  const k2 = Buffer.alloc(16, 0x22);
  const plain = hex('01020304' + '0001' + '00002712' + VSPEC + zeros(3) + pw.toString('hex') + '6b048885' + zeros(13) + '0a000001' + zeros(8) + '0010' + k1.toString('hex') + k2.toString('hex'));
  assert.equal(plain.length, M.VERIFY_BLOCK_LENGTH);
  const random = (n: number) => Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].slice(0, n));
  const block = M.makeVerifyBlock({ uid: 10002, passwordMd5: pw, serverTime: 0x6b048885, serverIp: 0x0a000001, verifyKey1: k1, verifyKey2: k2 }, random);
  pins(M.verifyBlock, plain, block);
  assert.deepEqual([M.makeVerifyBlock({ uid: 1, passwordMd5: pw, serverTime: 0, serverIp: 0 }, random).verifyKey1, M.makeVerifyBlock({ uid: 1, passwordMd5: pw, serverTime: 0, serverIp: 0 }, random).verifyKey2], [Buffer.alloc(16), Buffer.alloc(16)]);
  cutsName(M.verifyBlock, plain, [
    ['rand', 0, 4], ['head', 4, 2], ['uid', 6, 4], ['versionSpec', 10, 12], ['reserved', 22, 3], ['passwordMd5', 25, 16], ['serverTime', 41, 4], ['reserved2', 45, 13],
    ['serverIp', 58, 4], ['reserved3', 62, 8], ['keyLength', 70, 2], ['verifyKey1', 72, 16], ['verifyKey2', 88, 16],
  ]);
  const at = (i: number, b: number) => { const x = Buffer.from(plain); x[i] = b; return failure(() => M.verifyBlock.decode(x)); };
  assert.deepEqual([at(5, 2), at(24, 1), at(50, 1), at(69, 1), at(71, 0x11)], [
    'bad_value: expected 0x1, got 0x2 (field head at offset 4)', 'bad_value: filler byte 2 is 0x1, expected 0 (field reserved at offset 24)',
    'bad_value: filler byte 5 is 0x1, expected 0 (field reserved2 at offset 50)', 'bad_value: filler byte 7 is 0x1, expected 0 (field reserved3 at offset 69)',
    'bad_value: expected 0x10, got 0x11 (field keyLength at offset 70)',
  ]);
  refuses(M.verifyBlock, block, [
    ...tooWide<M.VerifyBlock>([['rand', 4], ['uid', 4], ['serverTime', 4], ['serverIp', 4]]),
    ...(['versionSpec', 'passwordMd5', 'verifyKey1', 'verifyKey2'] as const).map((k): [string, (x: M.VerifyBlock) => M.VerifyBlock] => [k, (x) => ({ ...x, [k]: Buffer.alloc(3) })]),
  ]);

  const sealed = M.sealVerifyBlock(block, random);
  assert.equal(sealed.length, M.VERIFY_CIPHER_LENGTH);
  assert.deepEqual(M.checkVerifyBlock(sealed, pw, 10002), { ok: true, block });
  assert.deepEqual(M.openVerifyBlock(sealed, Buffer.alloc(16)), { ok: false, reason: 'cannot_open' });
  // The key binds the uid: another uid or another password cannot open it.
  assert.deepEqual(M.checkVerifyBlock(sealed, pw, 10003), { ok: false, reason: 'cannot_open' });
  assert.deepEqual(M.checkVerifyBlock(sealed, Buffer.alloc(16), 10002), { ok: false, reason: 'cannot_open' });
  assert.ok(M.verifyBlockMatches(block, pw));
  assert.ok(!M.verifyBlockMatches(block, Buffer.alloc(16)));
  assert.ok(!M.verifyBlockMatches(block, pw.subarray(0, 15)));
  // A block that opens but names another uid inside is refused like a wrong password; one that does not decode is malformed.
  const md5PassQq = verifyBlockKey(pw, 10002);
  assert.deepEqual(M.checkVerifyBlock(teaEncrypt(M.verifyBlock.encode({ ...block, uid: 10003 }), md5PassQq, random), pw, 10002), { ok: false, reason: 'cannot_open' });
  const short = teaEncrypt(hex('01'), md5PassQq, random);
  const malformed = M.openVerifyBlock(short, md5PassQq);
  assert.ok(!malformed.ok && malformed.reason === 'malformed' && malformed.error?.message === 'truncated: need 4 byte(s), 1 left (field rand at offset 0)');
  assert.deepEqual(M.checkVerifyBlock(short, pw, 10002), malformed);
  assert.equal(M.buildVerifyBlock({ uid: 10002, passwordMd5: pw, serverTime: 1, serverIp: 2 }, random).length, 120);
});

test('0x00DD verify: the request around the sealed block, success and failure replies', () => {
  const entries = '01' + '00000001' + '0002' + 'a1a2' + '02' + '00000002' + '0000';
  const ext = '10' + entries + zeros(3);
  const req = hex('00de' + '0001' + LOCALE + VSPEC + '0002' + 'c1c2' + '0003' + 'e1e2e3' + '0001' + 'f1' + '0014' + ext);
  const v: M.VerifyRequest = {
    locale: M.MODERN_LOCALE, versionSpec: M.MODERN_VERSION_SPEC, tokenC: hex('c1c2'), verifyCipher: hex('e1e2e3'), random20: hex('f1'),
    entries: [{ tag: 1, rand: 1, key: hex('a1a2') }, { tag: 2, rand: 2, key: Buffer.alloc(0) }], zeroPad: 3,
  };
  pins(M.verifyRequest, req, v);
  cutsName(M.verifyRequest, req, [
    ['sub', 0, 2], ['head', 2, 2], ['locale', 4, 6], ['versionSpec', 10, 12], ['tokenC length', 22, 2], ['tokenC', 24, 2], ['verifyCipher length', 26, 2],
    ['verifyCipher', 28, 3], ['random20 length', 31, 2], ['random20', 33, 1], ['extension length', 34, 2], ['extension', 36, 20],
  ]);
  assert.equal(failure(() => M.verifyRequest.decode(Buffer.concat([hex('00dd'), req.subarray(2)]))), 'bad_value: expected 0xde, got 0xdd (field sub at offset 0)');
  assert.equal(failure(() => M.verifyRequest.decode(Buffer.concat([hex('00de0002'), req.subarray(4)]))), 'bad_value: expected 0x1, got 0x2 (field head at offset 2)');
  // Inside the extension, offsets count from the extension's start (a region of its own).
  const innerBad = (e: string) => failure(() => M.verifyRequest.decode(hex('00de' + '0001' + LOCALE + VSPEC + '0000' + '0000' + '0000' + (e.length / 2).toString(16).padStart(4, '0') + e)));
  assert.equal(innerBad('05' + '01' + '0000'), 'truncated: need 5 byte(s), 3 left (field entries at offset 1)');
  assert.equal(innerBad('03' + '01' + '0000'), 'truncated: need 4 byte(s), 2 left (field entries[0].rand at offset 1)');
  assert.equal(innerBad('06' + '01' + '00000000' + '00'), 'truncated: need 2 byte(s), 1 left (field entries[0].key length at offset 5)');
  assert.equal(innerBad('00' + '0001'), 'bad_value: filler byte 1 is 0x1, expected 0 (field zeroPad at offset 2)');
  assert.deepEqual(M.verifyRequest.decode(hex('00de' + '0001' + LOCALE + VSPEC + '0000' + '0000' + '0000' + '0001' + '00')).entries, []);
  const random = (n: number) => Buffer.alloc(n, 0x44);
  const made = M.makeVerifyRequest({ tokenC: hex('c1'), verifyCipher: hex('e1') }, random);
  assert.deepEqual([made.random20.length, made.entries.map((e) => [e.tag, e.rand, e.key.length]), made.zeroPad], [20, [[1, 0x44444444, 16], [2, 0x44444444, 16]], 328]);
  refuses(M.verifyRequest, v, [
    ['locale', (x) => ({ ...x, locale: Buffer.alloc(5) })], ['versionSpec', (x) => ({ ...x, versionSpec: Buffer.alloc(5) })],
    ...(['tokenC', 'verifyCipher', 'random20'] as const).map((k): [string, (x: M.VerifyRequest) => M.VerifyRequest] => [k, (x) => ({ ...x, [k]: Buffer.alloc(0x10000) })]),
    ['entries[1].tag', (x) => ({ ...x, entries: [x.entries[0]!, { tag: 256, rand: 0, key: Buffer.alloc(0) }] })],
    ['entries[0].rand', (x) => ({ ...x, entries: [{ tag: 1, rand: 2 ** 32, key: Buffer.alloc(0) }] })],
    ['entries[0].key', (x) => ({ ...x, entries: [{ tag: 1, rand: 0, key: Buffer.alloc(0x10000) }] })],
    ['entries', (x) => ({ ...x, entries: Array(37).fill({ tag: 1, rand: 0, key: Buffer.alloc(0) }) })],
    ['extension', (x) => ({ ...x, zeroPad: 0x10000 })],
  ]);

  const ok = hex('0100' + '00' + '0002' + 'a1a2' + '00000007' + '6b048885' + '0001' + 'b1' + '0002' + 'c1c2' + 'd1'.repeat(16) + '0000' + 'd3'.repeat(16) + '0000');
  const okv: M.VerifyReplyOk = {
    ok: true, head: 0x0100, loginInfoToken: hex('a1a2'), unknown1: 7, serverTime: 0x6b048885, loginInfoData: hex('b1'), loginInfoMagic: hex('c1c2'),
    loginInfoKey1: Buffer.alloc(16, 0xd1), loginInfoKey3: Buffer.alloc(16, 0xd3),
  };
  pins(M.verifyReply, ok, okv);
  assert.deepEqual(M.makeVerifySuccess({ serverTime: 0x6b048885, loginInfoToken: hex('a1a2'), unknown1: 7, loginInfoData: hex('b1'), loginInfoMagic: hex('c1c2'), loginInfoKey1: okv.loginInfoKey1, loginInfoKey3: okv.loginInfoKey3 }, random), okv);
  const drawn = M.makeVerifySuccess({ serverTime: 1 }, random);
  assert.deepEqual([drawn.loginInfoToken.length, drawn.unknown1, drawn.loginInfoData.length, drawn.loginInfoMagic.length, drawn.loginInfoKey1.length, drawn.loginInfoKey3.length], [32, 0x44444444, 16, 24, 16, 16]);
  assert.equal(failure(() => M.makeVerifySuccess({ serverTime: 1, loginInfoKey3: Buffer.alloc(15) }, random)), 'cannot encode loginInfoKey3: must be 16 bytes, got 15');
  assert.equal(failure(() => M.makeVerifySuccess({ serverTime: 1, loginInfoKey1: Buffer.alloc(17) }, random)), 'cannot encode loginInfoKey1: must be 16 bytes, got 17');
  cutsName(M.verifyReply, ok, [
    ['head', 0, 2], ['code', 2, 1], ['loginInfoToken length', 3, 2], ['loginInfoToken', 5, 2], ['unknown1', 7, 4], ['serverTime', 11, 4], ['loginInfoData length', 15, 2],
    ['loginInfoData', 17, 1], ['loginInfoMagic length', 18, 2], ['loginInfoMagic', 20, 2], ['loginInfoKey1', 22, 16], ['reserved', 38, 2], ['loginInfoKey3', 40, 16], ['reserved2', 56, 2],
  ]);
  const at = (i: number) => { const x = Buffer.from(ok); x[i] = 1; return failure(() => M.verifyReply.decode(x)); };
  assert.deepEqual([at(39), at(57)], ['bad_value: expected 0x0, got 0x1 (field reserved at offset 38)', 'bad_value: expected 0x0, got 0x1 (field reserved2 at offset 56)']);
  refuses(M.verifyReply, okv as M.VerifyReply, [
    ...(tooWide<M.VerifyReplyOk>([['head', 2], ['unknown1', 4], ['serverTime', 4]]) as [string, (x: M.VerifyReply) => M.VerifyReply][]),
    ...(['loginInfoToken', 'loginInfoData', 'loginInfoMagic'] as const).map((k): [string, (x: M.VerifyReply) => M.VerifyReply] => [k, (x) => ({ ...x, [k]: Buffer.alloc(0x10000) }) as M.VerifyReply]),
    ...(['loginInfoKey1', 'loginInfoKey3'] as const).map((k): [string, (x: M.VerifyReply) => M.VerifyReply] => [k, (x) => ({ ...x, [k]: Buffer.alloc(17) }) as M.VerifyReply]),
  ]);

  const fail = hex('0000' + '34' + zeros(8) + '0002' + '6e6f');
  pins(M.verifyReply, fail, M.makeVerifyFailure(M.VerifyCode.WRONG_PASSWORD, 'no'));
  assert.deepEqual(M.VerifyCode, { OK: 0, DENIED: 0x33, WRONG_PASSWORD: 0x34, ACTIVATION_NEEDED: 0x51, NO_SUCH_UID: 0xbf });
  assert.equal(M.verifyReply.encode({ ok: false, head: 0, code: 0xbf, message: '' }).toString('hex'), '0000' + 'bf' + zeros(8) + '0000');
  cutsName(M.verifyReply, fail, [['reserved', 3, 8], ['message length', 11, 2], ['message', 13, 2]]);
  assert.equal(failure(() => M.verifyReply.decode(hex('0000' + '34' + zeros(8) + '0001' + 'ff'))), 'bad_value: not valid UTF-8 (field message at offset 11)');
  assert.equal(failure(() => M.verifyReply.encode(M.makeVerifyFailure(0, 'x'))), 'cannot encode code: a failure reply needs a non-zero code');
  refuses(M.verifyReply, M.makeVerifyFailure(0x34, '') as M.VerifyReply, [
    ['code', (x) => ({ ...x, code: 256 }) as M.VerifyReply], ['reserved', (x) => ({ ...x, reserved: Buffer.alloc(7) }) as M.VerifyReply],
    ['message', (x) => ({ ...x, message: 'm'.repeat(0x10000) }) as M.VerifyReply],
  ]);
});

test('0x00E5 login info: request and reply layouts', () => {
  const req = hex('010e' + '00' + '0101' + LOCALE + VSPEC + '0001' + 'c1' + '0002' + 'a1a2' + '00000007' + '6b048885' + '0001' + 'b1' + '0000' + '01' + '00000000');
  const verify: M.VerifyReplyOk = { ok: true, head: 0x100, loginInfoToken: hex('a1a2'), unknown1: 7, serverTime: 0x6b048885, loginInfoData: hex('b1'), loginInfoMagic: hex('c1'), loginInfoKey1: Buffer.alloc(16), loginInfoKey3: Buffer.alloc(16) };
  const v = M.makeLoginInfoRequest(hex('c1'), verify);
  pins(M.loginInfoRequest, req, v);
  cutsName(M.loginInfoRequest, req, [
    ['sub', 0, 2], ['reserved', 2, 1], ['head', 3, 2], ['locale', 5, 6], ['versionSpec', 11, 12], ['tokenC length', 23, 2], ['tokenC', 25, 1], ['loginInfoToken length', 26, 2],
    ['loginInfoToken', 28, 2], ['unknown1', 30, 4], ['serverTime', 34, 4], ['loginInfoData length', 38, 2], ['loginInfoData', 40, 1], ['reserved2', 41, 2], ['flag', 43, 1], ['reserved3', 44, 4],
  ]);
  const at = (i: number, b: number) => { const x = Buffer.from(req); x[i] = b; return failure(() => M.loginInfoRequest.decode(x)); };
  assert.deepEqual([at(1, 0x0f), at(2, 1), at(4, 2), at(42, 1), at(43, 2), at(47, 1)], [
    'bad_value: expected 0x10e, got 0x10f (field sub at offset 0)', 'bad_value: expected 0x0, got 0x1 (field reserved at offset 2)',
    'bad_value: expected 0x101, got 0x102 (field head at offset 3)', 'bad_value: expected 0x0, got 0x1 (field reserved2 at offset 41)',
    'bad_value: expected 0x1, got 0x2 (field flag at offset 43)', 'bad_value: expected 0x0, got 0x1 (field reserved3 at offset 44)',
  ]);
  refuses(M.loginInfoRequest, v, [
    ['locale', (x) => ({ ...x, locale: Buffer.alloc(5) })], ['versionSpec', (x) => ({ ...x, versionSpec: Buffer.alloc(5) })],
    ...(['tokenC', 'loginInfoToken', 'loginInfoData'] as const).map((k): [string, (x: M.LoginInfoRequest) => M.LoginInfoRequest] => [k, (x) => ({ ...x, [k]: Buffer.alloc(0x10000) })]),
    ...tooWide<M.LoginInfoRequest>([['unknown1', 4], ['serverTime', 4]]),
  ]);

  const reply = hex('0166' + '0100' + 'a2'.repeat(16) + '0000000100000064' + '00000009' + '6b048885' + '7f000001' + '00000000' + '00000000' + '0002' + 'f1f2');
  const random = (n: number) => Buffer.alloc(n, 0x55);
  const rv = M.makeLoginInfoReply({ serverTime: 0x6b048885, clientIp: 0x7f000001, loginInfoKey2: Buffer.alloc(16, 0xa2), unknown2: 9, loginInfoLarge: hex('f1f2') }, random);
  pins(M.loginInfoReply, reply, rv);
  assert.equal(M.loginInfoReply.encode({ ...rv, fixed: undefined }).toString('hex'), reply.toString('hex'));
  const drawn = M.makeLoginInfoReply({ serverTime: 1, clientIp: 2 }, random);
  assert.equal(failure(() => M.makeLoginInfoReply({ serverTime: 1, clientIp: 2, loginInfoKey2: Buffer.alloc(15) }, random)), 'cannot encode loginInfoKey2: must be 16 bytes, got 15');
  assert.deepEqual([drawn.loginInfoKey2.length, drawn.unknown2, drawn.loginInfoLarge.length], [16, 0x55555555, 64]);
  cutsName(M.loginInfoReply, reply, [
    ['head', 0, 2], ['sub', 2, 2], ['loginInfoKey2', 4, 16], ['fixed', 20, 8], ['unknown2', 28, 4], ['serverTime', 32, 4], ['clientIp', 36, 4], ['unknown3', 40, 4], ['unknown4', 44, 4],
    ['loginInfoLarge length', 48, 2], ['loginInfoLarge', 50, 2],
  ]);
  refuses(M.loginInfoReply, rv, [
    ...tooWide<M.LoginInfoReply>([['head', 2], ['sub', 2], ['unknown2', 4], ['serverTime', 4], ['clientIp', 4], ['unknown3', 4], ['unknown4', 4]]),
    ['loginInfoKey2', (x) => ({ ...x, loginInfoKey2: Buffer.alloc(15) })], ['fixed', (x) => ({ ...x, fixed: Buffer.alloc(7) })], ['loginInfoLarge', (x) => ({ ...x, loginInfoLarge: Buffer.alloc(0x10000) })],
  ]);
});

test('0x0030 send login info: the request (offsets shift by the large token) and the 37-byte reply', () => {
  const random = (n: number) => Buffer.alloc(n, 0x66);
  const info = M.makeLoginInfoReply({ serverTime: 0x6b048885, clientIp: 0x7f000001, loginInfoKey2: Buffer.alloc(16), unknown2: 9, loginInfoLarge: hex('f1f2') }, random);
  const v = M.makeSendLoginInfoRequest({ tokenC: hex('c1'), info, mode: M.LoginMode.HIDDEN }, random);
  const entry = (tag: string) => tag + '66666666' + '0010' + '66'.repeat(16);
  const req = hex(
    '0001' + VSPEC + '00000009' + '6b048885' + '7f000001' + zeros(8) + '0002' + 'f1f2' + zeros(35) + 'c1f7d0f0ee9f4d33a851ba7ddff3eec7' + '66' + '28' + zeros(10) + zeros(15) +
      LOCALE + zeros(16) + '0001' + 'c1' + '0000000800000000080410000140' + entry('01') + zeros(10) + zeros(15) + entry('02') + zeros(251),
  );
  pins(M.sendLoginInfoRequest, req, v);
  // MyQQ's 594 bytes with a 64-byte large token.
  assert.equal(M.sendLoginInfoRequest.encode({ ...v, loginInfoLarge: Buffer.alloc(64), tokenC: Buffer.alloc(56) }).length, 594);
  const e1 = 127;
  cutsName(M.sendLoginInfoRequest, req, [
    ['head', 0, 2], ['versionSpec', 2, 12], ['unknown2', 14, 4], ['serverTime', 18, 4], ['clientIp', 22, 4], ['reserved', 26, 8], ['loginInfoLarge length', 34, 2], ['loginInfoLarge', 36, 2],
    ['reserved2', 38, 35], ['exeHash', 73, 16], ['randomByte', 89, 1], ['mode', 90, 1], ['reserved3', 91, 10], ['serverBlob', 101, 15], ['locale', 116, 6], ['reserved4', 122, 16],
    ['tokenC length', 138, 2], ['tokenC', 140, 1], ['tailHead', 141, 14], ['entry1.tag', 155, 1], ['entry1.rand', 156, 4], ['entry1.key length', 160, 2], ['entry1.key', 162, 16],
    ['reserved5', 178, 10], ['tailBlob', 188, 15], ['entry2.tag', 203, 1], ['entry2.rand', 204, 4], ['entry2.key length', 208, 2], ['entry2.key', 210, 16],
  ]);
  assert.equal(e1, 127);
  const at = (i: number) => { const x = Buffer.from(req); x[i] = 1; return failure(() => M.sendLoginInfoRequest.decode(x)); };
  assert.deepEqual([at(0), at(30), at(40), at(95), at(130), at(180), at(300)], [
    'bad_value: expected 0x1, got 0x101 (field head at offset 0)', 'bad_value: filler byte 4 is 0x1, expected 0 (field reserved at offset 30)',
    'bad_value: filler byte 2 is 0x1, expected 0 (field reserved2 at offset 40)', 'bad_value: filler byte 4 is 0x1, expected 0 (field reserved3 at offset 95)',
    'bad_value: filler byte 8 is 0x1, expected 0 (field reserved4 at offset 130)', 'bad_value: filler byte 2 is 0x1, expected 0 (field reserved5 at offset 180)',
    'bad_value: filler byte 74 is 0x1, expected 0 (field zeroPad at offset 300)',
  ]);
  refuses(M.sendLoginInfoRequest, v, [
    ...tooWide<M.SendLoginInfoRequest>([['unknown2', 4], ['serverTime', 4], ['clientIp', 4], ['randomByte', 1], ['mode', 1]]),
    ...(['versionSpec', 'exeHash', 'serverBlob', 'locale', 'tailBlob', 'tailHead'] as const).map((k): [string, (x: M.SendLoginInfoRequest) => M.SendLoginInfoRequest] => [k, (x) => ({ ...x, [k]: Buffer.alloc(3) })]),
    ...(['loginInfoLarge', 'tokenC'] as const).map((k): [string, (x: M.SendLoginInfoRequest) => M.SendLoginInfoRequest] => [k, (x) => ({ ...x, [k]: Buffer.alloc(0x10000) })]),
    ['entry1.tag', (x) => ({ ...x, entry1: { ...x.entry1, tag: 256 } })], ['entry2.rand', (x) => ({ ...x, entry2: { ...x.entry2, rand: 2 ** 32 } })],
  ]);
  assert.deepEqual([v.serverBlob, v.tailBlob, v.exeHash, v.tailHead?.toString('hex'), v.zeroPad, v.unknown2, v.serverTime, v.clientIp, v.loginInfoLarge], [Buffer.alloc(15), Buffer.alloc(15), M.MODERN_EXE_HASH, '0000000800000000080410000140', 251, 9, 0x6b048885, 0x7f000001, hex('f1f2')]);
  const blob = Buffer.alloc(15, 0xbb);
  const redirected = M.makeSendLoginInfoRequest({ tokenC: hex('c1'), info, mode: 10, serverBlob: blob }, random);
  assert.deepEqual([redirected.serverBlob, redirected.tailBlob], [blob, blob]);

  const reply = hex('00' + KEY + '00002712' + '7f000001' + '1f40' + '6b048885' + '00000000' + '03' + '0a');
  assert.equal(reply.length, 37);
  const rv = M.makeSendLoginInfoReply({ sessionKey: hex(KEY), uid: 10002, clientIp: 0x7f000001, clientPort: 8000, loginTime: 0x6b048885, mode: M.LoginMode.ONLINE });
  pins(M.sendLoginInfoReply, reply, rv);
  assert.equal(failure(() => M.makeSendLoginInfoReply({ ...rv, sessionKey: Buffer.alloc(15) })), 'cannot encode sessionKey: must be 16 bytes, got 15');
  cutsName(M.sendLoginInfoReply, reply, [['result', 0, 1], ['sessionKey', 1, 16], ['uid', 17, 4], ['clientIp', 21, 4], ['clientPort', 25, 2], ['loginTime', 27, 4], ['unknown', 31, 4], ['flag', 35, 1], ['mode', 36, 1]]);
  pins(M.sendLoginInfoReply, hex('02' + 'aa'), { ok: false, result: 2, data: hex('aa') });
  assert.equal(failure(() => M.sendLoginInfoReply.encode({ ok: false, result: 0, data: Buffer.alloc(0) })), 'cannot encode result: a failed reply needs a non-zero result');
  refuses(M.sendLoginInfoReply, rv as M.SendLoginInfoReply, [
    ...(tooWide<M.SendLoginInfoReplyOk>([['uid', 4], ['clientIp', 4], ['clientPort', 2], ['loginTime', 4], ['unknown', 4], ['flag', 1], ['mode', 1]]) as [string, (x: M.SendLoginInfoReply) => M.SendLoginInfoReply][]),
    ['sessionKey', (x) => ({ ...x, sessionKey: Buffer.alloc(15) }) as M.SendLoginInfoReply],
  ]);
});

test('every modern codec is named after its export (the analyzer shows the name)', () => {
  const codecs = Object.entries(M).filter(([, v]) => v !== null && typeof v === 'object' && 'encode' in v && 'decode' in v && 'name' in v);
  assert.ok(codecs.length >= 40);
  for (const [name, c] of codecs) assert.equal((c as { name: string }).name, name.replace(/Codec$/, ''));
  // The table names the keys that open each login-chain body, the password key last.
  assert.deepEqual(M.MODERN_TABLE.TOUCH.s2c?.keys, ['touch key', 'password key']);
});
