import * as M from '../../protocol/bodies/modern/index.js';
import { ipToU32, Status } from '../../protocol/bodies/status-block.js';
import type { MODERN_TABLE } from '../../protocol/commands.js';
import type { Packet } from '../../protocol/framing.js';
import { passwordKeyFromMd5 } from '../../protocol/keys.js';
import { LoginFailure } from '../../protocol/login-failure.js';
import { teaEncrypt } from '../../protocol/tea.js';
import type { LoginHandlers } from '../dispatch.js';
import { checkLogin } from '../login-failure.js';
import { openKeyPrefixed } from '../key-prefixed.js';
import { resendPending } from '../pending-logins.js';
import { bodyDropReason } from '../metrics.js';
import { LoginTokenKind } from '../login-token.js';
import type { ModernHandler } from '../modern.js';
import type { Endpoint } from '../session.js';
import { buddyIndex } from './lists.js';

/** The verify reply's code for each login failure. */
const VERIFY_CODE: Readonly<Record<LoginFailure, number>> = {
  [LoginFailure.COOL_DOWN]: M.VerifyCode.DENIED,
  [LoginFailure.TOKEN_EXPIRED]: M.VerifyCode.DENIED,
  [LoginFailure.UNKNOWN_UID]: M.VerifyCode.NO_SUCH_UID,
  [LoginFailure.WRONG_PASSWORD]: M.VerifyCode.WRONG_PASSWORD,
  [LoginFailure.BANNED]: M.VerifyCode.DENIED,
  [LoginFailure.BUSY]: M.VerifyCode.DENIED,
};

const nowSec = (f: ModernHandler): number => Math.floor(f.ctx.clock.now() / 1000);

/** Sends a login-chain reply sealed with `key`; returns the bytes. */
function loginReply(f: ModernHandler, p: Packet, from: Endpoint, key: Uint8Array, plain: Buffer): Buffer {
  const bytes = f.header(p.version, p.uid!, p.command, p.seq, teaEncrypt(plain, key, f.ctx.random));
  f.ctx.send(bytes, from);
  return bytes;
}

/** Opens a request that carries its key in clear (0x0091/0x00BA/0x00DD), or drops it. */
const unwrapKey = (f: ModernHandler, p: Packet, from: Endpoint) => openKeyPrefixed(f.ctx, p, from);

/** The pending login of a 0x00E5/0x0030 request and its opened body; a repeat gets its earlier reply. */
function pendingFor(f: ModernHandler, p: Packet, from: Endpoint) {
  const e = f.pending.get(from.address, from.port, p.uid!, f.ctx.clock.now());
  if (!e) return void f.ctx.drop('no_session', from, p);
  const earlier = e.replies.get(p.command, p.seq);
  if (earlier) {
    f.ctx.metrics.duplicates++;
    return void f.ctx.send(earlier, from);
  }
  const r = M.unwrapMagicPrefixed(p.body, e.value.verify.loginInfoKey1);
  if (!r.ok) return void f.ctx.drop(bodyDropReason(r.error), from, p);
  if (!r.value.magic.equals(e.value.verify.loginInfoMagic)) return void f.ctx.drop('login_refused', from, p);
  return { entry: e, plain: r.value.plain };
}

/** What pidgin-libqq puts where MyQQ echoes unknown1 in 0x00E5: u16 (login info data length + 8), u16 2. */
function libqqVerifyField(v: M.VerifyReplyOk): number {
  return (((v.loginInfoData.length + 8) << 16) | 0x0002) >>> 0;
}

/** Most entries of the one-page 0x0018 reply (≈ 600 fit a datagram; MyQQ 3.19 pages only on a 0x038A head). */
const LOGIN_LIST_MAX = 500;

/**
 * The modern login chain 0x0091 → 0x00BA → 0x00DD → 0x00E5 → 0x0030 (PROTOCOL-MODERN.md §2); QQ2009 asks its
 * buddy list with 0x0018 before 0x0030, and its 0x00DD/0x00E5/0x0030 have layouts of their own (LoginDialect).
 */
export const loginHandlers: LoginHandlers<typeof MODERN_TABLE, ModernHandler> = {
  TOUCH: (f, p, from) => {
    const w = unwrapKey(f, p, from);
    if (!w) return;
    const req = M.touchRequest.decode(w.plain);
    // A cluster seed names the least-loaded node (IP only: the client keeps its port). A non-zero server blob is a
    // client that was redirected already; it stays. MyQQ 3.30 touches its new server with a zero blob, which is
    // still served there: a redirect only ever names a node that is not a seed.
    const to = req.serverBlob.every((b) => b === 0) ? f.ctx.hub.redirectFor(p.uid!, true) : undefined;
    const reply = M.makeTouchReply({
      serverTime: nowSec(f), serverIp: ipToU32(f.ctx.serverIp), loginToken: f.ctx.tokens.issue(from, f.ctx.clock.now(), LoginTokenKind.TOUCH),
      ...(to ? { redirectIp: ipToU32(to.address) } : {}),
    }, f.ctx.random);
    loginReply(f, p, from, w.key, M.touchReply.encode(reply));
  },

  LOGIN_REQUEST: (f, p, from) => {
    const w = unwrapKey(f, p, from);
    if (!w) return;
    const req = M.loginRequest.decode(w.plain);
    const now = f.ctx.clock.now();
    if (!f.ctx.tokens.check(from, req.loginToken, now, LoginTokenKind.TOUCH)) return f.ctx.drop('login_refused', from, p);
    const tokenC = f.ctx.tokens.issue(from, now, LoginTokenKind.CAPTCHA);
    loginReply(f, p, from, w.key, M.loginReply.encode(M.makeLoginReply(f.ctx.random, tokenC)));
  },

  VERIFY: (f, p, from) => {
    const { ctx } = f;
    const uid = p.uid!;
    if (resendPending(ctx, f.pending, p, from)) return;
    const w = unwrapKey(f, p, from);
    if (!w) return;
    const req = M.verifyRequest.decode(w.plain);
    // The sub-command says which layouts the client reads from here on (0x00CA: QQ2009, sealed with the password key).
    const dialect = req.dialect ?? 'qq2011';
    if (!ctx.tokens.check(from, req.tokenC, ctx.clock.now(), LoginTokenKind.CAPTCHA)) return ctx.drop('login_refused', from, p);
    const check = checkLogin(ctx, {
      uid, from,
      open: (a) => {
        const opened = M.checkVerifyBlock(req.verifyCipher, a.passwordMd5, uid, dialect);
        return opened.ok ? opened.block : undefined;
      },
    });
    if (!check.ok) {
      // The verify block did not open (or must not be trusted): answer with the request's clear key.
      return void loginReply(f, p, from, w.key, M.verifyReply.encode(M.makeVerifyFailure(VERIFY_CODE[check.failure], check.text)));
    }
    // The top bit keeps unknown1 apart from what pidgin-libqq writes in its place in 0x00E5 (see GET_LOGIN_INFO).
    const verify = M.makeVerifySuccess({ serverTime: nowSec(f), unknown1: (ctx.random(4).readUInt32BE(0) | 0x80000000) >>> 0 }, ctx.random);
    const replies = f.pending.set(from.address, from.port, uid, { dialect, verify }, ctx.clock.now());
    replies.set(p.command, p.seq, loginReply(f, p, from, check.opened.verifyKey2, M.verifyReply.encode(verify)));
  },

  GET_LOGIN_INFO: (f, p, from) => {
    const got = pendingFor(f, p, from);
    if (!got) return;
    const req = M.loginInfoRequest.decode(got.plain);
    if (!req.loginInfoToken.equals(got.entry.value.verify.loginInfoToken)) return f.ctx.drop('login_refused', from, p);
    const { verify } = got.entry.value;
    // MyQQ echoes the 0x00DD reply's unknown1; pidgin-libqq writes the length and type of what follows there
    // (u16 data length + 8, u16 2) and reads the longer reply, then sends 0x00E3.
    if (got.entry.value.dialect === 'qq2011' && req.unknown1 !== verify.unknown1 && req.unknown1 === libqqVerifyField(verify)) got.entry.value.dialect = 'libqq';
    const { dialect } = got.entry.value;
    const nickname = dialect === 'qq2009' ? f.ctx.store.getUser(p.uid!)?.nick : undefined;
    const info = M.makeLoginInfoReply({ serverTime: nowSec(f), clientIp: ipToU32(from.address), dialect, nickname }, f.ctx.random);
    got.entry.value.info = info;
    got.entry.replies.set(p.command, p.seq, loginReply(f, p, from, got.entry.value.verify.loginInfoKey3, M.loginInfoReply.encode(info)));
  },

  VERIFY_E3: (f, p, from) => {
    const got = pendingFor(f, p, from);
    if (!got) return;
    const info = got.entry.value.info;
    const req = M.verifyE3Request.decode(got.plain);
    if (!info?.e3Key || !info.e3Token || !req.e3Token.equals(info.e3Token)) return f.ctx.drop('login_refused', from, p);
    const reply = M.verifyE3Reply.encode({ nickname: f.ctx.store.getUser(p.uid!)?.nick ?? '', result: 0 });
    got.entry.replies.set(p.command, p.seq, loginReply(f, p, from, info.e3Key, reply));
  },

  LOGIN_LIST: (f, p, from) => {
    const got = pendingFor(f, p, from);
    if (!got) return;
    const info = got.entry.value.info;
    const req = M.loginListRequest.decode(got.plain);
    if (!info || !req.loginInfoLarge.equals(info.loginInfoLarge)) return f.ctx.drop('login_refused', from, p);
    // One page, the last: MyQQ 3.19 goes on to 0x0030 when `next` is 0.
    const entries = buddyIndex(f.ctx.store, p.uid!).slice(0, LOGIN_LIST_MAX);
    const reply = M.loginListReply.encode({ head: entries.length * 6, next: 0, entries });
    got.entry.replies.set(p.command, p.seq, loginReply(f, p, from, info.loginInfoKey2, reply));
  },

  SEND_LOGIN_INFO: (f, p, from) => {
    const { ctx } = f;
    const uid = p.uid!;
    if (f.resendLoginReply(p, from)) return;
    const got = pendingFor(f, p, from);
    if (!got) return;
    const info = got.entry.value.info;
    if (!info) return ctx.drop('login_refused', from, p);
    const req = M.sendLoginInfoRequest.decode(got.plain);
    if (!req.loginInfoLarge.equals(info.loginInfoLarge)) return ctx.drop('login_refused', from, p);
    const account = ctx.store.getUser(uid);
    if (!account) return ctx.drop('login_refused', from, p);
    f.pending.delete(from.address, from.port, uid);
    ctx.guard.succeed(uid, from.address);
    const sessionKey = ctx.random(16);
    const status = req.mode === M.LoginMode.HIDDEN ? Status.INVISIBLE : Status.ONLINE;
    const { dialect } = got.entry.value;
    const session = ctx.hub.open({
      uid, framing: p.framing, version: p.version, endpoint: from, sessionKey,
      passwordKey: passwordKeyFromMd5(account.passwordMd5), status, output: f,
    });
    const reply = M.makeSendLoginInfoReply({
      sessionKey, uid, clientIp: ipToU32(from.address), clientPort: from.port, loginTime: nowSec(f), mode: req.mode, dialect,
      loginToken: dialect === 'libqq' ? ctx.random(16) : undefined,
    });
    const bytes = loginReply(f, p, from, info.loginInfoKey2, M.sendLoginInfoReply.encode(reply));
    session.rememberLogin(p.command, p.seq, bytes);
    // Queued messages wait until the client has loaded its buddy list (its online-list request ends MyQQ's
    // post-login chain), so it can show who they are from; at most PENDING_HOLD_MS.
    ctx.hub.holdPending(session);
  },
};
