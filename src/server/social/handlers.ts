import * as C from '../../protocol/bodies/classic/buddy-ops.js';
import type { C2sOf, S2cOf } from '../../protocol/table.js';
import type { CLASSIC_TABLE, MODERN_TABLE } from '../../protocol/commands.js';
import type { Handler } from '../dispatch.js';
import type { Account } from '../../store/store.js';

/** How a framing writes and reads user texts (GB18030 classic, UTF-8 modern). */
export interface Charset {
  decode(b: Buffer): string;
  encode(t: string): Buffer;
}

// The friend commands whose layouts both framings share (search, the 2007/08 add chain, removal): one
// handler each, parameterised by the framing's charset.
type Shared = 'SEARCH_USER' | 'ADD_FRIEND_EX' | 'AUTH_CODE' | 'ADD_FRIEND_AUTH_EX' | 'DELETE_FRIEND';
type Row<K extends Shared> = (typeof CLASSIC_TABLE)[K] | (typeof MODERN_TABLE)[K];
type SharedHandlers = { [K in Shared]: Handler<C2sOf<Row<K>>, S2cOf<Row<K>>> };

/** Authorization codes handed out by 0x00AE: not checked (the session is the proof); kept for the clients' flow. */
const AUTH_CODE = Buffer.from('oicq-kit');

function entry(a: Account, cs: Charset): C.SearchEntry {
  return { uid: a.uid, nick: cs.encode(a.nick.replace(/[\x1e\x1f]/g, ' ')), province: Buffer.alloc(0), face: a.face };
}

/** The shared friend-command handlers for a charset. */
export function friendOps(cs: Charset): SharedHandlers {
  return {
    SEARCH_USER: (x) => {
      const q = x.body;
      const friends = x.ctx.hub.friends;
      const found = q.kind === C.SearchKind.ALL_ONLINE
        ? friends.online(q.page)
        : friends.search({ ...(q.uid !== undefined ? { uid: q.uid } : {}), ...(q.nick ? { nick: cs.decode(q.nick) } : {}) }, q.page);
      x.reply({ entries: found.map((a) => entry(a, cs)) });
    },

    // 2007/08 and modern: ask first; "anyone may add" is done at once for pidgin (0x99) and answered with
    // the policy for MyQQ, which then sends 0x00A8 sub 00 (added there).
    ADD_FRIEND_EX: (x) => {
      const target = x.ctx.store.getUser(x.body.uid);
      if (!target || target.uid === x.session.uid) return x.reply({ uid: x.body.uid, reply: 1, authType: C.AuthType.NOBODY });
      if (x.session.framing === 'classic' && target.authType === C.AuthType.ANYONE) {
        x.ctx.hub.friends.add(x.session.uid, target.uid);
        return x.reply({ uid: target.uid, reply: C.ADDED_EX, authType: C.AuthType.ANYONE });
      }
      x.reply({ uid: target.uid, reply: 0, authType: target.authType });
    },

    AUTH_CODE: (x) => x.reply({ cmd: x.body.cmd, sub: x.body.sub, reply: 0, code: AUTH_CODE }),

    ADD_FRIEND_AUTH_EX: (x) => {
      const { sub, uid } = x.body;
      const me = x.session.uid;
      const friends = x.ctx.hub.friends;
      let ok: boolean;
      if (sub === C.AuthExSub.ADD || sub === C.AuthExSub.QUESTION) ok = friends.add(me, uid) === 'added';
      else if (sub === C.AuthExSub.REQUEST) ok = friends.add(me, uid, { note: cs.decode(x.body.note ?? Buffer.alloc(0)) }) !== 'unknown';
      else if (sub === C.AuthExSub.APPROVE || sub === C.AuthExSub.APPROVE_ADD) ok = friends.answer(me, uid, true) || x.ctx.store.areFriends(me, uid);
      else if (sub === C.AuthExSub.REFUSE) ok = friends.answer(me, uid, false, cs.decode(x.body.note ?? Buffer.alloc(0)));
      else return x.drop('bad_body');
      x.reply({ sub, uid, result: ok ? 0 : 1 });
    },

    DELETE_FRIEND: (x) => {
      x.ctx.hub.friends.remove(x.session.uid, x.body.uid);
      x.reply({ result: 0 });
    },
  };
}
