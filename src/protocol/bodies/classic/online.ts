import { codec } from '../../codec.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { readStatusBlock, writeStatusBlock, type StatusBlock } from '../status-block.js';
import { entryCount } from './common.js';
import { ENTRY_TAIL_2007 } from './friends.js';

// 0x0027 get online friends (PROTOCOL.md §5).

/** Sub-command byte of a 0x0027 request. */
export const ONLINE_SUB = 0x02;
/** First byte of a reply that ends the listing. */
export const ONLINE_END = 0xff;
/** Bytes per reply entry: 31-byte status block + 7. */
export const ONLINE_ENTRY_LENGTH = 38;
/** Most entries a reply carries. */
export const ONLINE_MAX_ENTRIES = 30;

/**
 * 0x0027 request: `02`, a position byte, then bytes kept as sent (pidgin: `00 00 00`). Clients that
 * send a u32 start uid put it in position ‖ extra[0..2]: see `onlineStartUid`.
 */
export interface OnlineFriendsRequest {
  sub: number;
  position: number;
  extra: Buffer;
}

/** The request's start as a u32 uid when it carries four bytes, else its position byte. */
export function onlineStartUid(req: OnlineFriendsRequest): number {
  if (req.extra.length < 3) return req.position;
  return ((req.position << 24) | (req.extra[0]! << 16) | (req.extra[1]! << 8) | req.extra[2]!) >>> 0;
}

/** One entry of a 0x0027 reply. */
export interface OnlineFriendEntry {
  block: StatusBlock;
  unknown1: number;
  ext: number;
  comm: number;
  unknown2: number;
  /** Last byte, `00`. */
  end: number;
  /** 4 more bytes for QQ2007/QQ2008 clients (42-byte entries); absent for QQ2005. */
  tail?: Buffer;
}

/** 0x0027 reply: `next` (ONLINE_END = no more, else the position to ask from) and the entries. */
export interface OnlineFriendsReply {
  next: number;
  entries: OnlineFriendEntry[];
}

/** 0x0027 c2s codec. */
export const onlineFriendsRequestCodec = codec<OnlineFriendsRequest>(
  'onlineFriendsRequest',
  (v) => new Writer(2 + v.extra.length).u8(v.sub, 'sub').u8(v.position, 'position').bytes(v.extra).finish(),
  (body) => {
    const r = new Reader(body);
    return { sub: r.u8('sub'), position: r.u8('position'), extra: Buffer.from(r.rest()) };
  },
);

/** 0x0027 s2c codec. */
export const onlineFriendsReplyCodec = codec<OnlineFriendsReply>(
  'onlineFriendsReply',
  (v) => {
    const w = new Writer(1 + (ONLINE_ENTRY_LENGTH + ENTRY_TAIL_2007) * v.entries.length).u8(v.next, 'next');
    for (const e of v.entries) {
      writeStatusBlock(w, e.block).u16(e.unknown1, 'unknown1').u8(e.ext, 'ext').u8(e.comm, 'comm').u16(e.unknown2, 'unknown2').u8(e.end, 'end');
      if (e.tail) w.fixed(e.tail, ENTRY_TAIL_2007, 'tail');
    }
    return w.finish();
  },
  (body) => {
    const r = new Reader(body);
    const next = r.u8('next');
    // 38-byte entries (QQ2005), or 42-byte ones (QQ2007/2008) when only that length divides the body.
    const withTail = r.remaining % ONLINE_ENTRY_LENGTH !== 0 && r.remaining % (ONLINE_ENTRY_LENGTH + ENTRY_TAIL_2007) === 0;
    const n = entryCount(r, ONLINE_ENTRY_LENGTH + (withTail ? ENTRY_TAIL_2007 : 0), 'entries');
    const entries: OnlineFriendEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e: OnlineFriendEntry = {
        block: readStatusBlock(r),
        unknown1: r.u16('unknown1'),
        ext: r.u8('ext'),
        comm: r.u8('comm'),
        unknown2: r.u16('unknown2'),
        end: r.u8('end'),
      };
      if (withTail) e.tail = r.copy(ENTRY_TAIL_2007, 'tail');
      entries.push(e);
    }
    return { next, entries };
  },
);
