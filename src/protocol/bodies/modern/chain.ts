import { codec, type BodyCodec } from '../../codec.js';
import type { Reader } from '../../reader.js';
import type { Writer } from '../../writer.js';
import { EncodeError } from '../../errors.js';
import { readWhole, encodeWith, rawCodec, type RawBody } from './common.js';

// The post-login chain (PROTOCOL-MODERN.md §4.1–4.5): the paged buddy/Qun index 0x00EB, then 0x00E9/EA/ED/EC whose
// contents MQ ignores.

/** 0x00EB request: `01 · u32 0 · u32 0 · u16 page` (first page = 1). */
export interface BuddyIndexRequest {
  page: number;
}

/** Codec of the 0x00EB request. */
export const buddyIndexRequest: BodyCodec<BuddyIndexRequest> = codec<BuddyIndexRequest>(
  'buddyIndexRequest',
  (v) => encodeWith((w) => w.u8(0x01).u32(0).u32(0).u16(v.page, 'page')),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x01, 'sub');
      r.expectU32(0, 'reserved');
      r.expectU32(0, 'reserved2');
      return { page: r.u16('page') };
    }),
);

/** Entry types of the buddy index. */
export const IndexType = { BUDDY: 0x01, QUN: 0x04 } as const;

/** One 6-byte index entry: uid, type, group (on the wire: group id × 4 + flags). */
export interface BuddyIndexEntry {
  uid: number;
  type: number;
  /** Group id (0 = "My Friends"). */
  group: number;
  /** The low two bits of the group byte (0 in the run). */
  groupFlags?: number;
}

/** Writes one 6-byte index entry (also the entries of QQ2009's pre-login 0x0018 list). */
export function writeIndexEntry(w: Writer, e: BuddyIndexEntry, field: string): void {
  const flags = e.groupFlags ?? 0;
  if (!Number.isInteger(e.group) || e.group < 0 || e.group > 63) throw new EncodeError(`${field}.group`, `${e.group} is not 0..63`);
  if (flags < 0 || flags > 3) throw new EncodeError(`${field}.groupFlags`, `${flags} is not 0..3`);
  w.u32(e.uid, `${field}.uid`).u8(e.type, `${field}.type`).u8(e.group * 4 + flags);
}

/** Reads one 6-byte index entry. */
export function readIndexEntry(r: Reader, field: string): BuddyIndexEntry {
  const uid = r.u32(`${field}.uid`);
  const type = r.u8(`${field}.type`);
  const g = r.u8(`${field}.group`);
  return { uid, type, group: g >> 2, groupFlags: g & 3 };
}

/** 0x00EB reply: `01 · result · u32 · u32 · u32 update time · u16 total pages · u16 current page · u16 count · entries`. */
export interface BuddyIndexReply {
  result: number;
  unknown1: number;
  unknown2: number;
  updateTime: number;
  totalPages: number;
  currentPage: number;
  entries: BuddyIndexEntry[];
}

/** Codec of the 0x00EB reply. */
export const buddyIndexReply: BodyCodec<BuddyIndexReply> = codec<BuddyIndexReply>(
  'buddyIndexReply',
  (v) =>
    encodeWith((w) => {
      w.u8(0x01).u8(v.result, 'result').u32(v.unknown1, 'unknown1').u32(v.unknown2, 'unknown2').u32(v.updateTime, 'updateTime');
      w.u16(v.totalPages, 'totalPages').u16(v.currentPage, 'currentPage').u16(v.entries.length, 'count');
      v.entries.forEach((e, i) => writeIndexEntry(w, e, `entries[${i}]`));
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU8(0x01, 'sub');
      const head = { result: r.u8('result'), unknown1: r.u32('unknown1'), unknown2: r.u32('unknown2'), updateTime: r.u32('updateTime'), totalPages: r.u16('totalPages'), currentPage: r.u16('currentPage') };
      const count = r.u16('count');
      const entries: BuddyIndexEntry[] = [];
      for (let i = 0; i < count; i++) entries.push(readIndexEntry(r, `entries[${i}]`));
      return { ...head, entries };
    }),
);

/** Codec of the 0x00E9/0x00EA/0x00ED/0x00EC requests (`01 01`, `01`, `01`, `01 00 0A`), kept as bytes. */
export const chainRequest: BodyCodec<RawBody> = rawCodec('chainRequest');
/** Codec of the 0x00E9/0x00EA/0x00ED/0x00EC replies (content ignored by MQ; the stand-in sent `01 00`). */
export const chainReply: BodyCodec<RawBody> = rawCodec('chainReply');

/** The reply body a server sends to 0x00E9/EA/ED/EC. */
export const CHAIN_REPLY_OK: RawBody = { data: Buffer.from('0100', 'hex') };
