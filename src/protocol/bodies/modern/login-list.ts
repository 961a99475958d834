import { codec, type BodyCodec } from '../../codec.js';
import { Reader } from '../../reader.js';
import { readIndexEntry, writeIndexEntry, type BuddyIndexEntry } from './chain.js';
import { readWhole, encodeWith, readZeros, MODERN_LOCALE } from './common.js';

// QQ2009's pre-login list 0x0018 (MyQQ 3.19): between 0x00E5 and 0x0030, TEA(login_info_key1) behind the magic
// like them, answered with TEA(login_info_key2). It pages the buddy/Qun index that QQ2011 asks after login (0x00EB).

/** Zero bytes at the end of the request (after their u16 count). */
const LIST_REQUEST_PAD = 0x71;

/** 0x0018 request: `01 1A · 00 01 · locale · version spec · tok16 token_c · unknown2 · server time · client IP · u32 0 · tok16 large · u16 page · u16 0 · tok16 (0x71 zeros)`. */
export interface LoginListRequest {
  locale: Buffer;
  versionSpec: Buffer;
  tokenC: Buffer;
  /** From the 0x00E5 reply. */
  unknown2: number;
  serverTime: number;
  clientIp: number;
  /** The 0x00E5 reply's large token. */
  loginInfoLarge: Buffer;
  /** 0 first; MyQQ counts up while pages come back full. */
  page: number;
}

/** Codec of the 0x0018 request plaintext. */
export const loginListRequest: BodyCodec<LoginListRequest> = codec<LoginListRequest>(
  'loginListRequest',
  (v) =>
    encodeWith((w) => {
      w.u16(0x011a).u16(0x0001).fixed(v.locale, 6, 'locale').fixed(v.versionSpec, 12, 'versionSpec').tok16(v.tokenC, 'tokenC');
      w.u32(v.unknown2, 'unknown2').u32(v.serverTime, 'serverTime').u32(v.clientIp, 'clientIp').u32(0);
      w.tok16(v.loginInfoLarge, 'loginInfoLarge').u16(v.page, 'page').u16(0).tok16(Buffer.alloc(LIST_REQUEST_PAD), 'pad');
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU16(0x011a, 'sub');
      r.expectU16(0x0001, 'head');
      const v = {
        locale: r.copy(6, 'locale'), versionSpec: r.copy(12, 'versionSpec'), tokenC: r.tok16('tokenC'),
        unknown2: r.u32('unknown2'), serverTime: r.u32('serverTime'), clientIp: r.u32('clientIp'),
      };
      r.expectU32(0, 'reserved');
      const loginInfoLarge = r.tok16('loginInfoLarge');
      const page = r.u16('page');
      r.expectU16(0, 'reserved2');
      const pad = new Reader(r.tok16('pad'));
      readZeros(pad, pad.remaining, 'pad');
      return { ...v, loginInfoLarge, page };
    }),
);

/** Builds the 0x0018 request (client side) from token_c and the 0x00E5 reply's fields. */
export function makeLoginListRequest(p: Omit<LoginListRequest, 'locale'> & { locale?: Buffer }): LoginListRequest {
  return { ...p, locale: p.locale ?? MODERN_LOCALE };
}

/**
 * 0x0018 reply: `u16 head · u32 0 · u16 next page (0 = last) · index entries (6 B) · u16 0`. MyQQ 3.19 sends
 * 0x0030 on `next` 0 and asks for the next page only when `head` is 0x038A.
 */
export interface LoginListReply {
  /** 0x038A on a full page that has a next one; otherwise any (the server sends the entries' byte count). */
  head: number;
  next: number;
  entries: BuddyIndexEntry[];
}

/** Codec of the 0x0018 reply plaintext. */
export const loginListReply: BodyCodec<LoginListReply> = codec<LoginListReply>(
  'loginListReply',
  (v) =>
    encodeWith((w) => {
      w.u16(v.head, 'head').u32(0).u16(v.next, 'next');
      v.entries.forEach((e, i) => writeIndexEntry(w, e, `entries[${i}]`));
      w.u16(0);
    }),
  (body) =>
    readWhole(body, (r) => {
      const head = r.u16('head');
      r.expectU32(0, 'reserved');
      const next = r.u16('next');
      const entries: BuddyIndexEntry[] = [];
      while (r.remaining > 2) entries.push(readIndexEntry(r, `entries[${entries.length}]`));
      r.expectU16(0, 'trailer');
      return { head, next, entries };
    }),
);
