import { codec, type BodyCodec } from '../../codec.js';
import { readWhole, encodeWith, readZeros } from './common.js';

// 0x0062 logout (PROTOCOL-MODERN.md §4.17): 16 zero bytes, TEA(session key), no reply.

/** 0x0062 request: no fields (16 zero bytes on the wire). */
export type LogoutRequest = Record<string, never>;

/** Codec of the 0x0062 request. */
export const logoutRequest: BodyCodec<LogoutRequest> = codec<LogoutRequest>(
  'logoutRequest',
  () => encodeWith((w) => w.zeros(16)),
  (body) =>
    readWhole(body, (r) => {
      readZeros(r, 16, 'zeros');
      return {};
    }),
);
