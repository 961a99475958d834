import { codec } from '../../codec.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { readStatusBlock, writeStatusBlock, STATUS_BLOCK_LENGTH, type StatusBlock } from '../status-block.js';
import { readWhole } from './common.js';

// 0x000D change status and 0x0081 friend status push (PROTOCOL.md §5).

/** 0x000D request: status u8, misc u32; later clients add fields, kept in `extra`. */
export interface ChangeStatusRequest {
  status: number;
  misc: number;
  extra: Buffer;
}

/** 0x000D reply: one byte, 0x30 (ASCII '0') = OK. */
export interface ChangeStatusReply {
  result: number;
}

/** The OK byte of a 0x000D reply. */
export const CHANGE_STATUS_OK = 0x30;

/** 0x000D c2s codec. */
export const changeStatusRequestCodec = codec<ChangeStatusRequest>(
  'changeStatusRequest',
  (v) => new Writer(5 + v.extra.length).u8(v.status, 'status').u32(v.misc, 'misc').bytes(v.extra).finish(),
  (body) => {
    const r = new Reader(body);
    return { status: r.u8('status'), misc: r.u32('misc'), extra: Buffer.from(r.rest()) };
  },
);

/** 0x000D s2c codec. */
export const changeStatusReplyCodec = codec<ChangeStatusReply>(
  'changeStatusReply',
  (v) => new Writer(1).u8(v.result, 'result').finish(),
  (body) => readWhole(body, (r) => ({ result: r.u8('result') })),
);

/**
 * 0x0081 push. Two layouts, chosen by the receiver's version tag (see statusPushLayout):
 * - short (pidgin, 35 bytes): the friend's 31-byte status block, then my uid; later servers append `extra`;
 * - flagged (QQ2006-era clients such as tag 0x0E1B, exactly 42 bytes): block, user flag u32, my uid, then 3 bytes
 *   (`extra`). Those clients drop a push shorter than 42 bytes.
 */
export interface FriendStatusPush {
  friend: StatusBlock;
  myUid: number;
  extra: Buffer;
  /** Present in the flagged layout only. */
  userFlag?: number;
}

/** Length of the flagged 0x0081 layout, and of its trailer after my uid. */
export const FLAGGED_STATUS_PUSH_LENGTH = 42;
const FLAGGED_TRAILER = FLAGGED_STATUS_PUSH_LENGTH - STATUS_BLOCK_LENGTH - 8;

/** 0x0081 s2c codec (never acked). A 42-byte body is read as the flagged layout. */
export const friendStatusPushCodec = codec<FriendStatusPush>(
  'friendStatusPush',
  (v) => {
    const w = writeStatusBlock(new Writer(STATUS_BLOCK_LENGTH + 8 + v.extra.length), v.friend);
    if (v.userFlag === undefined) return w.u32(v.myUid, 'myUid').bytes(v.extra).finish();
    return w.u32(v.userFlag, 'userFlag').u32(v.myUid, 'myUid').fixed(v.extra, FLAGGED_TRAILER, 'extra').finish();
  },
  (body) => {
    const r = new Reader(body);
    const friend = readStatusBlock(r);
    if (body.length !== FLAGGED_STATUS_PUSH_LENGTH) return { friend, myUid: r.u32('myUid'), extra: Buffer.from(r.rest()) };
    const userFlag = r.u32('userFlag');
    return { friend, userFlag, myUid: r.u32('myUid'), extra: Buffer.from(r.rest()) };
  },
);
