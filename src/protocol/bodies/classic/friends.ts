import { codec } from '../../codec.js';
import { DecodeError, EncodeError, tryDecode } from '../../errors.js';
import { Reader } from '../../reader.js';
import { decodeGb, encodeGb, gbMaxLength } from '../../text.js';
import { Writer } from '../../writer.js';
import { entryCount, readWhole } from './common.js';

// 0x0026 friend list, 0x0058 friend groups, 0x005C levels (PROTOCOL.md §5).

/** "No more pages" in 0x0026 replies. */
export const FRIEND_LIST_END = 0xffff;

/** 0x0026 request: start position u16, then 1–3 bytes servers ignore (kept). */
export interface FriendListRequest {
  start: number;
  extra: Buffer;
}

/** One friend of a 0x0026 reply. */
export interface FriendEntry {
  uid: number;
  face: number;
  age: number;
  /** 0 male, 1 female, 0xFF unknown. */
  gender: number;
  nick: string;
  /** The u32 "flags": u16 unknown, ext flag u8, comm flag u8. */
  flagsUnknown: number;
  ext: number;
  comm: number;
  /** 4 more bytes per entry for QQ2007/QQ2008 clients (pidgin checks the entry length); absent for QQ2005. */
  tail?: Buffer;
}

/** Bytes QQ2007/QQ2008 friend-list and online-list entries carry after the QQ2005 layout. */
export const ENTRY_TAIL_2007 = 4;

/** 0x0026 reply: the next position (FRIEND_LIST_END = done) and the entries. */
export interface FriendListReply {
  next: number;
  entries: FriendEntry[];
}

/** 0x0026 c2s codec. */
export const friendListRequestCodec = codec<FriendListRequest>(
  'friendListRequest',
  (v) => new Writer(2 + v.extra.length).u16(v.start, 'start').bytes(v.extra).finish(),
  (body) => {
    const r = new Reader(body);
    return { start: r.u16('start'), extra: Buffer.from(r.rest()) };
  },
);

function writeFriendEntry(w: Writer, e: FriendEntry): void {
  w.u32(e.uid, 'uid').u16(e.face, 'face').u8(e.age, 'age').u8(e.gender, 'gender')
    .tok8(encodeGb(e.nick), 'nick')
    .u16(e.flagsUnknown, 'flagsUnknown').u8(e.ext, 'ext').u8(e.comm, 'comm');
  if (e.tail) w.fixed(e.tail, ENTRY_TAIL_2007, 'tail');
}

function readFriendEntry(r: Reader, withTail: boolean): FriendEntry {
  const e: FriendEntry = {
    uid: r.u32('uid'),
    face: r.u16('face'),
    age: r.u8('age'),
    gender: r.u8('gender'),
    nick: decodeGb(r.tok8('nick')),
    flagsUnknown: r.u16('flagsUnknown'),
    ext: r.u8('ext'),
    comm: r.u8('comm'),
  };
  if (withTail) e.tail = r.copy(ENTRY_TAIL_2007, 'tail');
  return e;
}

function readFriendEntries(body: Buffer, withTail: boolean): FriendListReply {
  const r = new Reader(body);
  const next = r.u16('next');
  const entries: FriendEntry[] = [];
  while (r.remaining > 0) entries.push(readFriendEntry(r, withTail));
  return { next, entries };
}

/** 0x0026 s2c codec. */
export const friendListReplyCodec = codec<FriendListReply>(
  'friendListReply',
  (v) => {
    const w = new Writer(v.entries.reduce((n, e) => n + 13 + ENTRY_TAIL_2007 + gbMaxLength(e.nick), 2)).u16(v.next, 'next');
    for (const e of v.entries) writeFriendEntry(w, e);
    return w.finish();
  },
  // The body does not say which entry layout it has: the QQ2005 one is taken when it reads whole with no uid 0
  // (a 2007 body read that way hits the zero tails servers send as uids), else the 2007 one.
  (body) => {
    const plain = tryDecode(() => readFriendEntries(body, false));
    return plain.ok && plain.value.entries.every((e) => e.uid !== 0) ? plain.value : readFriendEntries(body, true);
  },
);

/** 0x0058 request: `01 02`, u32 0, start uid (0 = from the beginning). */
export interface FriendGroupsRequest {
  op: number;
  sub: number;
  reserved: number;
  startUid: number;
}

/** Entry types of 0x0058 replies. */
export const GroupEntryType = { FRIEND: 0x01, QUN: 0x04 } as const;

/** One entry of a 0x0058 reply. On the wire the group byte is group index × 4. */
export interface FriendGroupEntry {
  uid: number;
  type: number;
  /** Group index (0 = "My Friends"). */
  group: number;
}

/** 0x0058 reply: `01`, result, u32 0, next start uid (0 = end), entries. */
export interface FriendGroupsReply {
  op: number;
  result: number;
  reserved: number;
  nextUid: number;
  entries: FriendGroupEntry[];
}

/** 0x0058 c2s codec. */
export const friendGroupsRequestCodec = codec<FriendGroupsRequest>(
  'friendGroupsRequest',
  (v) => new Writer(10).u8(v.op, 'op').u8(v.sub, 'sub').u32(v.reserved, 'reserved').u32(v.startUid, 'startUid').finish(),
  (body) => readWhole(body, (r) => ({ op: r.u8('op'), sub: r.u8('sub'), reserved: r.u32('reserved'), startUid: r.u32('startUid') })),
);

/** 0x0058 s2c codec. */
export const friendGroupsReplyCodec = codec<FriendGroupsReply>(
  'friendGroupsReply',
  (v) => {
    const w = new Writer(10 + 6 * v.entries.length)
      .u8(v.op, 'op').u8(v.result, 'result').u32(v.reserved, 'reserved').u32(v.nextUid, 'nextUid');
    for (const e of v.entries) {
      if (!Number.isInteger(e.group) || e.group < 0 || e.group > 63) throw new EncodeError('group', `${e.group} is not 0–63`);
      w.u32(e.uid, 'uid').u8(e.type, 'type').u8(e.group * 4, 'group');
    }
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const head = { op: r.u8('op'), result: r.u8('result'), reserved: r.u32('reserved'), nextUid: r.u32('nextUid') };
    const n = entryCount(r, 6, 'entries');
    const entries: FriendGroupEntry[] = [];
    for (let i = 0; i < n; i++) {
      const uid = r.u32('uid');
      const type = r.u8('type');
      const at = r.offset;
      const g = r.u8('group');
      if (g % 4 !== 0) throw new DecodeError('bad_value', `group byte 0x${g.toString(16)} is not index × 4`, 'group', at);
      entries.push({ uid, type, group: g / 4 });
    }
    return { ...head, entries };
  },
);

/** 0x005C sub-command of QQ2007/QQ2008 clients asking for one friend's level (`08`, uid, `00`). */
export const LEVEL_2007 = 0x08;

/**
 * 0x005C request: `00` (or `02`), then the uids whose levels are wanted; or LEVEL_2007, one uid and a byte
 * (`tail`).
 */
export interface LevelsRequest {
  sub: number;
  uids: number[];
  tail?: Buffer;
}

/** One entry of a 0x005C reply. */
export interface LevelEntry {
  uid: number;
  /** Online time (seconds). */
  activeTime: number;
  level: number;
  /** Days to the next level. */
  daysLeft: number;
}

/**
 * 0x005C reply: the sub-command, then one 12-byte entry per uid. For LEVEL_2007 one entry, then `extra`
 * (4 bytes and u16-length strings; the server sends 4 zero bytes and an empty string, u16 0, which ends the list).
 */
export interface LevelsReply {
  sub: number;
  entries: LevelEntry[];
  extra?: Buffer;
}

/** What the server puts after the entry of a LEVEL_2007 reply. */
export const LEVEL_2007_EXTRA = Buffer.alloc(6);

/** 0x005C c2s codec. */
export const levelsRequestCodec = codec<LevelsRequest>(
  'levelsRequest',
  (v) => {
    const w = new Writer(2 + 4 * v.uids.length).u8(v.sub, 'sub');
    for (const u of v.uids) w.u32(u, 'uid');
    if (v.tail) w.bytes(v.tail);
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    if (sub === LEVEL_2007) return { sub, uids: [r.u32('uid')], tail: Buffer.from(r.rest()) };
    const n = entryCount(r, 4, 'uids');
    const uids: number[] = [];
    for (let i = 0; i < n; i++) uids.push(r.u32('uid'));
    return { sub, uids };
  },
);

/** 0x005C s2c codec. */
export const levelsReplyCodec = codec<LevelsReply>(
  'levelsReply',
  (v) => {
    const w = new Writer(1 + 12 * v.entries.length + (v.extra?.length ?? 0)).u8(v.sub, 'sub');
    for (const e of v.entries) w.u32(e.uid, 'uid').u32(e.activeTime, 'activeTime').u16(e.level, 'level').u16(e.daysLeft, 'daysLeft');
    if (v.extra) w.bytes(v.extra);
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const sub = r.u8('sub');
    if (sub === LEVEL_2007 && r.remaining >= 12) {
      const e = { uid: r.u32('uid'), activeTime: r.u32('activeTime'), level: r.u16('level'), daysLeft: r.u16('daysLeft') };
      return { sub, entries: [e], extra: Buffer.from(r.rest()) };
    }
    const n = entryCount(r, 12, 'entries');
    const entries: LevelEntry[] = [];
    for (let i = 0; i < n; i++) {
      entries.push({ uid: r.u32('uid'), activeTime: r.u32('activeTime'), level: r.u16('level'), daysLeft: r.u16('daysLeft') });
    }
    return { sub, entries };
  },
);
