import { codec } from '../../codec.js';
import { DecodeError, EncodeError, tryDecode, type Result } from '../../errors.js';
import { cryptoRandom, type RandomSource } from '../../random.js';
import { Reader } from '../../reader.js';
import { teaDecrypt, teaEncrypt } from '../../tea.js';
import { decodeGb, encodeGb, gbMaxLength } from '../../text.js';
import { Writer } from '../../writer.js';
import { readWhole } from './common.js';

// Classic login, 2005 style (PROTOCOL.md §5): 0x0062 token, then 0x0022 login.

// ---- 0x0062 token ----------------------------------------------------------------------------

/** 0x0062 request: one byte, `00`. Sent in clear. */
export interface TokenRequest {
  sub: number;
}

/** 0x0062 reply: result `00`, then the token (u8 length + bytes). Exactly 2 + length bytes. */
export interface TokenReply {
  result: number;
  token: Buffer;
}

/** 0x0062 c2s codec. */
export const tokenRequestCodec = codec<TokenRequest>(
  'tokenRequest',
  (v) => new Writer(1).u8(v.sub, 'sub').finish(),
  (body) => readWhole(body, (r) => ({ sub: r.u8('sub') })),
);

/** 0x0062 s2c codec. */
export const tokenReplyCodec = codec<TokenReply>(
  'tokenReply',
  (v) => new Writer(2 + v.token.length).u8(v.result, 'result').tok8(v.token, 'token').finish(),
  (body) => readWhole(body, (r) => ({ result: r.u8('result'), token: r.tok8('token') })),
);

// ---- 0x0022 login request --------------------------------------------------------------------

/** Length of the login plaintext real clients send. */
export const LOGIN_PLAIN_LENGTH = 416;
/** Offset of the login status byte in the plaintext. */
export const LOGIN_STATUS_OFFSET = 52;
/** Offset of the token length byte in the plaintext. */
export const LOGIN_TOKEN_OFFSET = 69;

/**
 * The 100 bytes that follow the token in pidgin's qq2005 login (observed in the vectors); the rest of
 * the 416 bytes is zero. Servers ignore them; the builder sends them so our client looks like a real one.
 */
export const LOGIN_FILLER_HEAD = Buffer.from(
  '400b04020001000000000003090000000000000001e90301000000000001f30300000000000001ed030000000000' +
    '0001ec0300000000000003050000000000000003070000000000000001ee0300000000000001ef030000000000' +
    '0001eb030000000000',
  'hex',
);

/** The decrypted login plaintext. Unknown regions are kept so re-encoding gives the same bytes. */
export interface LoginRequest {
  /** [0..15] TEA(password key, empty): the password proof. */
  proof: Buffer;
  /** [16..51] 36 bytes, meaning unknown (zeros and a client hash in pidgin's). */
  unknown16: Buffer;
  /** [52] login status (0x0A online, 0x1E away, 0x28 invisible). */
  status: number;
  /** [53..68] 16 bytes, meaning unknown. */
  unknown53: Buffer;
  /** [69] u8 length, then the token of the 0x0062 reply. */
  token: Buffer;
  /** Everything after the token (fixed filler). */
  filler: Buffer;
}

/** 0x0022 c2s codec (the plaintext inside TEA(initial key); the initial key prefix is the wrap's). */
export const loginRequestCodec = codec<LoginRequest>(
  'loginRequest',
  (v) =>
    new Writer(70 + v.token.length + v.filler.length)
      .fixed(v.proof, 16, 'proof')
      .fixed(v.unknown16, 36, 'unknown16')
      .u8(v.status, 'status')
      .fixed(v.unknown53, 16, 'unknown53')
      .tok8(v.token, 'token')
      .bytes(v.filler)
      .finish(),
  (body) => {
    const r = new Reader(body);
    return {
      proof: r.copy(16, 'proof'),
      unknown16: r.copy(36, 'unknown16'),
      status: r.u8('status'),
      unknown53: r.copy(16, 'unknown53'),
      token: r.tok8('token'),
      filler: Buffer.from(r.rest()),
    };
  },
);

/** What a client needs to build its login body. */
export interface LoginBodyInit {
  /** 16 random bytes, sent in clear in front of the encrypted part. */
  initialKey: Uint8Array;
  passwordKey: Uint8Array;
  /** The token of the 0x0062 reply. */
  token: Uint8Array;
  /** Login status (Status.ONLINE, AWAY, INVISIBLE). */
  status: number;
  /** Randomness for both encryptions (proof, then body); defaults to the CSPRNG. */
  random?: RandomSource;
  /** Plaintext length, LOGIN_PLAIN_LENGTH unless told otherwise; the filler is cut or zero-padded to fit. */
  plainLength?: number;
}

/** The login plaintext a real qq2005 client would send for `init` (proof, status, token, filler). */
export function buildLoginRequest(init: LoginBodyInit): LoginRequest {
  const random = init.random ?? cryptoRandom;
  const total = init.plainLength ?? LOGIN_PLAIN_LENGTH;
  const fillerLen = total - (LOGIN_TOKEN_OFFSET + 1 + init.token.length);
  if (fillerLen < 0) throw new EncodeError('token', `too long for a ${total}-byte login plaintext`);
  const filler = Buffer.alloc(fillerLen);
  LOGIN_FILLER_HEAD.copy(filler, 0, 0, Math.min(fillerLen, LOGIN_FILLER_HEAD.length));
  return {
    proof: teaEncrypt(Buffer.alloc(0), init.passwordKey, random),
    unknown16: Buffer.alloc(36),
    status: init.status,
    unknown53: Buffer.alloc(16),
    token: Buffer.from(init.token),
    filler,
  };
}

/** The whole 0x0022 body: initial key ‖ TEA(initial key, login plaintext). */
export function buildLoginBody(init: LoginBodyInit): Buffer {
  if (init.initialKey.length !== 16) throw new EncodeError('initialKey', 'must be 16 bytes');
  const plain = loginRequestCodec.encode(buildLoginRequest(init));
  return Buffer.concat([Buffer.from(init.initialKey), teaEncrypt(plain, init.initialKey, init.random ?? cryptoRandom)]);
}

/** An opened 0x0022 body. */
export interface OpenedLogin {
  initialKey: Buffer;
  request: LoginRequest;
}

/** Splits a raw 0x0022 body into the clear initial key and the TEA part, decrypts and decodes it. */
export function openLoginBody(body: Buffer): Result<OpenedLogin> {
  return tryDecode(() => {
    if (body.length < 32) throw new DecodeError('truncated', `login body of ${body.length} bytes`, 'initialKey', 0);
    const initialKey = Buffer.from(body.subarray(0, 16));
    const plain = teaDecrypt(body.subarray(16), initialKey);
    if (!plain) throw new DecodeError('undecryptable', 'login body does not open with its initial key', 'body', 16);
    return { initialKey, request: loginRequestCodec.decode(plain) };
  });
}

/** True if the 16-byte proof decrypts with the password key to an empty plaintext. */
export function checkPasswordProof(proof: Uint8Array, passwordKey: Uint8Array): boolean {
  if (proof.length !== 16) return false;
  const plain = teaDecrypt(proof, passwordKey);
  return plain !== null && plain.length === 0;
}

// ---- 0x0022 login reply ----------------------------------------------------------------------

/** pidgin rejects shorter success replies. */
export const LOGIN_REPLY_MIN_LENGTH = 148;

/** Reply codes of 0x0022. */
export const LoginResult = { SUCCESS: 0x00, REDIRECT: 0x01, FAILURE: 0x05 } as const;

/** `00`: logged in. Sent TEA(password key). */
export interface LoginSuccess {
  kind: 'success';
  sessionKey: Buffer;
  uid: number;
  /** The client's address as the server saw it (IPv4 u32) and its port. */
  clientIp: number;
  clientPort: number;
  serverIp: number;
  serverPort: number;
  /** Unix seconds. */
  loginTime: number;
  /** [37..122] 86 bytes, meaning unknown (`03 0A` then zeros in the vector's accepted reply). */
  unknown37: Buffer;
  /** [123..126] IP of the previous login (IPv4 u32). */
  lastLoginIp: number;
  /** [127..130] time of the previous login (unix seconds). */
  lastLoginTime: number;
  /** [131..] the rest (zeros), making the reply at least 148 bytes. */
  tail: Buffer;
}

/** Any code other than 00/01 (05 in practice): failure with a GB18030 reason. */
export interface LoginFailure {
  kind: 'failure';
  code: number;
  reason: string;
}

/** `01`: log in elsewhere. */
export interface LoginRedirect {
  kind: 'redirect';
  uid: number;
  ip: number;
  port: number;
  /** Anything after the port, kept. */
  extra: Buffer;
}

/** The 0x0022 reply plaintext. */
export type LoginReply = LoginSuccess | LoginFailure | LoginRedirect;

/** The unknown [37..122] bytes of the reply pidgin accepted in the vectors. */
export const LOGIN_REPLY_UNKNOWN37 = (() => {
  const b = Buffer.alloc(86);
  b[0] = 0x03;
  b[1] = 0x0a;
  return b;
})();

/** Fields a server chooses for a success reply; the rest gets the values pidgin accepted. */
export type LoginSuccessInit = Pick<LoginSuccess, 'sessionKey' | 'uid' | 'clientIp' | 'clientPort' | 'serverIp' | 'serverPort' | 'loginTime'> &
  Partial<Pick<LoginSuccess, 'lastLoginIp' | 'lastLoginTime'>>;

/** A success reply of 160 bytes (the length pidgin accepted), unknown parts as in the vectors. */
export function loginSuccess(init: LoginSuccessInit): LoginSuccess {
  return {
    kind: 'success',
    ...init,
    unknown37: Buffer.from(LOGIN_REPLY_UNKNOWN37),
    lastLoginIp: init.lastLoginIp ?? init.clientIp,
    lastLoginTime: init.lastLoginTime ?? init.loginTime,
    tail: Buffer.alloc(29),
  };
}

function encodeLoginReply(v: LoginReply): Buffer {
  switch (v.kind) {
    case 'success': {
      const w = new Writer(131 + v.tail.length);
      w.u8(LoginResult.SUCCESS)
        .fixed(v.sessionKey, 16, 'sessionKey')
        .u32(v.uid, 'uid')
        .u32(v.clientIp, 'clientIp')
        .u16(v.clientPort, 'clientPort')
        .u32(v.serverIp, 'serverIp')
        .u16(v.serverPort, 'serverPort')
        .u32(v.loginTime, 'loginTime')
        .fixed(v.unknown37, 86, 'unknown37')
        .u32(v.lastLoginIp, 'lastLoginIp')
        .u32(v.lastLoginTime, 'lastLoginTime')
        .bytes(v.tail);
      if (w.length < LOGIN_REPLY_MIN_LENGTH) throw new EncodeError('tail', `reply of ${w.length} bytes; clients need ≥ ${LOGIN_REPLY_MIN_LENGTH}`);
      return w.finish();
    }
    case 'redirect':
      return new Writer(11 + v.extra.length).u8(LoginResult.REDIRECT).u32(v.uid, 'uid').u32(v.ip, 'ip').u16(v.port, 'port').bytes(v.extra).finish();
    case 'failure':
      if (v.code === LoginResult.SUCCESS || v.code === LoginResult.REDIRECT) throw new EncodeError('code', `${v.code} is not a failure code`);
      return new Writer(1 + gbMaxLength(v.reason)).u8(v.code, 'code').bytes(encodeGb(v.reason)).finish();
  }
}

function decodeLoginReply(body: Buffer): LoginReply {
  const r = new Reader(body);
  const code = r.u8('code');
  if (code === LoginResult.SUCCESS) {
    if (body.length < LOGIN_REPLY_MIN_LENGTH) {
      throw new DecodeError('truncated', `success reply of ${body.length} bytes < ${LOGIN_REPLY_MIN_LENGTH}`, 'loginReply', body.length);
    }
    return {
      kind: 'success',
      sessionKey: r.copy(16, 'sessionKey'),
      uid: r.u32('uid'),
      clientIp: r.u32('clientIp'),
      clientPort: r.u16('clientPort'),
      serverIp: r.u32('serverIp'),
      serverPort: r.u16('serverPort'),
      loginTime: r.u32('loginTime'),
      unknown37: r.copy(86, 'unknown37'),
      lastLoginIp: r.u32('lastLoginIp'),
      lastLoginTime: r.u32('lastLoginTime'),
      tail: Buffer.from(r.rest()),
    };
  }
  if (code === LoginResult.REDIRECT) {
    return { kind: 'redirect', uid: r.u32('uid'), ip: r.u32('ip'), port: r.u16('port'), extra: Buffer.from(r.rest()) };
  }
  return { kind: 'failure', code, reason: decodeGb(r.rest()) };
}

/** 0x0022 s2c codec (TEA(password key) on success; a failure goes out under the initial key). */
export const loginReplyCodec = codec<LoginReply>('loginReply', encodeLoginReply, decodeLoginReply);
