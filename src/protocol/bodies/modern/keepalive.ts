import { codec, type BodyCodec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { readWhole, encodeWith } from './common.js';
import { checkU32 } from '../../writer.js';

// 0x0058 keep-alive (PROTOCOL-MODERN.md §4.14, PROTOCOL.md §6).

/**
 * 0x0058 request: the uid, as a u32 (the capture's client) or ASCII decimal with no terminator (MQ).
 * A 4-byte body is read as u32: real uids have at least 5 digits, so ASCII never takes 4 bytes.
 */
export interface KeepAliveRequest {
  uid: number;
  form: 'u32' | 'ascii';
}

/** Codec of the 0x0058 request (accepts both forms and records which). */
export const keepAliveRequest: BodyCodec<KeepAliveRequest> = codec<KeepAliveRequest>(
  'keepAliveRequest',
  (v) => {
    if (v.form === 'u32') return encodeWith((w) => w.u32(v.uid, 'uid'));
    checkU32(v.uid, 'uid');
    const s = String(v.uid);
    if (s.length === 4) throw new EncodeError('uid', 'a 4-digit ASCII uid would read back as a u32');
    return Buffer.from(s, 'ascii');
  },
  (body) =>
    readWhole(body, (r) => {
      if (body.length === 4) return { uid: r.u32('uid'), form: 'u32' as const };
      const s = r.rest().toString('latin1');
      if (!/^[1-9][0-9]{0,9}$/.test(s) || Number(s) > 0xffffffff) throw new DecodeError('bad_value', 'neither a u32 nor an ASCII decimal uid', 'uid', 0);
      return { uid: Number(s), form: 'ascii' as const };
    }),
);

const ZERO5 = Buffer.alloc(5);

/** 0x0058 reply (22 B): `result · online u32 · client IP · client port · 00 3C · server time · 5 zero bytes`. */
export interface KeepAliveReply {
  result: number;
  online: number;
  clientIp: number;
  clientPort: number;
  /** 0x003C (60 s) in the run. */
  interval: number;
  serverTime: number;
  /** What follows the time: 5 zero bytes from the project (the capture's replies are 15–22 B in all). */
  tail?: Buffer;
}

/** Length of the project's keep-alive reply plaintext. */
export const KEEP_ALIVE_REPLY_LENGTH = 22;

/** Codec of the 0x0058 reply. */
export const keepAliveReply: BodyCodec<KeepAliveReply> = codec<KeepAliveReply>(
  'keepAliveReply',
  (v) =>
    encodeWith((w) => {
      w.u8(v.result, 'result').u32(v.online, 'online').u32(v.clientIp, 'clientIp').u16(v.clientPort, 'clientPort');
      w.u16(v.interval, 'interval').u32(v.serverTime, 'serverTime').bytes(v.tail ?? ZERO5);
    }),
  (body) =>
    readWhole(body, (r) => ({
      result: r.u8('result'),
      online: r.u32('online'),
      clientIp: r.u32('clientIp'),
      clientPort: r.u16('clientPort'),
      interval: r.u16('interval'),
      serverTime: r.u32('serverTime'),
      tail: Buffer.from(r.rest()),
    })),
);

/** Builds the 22-byte keep-alive reply a server sends. */
export function makeKeepAliveReply(p: { online: number; clientIp: number; clientPort: number; serverTime: number }): KeepAliveReply {
  return { result: 0, online: p.online, clientIp: p.clientIp, clientPort: p.clientPort, interval: 0x3c, serverTime: p.serverTime, tail: Buffer.alloc(5) };
}
