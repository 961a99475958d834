import { codec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { Writer } from '../../writer.js';
import { decimalBytes, joinWith, parseDecimal, splitOn } from './common.js';

// 0x0002 keep alive, classic (PROTOCOL.md §5).

/**
 * 0x0002 request: the uid, as u32 or as ASCII decimal (`form` keeps which). A 4-byte body is read as
 * u32; uids 1000–9999 therefore cannot be sent as ASCII (real uids have 5+ digits).
 */
export interface KeepAliveRequest {
  uid: number;
  form: 'u32' | 'ascii';
}

/** 0x0002 c2s codec. */
export const keepAliveRequestCodec = codec<KeepAliveRequest>(
  'keepAliveRequest',
  (v) => {
    if (v.form === 'u32') return new Writer(4).u32(v.uid, 'uid').finish();
    const b = decimalBytes(v.uid, 'uid');
    if (b.length === 4) throw new EncodeError('uid', `${v.uid} in ASCII would read back as a u32`);
    return b;
  },
  (body) => (body.length === 4 ? { uid: body.readUInt32BE(0), form: 'u32' } : { uid: parseDecimal(body.toString('latin1'), 'uid', 0), form: 'ascii' }),
);

/** Field separator of the keep-alive reply. */
export const KEEP_ALIVE_SEPARATOR = 0x1f;

/**
 * 0x0002 reply: exactly six ASCII fields `0`, `0`, users online (never 0: clients drop the
 * connection), the client's IP dotted, its port, `60`. The two leading and the last are kept as text.
 */
export interface KeepAliveReply {
  result: string;
  unknown: string;
  onlineUsers: number;
  clientIp: string;
  clientPort: number;
  interval: string;
}

/** A keep-alive reply with the constant fields real servers send. */
export function keepAliveReply(onlineUsers: number, clientIp: string, clientPort: number): KeepAliveReply {
  return { result: '0', unknown: '0', onlineUsers: Math.max(1, onlineUsers), clientIp, clientPort, interval: '60' };
}

/** 0x0002 s2c codec. */
export const keepAliveReplyCodec = codec<KeepAliveReply>(
  'keepAliveReply',
  (v) => {
    const fields = [v.result, v.unknown, String(v.onlineUsers), v.clientIp, String(v.clientPort), v.interval];
    decimalBytes(v.onlineUsers, 'onlineUsers');
    if (!Number.isInteger(v.clientPort) || v.clientPort < 0 || v.clientPort > 0xffff) throw new EncodeError('clientPort', `${v.clientPort} is not a u16`);
    fields.forEach((f, i) => {
      if (/[^\x00-\xff]/.test(f)) throw new EncodeError(`fields[${i}]`, 'not single-byte text');
    });
    return joinWith(fields.map((f) => Buffer.from(f, 'latin1')), KEEP_ALIVE_SEPARATOR, 'fields');
  },
  (body) => {
    const fields = splitOn(body, KEEP_ALIVE_SEPARATOR).map((b) => b.toString('latin1'));
    if (fields.length !== 6) throw new DecodeError('bad_value', `${fields.length} field(s), expected 6`, 'fields', 0);
    const [result, unknown, online, clientIp, port, interval] = fields as [string, string, string, string, string, string];
    const clientPort = parseDecimal(port, 'clientPort');
    if (clientPort > 0xffff) throw new DecodeError('bad_value', `port ${clientPort}`, 'clientPort');
    return { result, unknown, onlineUsers: parseDecimal(online, 'onlineUsers'), clientIp, clientPort, interval };
  },
);
