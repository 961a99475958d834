import { codec } from '../../codec.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';

// 0x001D request key (PROTOCOL.md §5).

/** Sub-commands seen in 0x001D requests (0x03/0x04: file-transfer key). */
export const KeySub = { FILE_03: 0x03, FILE: 0x04, SUB_06: 0x06, SUB_07: 0x07, SUB_08: 0x08, SUB_0A: 0x0a } as const;

/** 0x001D request: one sub-command byte; anything after it is kept. */
export interface KeyRequest {
  sub: number;
  extra: Buffer;
}

/**
 * 0x001D reply: sub-command, result (0 = OK), key[16], then either padding (13 zero bytes in the
 * simple form: `token` undefined) or a token (u8 length + bytes) followed by whatever else was sent.
 */
export interface KeyReply {
  sub: number;
  result: number;
  key: Buffer;
  token: Buffer | undefined;
  /** Bytes after the key (no token) or after the token. */
  padding: Buffer;
}

/** The 13 zero bytes that close a simple 31-byte key reply. */
export const KEY_REPLY_PADDING = 13;

/** 0x001D c2s codec. */
export const keyRequestCodec = codec<KeyRequest>(
  'keyRequest',
  (v) => new Writer(1 + v.extra.length).u8(v.sub, 'sub').bytes(v.extra).finish(),
  (body) => {
    const r = new Reader(body);
    return { sub: r.u8('sub'), extra: Buffer.from(r.rest()) };
  },
);

/** 0x001D s2c codec. All-zero bytes after the key read as padding (no token). */
export const keyReplyCodec = codec<KeyReply>(
  'keyReply',
  (v) => {
    const w = new Writer(18 + (v.token ? 1 + v.token.length : 0) + v.padding.length).u8(v.sub, 'sub').u8(v.result, 'result').fixed(v.key, 16, 'key');
    if (v.token) w.tok8(v.token, 'token');
    return w.bytes(v.padding).finish();
  },
  (body) => {
    const r = new Reader(body);
    const head = { sub: r.u8('sub'), result: r.u8('result'), key: r.copy(16, 'key') };
    if (body.subarray(r.offset).every((b) => b === 0)) return { ...head, token: undefined, padding: Buffer.from(r.rest()) };
    // Read on from the same Reader, so a cut token is reported at its offset in the body.
    const token = r.tok8('token');
    return { ...head, token, padding: Buffer.from(r.rest()) };
  },
);
