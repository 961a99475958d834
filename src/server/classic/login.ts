import { checkPasswordProof, loginReplyCodec, loginSuccess, openLoginBody, tokenReplyCodec, tokenRequestCodec } from '../../protocol/bodies/classic/index.js';
import { ipToU32 } from '../../protocol/bodies/status-block.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import { DecodeError } from '../../protocol/errors.js';
import { passwordKeyFromMd5 } from '../../protocol/keys.js';
import { teaEncrypt } from '../../protocol/tea.js';
import type { ClassicHandler } from '../classic.js';
import type { LoginHandlers } from '../dispatch.js';
import { checkLogin } from '../login-failure.js';
import { bodyDropReason } from '../metrics.js';
import { LoginTokenKind } from '../login-token.js';
import { checkPassword, login2007, selectServer, tokenEx } from './login2007.js';

/**
 * The classic login exchanges: 2005 style, 0x0062 login token then 0x0022 login (PROTOCOL.md §5); 2007/2008 style,
 * 0x0091 → 0x0062 → 0x00BA → 0x00DD → 0x0022 in its 2007 layout (./login2007.ts).
 */
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
    // The 2007/2008 layout (login token in front, after a 0x00DD of this endpoint), else the 2005 one.
    if (login2007(f, p, from)) return;
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
    // A seed sends the client to the least-loaded node (the 2005 reply's redirect form carries IP and port).
    const to = ctx.hub.redirectFor(uid, false);
    if (to) {
      const body = loginReplyCodec.encode({ kind: 'redirect', uid, ip: ipToU32(to.address), port: to.port, extra: Buffer.alloc(0) });
      return ctx.send(f.encode(undefined, p.command, p.seq, teaEncrypt(body, passwordKey, ctx.random)), from);
    }
    const sessionKey = ctx.random(16);
    const session = f.openSession(p, from, sessionKey, passwordKey, request.status);
    const reply = loginSuccess({
      sessionKey, uid, clientIp: ipToU32(from.address), clientPort: from.port,
      serverIp: ipToU32(ctx.serverIp), serverPort: ctx.serverPort(), loginTime: Math.floor(ctx.clock.now() / 1000),
    });
    f.sendLoginReply(session, p, teaEncrypt(loginReplyCodec.encode(reply), passwordKey, ctx.random));
  },

  SELECT_SERVER: selectServer,
  LOGIN_TOKEN_EX: tokenEx,
  CHECK_PASSWORD: checkPassword,
};
