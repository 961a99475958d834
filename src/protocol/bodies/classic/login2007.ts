import { codec } from '../../codec.js';
import { DecodeError, tryDecode, type Result } from '../../errors.js';
import { Reader } from '../../reader.js';
import { Writer } from '../../writer.js';
import { decodeGb, encodeGb } from '../../text.js';
import { SELECT_SERVER_BLOCK } from '../../families.js';
import { readWhole } from './common.js';

// The QQ2007/QQ2008 classic login chain (tags 0x111D, 0x115B; pidgin's qq2007/qq2008 modes):
// 0x0091 select server → 0x0062 token (as in 2005) → 0x00BA token-ex → 0x00DD check password → 0x0022 login.
// 0x0091, 0x00BA and 0x00DD carry a request key in clear and are answered in TEA(request key). The 0x0022 body is
// the login token (tok16) then TEA(login key), both handed out by the 0x00DD reply; its reply is TEA(password key).

/** 0x0091 request: the "redirect" block, 15 zero bytes on a first try (a redirected client echoes its reply). */
export interface SelectServerRequest {
  block: Buffer;
}

/** 0x0091 reply, 15 bytes: result u16 (0 = stay on this server), 9 bytes, then the server to use (a redirect). */
export interface SelectServerReply {
  result: number;
  unknown: Buffer;
  serverIp: number;
}

/** 0x0091 reply result of a redirect (clients take any non-zero result as one and read the IP at [11]). */
export const SELECT_SERVER_REDIRECT = 0x0001;

/** 0x0091 c2s codec. */
export const selectServerRequestCodec = codec<SelectServerRequest>(
  'selectServerRequest',
  (v) => Buffer.from(v.block),
  (body) => ({ block: Buffer.from(body) }),
);

/** 0x0091 s2c codec (2007/2008). */
export const selectServerReplyCodec = codec<SelectServerReply>(
  'selectServerReply',
  (v) => new Writer(SELECT_SERVER_BLOCK).u16(v.result, 'result').fixed(v.unknown, 9, 'unknown').u32(v.serverIp, 'serverIp').finish(),
  (body) => readWhole(body, (r) => ({ result: r.u16('result'), unknown: r.copy(9, 'unknown'), serverIp: r.u32('serverIp') })),
);

/** 0x00BA request: the 0x0062 token (tok8), sub-command (03), u16 5, u32 0, captcha fragment index, captcha token (tok16). */
export interface TokenExRequest {
  token: Buffer;
  sub: number;
  unknown1: number;
  unknown2: number;
  fragmentIndex: number;
  captchaToken: Buffer;
}

/** 0x00BA reply: sub-command, u16 5, result (0 = no captcha needed), token-ex (tok16); a captcha follows only on 1. */
export interface TokenExReply {
  sub: number;
  unknown: number;
  result: number;
  tokenEx: Buffer;
  /** Captcha data after the token when result is 1 (the server never asks for one). */
  captcha: Buffer;
}

/** 0x00BA c2s codec (2007/2008). */
export const tokenExRequestCodec = codec<TokenExRequest>(
  'tokenExRequest',
  (v) => new Writer(16 + v.token.length + v.captchaToken.length)
    .tok8(v.token, 'token').u8(v.sub, 'sub').u16(v.unknown1, 'unknown1').u32(v.unknown2, 'unknown2')
    .u8(v.fragmentIndex, 'fragmentIndex').tok16(v.captchaToken, 'captchaToken').finish(),
  (body) => readWhole(body, (r) => ({
    token: r.tok8('token'), sub: r.u8('sub'), unknown1: r.u16('unknown1'), unknown2: r.u32('unknown2'),
    fragmentIndex: r.u8('fragmentIndex'), captchaToken: r.tok16('captchaToken'),
  })),
);

/** 0x00BA s2c codec (2007/2008). */
export const tokenExReplyCodec = codec<TokenExReply>(
  'tokenExReply',
  (v) => new Writer(8 + v.tokenEx.length + v.captcha.length)
    .u8(v.sub, 'sub').u16(v.unknown, 'unknown').u8(v.result, 'result').tok16(v.tokenEx, 'tokenEx').bytes(v.captcha).finish(),
  (body) => {
    const r = new Reader(body);
    return { sub: r.u8('sub'), unknown: r.u16('unknown'), result: r.u8('result'), tokenEx: r.tok16('tokenEx'), captcha: Buffer.from(r.rest()) };
  },
);

/**
 * 0x00DD request: u8 0, a length byte, 6 locale bytes, the token-ex (tok8), the password block (tok16:
 * TEA(password key, MD5(password) ‖ u16 0 ‖ u16 random)), 20 bytes (tok16: 16 bytes + their CRC32), then a tail
 * (`00 03 00` and two bytes of MD5(password)).
 */
export interface CheckPasswordRequest {
  head: number;
  length: number;
  locale: Buffer;
  tokenEx: Buffer;
  passwordCipher: Buffer;
  unknown: Buffer;
  tail: Buffer;
}

/** 0x00DD c2s codec (2007/2008). */
export const checkPasswordRequestCodec = codec<CheckPasswordRequest>(
  'checkPasswordRequest',
  (v) => new Writer(16 + v.tokenEx.length + v.passwordCipher.length + v.unknown.length + v.tail.length)
    .u8(v.head, 'head').u8(v.length, 'length').fixed(v.locale, 6, 'locale').tok8(v.tokenEx, 'tokenEx')
    .tok16(v.passwordCipher, 'passwordCipher').tok16(v.unknown, 'unknown').bytes(v.tail).finish(),
  (body) => {
    const r = new Reader(body);
    return {
      head: r.u8('head'), length: r.u8('length'), locale: r.copy(6, 'locale'), tokenEx: r.tok8('tokenEx'),
      passwordCipher: r.tok16('passwordCipher'), unknown: r.tok16('unknown'), tail: Buffer.from(r.rest()),
    };
  },
);

/** Result codes of the 0x00DD reply. */
export const CheckPasswordResult = { OK: 0x00, WRONG_PASSWORD: 0x34, NO_SUCH_UID: 0xbf, DENIED: 0x33 } as const;

/**
 * 0x00DD reply: length u16 (bytes after it), result, u32, two tok16 fields, then on success the login token (tok16)
 * and the login key[16]; on failure a GB18030 message (tok16).
 */
export interface CheckPasswordReply {
  result: number;
  unknown: number;
  field1: Buffer;
  field2: Buffer;
  success?: { loginToken: Buffer; loginKey: Buffer };
  message?: string;
}

/** 0x00DD s2c codec (2007/2008); the leading length is computed on encode and checked on decode. */
export const checkPasswordReplyCodec = codec<CheckPasswordReply>(
  'checkPasswordReply',
  (v) => {
    const w = new Writer(64).u16(0, 'length').u8(v.result, 'result').u32(v.unknown, 'unknown')
      .tok16(v.field1, 'field1').tok16(v.field2, 'field2');
    if (v.success) w.tok16(v.success.loginToken, 'loginToken').fixed(v.success.loginKey, 16, 'loginKey');
    else w.tok16(encodeGb(v.message ?? ''), 'message');
    const out = w.finish();
    out.writeUInt16BE(out.length - 2, 0);
    return out;
  },
  (body) => readWhole(body, (r) => {
    const length = r.u16('length');
    if (length !== body.length - 2) throw new DecodeError('bad_value', `length ${length}, body has ${body.length - 2}`, 'length', 0);
    const head = { result: r.u8('result'), unknown: r.u32('unknown'), field1: r.tok16('field1'), field2: r.tok16('field2') };
    if (head.result === CheckPasswordResult.OK) return { ...head, success: { loginToken: r.tok16('loginToken'), loginKey: r.copy(16, 'loginKey') } };
    return { ...head, message: decodeGb(r.tok16('message')) };
  }),
);

/** Offset of the login status in the 2007/2008 0x0022 plaintext, after the password block (u16 0 ‖ tok16). */
const STATUS_AFTER_PASSWORD_BLOCK = 16 + 19 + 16 + 1;

/**
 * 0x0022 request plaintext, 2007/2008 (inside TEA(login key)): u16 0, the password block (tok16), the password
 * proof TEA(password key, empty)[16], 36 bytes, the login status, the rest (the select-server block, the token-ex,
 * fixed filler) kept as sent.
 */
export interface Login2007Request {
  unknown: number;
  passwordCipher: Buffer;
  proof: Buffer;
  filler: Buffer;
  status: number;
  rest: Buffer;
}

/** 0x0022 c2s plaintext codec (2007/2008). */
export const login2007RequestCodec = codec<Login2007Request>(
  'login2007Request',
  (v) => new Writer(60 + v.passwordCipher.length + v.rest.length)
    .u16(v.unknown, 'unknown').tok16(v.passwordCipher, 'passwordCipher').fixed(v.proof, 16, 'proof')
    .fixed(v.filler, STATUS_AFTER_PASSWORD_BLOCK - 16, 'filler').u8(v.status, 'status').bytes(v.rest).finish(),
  (body) => {
    const r = new Reader(body);
    return {
      unknown: r.u16('unknown'), passwordCipher: r.tok16('passwordCipher'), proof: r.copy(16, 'proof'),
      filler: r.copy(STATUS_AFTER_PASSWORD_BLOCK - 16, 'filler'), status: r.u8('status'), rest: Buffer.from(r.rest()),
    };
  },
);

/** The 2007/2008 0x0022 body: login token (tok16) in clear, then TEA(login key, plaintext). */
export interface Login2007Body {
  loginToken: Buffer;
  cipher: Buffer;
}

/** Splits a 2007/2008 0x0022 body; never throws. */
export function splitLogin2007Body(body: Buffer): Result<Login2007Body> {
  return tryDecode(() => {
    const r = new Reader(body);
    return { loginToken: r.tok16('loginToken'), cipher: Buffer.from(r.rest()) };
  });
}

/** Length of the 2007/2008 login reply pidgin reads (last login IP and time at 131). */
export const LOGIN_2007_REPLY_LENGTH = 139;

/**
 * 0x0022 reply, 2007/2008, TEA(password key): `00`, session key[16], uid, client IP u32 and port u16, the client's
 * local IP and port, login time u32, 94 bytes, last login IP u32 and time u32 (139 bytes). Failure: a code ≠ 0
 * and a GB18030 text (0x05 makes the client start again at 0x0091).
 */
export type Login2007Reply =
  | {
      kind: 'success';
      sessionKey: Buffer;
      uid: number;
      clientIp: number;
      clientPort: number;
      localIp: number;
      localPort: number;
      loginTime: number;
      unknown: Buffer;
      lastLoginIp: number;
      lastLoginTime: number;
    }
  | { kind: 'failure'; code: number; reason: string };

/** 0x0022 s2c codec (2007/2008). */
export const login2007ReplyCodec = codec<Login2007Reply>(
  'login2007Reply',
  (v) => {
    if (v.kind === 'failure') return new Writer(64).u8(v.code, 'code').bytes(encodeGb(v.reason)).finish();
    return new Writer(LOGIN_2007_REPLY_LENGTH).u8(0, 'result').fixed(v.sessionKey, 16, 'sessionKey').u32(v.uid, 'uid')
      .u32(v.clientIp, 'clientIp').u16(v.clientPort, 'clientPort').u32(v.localIp, 'localIp').u16(v.localPort, 'localPort')
      .u32(v.loginTime, 'loginTime').fixed(v.unknown, 94, 'unknown').u32(v.lastLoginIp, 'lastLoginIp')
      .u32(v.lastLoginTime, 'lastLoginTime').finish();
  },
  (body) => {
    const r = new Reader(body);
    const code = r.u8('result');
    if (code !== 0) return { kind: 'failure', code, reason: decodeGb(r.rest()) };
    const v = {
      kind: 'success' as const, sessionKey: r.copy(16, 'sessionKey'), uid: r.u32('uid'), clientIp: r.u32('clientIp'),
      clientPort: r.u16('clientPort'), localIp: r.u32('localIp'), localPort: r.u16('localPort'), loginTime: r.u32('loginTime'),
      unknown: r.copy(94, 'unknown'), lastLoginIp: r.u32('lastLoginIp'), lastLoginTime: r.u32('lastLoginTime'),
    };
    r.end();
    return v;
  },
);
