import { codec, type BodyCodec } from '../../src/protocol/codec.js';

/** Stand-in body codec named `raw`: the plaintext body as bytes, both ways (for benches run before a real codec exists). */
export const RAW_BODY: BodyCodec<Buffer> = codec<Buffer>(
  'raw',
  (value) => value,
  (body) => body,
);
