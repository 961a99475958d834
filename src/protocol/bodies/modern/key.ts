import { codec, type BodyCodec } from '../../codec.js';
import { readWhole, encodeWith } from './common.js';

// 0x001D request key (PROTOCOL.md §5–§6): one sub-command byte; reply sub-command, result, key[16], 13 bytes.

/** 0x001D request: the sub-command (03, 04 = file-transfer key, 06, 07, 08, 0A …), then bytes the capture may add. */
export interface KeyRequest {
  sub: number;
  /** Anything after the sub-command (empty from the project). */
  extra?: Buffer;
}

/** Codec of the 0x001D request. */
export const keyRequest: BodyCodec<KeyRequest> = codec<KeyRequest>(
  'keyRequest',
  (v) => encodeWith((w) => w.u8(v.sub, 'sub').bytes(v.extra ?? Buffer.alloc(0))),
  (body) => readWhole(body, (r) => ({ sub: r.u8('sub'), extra: Buffer.from(r.rest()) })),
);

/** 0x001D reply: `sub · result (00 OK) · key 16 · tail` (tail = 13 zero bytes from the project: 31 B in all). */
export interface KeyReply {
  sub: number;
  result: number;
  key: Buffer;
  tail?: Buffer;
}

/** Length of the project's key reply plaintext. */
export const KEY_REPLY_LENGTH = 31;

/** Codec of the 0x001D reply. */
export const keyReply: BodyCodec<KeyReply> = codec<KeyReply>(
  'keyReply',
  (v) => encodeWith((w) => w.u8(v.sub, 'sub').u8(v.result, 'result').fixed(v.key, 16, 'key').bytes(v.tail ?? Buffer.alloc(13))),
  (body) => readWhole(body, (r) => ({ sub: r.u8('sub'), result: r.u8('result'), key: r.copy(16, 'key'), tail: Buffer.from(r.rest()) })),
);
