import { codec, type BodyCodec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Reader } from '../../reader.js';
import type { Writer } from '../../writer.js';
import { readStatusBlock, writeStatusBlock, type StatusBlock } from '../status-block.js';
import { readWhole, encodeWith, firstLayout, rawOr, readText8, type LoginDialect } from './common.js';

// The lists MQ loads after login (PROTOCOL-MODERN.md §4.6, §4.9–4.13): group labels, friends, signatures,
// accounts, aliases and online friends.

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

// ---------------------------------------------------------------- 0x0001 group labels

/** 0x0001 request: `1F · 01 · u32 start`. */
export interface GroupLabelsRequest {
  start: number;
}

/** Codec of the 0x0001 request. */
export const groupLabelsRequest: BodyCodec<GroupLabelsRequest> = codec<GroupLabelsRequest>(
  'groupLabelsRequest',
  (v) => encodeWith((w) => w.u8(0x1f).u8(0x01).u32(v.start, 'start')),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x1f, 'sub');
      r.expectU8(0x01, 'head');
      return { start: r.u32('start') };
    }),
);

/** One friend group label. */
export interface GroupLabel {
  /** Group id, never 0 (group 0 is the unnamed "My Friends"). */
  id: number;
  order: number;
  name: string;
}

/** 0x0001 reply: `1F · u32 next · u8 · u16 · labels (id, order, u8 length + UTF-8 name) to the end`. */
export interface GroupLabelsReply {
  /** 0 when done; 0x01000000 = "no labels". */
  next: number;
  unknown1: number;
  unknown2: number;
  labels: GroupLabel[];
}

/** `next` value meaning "there are no labels". */
export const NO_GROUP_LABELS = 0x01000000;

/** Codec of the 0x0001 reply. */
export const groupLabelsReply: BodyCodec<GroupLabelsReply> = codec<GroupLabelsReply>(
  'groupLabelsReply',
  (v) =>
    encodeWith((w) => {
      w.u8(0x1f).u32(v.next, 'next').u8(v.unknown1, 'unknown1').u16(v.unknown2, 'unknown2');
      v.labels.forEach((l, i) => {
        if (l.id === 0) throw new EncodeError(`labels[${i}].id`, 'group 0 has no label');
        w.u8(l.id, `labels[${i}].id`).u8(l.order, `labels[${i}].order`).tok8(utf8(l.name), `labels[${i}].name`);
      });
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x1f, 'sub');
      const v: GroupLabelsReply = { next: r.u32('next'), unknown1: r.u8('unknown1'), unknown2: r.u16('unknown2'), labels: [] };
      while (r.remaining > 0) {
        const at = r.offset;
        const id = r.u8(`labels[${v.labels.length}].id`);
        if (id === 0) throw new DecodeError('bad_value', 'group id 0', `labels[${v.labels.length}].id`, at);
        v.labels.push({ id, order: r.u8(`labels[${v.labels.length}].order`), name: readText8(r, `labels[${v.labels.length}].name`) });
      }
      return v;
    }),
);

// ---------------------------------------------------------------- 0x0126 friend list

/** 0x0126 request: `01 · u32 0 · u32 0 · 02 · u16 start · u16 0` (14 B). */
export interface FriendListRequest {
  start: number;
}

/** Codec of the 0x0126 request. */
export const friendListRequest: BodyCodec<FriendListRequest> = codec<FriendListRequest>(
  'friendListRequest',
  (v) => encodeWith((w) => w.u8(0x01).u32(0).u32(0).u8(0x02).u16(v.start, 'start').u16(0)),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x01, 'sub');
      r.expectU32(0, 'reserved');
      r.expectU32(0, 'reserved2');
      r.expectU8(0x02, 'head');
      const start = r.u16('start');
      r.expectU16(0, 'reserved3');
      return { start };
    }),
);

/** Sex values of the friend list. */
export const Sex = { MALE: 0, FEMALE: 1 } as const;

/** One friend: uid, face, age, sex, nick, then 32 bytes MQ skips (27 in the qq2009 dialect). */
export interface FriendEntry {
  uid: number;
  face: number;
  age: number;
  sex: number;
  nick: string;
  /** 32 bytes, 27 in qq2009 (zero from the stand-in). */
  extra?: Buffer;
}

/** `next` value of the last page. */
export const FRIEND_LIST_LAST = 0xffff;

const FL_HEAD = Buffer.from('01000000000000000002', 'hex');
const ZERO5 = Buffer.alloc(5);
/** Bytes after each nickname, by dialect: MyQQ 3.30 skips 32, MyQQ 3.19 27. */
const ENTRY_TAIL: Readonly<Record<LoginDialect, Buffer>> = { qq2011: Buffer.alloc(32), qq2009: Buffer.alloc(27), libqq: Buffer.alloc(32) };

/** 0x0126 reply: `head 10 · u16 next (FFFF = last) · 5 bytes · entries · 5 trailing bytes`. */
export interface FriendListReply {
  /** Absent: qq2011 (the length of each entry's tail). */
  dialect?: LoginDialect;
  /** 10 bytes MQ skips (`01`, 8 zero, `02` from the stand-in). */
  head?: Buffer;
  next: number;
  /** 5 bytes MQ skips. */
  gap?: Buffer;
  friends: FriendEntry[];
  /** 5 trailing bytes MQ skips. */
  trailer?: Buffer;
}

function writeFriend(w: Writer, f: FriendEntry, i: number, tail: Buffer): void {
  const p = `friends[${i}]`;
  w.u32(f.uid, `${p}.uid`).u16(f.face, `${p}.face`).u8(f.age, `${p}.age`).u8(f.sex, `${p}.sex`).tok8(utf8(f.nick), `${p}.nick`);
  w.bytes(rawOr(f.extra, tail, `${p}.extra`));
}

/** Decodes a 0x0126 reply whose entries end in `tail` bytes. */
function readFriendList(body: Buffer, dialect: LoginDialect): FriendListReply {
  const tail = ENTRY_TAIL[dialect].length;
  return readWhole(body, (r) => {
    const head = r.copy(10, 'head');
    const next = r.u16('next');
    const gap = r.copy(5, 'gap');
    if (r.remaining < 5) throw new DecodeError('truncated', 'no room for the 5 trailing bytes', 'trailer', r.offset);
    const entries = new Reader(r.bytes(r.remaining - 5, 'friends'));
    const base = r.offset - entries.buf.length;
    const friends: FriendEntry[] = [];
    try {
      while (entries.remaining > 0) {
        const p = `friends[${friends.length}]`;
        friends.push({ uid: entries.u32(`${p}.uid`), face: entries.u16(`${p}.face`), age: entries.u8(`${p}.age`), sex: entries.u8(`${p}.sex`), nick: readText8(entries, `${p}.nick`), extra: entries.copy(tail, `${p}.extra`) });
      }
    } catch (e) {
      if (e instanceof DecodeError) throw new DecodeError(e.reason, e.detail, e.field, e.offset === undefined ? undefined : e.offset + base);
      throw e;
    }
    const reply = { head, next, gap, friends, trailer: r.copy(5, 'trailer') };
    return dialect === 'qq2009' ? { dialect, ...reply } : reply;
  });
}

/** Codec of the 0x0126 reply (a page with entries decodes as qq2011 when it can, else as qq2009). */
export const friendListReply: BodyCodec<FriendListReply> = codec<FriendListReply>(
  'friendListReply',
  (v) =>
    encodeWith((w) => {
      w.bytes(rawOr(v.head, FL_HEAD, 'head')).u16(v.next, 'next').bytes(rawOr(v.gap, ZERO5, 'gap'));
      v.friends.forEach((f, i) => writeFriend(w, f, i, ENTRY_TAIL[v.dialect ?? 'qq2011']));
      w.bytes(rawOr(v.trailer, ZERO5, 'trailer'));
    }),
  (body) => firstLayout(body, [(b) => readFriendList(b, 'qq2011'), (b) => readFriendList(b, 'qq2009')]),
);

/** One page of a friend list starting at index `start` (at most `max` entries); `next` is FFFF on the last page. */
export function friendListPage(all: readonly FriendEntry[], start: number, max = 50, dialect: LoginDialect = 'qq2011'): FriendListReply {
  const friends = all.slice(start, start + max);
  const end = start + friends.length;
  const page = { next: end >= all.length ? FRIEND_LIST_LAST : end, friends };
  return dialect === 'qq2009' ? { dialect, ...page } : page;
}

// ---------------------------------------------------------------- 0x0067 signatures

/** One uid asked about in 0x0067 (with the time of the signature the client has, 0 if none). */
export interface SignatureQuery {
  uid: number;
  time: number;
}

/** 0x0067 request: `83 · 00 · count u8 · (uid u32, u32)×count`. */
export interface SignaturesRequest {
  queries: SignatureQuery[];
}

/** Codec of the 0x0067 request. */
export const signaturesRequest: BodyCodec<SignaturesRequest> = codec<SignaturesRequest>(
  'signaturesRequest',
  (v) =>
    encodeWith((w) => {
      w.u8(0x83).u8(0).u8(v.queries.length, 'count');
      v.queries.forEach((q, i) => w.u32(q.uid, `queries[${i}].uid`).u32(q.time, `queries[${i}].time`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x83, 'sub');
      r.expectU8(0, 'reserved');
      const n = r.u8('count');
      const queries: SignatureQuery[] = [];
      for (let i = 0; i < n; i++) queries.push({ uid: r.u32(`queries[${i}].uid`), time: r.u32(`queries[${i}].time`) });
      return { queries };
    }),
);

/** One signature. */
export interface Signature {
  uid: number;
  time: number;
  text: string;
}

/** 0x0067 reply: `83 · result · u32 next (0 or FFFFFFFF = done) · (uid, time, u8 length + text)…`. */
export interface SignaturesReply {
  result: number;
  next: number;
  signatures: Signature[];
}

/** Codec of the 0x0067 reply. */
export const signaturesReply: BodyCodec<SignaturesReply> = codec<SignaturesReply>(
  'signaturesReply',
  (v) =>
    encodeWith((w) => {
      w.u8(0x83).u8(v.result, 'result').u32(v.next, 'next');
      v.signatures.forEach((s, i) => w.u32(s.uid, `signatures[${i}].uid`).u32(s.time, `signatures[${i}].time`).tok8(utf8(s.text), `signatures[${i}].text`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x83, 'sub');
      const v: SignaturesReply = { result: r.u8('result'), next: r.u32('next'), signatures: [] };
      while (r.remaining > 0) {
        const p = `signatures[${v.signatures.length}]`;
        v.signatures.push({ uid: r.u32(`${p}.uid`), time: r.u32(`${p}.time`), text: readText8(r, `${p}.text`) });
      }
      return v;
    }),
);

// ---------------------------------------------------------------- 0x00B5 accounts

/** 0x00B5 request: `01 · own uid · count u8 · uids`. */
export interface AccountsRequest {
  uid: number;
  uids: number[];
}

/** Codec of the 0x00B5 request. */
export const accountsRequest: BodyCodec<AccountsRequest> = codec<AccountsRequest>(
  'accountsRequest',
  (v) =>
    encodeWith((w) => {
      w.u8(0x01).u32(v.uid, 'uid').u8(v.uids.length, 'count');
      v.uids.forEach((u, i) => w.u32(u, `uids[${i}]`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x01, 'sub');
      const uid = r.u32('uid');
      const n = r.u8('count');
      const uids: number[] = [];
      for (let i = 0; i < n; i++) uids.push(r.u32(`uids[${i}]`));
      return { uid, uids };
    }),
);

/** One account entry: uid, flag, and (flag > 0) the account name. */
export interface AccountEntry {
  uid: number;
  flag: number;
  /** Present exactly when flag > 0. */
  account?: string;
}

/** 0x00B5 reply: `01 · own uid · u16 result (0001) · u32 next (0 = done) · u16 count · entries`. */
export interface AccountsReply {
  uid: number;
  result: number;
  next: number;
  accounts: AccountEntry[];
}

/** Codec of the 0x00B5 reply. */
export const accountsReply: BodyCodec<AccountsReply> = codec<AccountsReply>(
  'accountsReply',
  (v) =>
    encodeWith((w) => {
      w.u8(0x01).u32(v.uid, 'uid').u16(v.result, 'result').u32(v.next, 'next').u16(v.accounts.length, 'count');
      v.accounts.forEach((a, i) => {
        w.u32(a.uid, `accounts[${i}].uid`).u32(a.flag, `accounts[${i}].flag`);
        if ((a.flag > 0) !== (a.account !== undefined)) throw new EncodeError(`accounts[${i}].account`, 'present exactly when flag > 0');
        if (a.account !== undefined) w.tok8(utf8(a.account), `accounts[${i}].account`);
      });
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x01, 'sub');
      const v: AccountsReply = { uid: r.u32('uid'), result: r.u16('result'), next: r.u32('next'), accounts: [] };
      const n = r.u16('count');
      for (let i = 0; i < n; i++) {
        const uid = r.u32(`accounts[${i}].uid`);
        const flag = r.u32(`accounts[${i}].flag`);
        v.accounts.push(flag > 0 ? { uid, flag, account: readText8(r, `accounts[${i}].account`) } : { uid, flag });
      }
      return v;
    }),
);

// ---------------------------------------------------------------- 0x003E aliases

/** 0x003E request: `68 · start index u8`. */
export interface AliasesRequest {
  start: number;
}

/** Codec of the 0x003E request. */
export const aliasesRequest: BodyCodec<AliasesRequest> = codec<AliasesRequest>(
  'aliasesRequest',
  (v) => encodeWith((w) => w.u8(0x68).u8(v.start, 'start')),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x68, 'sub');
      return { start: r.u8('start') };
    }),
);

/** One alias (the name the user gave a friend). */
export interface AliasEntry {
  uid: number;
  alias: string;
}

/** 0x003E reply: `68 · last (01 = last page) · (uid, u8 length + alias)…`. */
export interface AliasesReply {
  /** 1 = last page; otherwise MQ asks again from index = entries received. */
  last: number;
  aliases: AliasEntry[];
}

/** Codec of the 0x003E reply. */
export const aliasesReply: BodyCodec<AliasesReply> = codec<AliasesReply>(
  'aliasesReply',
  (v) =>
    encodeWith((w) => {
      w.u8(0x68).u8(v.last, 'last');
      v.aliases.forEach((a, i) => w.u32(a.uid, `aliases[${i}].uid`).tok8(utf8(a.alias), `aliases[${i}].alias`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x68, 'sub');
      const v: AliasesReply = { last: r.u8('last'), aliases: [] };
      while (r.remaining > 0) v.aliases.push({ uid: r.u32(`aliases[${v.aliases.length}].uid`), alias: readText8(r, `aliases[${v.aliases.length}].alias`) });
      return v;
    }),
);

// ---------------------------------------------------------------- 0x0027 online list

/** 0x0027 request: `02 · u32 start uid` (0 first; then the highest uid seen). */
export interface OnlineListRequest {
  start: number;
}

/** Codec of the 0x0027 request. */
export const onlineListRequest: BodyCodec<OnlineListRequest> = codec<OnlineListRequest>(
  'onlineListRequest',
  (v) => encodeWith((w) => w.u8(0x02).u32(v.start, 'start')),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x02, 'sub');
      return { start: r.u32('start') };
    }),
);

/** One 42-byte online entry: the 31-byte status block and 11 more bytes. */
export interface OnlineEntry {
  block: StatusBlock;
  /** 11 bytes (zero from the stand-in). */
  extension?: Buffer;
}

/** First byte of the last page. */
export const ONLINE_LIST_LAST = 0xff;
/** Length of one online entry. */
export const ONLINE_ENTRY_LENGTH = 42;

const ZERO11 = Buffer.alloc(11);

/** 0x0027 reply: `next u8 (FF = last page) · 42-byte entries`. */
export interface OnlineListReply {
  next: number;
  entries: OnlineEntry[];
}

/** Codec of the 0x0027 reply. */
export const onlineListReply: BodyCodec<OnlineListReply> = codec<OnlineListReply>(
  'onlineListReply',
  (v) =>
    encodeWith((w) => {
      w.u8(v.next, 'next');
      v.entries.forEach((e, i) => writeStatusBlock(w, e.block).bytes(rawOr(e.extension, ZERO11, `entries[${i}].extension`)));
    }),
  (body) =>
    readWhole(body, (r) => {
      const v: OnlineListReply = { next: r.u8('next'), entries: [] };
      while (r.remaining > 0) v.entries.push({ block: readStatusBlock(r), extension: r.copy(11, `entries[${v.entries.length}].extension`) });
      return v;
    }),
);
