import { codec, type BodyCodec } from '../../codec.js';
import { EncodeError } from '../../errors.js';
import { readStatusBlock, STATUS_BLOCK_LENGTH, writeStatusBlock, type StatusBlock } from '../status-block.js';
import { readWhole, encodeWith, rawOr, resultByteCodec, type ResultByte } from './common.js';

// 0x000D change status and the 0x0081 friend status push (PROTOCOL-MODERN.md §4.8, §4.15; PROTOCOL.md §6).

const STATUS_MISC = Buffer.from('00000000000000010000', 'hex');

/** 0x000D request: `mode u8 · u32 0 · u32 1 · u16 0` (11 B); mode 0x0A online, 0x1E away, … */
export interface ChangeStatusRequest {
  mode: number;
  /** The 10 bytes after the mode (`00000000 00000001 0000` from MQ). */
  misc?: Buffer;
}

/** Codec of the 0x000D request. */
export const changeStatusRequest: BodyCodec<ChangeStatusRequest> = codec<ChangeStatusRequest>(
  'changeStatusRequest',
  (v) => encodeWith((w) => w.u8(v.mode, 'mode').bytes(rawOr(v.misc, STATUS_MISC, 'misc'))),
  (body) => readWhole(body, (r) => ({ mode: r.u8('mode'), misc: r.copy(10, 'misc') })),
);

/** The 0x000D reply result meaning OK (ASCII '0'). */
export const CHANGE_STATUS_OK = 0x30;

/** Codec of the 0x000D reply: one byte, `30` = OK. */
export const changeStatusReply: BodyCodec<ResultByte> = resultByteCodec('changeStatusReply');

/**
 * 0x0081 push. `extended`: the project's 50-byte form (block · my uid · 11-byte extension · change time);
 * `short`: any other length after the block (MQ reads only the block; the run's push was block + 8 zero bytes).
 */
export type StatusPush =
  | { form: 'extended'; block: StatusBlock; myUid: number; extension: Buffer; changeTime: number }
  | { form: 'short'; block: StatusBlock; trailer: Buffer };

/** Length of the project's 0x0081 push plaintext. */
export const STATUS_PUSH_LENGTH = STATUS_BLOCK_LENGTH + 4 + 11 + 4;

/** Codec of the 0x0081 push. */
export const statusPush: BodyCodec<StatusPush> = codec<StatusPush>(
  'statusPush',
  (v) =>
    encodeWith((w) => {
      writeStatusBlock(w, v.block);
      if (v.form === 'extended') w.u32(v.myUid, 'myUid').fixed(v.extension, 11, 'extension').u32(v.changeTime, 'changeTime');
      else {
        // A short trailer of exactly 19 bytes would decode as the extended form.
        if (v.trailer.length === STATUS_PUSH_LENGTH - STATUS_BLOCK_LENGTH) throw new EncodeError('trailer', 'a 19-byte trailer is the extended form');
        w.bytes(v.trailer);
      }
    }),
  (body) =>
    readWhole<StatusPush>(body, (r) => {
      const block = readStatusBlock(r);
      if (r.remaining === STATUS_PUSH_LENGTH - STATUS_BLOCK_LENGTH) return { form: 'extended', block, myUid: r.u32('myUid'), extension: r.copy(11, 'extension'), changeTime: r.u32('changeTime') };
      return { form: 'short', block, trailer: Buffer.from(r.rest()) };
    }),
);

/** Builds the project's 50-byte status push for `myUid` about `block`. */
export function makeStatusPush(block: StatusBlock, myUid: number, changeTime: number, extension: Buffer = Buffer.alloc(11)): StatusPush {
  return { form: 'extended', block, myUid, extension, changeTime };
}
