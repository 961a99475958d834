import { codec } from '../codec.js';
import { DecodeError } from '../errors.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import { readMsgBlock, writeMsgBlock, type MsgBlock } from './modern/message.js';

// The Qun (group chat) command — classic 0x0030 as pidgin 2.7.11 sends it, modern 0x0002 as MyQQ 3.30
// sends it: a sub-command byte, the Qun's internal id (except create and search), then the sub-command's
// data; the reply is the sub-command, a result byte and the data. Also the bodies that follow the
// 20-byte routing head of a Qun message push (classic 0x0017 type 0x002B, modern 0x0017 type 0x0052)
// and of the Qun notices. Every Qun layout of the project is in this file.

/** Qun sub-commands (classic 0x01–0x0C and 0x1A, the fragmented send; modern 0x0B, 0x0C, 0x0F, 0x2A, 0x72). */
export const QunSub = {
  CREATE: 0x01, MEMBER_OPT: 0x02, CHANGE_INFO: 0x03, GET_INFO: 0x04, ACTIVATE: 0x05, SEARCH: 0x06, JOIN: 0x07, AUTH: 0x08,
  QUIT: 0x09, SEND_IM: 0x0a, GET_ONLINES: 0x0b, GET_MEMBERS: 0x0c, GET_NAMES: 0x0f, CLASSIC_SEND_IM_EX: 0x1a, SEND_IM_EX: 0x2a,
  GET_INFO_EX: 0x72,
} as const;

/** Qun reply results: 00 ok; 0x02 not a member (pidgin's "not member" code); 0xFF refused. */
export const QunResult = { OK: 0x00, NOT_MEMBER: 0x02, NO_SUCH_QUN: 0x04, REFUSED: 0xff } as const;
/** JOIN reply codes. */
export const QunJoin = { OK: 0x01, NEEDS_AUTH: 0x02, DENIED: 0x03 } as const;
/** AUTH options: apply to join (with a note), approve or reject an applicant. */
export const QunAuthOpt = { APPLY: 0x01, APPROVE: 0x02, REJECT: 0x03 } as const;
/** Join policy of a Qun (pidgin's auth type): open, creator approves, nobody joins. */
export const QunAuthType = { OPEN: 0x01, NEEDS_AUTH: 0x02, CLOSED: 0x03 } as const;
/** Member roles (bit 0 = admin in pidgin's view; the creator is named by the info's creator field). */
export const QunRole = { MEMBER: 0x00, ADMIN: 0x01 } as const;
/** Permanent Qun (type8 byte). */
export const QUN_TYPE_PERMANENT = 0x01;
/** 0x0017 routing types of Qun pushes. */
export const QunPushType = {
  ADDED: 0x0021, REMOVED: 0x0022, APPLY: 0x0023, APPROVED: 0x0024, REJECTED: 0x0025, CLASSIC_IM: 0x002b, MODERN_IM: 0x0052,
} as const;

function hasQunId(sub: number): boolean {
  return sub !== QunSub.CREATE && sub !== QunSub.SEARCH;
}

/** A Qun request: sub-command, the Qun's internal id (0 for create and search, absent on the wire) and the data. */
export interface QunRequest {
  sub: number;
  qun: number;
  data: Buffer;
}

/** A Qun reply: sub-command, result, data. */
export interface QunReply {
  sub: number;
  result: number;
  data: Buffer;
}

/** 0x0030 / 0x0002 c2s codec. */
export const qunRequestCodec = codec<QunRequest>(
  'qunRequest',
  (v) => {
    const w = new Writer(5 + v.data.length).u8(v.sub, 'sub');
    if (hasQunId(v.sub)) w.u32(v.qun, 'qun');
    return w.bytes(v.data).finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    const qun = hasQunId(sub) ? r.u32('qun') : 0;
    return { sub, qun, data: Buffer.from(r.rest()) };
  },
);

/** 0x0030 / 0x0002 s2c codec. */
export const qunReplyCodec = codec<QunReply>(
  'qunReply',
  (v) => new Writer(2 + v.data.length).u8(v.sub, 'sub').u8(v.result, 'result').bytes(v.data).finish(),
  (body) => {
    const r = new Reader(body);
    return { sub: r.u8('sub'), result: r.u8('result'), data: Buffer.from(r.rest()) };
  },
);

/** Reads `data` whole with `read`; DecodeError (never anything else) on a bad layout. */
export function readQunData<T>(data: Buffer, read: (r: Reader) => T): T {
  const r = new Reader(data);
  const v = read(r);
  r.end();
  return v;
}

function uids(r: Reader, field: string): number[] {
  if (r.remaining % 4 !== 0) throw new DecodeError('truncated', `${r.remaining} byte(s) is not a list of u32`, field, r.offset);
  const out: number[] = [];
  while (r.remaining) out.push(r.u32(field));
  return out;
}

// ---------------------------------------------------------------- request data

/** CREATE data: type, auth type, u16 0, u16 category, tok8 name, u16 0, tok8 notice, tok8 intro, member uids. */
export interface QunCreate {
  type: number;
  authType: number;
  category: number;
  name: Buffer;
  notice: Buffer;
  intro: Buffer;
  members: number[];
}

/** Reads CREATE data. */
export function readQunCreate(data: Buffer): QunCreate {
  return readQunData(data, (r) => {
    const type = r.u8('type');
    const authType = r.u8('authType');
    r.u16('zero');
    const category = r.u16('category');
    const name = r.tok8('name');
    r.u16('zero');
    return { type, authType, category, name, notice: r.tok8('notice'), intro: r.tok8('intro'), members: uids(r, 'members') };
  });
}

/** Writes CREATE data. */
export function writeQunCreate(v: QunCreate): Buffer {
  const w = new Writer(16 + v.name.length).u8(v.type, 'type').u8(v.authType, 'authType').u16(0).u16(v.category, 'category');
  w.tok8(v.name, 'name').u16(0).tok8(v.notice, 'notice').tok8(v.intro, 'intro');
  for (const m of v.members) w.u32(m, 'members');
  return w.finish();
}

/** CHANGE_INFO data: 01, auth type, u16 0, u16 category, tok8 name, u16 0, tok8 notice, tok8 intro. */
export interface QunChangeInfo {
  authType: number;
  category: number;
  name: Buffer;
  notice: Buffer;
  intro: Buffer;
}

/** Reads CHANGE_INFO data. */
export function readQunChangeInfo(data: Buffer): QunChangeInfo {
  return readQunData(data, (r) => {
    r.u8('flag');
    const authType = r.u8('authType');
    r.u16('zero');
    const category = r.u16('category');
    const name = r.tok8('name');
    r.u16('zero');
    return { authType, category, name, notice: r.tok8('notice'), intro: r.tok8('intro') };
  });
}

/** Writes CHANGE_INFO data. */
export function writeQunChangeInfo(v: QunChangeInfo): Buffer {
  return new Writer(16).u8(1).u8(v.authType, 'authType').u16(0).u16(v.category, 'category').tok8(v.name, 'name').u16(0)
    .tok8(v.notice, 'notice').tok8(v.intro, 'intro').finish();
}

/** SEARCH data: type (01 by number), the Qun's external number. */
export interface QunSearch {
  type: number;
  ext: number;
}

/** Reads SEARCH data. */
export function readQunSearch(data: Buffer): QunSearch {
  return readQunData(data, (r) => ({ type: r.u8('type'), ext: r.u32('ext') }));
}

/** Writes SEARCH data. */
export function writeQunSearch(v: QunSearch): Buffer {
  return new Writer(5).u8(v.type, 'type').u32(v.ext, 'ext').finish();
}

/** AUTH data: option, uid (0 when applying), tok8 note or reason. */
export interface QunAuth {
  opt: number;
  uid: number;
  note: Buffer;
}

/** Reads AUTH data. */
export function readQunAuth(data: Buffer): QunAuth {
  return readQunData(data, (r) => ({ opt: r.u8('opt'), uid: r.u32('uid'), note: r.tok8('note') }));
}

/** Writes AUTH data. */
export function writeQunAuth(v: QunAuth): Buffer {
  return new Writer(6 + v.note.length).u8(v.opt, 'opt').u32(v.uid, 'uid').tok8(v.note, 'note').finish();
}

/** Classic SEND_IM data: u16 length, then the GB18030 text and the font trailer. */
export function readQunSendIm(data: Buffer): Buffer {
  return readQunData(data, (r) => {
    const n = r.u16('length');
    return r.copy(n, 'text');
  });
}

/** Writes classic SEND_IM data (text already joined to its font trailer). */
export function writeQunSendIm(textAndTrailer: Buffer): Buffer {
  return new Writer(2 + textAndTrailer.length).tok16(textAndTrailer, 'text').finish();
}

/** Modern SEND_IM_EX data: u16 length, then content type, fragment count/index, message id, u32 0 and a MSG block. */
export interface QunSendImEx {
  contentType: number;
  fragCount: number;
  fragIndex: number;
  msgId: number;
  block: MsgBlock;
}

/** The head both SEND_IM_EX layouts share: u16 length of the rest, content type, fragment count/index, message id, u32 0. */
function readSendImExHead(r: Reader): Omit<QunSendImEx, 'block'> {
  const n = r.u16('length');
  if (n !== r.remaining) throw new DecodeError('bad_value', `length ${n}, ${r.remaining} byte(s) follow`, 'length', 0);
  const head = { contentType: r.u16('contentType'), fragCount: r.u8('fragCount'), fragIndex: r.u8('fragIndex'), msgId: r.u16('msgId') };
  r.u32('zero');
  return head;
}

/** Reads modern SEND_IM_EX data. */
export function readQunSendImEx(data: Buffer): QunSendImEx {
  return readQunData(data, (r) => ({ ...readSendImExHead(r), block: readMsgBlock(r) }));
}

/** Classic SEND_IM_EX data (sub 0x1A, the classic framing's fragmented send; LumaQQ's and pidgin's number): the same head, then GB18030 text and, on the last fragment, the font trailer. */
export interface ClassicQunSendImEx extends Omit<QunSendImEx, 'block'> {
  content: Buffer;
}

/** Reads classic SEND_IM_EX data. */
export function readClassicQunSendImEx(data: Buffer): ClassicQunSendImEx {
  return readQunData(data, (r) => ({ ...readSendImExHead(r), content: Buffer.from(r.rest()) }));
}

/** Writes classic SEND_IM_EX data. */
export function writeClassicQunSendImEx(v: ClassicQunSendImEx): Buffer {
  const n = 10 + v.content.length;
  return new Writer(2 + n).u16(n, 'length').u16(v.contentType, 'contentType').u8(v.fragCount, 'fragCount').u8(v.fragIndex, 'fragIndex')
    .u16(v.msgId, 'msgId').u32(0).bytes(v.content).finish();
}

/** Writes modern SEND_IM_EX data. */
export function writeQunSendImEx(v: QunSendImEx): Buffer {
  const inner = new Writer(64).u16(v.contentType, 'contentType').u8(v.fragCount, 'fragCount').u8(v.fragIndex, 'fragIndex').u16(v.msgId, 'msgId').u32(0);
  writeMsgBlock(inner, v.block);
  const body = inner.finish();
  return new Writer(2 + body.length).tok16(body, 'content').finish();
}

/** GET_MEMBERS data: the uids asked about. */
export function readUidList(data: Buffer): number[] {
  return readQunData(data, (r) => uids(r, 'uids'));
}

/** Writes a list of uids (GET_MEMBERS request data). */
export function writeUidList(list: readonly number[]): Buffer {
  const w = new Writer(4 * list.length);
  for (const u of list) w.u32(u, 'uids');
  return w.finish();
}

// ---------------------------------------------------------------- reply data

/** CREATE reply data: internal id, external number. */
export function writeQunCreated(id: number, ext: number): Buffer {
  return new Writer(8).u32(id, 'id').u32(ext, 'ext').finish();
}

/** Reads CREATE reply data. */
export function readQunCreated(data: Buffer): { id: number; ext: number } {
  return readQunData(data, (r) => ({ id: r.u32('id'), ext: r.u32('ext') }));
}

/** The id alone (reply data of ACTIVATE, AUTH, QUIT, SEND_IM, CHANGE_INFO, MEMBER_OPT). */
export function writeQunId(id: number): Buffer {
  return new Writer(4).u32(id, 'id').finish();
}

/** Reads reply data that is the id alone (extra bytes are ignored, as clients do). */
export function readQunId(data: Buffer): number {
  return new Reader(data).u32('id');
}

/** A Qun member with its role, as info replies list them. */
export interface QunMemberEntry {
  uid: number;
  org: number;
  role: number;
}

/** What GET_INFO and SEARCH answer about a Qun. Texts in the framing's charset. */
export interface QunInfo {
  id: number;
  ext: number;
  type: number;
  creator: number;
  authType: number;
  category: number;
  maxMembers: number;
  name: Buffer;
  notice: Buffer;
  intro: Buffer;
  members: QunMemberEntry[];
}

/** Which classic GET_INFO layout a client reads: QQ2007/QQ2008 clients expect 7 more bytes before the name. */
export type QunInfoDialect = 'qq2005' | 'qq2007';
/** The 7 bytes of the QQ2007 layout (pidgin 2.7.11 skips them in its qq2007/qq2008 modes; their meaning is unknown). */
const INFO_2007_EXTRA = Buffer.from('000001000000fc', 'hex');

/** Classic GET_INFO reply data (pidgin's qq2005 layout, or its qq2007/qq2008 one). */
export function writeQunInfo(v: QunInfo, dialect: QunInfoDialect = 'qq2005'): Buffer {
  const w = new Writer(64 + 6 * v.members.length).u32(v.id, 'id').u32(v.ext, 'ext').u8(v.type, 'type').u32(0).u32(v.creator, 'creator')
    .u8(v.authType, 'authType').u32(0).u16(0).u32(v.category, 'category').u16(v.maxMembers, 'maxMembers').u8(0).u8(0)
    .bytes(dialect === 'qq2007' ? INFO_2007_EXTRA : Buffer.alloc(0))
    .tok8(v.name, 'name').u16(0).tok8(v.notice, 'notice').tok8(v.intro, 'intro');
  for (const m of v.members) w.u32(m.uid, 'uid').u8(m.org, 'org').u8(m.role, 'role');
  return w.finish();
}

/** Reads classic GET_INFO reply data in a dialect's layout. */
export function readQunInfo(data: Buffer, dialect: QunInfoDialect = 'qq2005'): QunInfo {
  return readQunData(data, (r) => {
    const id = r.u32('id');
    const ext = r.u32('ext');
    const type = r.u8('type');
    r.u32('unknown');
    const creator = r.u32('creator');
    const authType = r.u8('authType');
    r.u32('oldCategory');
    r.u16('unknown');
    const category = r.u32('category');
    const maxMembers = r.u16('maxMembers');
    r.u8('unknown');
    r.u8('unknown');
    if (dialect === 'qq2007') r.skip(INFO_2007_EXTRA.length, 'qq2007 extra');
    const name = r.tok8('name');
    r.u16('unknown');
    const notice = r.tok8('notice');
    const intro = r.tok8('intro');
    const members: QunMemberEntry[] = [];
    while (r.remaining) members.push({ uid: r.u32('uid'), org: r.u8('org'), role: r.u8('role') });
    return { id, ext, type, creator, authType, category, maxMembers, name, notice, intro, members };
  });
}

/** The u16 that MyQQ 3.30 and pidgin-libqq skip between the token and the last uid (0x0005 in MyQQ's notes). */
const INFO_EX_TAIL = 0x0005;

/** Modern GET_INFO_EX reply data (MyQQ's layout: id, ext, status 3 with the details, then one page of members). */
export function writeQunInfoEx(v: QunInfo, lastUid: number, more: boolean): Buffer {
  const w = new Writer(66 + 6 * v.members.length).u32(v.id, 'id').u32(v.ext, 'ext').u16(0).u8(0).u8(3).u8(v.type, 'type').u32(0)
    .u32(v.creator, 'creator').u8(v.authType, 'authType').zeros(6).u32(v.category, 'category').u16(v.maxMembers, 'maxMembers').zeros(9)
    .tok8(v.name, 'name').u8(0).u8(0).tok8(v.notice, 'notice').tok8(v.intro, 'intro').u16(0).u16(INFO_EX_TAIL).u32(lastUid, 'lastUid').u8(more ? 1 : 0);
  for (const m of v.members) w.u32(m.uid, 'uid').u8(m.org, 'org').u8(m.role, 'role');
  return w.finish();
}

/** Reads modern GET_INFO_EX reply data. */
export function readQunInfoEx(data: Buffer): { info: QunInfo; lastUid: number; more: boolean } {
  return readQunData(data, (r) => {
    const id = r.u32('id');
    const ext = r.u32('ext');
    r.u16('zero');
    r.u8('zero');
    r.expectU8(3, 'status');
    const type = r.u8('type');
    r.u32('unknown');
    const creator = r.u32('creator');
    const authType = r.u8('authType');
    r.skip(6);
    const category = r.u32('category');
    const maxMembers = r.u16('maxMembers');
    r.skip(9);
    const name = r.tok8('name');
    r.u8('zero');
    r.u8('separator');
    const notice = r.tok8('notice');
    const intro = r.tok8('intro');
    r.tok16('token');
    r.u16('tail');
    const lastUid = r.u32('lastUid');
    const more = r.u8('more') !== 0;
    const members: QunMemberEntry[] = [];
    while (r.remaining) members.push({ uid: r.u32('uid'), org: r.u8('org'), role: r.u8('role') });
    return { info: { id, ext, type, creator, authType, category, maxMembers, name, notice, intro, members }, lastUid, more };
  });
}

/** Classic SEARCH reply data (one Qun found by its number). */
export function writeQunFound(searchType: number, v: QunInfo): Buffer {
  return new Writer(48).u8(searchType, 'searchType').u32(v.id, 'id').u32(v.ext, 'ext').u8(v.type, 'type').u16(0).u16(0)
    .u32(v.creator, 'creator').u16(0).u16(0).u16(0).u32(v.category, 'category').tok8(v.name, 'name').u16(0)
    .u8(v.authType, 'authType').tok8(v.intro, 'intro').finish();
}

/** Reads classic SEARCH reply data. */
export function readQunFound(data: Buffer): { id: number; ext: number; creator: number; authType: number; name: Buffer; intro: Buffer } {
  return readQunData(data, (r) => {
    r.u8('searchType');
    const id = r.u32('id');
    const ext = r.u32('ext');
    r.u8('type');
    r.skip(4);
    const creator = r.u32('creator');
    r.skip(6);
    r.u32('category');
    const name = r.tok8('name');
    r.u16('unknown');
    const authType = r.u8('authType');
    return { id, ext, creator, authType, name, intro: r.tok8('intro') };
  });
}

/** JOIN reply data: id, join code. */
export function writeQunJoined(id: number, code: number): Buffer {
  return new Writer(5).u32(id, 'id').u8(code, 'code').finish();
}

/** Reads JOIN reply data. */
export function readQunJoined(data: Buffer): { id: number; code: number } {
  return readQunData(data, (r) => ({ id: r.u32('id'), code: r.u8('code') }));
}

/** GET_ONLINES reply data: id, a byte (0x3C in the wild), online member uids. */
export function writeQunOnlines(id: number, online: readonly number[]): Buffer {
  const w = new Writer(5 + 4 * online.length).u32(id, 'id').u8(0x3c);
  for (const u of online) w.u32(u, 'uids');
  return w.finish();
}

/** Reads GET_ONLINES reply data. */
export function readQunOnlines(data: Buffer): { id: number; online: number[] } {
  return readQunData(data, (r) => {
    const id = r.u32('id');
    r.u8('unknown');
    return { id, online: uids(r, 'uids') };
  });
}

/** One member's card in GET_MEMBERS replies (nick in GB18030 in both framings). */
export interface QunMemberCard {
  uid: number;
  face: number;
  age: number;
  gender: number;
  nick: Buffer;
}

/** GET_MEMBERS reply data: id, then per member uid, face, age, gender, tok8 nick, u16 0, ext flag, comm flag. */
export function writeQunMembers(id: number, cards: readonly QunMemberCard[]): Buffer {
  const w = new Writer(4 + 16 * cards.length).u32(id, 'id');
  for (const c of cards) w.u32(c.uid, 'uid').u16(c.face, 'face').u8(c.age, 'age').u8(c.gender, 'gender').tok8(c.nick, 'nick').u16(0).u8(0).u8(0);
  return w.finish();
}

/** Reads GET_MEMBERS reply data. */
export function readQunMembers(data: Buffer): { id: number; cards: QunMemberCard[] } {
  return readQunData(data, (r) => {
    const id = r.u32('id');
    const cards: QunMemberCard[] = [];
    while (r.remaining) {
      const c = { uid: r.u32('uid'), face: r.u16('face'), age: r.u8('age'), gender: r.u8('gender'), nick: r.tok8('nick') };
      r.skip(4);
      cards.push(c);
    }
    return { id, cards };
  });
}

/** Modern GET_NAMES reply data: id, position u32, u32 0, then uid + tok8 name per member. */
export function writeQunNames(id: number, names: readonly { uid: number; name: Buffer }[]): Buffer {
  const w = new Writer(12 + 12 * names.length).u32(id, 'id').u32(0).u32(0);
  for (const n of names) w.u32(n.uid, 'uid').tok8(n.name, 'name');
  return w.finish();
}

// ---------------------------------------------------------------- pushes (after the 20-byte routing head)

/** A Qun message as the classic 0x0017 type 0x002B push carries it (text GB18030 + font trailer bytes). */
export interface ClassicQunIm {
  ext: number;
  type: number;
  sender: number;
  msgSeq: number;
  time: number;
  contentType: number;
  fragCount: number;
  fragIndex: number;
  msgId: number;
  /** The text's GB18030 bytes followed by the font trailer (on the last fragment). */
  content: Buffer;
}

/** Writes the body of a classic Qun message push. */
export function writeClassicQunIm(v: ClassicQunIm): Buffer {
  return new Writer(40 + v.content.length).u32(v.ext, 'ext').u8(v.type, 'type').u32(v.sender, 'sender').u16(1).u16(v.msgSeq, 'msgSeq')
    .u32(v.time, 'time').u32(0).u16(10 + v.content.length, 'length').u16(v.contentType, 'contentType').u8(v.fragCount, 'fragCount')
    .u8(v.fragIndex, 'fragIndex').u16(v.msgId, 'msgId').u32(0).bytes(v.content).finish();
}

/** Reads the body of a classic Qun message push. */
export function readClassicQunIm(data: Buffer): ClassicQunIm {
  return readQunData(data, (r) => {
    const ext = r.u32('ext');
    const type = r.u8('type');
    const sender = r.u32('sender');
    r.u16('unknown');
    const msgSeq = r.u16('msgSeq');
    const time = r.u32('time');
    r.u32('version');
    const n = r.u16('length');
    if (n !== r.remaining) throw new DecodeError('bad_value', `length ${n}, ${r.remaining} byte(s) follow`, 'length', r.offset - 2);
    const contentType = r.u16('contentType');
    const fragCount = r.u8('fragCount');
    const fragIndex = r.u8('fragIndex');
    const msgId = r.u16('msgId');
    r.u32('zero');
    return { ext, type, sender, msgSeq, time, contentType, fragCount, fragIndex, msgId, content: Buffer.from(r.rest()) };
  });
}

/** A Qun message as the modern 0x0017 type 0x0052 push carries it (what MyQQ reads). */
export interface ModernQunIm {
  ext: number;
  type: number;
  sender: number;
  msgId: number;
  time: number;
  contentType: number;
  fragCount: number;
  fragIndex: number;
  block: MsgBlock;
}

/** Writes the body of a modern Qun message push. */
export function writeModernQunIm(v: ModernQunIm): Buffer {
  const inner = new Writer(64).u16(v.contentType, 'contentType').u8(v.fragCount, 'fragCount').u8(v.fragIndex, 'fragIndex').u16(v.msgId, 'msgId').u32(0);
  writeMsgBlock(inner, v.block);
  const content = inner.finish();
  // MyQQ skips 16 bytes after the time: version u32, length u16 and the content's first 10 bytes.
  return new Writer(30 + content.length).u32(0).u32(v.ext, 'ext').u8(v.type, 'type').u32(v.sender, 'sender').u16(0).u16(v.msgId, 'msgId')
    .u32(v.time, 'time').u32(0).u16(content.length, 'length').bytes(content).finish();
}

/** Reads the body of a modern Qun message push. */
export function readModernQunIm(data: Buffer): ModernQunIm {
  return readQunData(data, (r) => {
    r.u32('zero');
    const ext = r.u32('ext');
    const type = r.u8('type');
    const sender = r.u32('sender');
    r.u16('zero');
    const msgId = r.u16('msgId');
    const time = r.u32('time');
    r.u32('version');
    const n = r.u16('length');
    if (n !== r.remaining) throw new DecodeError('bad_value', `length ${n}, ${r.remaining} byte(s) follow`, 'length', r.offset - 2);
    const contentType = r.u16('contentType');
    const fragCount = r.u8('fragCount');
    const fragIndex = r.u8('fragIndex');
    r.u16('msgId');
    r.u32('zero');
    return { ext, type, sender, msgId, time, contentType, fragCount, fragIndex, block: readMsgBlock(r) };
  });
}

/** A Qun notice (pushed with types ADDED … REJECTED): ext, type, the member (or admin) uid, a note for APPLY/APPROVED/REJECTED. */
export interface QunNotice {
  ext: number;
  type: number;
  uid: number;
  note?: Buffer;
}

/** Writes a Qun notice body. */
export function writeQunNotice(v: QunNotice): Buffer {
  const w = new Writer(10 + (v.note?.length ?? 0)).u32(v.ext, 'ext').u8(v.type, 'type').u32(v.uid, 'uid');
  if (v.note) w.tok8(v.note, 'note');
  return w.finish();
}

/** Reads a Qun notice body. */
export function readQunNotice(data: Buffer): QunNotice {
  return readQunData(data, (r) => {
    const v: QunNotice = { ext: r.u32('ext'), type: r.u8('type'), uid: r.u32('uid') };
    if (r.remaining) v.note = r.tok8('note');
    return v;
  });
}
