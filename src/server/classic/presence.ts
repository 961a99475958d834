import { CHANGE_STATUS_OK, KEY_REPLY_PADDING, keepAliveReply } from '../../protocol/bodies/classic/index.js';
import { CHANGE_STATUS_REFUSED } from '../../protocol/bodies/status-block.js';
import { makeKeepAliveReply } from '../../protocol/bodies/modern/keepalive.js';
import { usesLogin2007 } from '../../protocol/families.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import type { SessionHandlers } from '../dispatch.js';

/** Classic keep-alive, status, session keys and logout. */
export const presenceHandlers: SessionHandlers<typeof CLASSIC_TABLE> = {
  // QQ2007/QQ2008 clients read the binary reply (a text one reads as 0 users online, and they disconnect).
  KEEP_ALIVE: (x) => x.reply(usesLogin2007(x.session.version)
    ? { form: 'binary', reply: makeKeepAliveReply({ online: Math.max(1, x.ctx.hub.onlineCount()), clientIp: x.session.ip, clientPort: x.session.port, serverTime: Math.floor(x.ctx.clock.now() / 1000) }) }
    : keepAliveReply(x.ctx.hub.onlineCount(), x.from.address, x.from.port)),

  CHANGE_STATUS: (x) => {
    x.reply({ result: x.ctx.hub.setStatus(x.session, x.body.status) ? CHANGE_STATUS_OK : CHANGE_STATUS_REFUSED });
  },

  REQUEST_KEY: (x) => x.reply({ sub: x.body.sub, result: 0, key: x.session.fileKey, token: undefined, padding: Buffer.alloc(KEY_REPLY_PADDING) }),

  LOGOUT: (x) => {
    // The body is TEA(session key, password key): only the real user can end the session.
    if (!x.body.passwordKey.equals(x.session.passwordKey)) return x.drop('bad_body');
    x.noReply();
    x.ctx.hub.close(x.session, 'logout');
  },
};
