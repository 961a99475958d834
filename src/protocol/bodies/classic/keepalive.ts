import { codec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Writer, checkU16, checkU32 } from '../../writer.js';
import { decimalBytes, decimalLength, parseDecimal, parseDecimalBytes, splitOn, writeDecimal } from './common.js';
import { KEEP_ALIVE_REPLY_LENGTH, keepAliveReply as binaryKeepAliveReply, type KeepAliveReply as BinaryKeepAliveReply } from '../modern/keepalive.js';

// 0x0002 keep alive, classic (PROTOCOL.md §5).

/**
 * 0x0002 request: the uid, as u32 or as ASCII decimal (`form` keeps which); QQ2008 clients send the uid u32 and
 * their login time u32 (`time`; an 8-byte body of digits is ASCII). A 4-byte body is read as u32; uids 1000–9999 therefore cannot be sent as ASCII
 * (real uids have 5+ digits).
 */
export type KeepAliveRequest = { uid: number; form: 'u32' | 'ascii' } | { uid: number; form: 'u32time'; time: number };

/** 0x0002 c2s codec. */
export const keepAliveRequestCodec = codec<KeepAliveRequest>(
  'keepAliveRequest',
  (v) => {
    if (v.form === 'u32') return new Writer(4).u32(v.uid, 'uid').finish();
    if (v.form === 'u32time') return new Writer(8).u32(v.uid, 'uid').u32(v.time, 'time').finish();
    const b = decimalBytes(v.uid, 'uid');
    if (b.length === 4) throw new EncodeError('uid', `${v.uid} in ASCII would read back as a u32`);
    return b;
  },
  (body) => {
    if (body.length === 4) return { uid: body.readUInt32BE(0), form: 'u32' };
    // An 8-digit ASCII uid (pidgin's qq2007 mode) is also 8 bytes; a login time is never eight ASCII digits.
    if (body.length === 8 && !/^[0-9]{8}$/.test(body.toString('latin1'))) return { uid: body.readUInt32BE(0), form: 'u32time', time: body.readUInt32BE(4) };
    return { uid: parseDecimalBytes(body, 'uid', 0), form: 'ascii' };
  },
);

/** Field separator of the keep-alive reply. */
export const KEEP_ALIVE_SEPARATOR = 0x1f;

/**
 * 0x0002 reply. `text` (QQ2005 family): exactly six ASCII fields `0`, `0`, users online (never 0: clients drop
 * the connection), the client's IP dotted, its port, `60`; the two leading and the last are kept as text.
 * `binary` (QQ2007/QQ2008 clients): the 22-byte layout of the modern 0x0058 reply (result, users online, IP, port,
 * interval, server time, 5 zero bytes); QQ2007 reads up to the port.
 */
export type KeepAliveReply =
  | { form: 'text'; result: string; unknown: string; onlineUsers: number; clientIp: string; clientPort: number; interval: string }
  | { form: 'binary'; reply: BinaryKeepAliveReply };

/** A text keep-alive reply with the constant fields real servers send. */
export function keepAliveReply(onlineUsers: number, clientIp: string, clientPort: number): KeepAliveReply {
  return { form: 'text', result: '0', unknown: '0', onlineUsers: Math.max(1, onlineUsers), clientIp, clientPort, interval: '60' };
}

/** Checks one text field of the reply: single-byte, and without the separator (one loop: it runs for every keep-alive). */
function textField(f: string, i: number): void {
  for (let j = 0; j < f.length; j++) {
    const c = f.charCodeAt(j);
    if (c > 0xff) throw new EncodeError(`fields[${i}]`, 'not single-byte text');
    if (c === KEEP_ALIVE_SEPARATOR) throw new EncodeError(`fields[${i}]`, `contains the separator 0x${KEEP_ALIVE_SEPARATOR.toString(16)}`);
  }
}

/** Writes a field textField has checked (single-byte) at b[at..]; returns the offset after it. */
function putText(b: Buffer, at: number, f: string): number {
  for (let j = 0; j < f.length; j++) b[at++] = f.charCodeAt(j);
  return at;
}

/** 0x0002 s2c codec. A 22-byte body that is not six 0x1F-separated fields is the binary form. */
export const keepAliveReplyCodec = codec<KeepAliveReply>(
  'keepAliveReply',
  (v) => {
    if (v.form === 'binary') return binaryKeepAliveReply.encode(v.reply);
    checkU32(v.onlineUsers, 'onlineUsers');
    checkU16(v.clientPort, 'clientPort');
    textField(v.result, 0);
    textField(v.unknown, 1);
    textField(v.clientIp, 3);
    textField(v.interval, 5);
    // Written straight into one buffer (no string built first): every online session sends this twice a minute.
    const b = Buffer.allocUnsafe(v.result.length + v.unknown.length + decimalLength(v.onlineUsers) + v.clientIp.length + decimalLength(v.clientPort) + v.interval.length + 5);
    let at = putText(b, 0, v.result);
    b[at++] = KEEP_ALIVE_SEPARATOR;
    at = putText(b, at, v.unknown);
    b[at++] = KEEP_ALIVE_SEPARATOR;
    at = writeDecimal(b, at, v.onlineUsers);
    b[at++] = KEEP_ALIVE_SEPARATOR;
    at = putText(b, at, v.clientIp);
    b[at++] = KEEP_ALIVE_SEPARATOR;
    at = writeDecimal(b, at, v.clientPort);
    b[at++] = KEEP_ALIVE_SEPARATOR;
    putText(b, at, v.interval);
    return b;
  },
  (body) => {
    const parts = splitOn(body, KEEP_ALIVE_SEPARATOR);
    if (body.length === KEEP_ALIVE_REPLY_LENGTH && parts.length !== 6) return { form: 'binary', reply: binaryKeepAliveReply.decode(body) };
    const fields = parts.map((b) => b.toString('latin1'));
    if (fields.length !== 6) throw new DecodeError('bad_value', `${fields.length} field(s), expected 6`, 'fields', 0);
    const [result, unknown, online, clientIp, port, interval] = fields as [string, string, string, string, string, string];
    const clientPort = parseDecimal(port, 'clientPort');
    if (clientPort > 0xffff) throw new DecodeError('bad_value', `port ${clientPort}`, 'clientPort');
    return { form: 'text', result, unknown, onlineUsers: parseDecimal(online, 'onlineUsers'), clientIp, clientPort, interval };
  },
);
