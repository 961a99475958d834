import * as M from '../../protocol/bodies/modern/index.js';
import { CHANGE_STATUS_REFUSED } from '../../protocol/bodies/status-block.js';
import type { MODERN_TABLE } from '../../protocol/commands.js';
import type { SessionHandlers } from '../dispatch.js';

/** Modern keep-alive, status, session keys and logout. */
export const presenceHandlers: SessionHandlers<typeof MODERN_TABLE> = {
  KEEP_ALIVE: (x) => x.reply(M.makeKeepAliveReply({
    online: Math.max(1, x.ctx.hub.onlineCount()), clientIp: x.session.ip, clientPort: x.session.port,
    serverTime: Math.floor(x.ctx.clock.now() / 1000),
  })),

  CHANGE_STATUS: (x) => {
    x.reply({ result: x.ctx.hub.setStatus(x.session, x.body.mode) ? M.CHANGE_STATUS_OK : CHANGE_STATUS_REFUSED });
  },

  REQUEST_KEY: (x) => x.reply({ sub: x.body.sub, result: 0, key: x.session.fileKey }),

  LOGOUT: (x) => {
    x.noReply();
    x.ctx.hub.close(x.session, 'logout');
  },
};
