import { timingSafeEqual } from 'node:crypto';
import { codec, type BodyCodec } from '../../codec.js';
import { DecodeError, EncodeError } from '../../errors.js';
import { passwordKeyFromMd5, verifyBlockKey } from '../../keys.js';
import type { RandomSource } from '../../random.js';
import { Reader } from '../../reader.js';
import { teaDecrypt, teaEncrypt } from '../../tea.js';
import type { Writer } from '../../writer.js';
import { readWhole, encodeWith, fixedLength, MODERN_EXE_HASH, MODERN_LOCALE, MODERN_VERSION_SPEC, rawOr, firstLayout, readRandomEntry, readText8, readText16, readZeros, writeRandomEntry, type FailedReply, type LoginDialect, type RandomEntry } from './common.js';

// The login chain 0x0091 → 0x00BA → 0x00DD → 0x00E5 → 0x0030 (PROTOCOL-MODERN.md §3). Plaintext layouts only;
// wrap.ts puts them on the wire.

const ZERO8 = Buffer.alloc(8);

/** 0x00DD sub-command of each dialect. */
export const VERIFY_SUB: Readonly<Record<LoginDialect, number>> = { qq2011: 0x00de, qq2009: 0x00ca, libqq: 0x00de };
/** 0x00E5 request head of each dialect. */
const LOGIN_INFO_SUB: Readonly<Record<LoginDialect, number>> = { qq2011: 0x010e, qq2009: 0x010d, libqq: 0x010e };

/** The dialect whose value in `table` is `value`, or a DecodeError naming `field`. */
function dialectOf(table: Readonly<Record<LoginDialect, number>>, value: number, field: string, at: number): LoginDialect {
  for (const d of ['qq2011', 'qq2009'] as const) if (table[d] === value) return d;
  // Worded as Reader.expectU16 words it, naming the QQ2011 value.
  throw new DecodeError('bad_value', `expected 0x${table.qq2011.toString(16)}, got 0x${value.toString(16)}`, field, at);
}


/** Reads the failure form of a reply whose first byte is a result. */
function readFailed(r: Reader): FailedReply {
  return { ok: false, result: r.u8('result'), data: Buffer.from(r.rest()) };
}

function writeFailed(w: Writer, v: FailedReply): void {
  if (v.result === 0) throw new EncodeError('result', 'a failed reply needs a non-zero result');
  w.u8(v.result, 'result').bytes(v.data);
}

// ---------------------------------------------------------------- 0x0091 touch

/** 0x0091 request (35 B): `00 01 · locale 6 · version spec 12 · server blob 15`. */
export interface TouchRequest {
  locale: Buffer;
  versionSpec: Buffer;
  /** All zero the first time; after a redirect, the blob from the reply. */
  serverBlob: Buffer;
}

/** Codec of the 0x0091 request plaintext. */
export const touchRequest: BodyCodec<TouchRequest> = codec<TouchRequest>(
  'touchRequest',
  (v) =>
    encodeWith((w) => {
      w.u16(0x0001).fixed(v.locale, 6, 'locale').fixed(v.versionSpec, 12, 'versionSpec').fixed(v.serverBlob, 15, 'serverBlob');
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU16(0x0001, 'head');
      return { locale: r.copy(6, 'locale'), versionSpec: r.copy(12, 'versionSpec'), serverBlob: r.copy(15, 'serverBlob') };
    }),
);

/** A redirect in a touch reply: the client touches `serverIp` next, on the port it used. */
export interface TouchRedirect {
  flag: number;
  count: number;
  ispId: number;
  unknown: number;
  serverIp: number;
}

/** 0x0091 reply, result 00: `00 · server time · server IP · 8 zero · tok16 login token · redirect flag`. */
export interface TouchReplyOk {
  ok: true;
  serverTime: number;
  serverIp: number;
  loginToken: Buffer;
  /** null = redirect flag 00: go on to 0x00BA. */
  redirect: TouchRedirect | null;
}

/** 0x0091 reply. */
export type TouchReply = TouchReplyOk | FailedReply;

/** Codec of the 0x0091 reply plaintext. */
export const touchReply: BodyCodec<TouchReply> = codec<TouchReply>(
  'touchReply',
  (v) =>
    encodeWith((w) => {
      if (!v.ok) return writeFailed(w, v);
      w.u8(0).u32(v.serverTime, 'serverTime').u32(v.serverIp, 'serverIp').bytes(ZERO8).tok16(v.loginToken, 'loginToken');
      if (!v.redirect) w.u8(0);
      else {
        const d = v.redirect;
        if (d.flag === 0) throw new EncodeError('redirect.flag', 'a redirect needs a non-zero flag');
        w.u8(d.flag, 'redirect.flag').u8(d.count, 'redirect.count').u32(d.ispId, 'redirect.ispId').u32(d.unknown, 'redirect.unknown').u32(d.serverIp, 'redirect.serverIp');
      }
    }),
  (body) =>
    readWhole<TouchReply>(body, (r) => {
      if (body[0] !== 0 && body.length > 0) return readFailed(r);
      r.expectU8(0, 'result');
      const serverTime = r.u32('serverTime');
      const serverIp = r.u32('serverIp');
      readZeros(r, 8, 'reserved');
      const loginToken = r.tok16('loginToken');
      const flag = r.u8('redirectFlag');
      const redirect = flag === 0 ? null : { flag, count: r.u8('redirect.count'), ispId: r.u32('redirect.ispId'), unknown: r.u32('redirect.unknown'), serverIp: r.u32('redirect.serverIp') };
      return { ok: true, serverTime, serverIp, loginToken, redirect };
    }),
);

/** Builds the 0x0091 request a client sends first (zero server blob unless redirected). */
export function makeTouchRequest(serverBlob: Buffer = Buffer.alloc(15)): TouchRequest {
  return { locale: MODERN_LOCALE, versionSpec: MODERN_VERSION_SPEC, serverBlob };
}

/**
 * Builds the touch reply a server sends: result 00, redirect flag 00 unless `redirectIp` names the server to touch
 * next (flag 01, one server); a 24-byte login token from `random` if not given.
 */
export function makeTouchReply(p: { serverTime: number; serverIp: number; loginToken?: Buffer; redirectIp?: number }, random: RandomSource): TouchReplyOk {
  const redirect = p.redirectIp === undefined ? null : { flag: 1, count: 1, ispId: 0, unknown: 0, serverIp: p.redirectIp };
  return { ok: true, serverTime: p.serverTime, serverIp: p.serverIp, loginToken: p.loginToken ?? random(24), redirect };
}

/** The server blob a redirected client touches its new server with: the reply's redirect part, zero-padded to 15. */
export function touchBlobAfter(r: TouchRedirect): Buffer {
  const b = Buffer.alloc(15);
  b.writeUInt8(r.flag, 0);
  b.writeUInt8(r.count, 1);
  b.writeUInt32BE(r.ispId, 2);
  b.writeUInt32BE(r.unknown, 6);
  b.writeUInt32BE(r.serverIp, 10);
  return b;
}

// ---------------------------------------------------------------- 0x00BA login request

/** A captcha answer in 0x00BA (kind 0x04). */
export interface CaptchaAnswer {
  code: Buffer;
  token: Buffer;
}

/** 0x00BA request: `00 01 · locale · version spec · tok16 login token · kind` then the kind's tail. */
export interface LoginRequest {
  locale: Buffer;
  versionSpec: Buffer;
  loginToken: Buffer;
  /** Kind 0x03 (no captcha answer): `00 05 · u32 0 · pngFlag · 00 00`; the png-fragment flag asks for the next PNG piece. */
  pngFlag: number;
  /** Kind 0x04: `code[4] · tok16 token`. */
  captcha: CaptchaAnswer | null;
}

/** Codec of the 0x00BA request plaintext. */
export const loginRequest: BodyCodec<LoginRequest> = codec<LoginRequest>(
  'loginRequest',
  (v) =>
    encodeWith((w) => {
      w.u16(0x0001).fixed(v.locale, 6, 'locale').fixed(v.versionSpec, 12, 'versionSpec').tok16(v.loginToken, 'loginToken');
      if (v.captcha) w.u8(0x04).fixed(v.captcha.code, 4, 'captcha.code').tok16(v.captcha.token, 'captcha.token');
      else w.u8(0x03).u8(0x00).u8(0x05).u32(0).u8(v.pngFlag, 'pngFlag').u16(0);
    }),
  (body) =>
    readWhole(body, (r) => {
      r.expectU16(0x0001, 'head');
      const locale = r.copy(6, 'locale');
      const versionSpec = r.copy(12, 'versionSpec');
      const loginToken = r.tok16('loginToken');
      const at = r.offset;
      const kind = r.u8('kind');
      if (kind === 0x04) return { locale, versionSpec, loginToken, pngFlag: 0, captcha: { code: r.copy(4, 'captcha.code'), token: r.tok16('captcha.token') } };
      if (kind !== 0x03) throw new DecodeError('bad_value', `kind 0x${kind.toString(16)}, expected 03 or 04`, 'kind', at);
      r.expectU8(0x00, 'reserved');
      r.expectU8(0x05, 'sub');
      r.expectU32(0, 'reserved2');
      const pngFlag = r.u8('pngFlag');
      r.expectU16(0, 'reserved3');
      return { locale, versionSpec, loginToken, pngFlag, captcha: null };
    }),
);

/** A PNG captcha fragment in a 0x00BA reply (png flag 01). */
export interface CaptchaFragment {
  fragment: Buffer;
  unknown: number;
  /** Non-zero: more fragments follow. */
  more: number;
  nextToken: Buffer;
}

/** 0x00BA reply: `kind · 00 · 05 · png flag · u32 captcha · tok16 token_c` (+ fragment when png flag is 01). */
export interface LoginReply {
  /** 0x03 in the run; MQ ignores it. */
  kind: number;
  pngFlag: number;
  /** 0 = no captcha. */
  captcha: number;
  tokenC: Buffer;
  png: CaptchaFragment | null;
}

/** Codec of the 0x00BA reply plaintext. */
export const loginReply: BodyCodec<LoginReply> = codec<LoginReply>(
  'loginReply',
  (v) =>
    encodeWith((w) => {
      if ((v.pngFlag === 1) !== (v.png !== null)) throw new EncodeError('png', 'present exactly when pngFlag is 1');
      w.u8(v.kind, 'kind').u8(0).u8(0x05).u8(v.pngFlag, 'pngFlag').u32(v.captcha, 'captcha').tok16(v.tokenC, 'tokenC');
      if (v.png) w.tok16(v.png.fragment, 'png.fragment').u8(v.png.unknown, 'png.unknown').u8(v.png.more, 'png.more').tok16(v.png.nextToken, 'png.nextToken');
    }),
  (body) =>
    readWhole(body, (r) => {
      const kind = r.u8('kind');
      r.expectU8(0, 'reserved');
      r.expectU8(0x05, 'sub');
      const pngFlag = r.u8('pngFlag');
      const captcha = r.u32('captcha');
      const tokenC = r.tok16('tokenC');
      const png = pngFlag === 1 ? { fragment: r.tok16('png.fragment'), unknown: r.u8('png.unknown'), more: r.u8('png.more'), nextToken: r.tok16('png.nextToken') } : null;
      return { kind, pngFlag, captcha, tokenC, png };
    }),
);

/** Builds the 0x00BA request a client sends with the touch reply's token (no captcha). */
export function makeLoginRequest(loginToken: Buffer): LoginRequest {
  return { locale: MODERN_LOCALE, versionSpec: MODERN_VERSION_SPEC, loginToken, pngFlag: 0, captcha: null };
}

/** Builds the 0x00BA reply a server sends: png flag 0, no captcha; a 56-byte token_c from `random` if not given. */
export function makeLoginReply(random: RandomSource, tokenC?: Buffer): LoginReply {
  return { kind: 0x03, pngFlag: 0, captcha: 0, tokenC: tokenC ?? random(56), png: null };
}

// ---------------------------------------------------------------- the 104-byte verify block

/** The verify block inside 0x00DD (104 B), sealed with md5_pass_qq. */
export interface VerifyBlock {
  rand: number;
  uid: number;
  versionSpec: Buffer;
  /** MD5(password): the password proof. */
  passwordMd5: Buffer;
  /** From the touch reply. */
  serverTime: number;
  /** From the touch reply. */
  serverIp: number;
  verifyKey1: Buffer;
  /** Opens the 0x00DD success reply. */
  verifyKey2: Buffer;
}

/** Length of the verify block plaintext. */
export const VERIFY_BLOCK_LENGTH = 104;
/** Length of the sealed verify block inside 0x00DD. */
export const VERIFY_CIPHER_LENGTH = 120;

/** Codec of the verify block plaintext. */
export const verifyBlock: BodyCodec<VerifyBlock> = codec<VerifyBlock>(
  'verifyBlock',
  (v) =>
    encodeWith((w) => {
      w.u32(v.rand, 'rand').u16(0x0001).u32(v.uid, 'uid').fixed(v.versionSpec, 12, 'versionSpec').u8(0).u16(0);
      w.fixed(v.passwordMd5, 16, 'passwordMd5').u32(v.serverTime, 'serverTime').zeros(13).u32(v.serverIp, 'serverIp');
      w.u32(0).u32(0).u16(0x0010).fixed(v.verifyKey1, 16, 'verifyKey1').fixed(v.verifyKey2, 16, 'verifyKey2');
    }),
  (body) =>
    readWhole(body, (r) => {
      const rand = r.u32('rand');
      r.expectU16(0x0001, 'head');
      const uid = r.u32('uid');
      const versionSpec = r.copy(12, 'versionSpec');
      readZeros(r, 3, 'reserved');
      const passwordMd5 = r.copy(16, 'passwordMd5');
      const serverTime = r.u32('serverTime');
      readZeros(r, 13, 'reserved2');
      const serverIp = r.u32('serverIp');
      readZeros(r, 8, 'reserved3');
      r.expectU16(0x0010, 'keyLength');
      return { rand, uid, versionSpec, passwordMd5, serverTime, serverIp, verifyKey1: r.copy(16, 'verifyKey1'), verifyKey2: r.copy(16, 'verifyKey2') };
    }),
);

/** What a client knows when it builds its verify block. */
export interface VerifyBlockParams {
  uid: number;
  passwordMd5: Buffer;
  serverTime: number;
  serverIp: number;
  /** Zero in MQ; 16 bytes. */
  verifyKey1?: Buffer;
  /** Zero in MQ; 16 bytes; opens the 0x00DD success reply. */
  verifyKey2?: Buffer;
}

/** Builds the verify block value (client side); `rand` from `random`. */
export function makeVerifyBlock(p: VerifyBlockParams, random: RandomSource): VerifyBlock {
  return {
    rand: random(4).readUInt32BE(0),
    uid: p.uid,
    versionSpec: MODERN_VERSION_SPEC,
    passwordMd5: p.passwordMd5,
    serverTime: p.serverTime,
    serverIp: p.serverIp,
    verifyKey1: p.verifyKey1 ?? Buffer.alloc(16),
    verifyKey2: p.verifyKey2 ?? Buffer.alloc(16),
  };
}

/** The key that seals the verify block: md5_pass_qq (QQ2011), or the password key MD5(MD5(pw)) (QQ2009). */
export function verifySealKey(passwordMd5: Uint8Array, uid: number, dialect: LoginDialect = 'qq2011'): Buffer {
  return dialect === 'qq2009' ? passwordKeyFromMd5(passwordMd5) : verifyBlockKey(passwordMd5, uid);
}

/** Seals a verify block with its dialect's key (see verifySealKey) — the 120 bytes inside 0x00DD. */
export function sealVerifyBlock(block: VerifyBlock, random: RandomSource, dialect: LoginDialect = 'qq2011'): Buffer {
  return teaEncrypt(verifyBlock.encode(block), verifySealKey(block.passwordMd5, block.uid, dialect), random);
}

/** Builds and seals a verify block in one step (client side). */
export function buildVerifyBlock(p: VerifyBlockParams, random: RandomSource, dialect: LoginDialect = 'qq2011'): Buffer {
  return sealVerifyBlock(makeVerifyBlock(p, random), random, dialect);
}

/** The result of opening a verify block: the block, or `cannot_open` (wrong password) / `malformed`. */
export type VerifyBlockOpen = { ok: true; block: VerifyBlock } | { ok: false; reason: 'cannot_open' | 'malformed'; error?: DecodeError };

/** Opens the sealed verify block with md5_pass_qq (server side). `cannot_open` means the password is wrong. */
export function openVerifyBlock(cipher: Buffer, md5PassQq: Uint8Array): VerifyBlockOpen {
  const plain = teaDecrypt(cipher, md5PassQq);
  if (!plain) return { ok: false, reason: 'cannot_open' };
  try {
    return { ok: true, block: verifyBlock.decode(Buffer.from(plain)) };
  } catch (e) {
    if (e instanceof DecodeError) return { ok: false, reason: 'malformed', error: e };
    throw e;
  }
}

/** True if the block's MD5(pw) equals the stored one (constant time). */
export function verifyBlockMatches(block: VerifyBlock, storedPasswordMd5: Uint8Array): boolean {
  return storedPasswordMd5.length === 16 && timingSafeEqual(block.passwordMd5, storedPasswordMd5);
}

/** The server's password check: opens with the dialect's key from the stored MD5(pw) and compares MD5(pw) and uid. */
export function checkVerifyBlock(cipher: Buffer, storedPasswordMd5: Uint8Array, uid: number, dialect: LoginDialect = 'qq2011'): VerifyBlockOpen {
  const opened = openVerifyBlock(cipher, verifySealKey(storedPasswordMd5, uid, dialect));
  if (!opened.ok) return opened;
  if (!verifyBlockMatches(opened.block, storedPasswordMd5) || opened.block.uid !== uid) return { ok: false, reason: 'cannot_open' };
  return opened;
}

// ---------------------------------------------------------------- 0x00DD verify

/** 0x00DD request (601 B in the run; MyQQ 3.19's: sub 0x00CA, no random20, 348 zeros). */
export interface VerifyRequest {
  /** From the sub-command: 0x00DE qq2011, 0x00CA qq2009 (absent: qq2011). */
  dialect?: LoginDialect;
  locale: Buffer;
  versionSpec: Buffer;
  tokenC: Buffer;
  /** TEA(md5_pass_qq, verify block), 120 bytes, after u16 0x0078. */
  verifyCipher: Buffer;
  /** 20 random bytes, after u16 0x0014 (none in qq2009). */
  random20: Buffer;
  /** The entries `01 rand tok16(16)`, `02 rand tok16(16)`, inside `u16 len (tok8 entries ‖ zeros)`. */
  entries: RandomEntry[];
  /** Zero bytes after the entries (328 in MQ). */
  zeroPad: number;
}

/** Codec of the 0x00DD request plaintext. */
export const verifyRequest: BodyCodec<VerifyRequest> = codec<VerifyRequest>(
  'verifyRequest',
  (v) =>
    encodeWith((w) => {
      w.u16(VERIFY_SUB[v.dialect ?? 'qq2011']).u16(0x0001).fixed(v.locale, 6, 'locale').fixed(v.versionSpec, 12, 'versionSpec').tok16(v.tokenC, 'tokenC');
      w.tok16(v.verifyCipher, 'verifyCipher').tok16(v.random20, 'random20');
      const inner = encodeWith((e) => {
        const entries = encodeWith((x) => v.entries.forEach((en, i) => writeRandomEntry(x, en, `entries[${i}]`)));
        e.tok8(entries, 'entries').zeros(v.zeroPad);
      });
      w.tok16(inner, 'extension');
    }),
  (body) =>
    readWhole(body, (r) => {
      const dialect = dialectOf(VERIFY_SUB, r.u16('sub'), 'sub', 0);
      r.expectU16(0x0001, 'head');
      const locale = r.copy(6, 'locale');
      const versionSpec = r.copy(12, 'versionSpec');
      const tokenC = r.tok16('tokenC');
      const verifyCipher = r.tok16('verifyCipher');
      const random20 = r.tok16('random20');
      const ext = decodeTok(r, 16, 'extension');
      const list = decodeTok(ext, 8, 'entries');
      const entries: RandomEntry[] = [];
      while (list.remaining > 0) entries.push(readRandomEntry(list, `entries[${entries.length}]`));
      const zeroPad = ext.remaining;
      readZeros(ext, zeroPad, 'zeroPad');
      const v = { locale, versionSpec, tokenC, verifyCipher, random20, entries, zeroPad };
      return dialect === 'qq2009' ? { dialect, ...v } : v;
    }),
);

/** A sub-reader over a u8/u16-length region; offsets in errors stay relative to that region. */
function decodeTok(r: Reader, bits: 8 | 16, field: string): Reader {
  const b = bits === 8 ? r.tok8(field) : r.tok16(field);
  return new Reader(b);
}

/** Builds the 0x00DD request around a sealed verify block, with MQ's layout and fresh random fields. */
export function makeVerifyRequest(p: { tokenC: Buffer; verifyCipher: Buffer }, random: RandomSource): VerifyRequest {
  return {
    locale: MODERN_LOCALE,
    versionSpec: MODERN_VERSION_SPEC,
    tokenC: p.tokenC,
    verifyCipher: p.verifyCipher,
    random20: random(20),
    entries: [
      { tag: 1, rand: random(4).readUInt32BE(0), key: random(16) },
      { tag: 2, rand: random(4).readUInt32BE(0), key: random(16) },
    ],
    zeroPad: 328,
  };
}

/** 0x00DD failure codes (PROTOCOL-MODERN.md §3.3). */
export const VerifyCode = {
  OK: 0x00,
  DENIED: 0x33,
  WRONG_PASSWORD: 0x34,
  ACTIVATION_NEEDED: 0x51,
  NO_SUCH_UID: 0xbf,
} as const;

/** 0x00DD success reply (code 00), TEA(verify_key2). */
export interface VerifyReplyOk {
  ok: true;
  /** Ignored by MQ; the stand-in sent 0x0100. */
  head: number;
  loginInfoToken: Buffer;
  /** Echoed in 0x00E5. */
  unknown1: number;
  serverTime: number;
  loginInfoData: Buffer;
  /** Sent back in clear before the ciphertext of 0x00E5/0x0030. */
  loginInfoMagic: Buffer;
  loginInfoKey1: Buffer;
  loginInfoKey3: Buffer;
}

/** 0x00DD failure reply: `u16 · code · 8 bytes · tok16 message` (MQ reads the message at offset 11). */
export interface VerifyReplyFailed {
  ok: false;
  head: number;
  code: number;
  /** The 8 bytes between the code and the message (zero from the stand-in). */
  reserved?: Buffer;
  message: string;
}

/** 0x00DD reply. */
export type VerifyReply = VerifyReplyOk | VerifyReplyFailed;

/** Codec of the 0x00DD reply plaintext (success or failure, by the code at [2]). */
export const verifyReply: BodyCodec<VerifyReply> = codec<VerifyReply>(
  'verifyReply',
  (v) =>
    encodeWith((w) => {
      w.u16(v.head, 'head');
      if (!v.ok) {
        if (v.code === 0) throw new EncodeError('code', 'a failure reply needs a non-zero code');
        w.u8(v.code, 'code').bytes(rawOr(v.reserved, ZERO8, 'reserved')).tok16(Buffer.from(v.message, 'utf8'), 'message');
        return;
      }
      w.u8(0).tok16(v.loginInfoToken, 'loginInfoToken').u32(v.unknown1, 'unknown1').u32(v.serverTime, 'serverTime');
      w.tok16(v.loginInfoData, 'loginInfoData').tok16(v.loginInfoMagic, 'loginInfoMagic');
      w.fixed(v.loginInfoKey1, 16, 'loginInfoKey1').u16(0).fixed(v.loginInfoKey3, 16, 'loginInfoKey3').u16(0);
    }),
  (body) =>
    readWhole<VerifyReply>(body, (r) => {
      const head = r.u16('head');
      const code = r.u8('code');
      if (code !== 0) return { ok: false, head, code, reserved: r.copy(8, 'reserved'), message: readText16(r, 'message') };
      const loginInfoToken = r.tok16('loginInfoToken');
      const unknown1 = r.u32('unknown1');
      const serverTime = r.u32('serverTime');
      const loginInfoData = r.tok16('loginInfoData');
      const loginInfoMagic = r.tok16('loginInfoMagic');
      const loginInfoKey1 = r.copy(16, 'loginInfoKey1');
      r.expectU16(0, 'reserved');
      const loginInfoKey3 = r.copy(16, 'loginInfoKey3');
      r.expectU16(0, 'reserved2');
      return { ok: true, head, loginInfoToken, unknown1, serverTime, loginInfoData, loginInfoMagic, loginInfoKey1, loginInfoKey3 };
    }),
);

/** Server-chosen secrets of a 0x00DD success reply; any left out are drawn from `random`. */
export interface VerifySuccessParams {
  serverTime: number;
  loginInfoToken?: Buffer;
  unknown1?: number;
  loginInfoData?: Buffer;
  loginInfoMagic?: Buffer;
  loginInfoKey1?: Buffer;
  loginInfoKey3?: Buffer;
}

/** Builds the 0x00DD success reply (seal it with verify_key2 from the block). Sizes as the stand-in's: 32/16/24 B. */
export function makeVerifySuccess(p: VerifySuccessParams, random: RandomSource): VerifyReplyOk {
  return {
    ok: true,
    head: 0x0100,
    loginInfoToken: p.loginInfoToken ?? random(32),
    unknown1: p.unknown1 ?? random(4).readUInt32BE(0),
    serverTime: p.serverTime,
    loginInfoData: p.loginInfoData ?? random(16),
    loginInfoMagic: p.loginInfoMagic ?? random(24),
    loginInfoKey1: fixedKey(p.loginInfoKey1, random, 'loginInfoKey1'),
    loginInfoKey3: fixedKey(p.loginInfoKey3, random, 'loginInfoKey3'),
  };
}

function fixedKey(k: Buffer | undefined, random: RandomSource, field: string): Buffer {
  return k ? Buffer.from(fixedLength(k, 16, field)) : random(16);
}

/** Builds a 0x00DD failure reply (seal it with the request's clear key): 0x34 wrong password, 0xBF no such number. */
export function makeVerifyFailure(code: number, message: string): VerifyReplyFailed {
  return { ok: false, head: 0x0000, code, reserved: Buffer.alloc(8), message };
}

// ---------------------------------------------------------------- 0x00E5 get login info

/** 0x00E5 request (148 B in the run), TEA(login_info_key1) behind the clear magic; qq2009 has no flag byte. */
export interface LoginInfoRequest {
  /** From the head: 0x010E qq2011, 0x010D qq2009 (absent: qq2011). */
  dialect?: LoginDialect;
  locale: Buffer;
  versionSpec: Buffer;
  tokenC: Buffer;
  loginInfoToken: Buffer;
  unknown1: number;
  serverTime: number;
  loginInfoData: Buffer;
}

/** Codec of the 0x00E5 request plaintext. */
export const loginInfoRequest: BodyCodec<LoginInfoRequest> = codec<LoginInfoRequest>(
  'loginInfoRequest',
  (v) =>
    encodeWith((w) => {
      const dialect = v.dialect ?? 'qq2011';
      w.u16(LOGIN_INFO_SUB[dialect]).u8(0).u16(0x0101).fixed(v.locale, 6, 'locale').fixed(v.versionSpec, 12, 'versionSpec');
      w.tok16(v.tokenC, 'tokenC').tok16(v.loginInfoToken, 'loginInfoToken').u32(v.unknown1, 'unknown1').u32(v.serverTime, 'serverTime');
      w.tok16(v.loginInfoData, 'loginInfoData').u16(0);
      if (dialect !== 'qq2009') w.u8(0x01); // pidgin-libqq sends QQ2011's form, flag included
      w.u32(0);
    }),
  (body) =>
    readWhole(body, (r) => {
      const dialect = dialectOf(LOGIN_INFO_SUB, r.u16('sub'), 'sub', 0);
      r.expectU8(0, 'reserved');
      r.expectU16(0x0101, 'head');
      const v: LoginInfoRequest = {
        ...(dialect === 'qq2009' ? { dialect } : {}),
        locale: r.copy(6, 'locale'),
        versionSpec: r.copy(12, 'versionSpec'),
        tokenC: r.tok16('tokenC'),
        loginInfoToken: r.tok16('loginInfoToken'),
        unknown1: r.u32('unknown1'),
        serverTime: r.u32('serverTime'),
        loginInfoData: r.tok16('loginInfoData'),
      };
      r.expectU16(0, 'reserved2');
      if (dialect === 'qq2011') r.expectU8(0x01, 'flag');
      r.expectU32(0, 'reserved3');
      return v;
    }),
);

/** Builds the 0x00E5 request from token_c and the 0x00DD success reply (client side). */
export function makeLoginInfoRequest(tokenC: Buffer, verify: VerifyReplyOk): LoginInfoRequest {
  return {
    locale: MODERN_LOCALE,
    versionSpec: MODERN_VERSION_SPEC,
    tokenC,
    loginInfoToken: verify.loginInfoToken,
    unknown1: verify.unknown1,
    serverTime: verify.serverTime,
    loginInfoData: verify.loginInfoData,
  };
}

const LOGIN_INFO_FIXED = Buffer.from('0000000100000064', 'hex');

/**
 * 0x00E5 reply, TEA(login_info_key3). MQ reads the fields in order and checks no result code. qq2011: two u32
 * before the large token; qq2009: one, and after the token a u32 and the user's nickname (u8 length).
 */
export interface LoginInfoReply {
  /** Absent: qq2011. */
  dialect?: LoginDialect;
  /** 0x0166 in the run. */
  head: number;
  /** 0x0100 in the run. */
  sub: number;
  /** Opens the 0x0030 reply. */
  loginInfoKey2: Buffer;
  /** 8 bytes, `00 00 00 01 00 00 00 64` in the run. */
  fixed?: Buffer;
  /** Echoed in 0x0030. */
  unknown2: number;
  serverTime: number;
  clientIp: number;
  unknown3: number;
  /** qq2011: before the large token; qq2009: after it. */
  unknown4: number;
  /** Echoed in 0x0030 (its length L shapes that request). */
  loginInfoLarge: Buffer;
  /** qq2009 only: the user's own nickname (MyQQ 3.19 greets with it). */
  nickname?: string;
  /** libqq only: the key of the 0x00E3 reply. */
  e3Key?: Buffer;
  /** libqq only: the token 0x00E3 sends back. */
  e3Token?: Buffer;
  /** libqq only: 41 bytes pidgin-libqq skips (zero from this server). */
  reserved41?: Buffer;
  /** libqq only: a third token pidgin-libqq keeps and does not send. */
  thirdToken?: Buffer;
}

const ZERO41 = Buffer.alloc(41);
const ZERO16 = Buffer.alloc(16);

/** Decodes a 0x00E5 reply in one dialect's layout. */
function readLoginInfoReply(body: Buffer, dialect: LoginDialect): LoginInfoReply {
  return readWhole(body, (r) => {
    const head = { head: r.u16('head'), sub: r.u16('sub'), loginInfoKey2: r.copy(16, 'loginInfoKey2'), fixed: r.copy(8, 'fixed') };
    const ids = { unknown2: r.u32('unknown2'), serverTime: r.u32('serverTime'), clientIp: r.u32('clientIp'), unknown3: r.u32('unknown3') };
    if (dialect === 'qq2011') return { ...head, ...ids, unknown4: r.u32('unknown4'), loginInfoLarge: r.tok16('loginInfoLarge') };
    if (dialect === 'libqq') {
      const first = { unknown4: r.u32('unknown4'), loginInfoLarge: r.tok16('loginInfoLarge') };
      return { dialect, ...head, ...ids, ...first, e3Key: r.copy(16, 'e3Key'), e3Token: r.tok16('e3Token'), reserved41: r.copy(41, 'reserved41'), thirdToken: r.tok16('thirdToken') };
    }
    const loginInfoLarge = r.tok16('loginInfoLarge');
    return { dialect, ...head, ...ids, loginInfoLarge, unknown4: r.u32('unknown4'), nickname: readText8(r, 'nickname') };
  });
}

/** Codec of the 0x00E5 reply plaintext (any dialect; decoding tries qq2011, then libqq, then qq2009). */
export const loginInfoReply: BodyCodec<LoginInfoReply> = codec<LoginInfoReply>(
  'loginInfoReply',
  (v) =>
    encodeWith((w) => {
      w.u16(v.head, 'head').u16(v.sub, 'sub').fixed(v.loginInfoKey2, 16, 'loginInfoKey2').bytes(rawOr(v.fixed, LOGIN_INFO_FIXED, 'fixed'));
      w.u32(v.unknown2, 'unknown2').u32(v.serverTime, 'serverTime').u32(v.clientIp, 'clientIp').u32(v.unknown3, 'unknown3');
      if (v.dialect === 'libqq') {
        w.u32(v.unknown4, 'unknown4').tok16(v.loginInfoLarge, 'loginInfoLarge').fixed(v.e3Key ?? ZERO16, 16, 'e3Key').tok16(v.e3Token ?? Buffer.alloc(0), 'e3Token');
        return void w.bytes(rawOr(v.reserved41, ZERO41, 'reserved41')).tok16(v.thirdToken ?? Buffer.alloc(0), 'thirdToken');
      }
      if (v.dialect !== 'qq2009') return void w.u32(v.unknown4, 'unknown4').tok16(v.loginInfoLarge, 'loginInfoLarge');
      w.tok16(v.loginInfoLarge, 'loginInfoLarge').u32(v.unknown4, 'unknown4').tok8(Buffer.from(v.nickname ?? '', 'utf8'), 'nickname');
    }),
  (body) => firstLayout(body, [(b) => readLoginInfoReply(b, 'qq2011'), (b) => readLoginInfoReply(b, 'libqq'), (b) => readLoginInfoReply(b, 'qq2009')]),
);

/** Builds the 0x00E5 reply a server sends (seal with login_info_key3); key2, unknown2 and a 64-byte large token from `random` if not given. */
export function makeLoginInfoReply(
  p: { serverTime: number; clientIp: number; loginInfoKey2?: Buffer; unknown2?: number; loginInfoLarge?: Buffer; dialect?: LoginDialect; nickname?: string },
  random: RandomSource,
): LoginInfoReply {
  return {
    ...(p.dialect === 'qq2009' ? { dialect: p.dialect, nickname: p.nickname ?? '' } : {}),
    ...(p.dialect === 'libqq' ? { dialect: p.dialect, e3Key: random(16), e3Token: random(24), reserved41: ZERO41, thirdToken: random(16) } : {}),
    head: 0x0166,
    sub: 0x0100,
    loginInfoKey2: fixedKey(p.loginInfoKey2, random, 'loginInfoKey2'),
    fixed: LOGIN_INFO_FIXED,
    unknown2: p.unknown2 ?? random(4).readUInt32BE(0),
    serverTime: p.serverTime,
    clientIp: p.clientIp,
    unknown3: 0,
    unknown4: 0,
    loginInfoLarge: p.loginInfoLarge ?? random(64),
  };
}

// ---------------------------------------------------------------- 0x0030 send login info

/** Login modes of 0x0030 (and of its reply). */
export const LoginMode = { ONLINE: 0x0a, HIDDEN: 0x28 } as const;

/** The bytes between token_c and the first random entry of 0x0030, by dialect. */
const TAIL_HEAD: Readonly<Record<LoginDialect, Buffer>> = {
  qq2011: Buffer.from('0000000800000000080410000140', 'hex'),
  qq2009: Buffer.from('00000007000000000804180140', 'hex'),
  libqq: Buffer.from('0000000800000000080410000140', 'hex'),
};

/**
 * 0x0030 request (594 B with a 64-byte large token; offsets after it shift by L), TEA(login_info_key1). qq2009
 * has one zero u32 before the large token (qq2011 two) and a 13-byte tail head (qq2011 14).
 */
export interface SendLoginInfoRequest {
  /** Absent: qq2011. */
  dialect?: LoginDialect;
  versionSpec: Buffer;
  unknown2: number;
  serverTime: number;
  clientIp: number;
  loginInfoLarge: Buffer;
  exeHash: Buffer;
  randomByte: number;
  /** LoginMode: 0x0A online, 0x28 hidden. */
  mode: number;
  serverBlob: Buffer;
  locale: Buffer;
  tokenC: Buffer;
  /** `00000008 00000000 08041000 01 40` in the run (qq2009: `00000007 00000000 08041801 40`). */
  tailHead?: Buffer;
  /** `01 · rand u32 · tok16 16 B`. */
  entry1: RandomEntry;
  /** The second server blob (after 10 zero bytes). */
  tailBlob: Buffer;
  /** `02 · rand u32 · tok16 16 B`. */
  entry2: RandomEntry;
  /** Zero bytes at the end (251 in MQ). */
  zeroPad: number;
}

/** Codec of the 0x0030 request plaintext. */
export const sendLoginInfoRequest: BodyCodec<SendLoginInfoRequest> = codec<SendLoginInfoRequest>(
  'sendLoginInfoRequest',
  (v) =>
    encodeWith((w) => {
      const dialect = v.dialect ?? 'qq2011';
      w.u16(0x0001).fixed(v.versionSpec, 12, 'versionSpec').u32(v.unknown2, 'unknown2').u32(v.serverTime, 'serverTime').u32(v.clientIp, 'clientIp');
      w.zeros(dialect === 'qq2009' ? 4 : 8).tok16(v.loginInfoLarge, 'loginInfoLarge').zeros(35).fixed(v.exeHash, 16, 'exeHash');
      w.u8(v.randomByte, 'randomByte').u8(v.mode, 'mode').zeros(10).fixed(v.serverBlob, 15, 'serverBlob').fixed(v.locale, 6, 'locale').zeros(16);
      w.tok16(v.tokenC, 'tokenC').bytes(rawOr(v.tailHead, TAIL_HEAD[dialect], 'tailHead'));
      writeRandomEntry(w, v.entry1, 'entry1');
      w.zeros(10).fixed(v.tailBlob, 15, 'tailBlob');
      writeRandomEntry(w, v.entry2, 'entry2');
      w.zeros(v.zeroPad);
    }),
  (body) => firstLayout(body, [(b) => readSendLoginInfo(b, 'qq2011'), (b) => readSendLoginInfo(b, 'qq2009')]),
);

/** Decodes a 0x0030 request in one dialect's layout. */
function readSendLoginInfo(body: Buffer, dialect: LoginDialect): SendLoginInfoRequest {
  return readWhole(body, (r) => {
    r.expectU16(0x0001, 'head');
    const versionSpec = r.copy(12, 'versionSpec');
    const unknown2 = r.u32('unknown2');
    const serverTime = r.u32('serverTime');
    const clientIp = r.u32('clientIp');
    readZeros(r, dialect === 'qq2009' ? 4 : 8, 'reserved');
    const loginInfoLarge = r.tok16('loginInfoLarge');
    readZeros(r, 35, 'reserved2');
    const exeHash = r.copy(16, 'exeHash');
    const randomByte = r.u8('randomByte');
    const mode = r.u8('mode');
    readZeros(r, 10, 'reserved3');
    const serverBlob = r.copy(15, 'serverBlob');
    const locale = r.copy(6, 'locale');
    readZeros(r, 16, 'reserved4');
    const tokenC = r.tok16('tokenC');
    const at = r.offset;
    const tailHead = r.copy(TAIL_HEAD[dialect].length, 'tailHead');
    // MyQQ 3.19's tail head is what tells its layout apart (a QQ2011 body with a stray byte must not read as it).
    if (dialect === 'qq2009' && !tailHead.equals(TAIL_HEAD.qq2009)) throw new DecodeError('bad_value', 'not the QQ2009 tail head', 'tailHead', at);
    const entry1 = readRandomEntry(r, 'entry1');
    readZeros(r, 10, 'reserved5');
    const tailBlob = r.copy(15, 'tailBlob');
    const entry2 = readRandomEntry(r, 'entry2');
    const zeroPad = r.remaining;
    readZeros(r, zeroPad, 'zeroPad');
    const fields = { versionSpec, unknown2, serverTime, clientIp, loginInfoLarge, exeHash, randomByte, mode, serverBlob, locale, tokenC, tailHead, entry1, tailBlob, entry2, zeroPad };
    return dialect === 'qq2009' ? { dialect, ...fields } : fields;
  });
}

/** Builds the 0x0030 request from token_c and the 0x00E5 reply (client side), MQ's layout with fresh random fields. */
export function makeSendLoginInfoRequest(
  p: { tokenC: Buffer; info: LoginInfoReply; mode: number; serverBlob?: Buffer },
  random: RandomSource,
): SendLoginInfoRequest {
  const blob = p.serverBlob ?? Buffer.alloc(15);
  const dialect = p.info.dialect ?? 'qq2011';
  return {
    ...(dialect === 'qq2009' ? { dialect } : {}),
    versionSpec: MODERN_VERSION_SPEC,
    unknown2: p.info.unknown2,
    serverTime: p.info.serverTime,
    clientIp: p.info.clientIp,
    loginInfoLarge: p.info.loginInfoLarge,
    exeHash: MODERN_EXE_HASH,
    randomByte: random(1)[0]!,
    mode: p.mode,
    serverBlob: blob,
    locale: MODERN_LOCALE,
    tokenC: p.tokenC,
    tailHead: TAIL_HEAD[dialect],
    entry1: { tag: 1, rand: random(4).readUInt32BE(0), key: random(16) },
    tailBlob: blob,
    entry2: { tag: 2, rand: random(4).readUInt32BE(0), key: random(16) },
    zeroPad: dialect === 'qq2009' ? 249 : 251,
  };
}

/**
 * 0x0030 reply, result 00, TEA(login_info_key2): the session key. qq2011: 37 B; qq2009 (139 B): the local
 * address after the client's, no u32 before the flag, then 96 bytes and the last login time.
 */
export interface SendLoginInfoReplyOk {
  ok: true;
  /** Absent: qq2011. */
  dialect?: LoginDialect;
  sessionKey: Buffer;
  uid: number;
  clientIp: number;
  clientPort: number;
  /** qq2009 only (absent: the client's). */
  localIp?: number;
  /** qq2009 only (absent: the client's). */
  localPort?: number;
  loginTime: number;
  /** u32 0 in the run (qq2011 only). */
  unknown: number;
  /** 0x03 in the run. */
  flag: number;
  mode: number;
  /** qq2009 only (absent: the login time). */
  lastLoginTime?: number;
  /** libqq only: a login token pidgin-libqq keeps. */
  loginToken?: Buffer;
}

/** 0x0030 reply (a non-zero result is "network error" to MQ). */
export type SendLoginInfoReply = SendLoginInfoReplyOk | FailedReply;

/** Bytes of the qq2009 0x0030 success reply MyQQ 3.19 skips before the last login time. */
const LOGIN_2009_GAP = 96;
/** Bytes of the libqq 0x0030 success reply pidgin-libqq skips between the local IP and the login token. */
const LOGIN_LIBQQ_GAP = 42;

/** Decodes a 0x0030 success reply in one dialect's layout. */
function readSendLoginInfoOk(body: Buffer, dialect: LoginDialect): SendLoginInfoReply {
  return readWhole<SendLoginInfoReply>(body, (r) => {
    r.expectU8(0, 'result');
    const head = { ok: true as const, sessionKey: r.copy(16, 'sessionKey'), uid: r.u32('uid'), clientIp: r.u32('clientIp'), clientPort: r.u16('clientPort') };
    if (dialect === 'qq2011') return { ...head, loginTime: r.u32('loginTime'), unknown: r.u32('unknown'), flag: r.u8('flag'), mode: r.u8('mode') };
    if (dialect === 'libqq') {
      const t = { loginTime: r.u32('loginTime'), localIp: r.u32('localIp') };
      readZeros(r, LOGIN_LIBQQ_GAP, 'reserved');
      return { dialect, ...head, ...t, unknown: 0, flag: 0, mode: 0, loginToken: r.tok16('loginToken') };
    }
    const local = { localIp: r.u32('localIp'), localPort: r.u16('localPort'), loginTime: r.u32('loginTime'), flag: r.u8('flag'), mode: r.u8('mode') };
    readZeros(r, LOGIN_2009_GAP, 'reserved');
    return { dialect, ...head, ...local, unknown: 0, lastLoginTime: r.u32('lastLoginTime') };
  });
}

/**
 * Codec of the 0x0030 reply plaintext. A success is 37 bytes in qq2011, 139 in qq2009 (local address, 96 zero bytes,
 * last login time) and, in libqq, the local IP, 42 zero bytes and a login token after the login time.
 */
export const sendLoginInfoReply: BodyCodec<SendLoginInfoReply> = codec<SendLoginInfoReply>(
  'sendLoginInfoReply',
  (v) =>
    encodeWith((w) => {
      if (!v.ok) return writeFailed(w, v);
      w.u8(0).fixed(v.sessionKey, 16, 'sessionKey').u32(v.uid, 'uid').u32(v.clientIp, 'clientIp').u16(v.clientPort, 'clientPort');
      if (v.dialect === 'libqq') {
        w.u32(v.loginTime, 'loginTime').u32(v.localIp ?? v.clientIp, 'localIp').zeros(LOGIN_LIBQQ_GAP);
        return void w.tok16(v.loginToken ?? Buffer.alloc(0), 'loginToken');
      }
      if (v.dialect !== 'qq2009') return void w.u32(v.loginTime, 'loginTime').u32(v.unknown, 'unknown').u8(v.flag, 'flag').u8(v.mode, 'mode');
      w.u32(v.localIp ?? v.clientIp, 'localIp').u16(v.localPort ?? v.clientPort, 'localPort').u32(v.loginTime, 'loginTime');
      w.u8(v.flag, 'flag').u8(v.mode, 'mode').zeros(LOGIN_2009_GAP).u32(v.lastLoginTime ?? v.loginTime, 'lastLoginTime');
    }),
  (body) => {
    if (body.length > 0 && body[0] !== 0) return readWhole<SendLoginInfoReply>(body, readFailed);
    return firstLayout(body, [(b) => readSendLoginInfoOk(b, 'qq2011'), (b) => readSendLoginInfoOk(b, 'qq2009'), (b) => readSendLoginInfoOk(b, 'libqq')]);
  },
);

/** Builds the 0x0030 success reply a server sends (seal with login_info_key2), in the request's dialect. */
export function makeSendLoginInfoReply(p: { sessionKey: Buffer; uid: number; clientIp: number; clientPort: number; loginTime: number; mode: number; dialect?: LoginDialect; loginToken?: Buffer }): SendLoginInfoReplyOk {
  const reply: SendLoginInfoReplyOk = { ok: true, sessionKey: Buffer.from(fixedLength(p.sessionKey, 16, 'sessionKey')), uid: p.uid, clientIp: p.clientIp, clientPort: p.clientPort, loginTime: p.loginTime, unknown: 0, flag: 0x03, mode: p.mode };
  if (p.dialect === 'libqq') return { ...reply, dialect: 'libqq', flag: 0, mode: 0, localIp: p.clientIp, loginToken: p.loginToken ?? Buffer.alloc(16) };
  return p.dialect === 'qq2009' ? { ...reply, dialect: 'qq2009', localIp: p.clientIp, localPort: p.clientPort, lastLoginTime: p.loginTime } : reply;
}
