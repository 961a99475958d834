import {
  CheckPasswordResult, checkPasswordProof, checkPasswordReplyCodec, checkPasswordRequestCodec, login2007ReplyCodec,
  login2007RequestCodec, SELECT_SERVER_REDIRECT, selectServerReplyCodec, selectServerRequestCodec, splitLogin2007Body, tokenExReplyCodec,
  tokenExRequestCodec, type CheckPasswordReply,
} from '../../protocol/bodies/classic/index.js';
import { ipToU32 } from '../../protocol/bodies/status-block.js';
import { touchShape } from '../../protocol/families.js';
import type { Packet } from '../../protocol/framing.js';
import { passwordKeyFromMd5 } from '../../protocol/keys.js';
import { LoginFailure } from '../../protocol/login-failure.js';
import { teaDecrypt, teaEncrypt } from '../../protocol/tea.js';
import type { ClassicHandler } from '../classic.js';
import { openKeyPrefixed } from '../key-prefixed.js';
import { resendPending } from '../pending-logins.js';
import { checkLogin } from '../login-failure.js';
import { LoginTokenKind } from '../login-token.js';
import type { Endpoint } from '../session.js';

/** What the server keeps between a 2007/2008 client's 0x00DD and its 0x0022 (per endpoint and uid). */
export interface Login2007State {
  loginToken: Buffer;
  loginKey: Buffer;
}

/** The 0x00DD reply code of each login failure. */
const CHECK_CODE: Readonly<Record<LoginFailure, number>> = {
  [LoginFailure.COOL_DOWN]: CheckPasswordResult.DENIED,
  [LoginFailure.TOKEN_EXPIRED]: CheckPasswordResult.DENIED,
  [LoginFailure.UNKNOWN_UID]: CheckPasswordResult.NO_SUCH_UID,
  [LoginFailure.WRONG_PASSWORD]: CheckPasswordResult.WRONG_PASSWORD,
  [LoginFailure.BANNED]: CheckPasswordResult.DENIED,
  [LoginFailure.BUSY]: CheckPasswordResult.DENIED,
};

function replyWith(f: ClassicHandler, p: Packet, from: Endpoint, key: Uint8Array, plain: Buffer): Buffer {
  const bytes = f.encode(undefined, p.command, p.seq, teaEncrypt(plain, key, f.ctx.random));
  f.ctx.send(bytes, from);
  return bytes;
}

/**
 * 0x0091 select server: "stay on this server" (result 0), or on a cluster seed a redirect naming the least-loaded node
 * (result 1 and its IP; the client keeps its port). A client that echoes a redirect block was redirected: it stays.
 */
export function selectServer(f: ClassicHandler, p: Packet, from: Endpoint): void {
  const w = openKeyPrefixed(f.ctx, p, from);
  if (!w) return;
  // A QQ2009-family touch inside the classic header (MyQQ 3.19) has another shape: not this chain's request.
  if (touchShape(w.plain) !== 'select_server') return f.ctx.drop('unsupported_version', from, p);
  const { block } = selectServerRequestCodec.decode(w.plain);
  const to = block.every((b) => b === 0) ? f.ctx.hub.redirectFor(p.uid!, true) : undefined;
  const reply = to ? { result: SELECT_SERVER_REDIRECT, unknown: Buffer.alloc(9), serverIp: ipToU32(to.address) } : { result: 0, unknown: Buffer.alloc(9), serverIp: 0 };
  replyWith(f, p, from, w.key, selectServerReplyCodec.encode(reply));
}

/** 0x00BA token-ex: checks the 0x0062 token and hands out the token-ex; never asks for a captcha. */
export function tokenEx(f: ClassicHandler, p: Packet, from: Endpoint): void {
  const { ctx } = f;
  const w = openKeyPrefixed(ctx, p, from);
  if (!w) return;
  const req = tokenExRequestCodec.decode(w.plain);
  const now = ctx.clock.now();
  if (!ctx.tokens.check(from, req.token, now, LoginTokenKind.CLASSIC)) return ctx.drop('login_refused', from, p);
  const reply = { sub: req.sub, unknown: req.unknown1, result: 0, tokenEx: ctx.tokens.issue(from, now, LoginTokenKind.TOKEN_EX), captcha: Buffer.alloc(0) };
  replyWith(f, p, from, w.key, tokenExReplyCodec.encode(reply));
}

/** 0x00DD check password: the password block must open with the password key to MD5(password). */
export function checkPassword(f: ClassicHandler, p: Packet, from: Endpoint): void {
  const { ctx } = f;
  const uid = p.uid!;
  if (resendPending(ctx, f.pending, p, from)) return;
  const w = openKeyPrefixed(ctx, p, from);
  if (!w) return;
  const req = checkPasswordRequestCodec.decode(w.plain);
  const tokenOk = ctx.tokens.check(from, req.tokenEx, ctx.clock.now(), LoginTokenKind.TOKEN_EX);
  const check = checkLogin(ctx, {
    uid, from, tokenOk,
    open: (a) => {
      const plain = teaDecrypt(req.passwordCipher, passwordKeyFromMd5(a.passwordMd5));
      return plain && plain.length >= 16 && a.passwordMd5.equals(plain.subarray(0, 16)) ? true : undefined;
    },
  });
  const head: Omit<CheckPasswordReply, 'success' | 'message'> = { result: 0, unknown: 0, field1: Buffer.alloc(0), field2: Buffer.alloc(0) };
  if (!check.ok) {
    replyWith(f, p, from, w.key, checkPasswordReplyCodec.encode({ ...head, result: CHECK_CODE[check.failure], message: check.text }));
    return;
  }
  const now = ctx.clock.now();
  const state = { loginToken: ctx.tokens.issue(from, now, LoginTokenKind.LOGIN_TOKEN_2007), loginKey: ctx.tokens.issue(from, now, LoginTokenKind.LOGIN_KEY_2007) };
  const replies = f.pending.set(from.address, from.port, uid, state, now);
  replies.set(p.command, p.seq, replyWith(f, p, from, w.key, checkPasswordReplyCodec.encode({ ...head, success: state })));
}

/**
 * 0x0022 in the 2007/2008 layout, when this endpoint and uid passed 0x00DD and the body starts with the login
 * token it was given. Returns false when the body is not that layout (the 2005 login handles it then).
 */
export function login2007(f: ClassicHandler, p: Packet, from: Endpoint): boolean {
  const { ctx } = f;
  const uid = p.uid!;
  const entry = f.pending.get(from.address, from.port, uid, ctx.clock.now());
  // No 2007 chain under way: a 2005 login, not worth a failed parse (its error object costs more than the check).
  if (!entry) return false;
  const body = splitLogin2007Body(p.body);
  if (!body.ok || !body.value.loginToken.equals(entry.value.loginToken)) return false;
  const plain = teaDecrypt(body.value.cipher, entry.value.loginKey);
  if (!plain) {
    ctx.drop('undecryptable', from, p);
    return true;
  }
  const req = login2007RequestCodec.decode(Buffer.from(plain));
  const account = ctx.store.getUser(uid);
  const passwordKey = account ? passwordKeyFromMd5(account.passwordMd5) : undefined;
  // The password was checked at 0x00DD; the proof must still match (the login key alone is no credential).
  if (!passwordKey || !checkPasswordProof(req.proof, passwordKey)) {
    ctx.drop('login_refused', from, p);
    return true;
  }
  f.pending.delete(from.address, from.port, uid);
  const now = ctx.clock.now();
  const sessionKey = ctx.random(16);
  const session = f.openSession(p, from, sessionKey, passwordKey, req.status);
  const ip = ipToU32(from.address);
  const reply = login2007ReplyCodec.encode({
    kind: 'success', sessionKey, uid, clientIp: ip, clientPort: from.port, localIp: ip, localPort: from.port,
    loginTime: Math.floor(now / 1000), unknown: Buffer.alloc(94), lastLoginIp: ip, lastLoginTime: Math.floor(now / 1000),
  });
  f.sendLoginReply(session, p, teaEncrypt(reply, passwordKey, ctx.random));
  return true;
}
