import { codec, type BodyCodec } from '../../codec.js';
import { readWhole, encodeWith, rawOr, readText8, readZeros, MODERN_LOCALE, MODERN_VERSION_SPEC } from './common.js';

// pidgin-libqq's 0x00E3 (its qq2010/qq2011 modes): between 0x00E5 and 0x0030, TEA(login_info_key1) behind the magic;
// it sends back the token of the libqq 0x00E5 reply and gets its nickname, under that reply's e3Key.

/** Length of the zero block at the end of the request (after its u32 length). */
const E3_PAD = 0x20;
const ZERO7 = Buffer.alloc(7);

/** 0x00E3 request: `00 C8 · 00 01 · locale · version spec · tok16 token_c · tok16 e3 token · u32 0x20 · 32 zeros`. */
export interface VerifyE3Request {
  locale: Buffer;
  versionSpec: Buffer;
  tokenC: Buffer;
  /** The 0x00E5 reply's e3Token. */
  e3Token: Buffer;
}

/** Codec of the 0x00E3 request plaintext. */
export const verifyE3Request: BodyCodec<VerifyE3Request> = codec<VerifyE3Request>(
  'verifyE3Request',
  (v) =>
    encodeWith((w) => {
      w.u16(0x00c8).u16(0x0001).fixed(v.locale, 6, 'locale').fixed(v.versionSpec, 12, 'versionSpec');
      w.tok16(v.tokenC, 'tokenC').tok16(v.e3Token, 'e3Token').u32(E3_PAD).zeros(E3_PAD);
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU16(0x00c8, 'sub');
      r.expectU16(0x0001, 'head');
      const v = { locale: r.copy(6, 'locale'), versionSpec: r.copy(12, 'versionSpec'), tokenC: r.tok16('tokenC'), e3Token: r.tok16('e3Token') };
      r.expectU32(E3_PAD, 'padLength');
      readZeros(r, E3_PAD, 'pad');
      return v;
    }),
);

/** Builds the 0x00E3 request (client side). */
export function makeVerifyE3Request(tokenC: Buffer, e3Token: Buffer): VerifyE3Request {
  return { locale: MODERN_LOCALE, versionSpec: MODERN_VERSION_SPEC, tokenC, e3Token };
}

/** 0x00E3 reply: `7 bytes · tok8 nickname (UTF-8) · result`; pidgin-libqq reads the nickname and the result. */
export interface VerifyE3Reply {
  /** 7 bytes pidgin-libqq skips (zero from this server). */
  head?: Buffer;
  nickname: string;
  result: number;
}

/** Codec of the 0x00E3 reply plaintext. */
export const verifyE3Reply: BodyCodec<VerifyE3Reply> = codec<VerifyE3Reply>(
  'verifyE3Reply',
  (v) => encodeWith((w) => w.bytes(rawOr(v.head, ZERO7, 'head')).tok8(Buffer.from(v.nickname, 'utf8'), 'nickname').u8(v.result, 'result')),
  (body) => readWhole(body, (r) => ({ head: r.copy(7, 'head'), nickname: readText8(r, 'nickname'), result: r.u8('result') })),
);
