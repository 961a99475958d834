import { checkPasswordProof, loginReplyCodec, loginSuccess, openLoginBody, tokenReplyCodec, tokenRequestCodec } from '../../protocol/bodies/classic/index.js';
import { ipToU32, Status } from '../../protocol/bodies/status-block.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import { DecodeError } from '../../protocol/errors.js';
import { passwordKeyFromMd5 } from '../../protocol/keys.js';
import { teaEncrypt } from '../../protocol/tea.js';
import type { ClassicHandler } from '../classic.js';
import type { LoginHandlers } from '../dispatch.js';
import { checkLogin } from '../login-failure.js';
import { bodyDropReason } from '../metrics.js';
import { LoginTokenKind } from '../login-token.js';

/** Statuses a classic login may ask for; anything else logs in online. */
const LOGIN_STATUSES: ReadonlySet<number> = new Set([Status.ONLINE, Status.AWAY, Status.INVISIBLE, Status.BUSY]);

/** The classic login exchange: 0x0062 login token, then 0x0022 login (PROTOCOL.md §3). */
export const loginHandlers: LoginHandlers<typeof CLASSIC_TABLE, ClassicHandler> = {
  REQUEST_LOGIN_TOKEN: (f, p, from) => {
    const { ctx } = f;
    if (!ctx.guard.preLogin(from.address)) return ctx.drop('rate_limited', from, p);
    try {
      tokenRequestCodec.decode(p.body);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return ctx.drop('bad_body', from, p);
    }
    const token = ctx.tokens.issue(from, ctx.clock.now(), LoginTokenKind.CLASSIC);
    ctx.send(f.encode(undefined, p.command, p.seq, tokenReplyCodec.encode({ result: 0, token })), from);
  },

  LOGIN: (f, p, from) => {
    const { ctx } = f;
    const uid = p.uid!;
    if (f.resendLoginReply(p, from)) return;
    if (!ctx.guard.preLogin(from.address)) return ctx.drop('rate_limited', from, p);
    const opened = openLoginBody(p.body);
    if (!opened.ok) return ctx.drop(bodyDropReason(opened.error), from, p);
    const { initialKey, request } = opened.value;
    const tokenOk = ctx.tokens.check(from, request.token, ctx.clock.now(), LoginTokenKind.CLASSIC);
    const check = checkLogin(ctx, {
      uid, from, tokenOk,
      open: (a) => {
        const key = passwordKeyFromMd5(a.passwordMd5);
        return checkPasswordProof(request.proof, key) ? key : undefined;
      },
    });
    if (!check.ok) {
      // The client cannot be answered with its password key when the password was wrong: use its initial key.
      const body = loginReplyCodec.encode({ kind: 'failure', code: 0x05, reason: check.text });
      return ctx.send(f.encode(undefined, p.command, p.seq, teaEncrypt(body, initialKey, ctx.random)), from);
    }
    const passwordKey = check.opened;
    const sessionKey = ctx.random(16);
    const status = LOGIN_STATUSES.has(request.status) ? request.status : Status.ONLINE;
    const session = ctx.hub.open({ uid, framing: 'classic', version: p.version, endpoint: from, sessionKey, passwordKey, status, output: f });
    const reply = loginSuccess({
      sessionKey, uid, clientIp: ipToU32(from.address), clientPort: from.port,
      serverIp: ipToU32(ctx.serverIp), serverPort: ctx.serverPort(), loginTime: Math.floor(ctx.clock.now() / 1000),
    });
    const bytes = f.encode(session, p.command, p.seq, teaEncrypt(loginReplyCodec.encode(reply), passwordKey, ctx.random));
    session.replies.set(p.command, p.seq, bytes);
    ctx.send(bytes, from);
    ctx.hub.deliverPending(session);
  },
};
