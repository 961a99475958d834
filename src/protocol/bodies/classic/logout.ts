import { codec } from '../../codec.js';
import { Writer } from '../../writer.js';
import { readWhole } from './common.js';

// 0x0001 logout (PROTOCOL.md §5): body = TEA(session key, password key), sent up to 4 times, no reply.

/** 0x0001 plaintext: the 16-byte password key. */
export interface LogoutRequest {
  passwordKey: Buffer;
}

/** 0x0001 c2s codec. */
export const logoutCodec = codec<LogoutRequest>(
  'logout',
  (v) => new Writer(16).fixed(v.passwordKey, 16, 'passwordKey').finish(),
  (body) => readWhole(body, (r) => ({ passwordKey: r.copy(16, 'passwordKey') })),
);
