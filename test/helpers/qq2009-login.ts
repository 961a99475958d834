import assert from 'node:assert/strict';
import * as M from '../../src/protocol/bodies/modern/index.js';
import { ModernCmd } from '../../src/protocol/commands.js';
import { decodePacket } from '../../src/protocol/framing.js';
import { passwordMd5 } from '../../src/protocol/keys.js';
import { teaDecrypt } from '../../src/protocol/tea.js';
import type { ClassicDriver } from './classic-driver.js';

// MyQQ 3.19's (QQ2009, tag 0x1663) login chain as a raw client runs it: the modern chain in classic headers.

/** MyQQ 3.19's version tag. */
export const QQ2009 = 0x1663;

const zeroRandom = (n: number) => Buffer.alloc(n);
const ZERO_KEY = Buffer.alloc(16);

/** What a QQ2009 login produced: the replies as the client read them. */
export interface Login2009 {
  verify: M.VerifyReply;
  info?: M.LoginInfoReply;
  list?: M.LoginListReply;
  login?: M.SendLoginInfoReply;
  loginPlainLength?: number;
}

/** A raw 7-byte server header: every reply to a QQ2009 client must have one. */
async function classicReply(d: ClassicDriver, command: number, body: Buffer): Promise<Buffer> {
  const seq = ++d.seq;
  d.peer.send(d.packet(command, body, seq));
  const bytes = await d.peer.next((b) => b.readUInt16BE(3) === command && b.readUInt16BE(5) === seq);
  const r = decodePacket(bytes, 's2c');
  assert.ok(r.ok && r.value.framing === 'classic' && r.value.uid === undefined, 'a 7-byte classic server header');
  return r.value.body;
}

/** MyQQ 3.19's chain: 0x0091 (zero touch key) → 0x00BA → 0x00DD (0x00CA) → 0x00E5 → 0x0018 → 0x0030. */
export async function login2009(d: ClassicDriver): Promise<Login2009> {
  const touch = M.touchReply.decode(teaDecrypt(await classicReply(d, ModernCmd.TOUCH, M.wrapKeyPrefixed(ZERO_KEY, M.touchRequest.encode(M.makeTouchRequest()), zeroRandom)), ZERO_KEY)!);
  assert.ok(touch.ok);
  const key = Buffer.alloc(16, 5);
  const request = M.loginReply.decode(teaDecrypt(await classicReply(d, ModernCmd.LOGIN_REQUEST, M.wrapKeyPrefixed(key, M.loginRequest.encode(M.makeLoginRequest(touch.loginToken)), zeroRandom)), key)!);
  const verifyCipher = M.buildVerifyBlock({ uid: d.uid, passwordMd5: passwordMd5(d.password), serverTime: touch.serverTime, serverIp: touch.serverIp }, zeroRandom, 'qq2009');
  const vr = { ...M.makeVerifyRequest({ tokenC: request.tokenC, verifyCipher }, zeroRandom), dialect: 'qq2009' as const, random20: Buffer.alloc(0), zeroPad: 348 };
  const vBody = await classicReply(d, ModernCmd.VERIFY, M.wrapKeyPrefixed(key, M.verifyRequest.encode(vr), zeroRandom));
  // Success under verify_key2 (all zero in MyQQ 3.19), a failure under the request key.
  const verify = M.verifyReply.decode(teaDecrypt(vBody, ZERO_KEY) ?? teaDecrypt(vBody, key)!);
  if (!verify.ok) return { verify };
  const infoReq = M.loginInfoRequest.encode({ ...M.makeLoginInfoRequest(request.tokenC, verify), dialect: 'qq2009' });
  const info = M.loginInfoReply.decode(teaDecrypt(await classicReply(d, ModernCmd.GET_LOGIN_INFO, M.wrapMagicPrefixed(verify.loginInfoMagic, verify.loginInfoKey1, infoReq, zeroRandom)), verify.loginInfoKey3)!);
  const listReq = M.loginListRequest.encode(M.makeLoginListRequest({
    versionSpec: M.MODERN_VERSION_SPEC, tokenC: request.tokenC, unknown2: info.unknown2, serverTime: info.serverTime, clientIp: info.clientIp, loginInfoLarge: info.loginInfoLarge, page: 0,
  }));
  const list = M.loginListReply.decode(teaDecrypt(await classicReply(d, ModernCmd.LOGIN_LIST, M.wrapMagicPrefixed(verify.loginInfoMagic, verify.loginInfoKey1, listReq, zeroRandom)), info.loginInfoKey2)!);
  const sendReq = M.sendLoginInfoRequest.encode(M.makeSendLoginInfoRequest({ tokenC: request.tokenC, info, mode: M.LoginMode.ONLINE }, zeroRandom));
  const plain = teaDecrypt(await classicReply(d, ModernCmd.SEND_LOGIN_INFO, M.wrapMagicPrefixed(verify.loginInfoMagic, verify.loginInfoKey1, sendReq, zeroRandom)), info.loginInfoKey2)!;
  const login = M.sendLoginInfoReply.decode(plain);
  if (login.ok) d.sessionKey = login.sessionKey;
  return { verify, info, list, login, loginPlainLength: plain.length };
}

