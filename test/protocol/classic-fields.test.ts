// The classic message, status and online-list codecs say where they fail: a body cut inside a field is "truncated"
// in that field, at that field's offset; a value a field cannot hold is refused naming that field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  changeStatusReplyCodec, changeStatusRequestCodec, friendStatusPushCodec, onlineFriendsReplyCodec, onlineFriendsRequestCodec,
  onlineStartUid, receiveImAckCodec, receiveImPushCodec, receiveImPushFor, sendImReplyCodec, sendImRequestCodec,
  IM_MESSAGE_HEAD, type ImMessage, type OnlineFriendEntry,
} from '../../src/protocol/bodies/classic/index.js';
import { DecodeError, EncodeError } from '../../src/protocol/errors.js';
import { cutsName, hex, refuses, shift, type Field } from '../helpers/fields.js';
import type { StatusBlock } from '../../src/protocol/bodies/status-block.js';

const KEY = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';

const PART: Field[] = [
  ['senderVersion', 0, 2], ['sender', 2, 4], ['receiver', 6, 4], ['imKey', 10, 16], ['imType', 26, 2], ['msgSeq', 28, 2],
  ['sendTime', 30, 4], ['face', 34, 2], ['hasFont', 36, 4], ['fragCount', 40, 1], ['fragIndex', 41, 1], ['msgId', 42, 2], ['replyType', 44, 1],
];
const PART_HEX = '0d55' + '00002712' + '00004e22' + KEY + '000b' + '4767' + '6b048885' + '0003' + '00000000' + '02' + '01' + 'beef' + '01' + '6869';
const BLOCK: Field[] = [['uid', 0, 4], ['flag', 4, 1], ['ip', 5, 4], ['port', 9, 2], ['unknown', 11, 1], ['status', 12, 1], ['clientVersion', 13, 2], ['key', 15, 16]];
const BLOCK_HEX = '11223344' + '01' + '0a0b0c0d' + '1f40' + '5a' + '1e' + '0d55' + KEY;

test('0x0016 send and 0x0017 push: every cut names its field and offset', () => {
  // The message part holds 45 bytes before its text (the writers size their buffers by it).
  assert.equal(IM_MESSAGE_HEAD, 45);
  assert.equal(PART.at(-1)![1] + PART.at(-1)![2], IM_MESSAGE_HEAD);
  const send = hex('00002712' + '00004e22' + PART_HEX);
  cutsName(sendImRequestCodec, send, [['sender', 0, 4], ['receiver', 4, 4], ...shift(PART, 8)]);
  const push = hex('00002712' + '00004e22' + '01020304' + '7f000001' + '0fa0' + '0009' + PART_HEX);
  cutsName(receiveImPushCodec, push, [['sender', 0, 4], ['receiver', 4, 4], ['serverSeq', 8, 4], ['senderIp', 12, 4], ['senderPort', 16, 2], ['type', 18, 2], ...shift(PART, 20)]);
  cutsName(receiveImAckCodec, push.subarray(0, 16), [['sender', 0, 4], ['receiver', 4, 4], ['serverSeq', 8, 4], ['senderIp', 12, 4]]);
  // has-font above 1 is a bad value at its offset.
  const bad = hex('00002712' + '00004e22' + PART_HEX.replace('00000000' + '02', '00000002' + '02'));
  assert.throws(() => sendImRequestCodec.decode(bad), (e: unknown) => e instanceof DecodeError && e.reason === 'bad_value' && e.field === 'hasFont' && e.offset === 44 && e.detail === 'has-font 2');
  // Another routing type keeps its bytes; a message part of a friend's or a stranger's type is read.
  const other = receiveImPushCodec.decode(hex('00002712' + '00004e22' + '01020304' + '7f000001' + '0fa0' + '0030' + 'c0c1'));
  assert.deepEqual(other.content, { kind: 'other', bytes: hex('c0c1') });
  assert.equal(receiveImPushCodec.decode(hex('00002712' + '00004e22' + '01020304' + '7f000001' + '0fa0' + '000a' + PART_HEX)).content.kind, 'im');
  assert.throws(() => receiveImAckCodec.decode(hex('00'.repeat(17))), (e: unknown) => e instanceof DecodeError && e.reason === 'trailing_bytes');
});

test('0x0016 and 0x0017 refuse values their fields cannot hold, naming the field', () => {
  const message = sendImRequestCodec.decode(hex('00002712' + '00004e22' + PART_HEX)).message;
  const m = (k: keyof ImMessage, v: unknown) => (s: { sender: number; receiver: number; message: ImMessage }) => ({ ...s, message: { ...s.message, [k]: v } });
  refuses(sendImRequestCodec, { sender: 10002, receiver: 20002, message }, [
    ['sender', (s) => ({ ...s, sender: 2 ** 32 })], ['receiver', (s) => ({ ...s, receiver: -1 })],
    ['senderVersion', m('senderVersion', 0x10000)], ['sender', m('sender', 2 ** 32)], ['receiver', m('receiver', 2 ** 32)],
    ['imKey', m('imKey', Buffer.alloc(15))], ['imType', m('imType', 0x10000)], ['msgSeq', m('msgSeq', 0x10000)],
    ['sendTime', m('sendTime', 2 ** 32)], ['face', m('face', 0x10000)], ['fragCount', m('fragCount', 256)],
    ['fragIndex', m('fragIndex', 256)], ['msgId', m('msgId', 0x10000)], ['replyType', m('replyType', 256)],
  ]);
  const push = receiveImPushFor({ sender: 10002, receiver: 20002, message }, { serverSeq: 1, senderIp: 2, senderPort: 3 });
  assert.equal(push.type, 9);
  refuses(receiveImPushCodec, push, [
    ['sender', (p) => ({ ...p, sender: 2 ** 32 })], ['receiver', (p) => ({ ...p, receiver: 2 ** 32 })], ['serverSeq', (p) => ({ ...p, serverSeq: 2 ** 32 })],
    ['senderIp', (p) => ({ ...p, senderIp: 2 ** 32 })], ['senderPort', (p) => ({ ...p, senderPort: 0x10000 })], ['type', (p) => ({ ...p, type: 0x10030, content: { kind: 'other' as const, bytes: Buffer.alloc(1) } })],
    ['content', (p) => ({ ...p, type: 0x30 })], ['content', (p) => ({ ...p, content: { kind: 'other' as const, bytes: Buffer.alloc(1) } })],
  ]);
  assert.equal(receiveImPushCodec.encode({ ...push, type: 0x30, content: { kind: 'other' as const, bytes: hex('c0') } }).toString('hex'), '00002712' + '00004e22' + '00000001' + '00000002' + '0003' + '0030' + 'c0');
  refuses(receiveImAckCodec, { sender: 1, receiver: 2, serverSeq: 3, senderIp: 4 }, [
    ['sender', (a) => ({ ...a, sender: 2 ** 32 })], ['receiver', (a) => ({ ...a, receiver: 2 ** 32 })],
    ['serverSeq', (a) => ({ ...a, serverSeq: 2 ** 32 })], ['senderIp', (a) => ({ ...a, senderIp: 2 ** 32 })],
  ]);
  refuses(sendImReplyCodec, { result: 0 }, [['result', () => ({ result: 256 })]]);
  cutsName(sendImReplyCodec, hex('00'), [['result', 0, 1]]);
  assert.throws(() => receiveImPushCodec.encode({ ...push, type: 0x30 }), { name: 'EncodeError', message: 'cannot encode content: kind im does not fit type 0x30' });
  assert.deepEqual(sendImReplyCodec.decode(hex('00')), { result: 0 });
  assert.throws(() => sendImReplyCodec.decode(hex('0000')), (e: unknown) => e instanceof DecodeError && e.reason === 'trailing_bytes');
});

test('0x0081, 0x000D and 0x0027: cuts name their fields, values out of range are refused by name', () => {
  cutsName(friendStatusPushCodec, hex(BLOCK_HEX + '00002712'), [...BLOCK, ['myUid', 31, 4]]);
  const block = friendStatusPushCodec.decode(hex(BLOCK_HEX + '00002712')).friend;
  refuses(friendStatusPushCodec, { friend: block, myUid: 1, extra: Buffer.alloc(0) }, [['myUid', (v) => ({ ...v, myUid: 2 ** 32 })]]);

  cutsName(changeStatusRequestCodec, hex('1e 00000001'), [['status', 0, 1], ['misc', 1, 4]]);
  assert.deepEqual(changeStatusRequestCodec.decode(hex('1e 00000001 aabb')), { status: 30, misc: 1, extra: hex('aabb') });
  assert.equal(changeStatusRequestCodec.encode({ status: 30, misc: 1, extra: hex('aabb') }).toString('hex'), '1e00000001aabb');
  refuses(changeStatusRequestCodec, { status: 10, misc: 0, extra: Buffer.alloc(0) }, [['status', (v) => ({ ...v, status: 256 })], ['misc', (v) => ({ ...v, misc: 2 ** 32 })]]);
  cutsName(changeStatusReplyCodec, hex('30'), [['result', 0, 1]]);
  refuses(changeStatusReplyCodec, { result: 0x30 }, [['result', () => ({ result: 256 })]]);
  assert.throws(() => changeStatusReplyCodec.decode(hex('3030')), (e: unknown) => e instanceof DecodeError && e.reason === 'trailing_bytes');

  cutsName(onlineFriendsRequestCodec, hex('02 00'), [['sub', 0, 1], ['position', 1, 1]]);
  const req = onlineFriendsRequestCodec.decode(hex('02 01 020304'));
  assert.deepEqual(req, { sub: 2, position: 1, extra: hex('020304') });
  assert.equal(onlineStartUid(req), 0x01020304, 'position and three more bytes: a u32 uid');
  assert.equal(onlineStartUid(onlineFriendsRequestCodec.decode(hex('02 07 0000'))), 7, 'a u8 position');
  refuses(onlineFriendsRequestCodec, req, [['sub', (v) => ({ ...v, sub: 256 })], ['position', (v) => ({ ...v, position: 256 })]]);

  cutsName(onlineFriendsReplyCodec, hex(''), [['next', 0, 1]]);
  const cut = (() => {
    try {
      onlineFriendsReplyCodec.decode(hex('ff' + BLOCK_HEX + '1234 56 78'));
    } catch (e) {
      return e;
    }
  })();
  assert.ok(cut instanceof DecodeError);
  assert.deepEqual([cut.reason, cut.field, cut.offset, cut.detail], ['truncated', 'entries', 1, '35 byte(s) is not a whole number of 38-byte entries']);
  const entry: OnlineFriendEntry = { block: block as StatusBlock, unknown1: 1, ext: 2, comm: 3, unknown2: 4, end: 0 };
  const e = (k: keyof OnlineFriendEntry, v: number) => (r: { next: number; entries: OnlineFriendEntry[] }) => ({ ...r, entries: [{ ...entry, [k]: v }] });
  refuses(onlineFriendsReplyCodec, { next: 0xff, entries: [entry] }, [
    ['next', (r) => ({ ...r, next: 256 })], ['unknown1', e('unknown1', 0x10000)], ['ext', e('ext', 256)], ['comm', e('comm', 256)],
    ['unknown2', e('unknown2', 0x10000)], ['end', e('end', 256)],
  ]);
  assert.deepEqual(onlineFriendsReplyCodec.decode(hex('05')), { next: 5, entries: [] });
});
