import * as C from '../../protocol/bodies/classic/index.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import { decodeGb, encodeGb } from '../../protocol/text.js';
import { AuthPolicy } from '../../store/store.js';
import type { SessionHandlers } from '../dispatch.js';
import { friendOps } from '../social/handlers.js';

const gb = { decode: (b: Buffer) => decodeGb(b), encode: (t: string) => encodeGb(t) };

/** Classic friend commands: search, add (2005 and 2007/08 forms), authorize, remove, remove me, update info. */
export const friendHandlers: SessionHandlers<typeof CLASSIC_TABLE> = {
  ...friendOps(gb),

  ADD_FRIEND: (x) => {
    const outcome = x.ctx.hub.friends.add(x.session.uid, x.body.uid);
    const code = outcome === 'added' ? C.AddOutcome.ADDED : outcome === 'needs-auth' ? C.AddOutcome.NEEDS_AUTH : C.AddOutcome.REFUSED;
    x.reply({ uid: x.session.uid, outcome: code });
  },

  ADD_FRIEND_AUTH: (x) => {
    const { uid, action, text } = x.body;
    const note = text ? decodeGb(text) : '';
    const me = x.session.uid;
    const friends = x.ctx.hub.friends;
    let ok: boolean;
    if (action === C.AuthAction.REQUEST) ok = friends.add(me, uid, { note }) !== 'unknown';
    else if (action === C.AuthAction.APPROVE) ok = friends.answer(me, uid, true);
    else if (action === C.AuthAction.REJECT) ok = friends.answer(me, uid, false, note);
    else return x.drop('bad_body');
    x.reply(ok ? { ok } : { ok, reason: encodeGb('no such request') });
  },

  DELETE_ME: (x) => {
    x.ctx.hub.friends.remove(x.session.uid, x.body.uid);
    x.reply({ result: 0 });
  },

  UPDATE_USER_INFO: (x) => {
    const f = x.body.fields;
    const auth = f[C.UPDATE_INFO_AUTH_FIELD]?.toString('latin1');
    // pidgin sends the auth type as an ASCII digit: 0 anyone, 1 needs authorization, 2 nobody.
    if (auth !== undefined && /^[012]$/.test(auth)) x.ctx.store.setAuthType(x.session.uid, Number(auth) as (typeof AuthPolicy)[keyof typeof AuthPolicy]);
    const nick = f[0] ? decodeGb(f[0]).trim() : '';
    if (nick && nick !== x.ctx.store.getUser(x.session.uid)?.nick) {
      try {
        x.ctx.store.setNick(x.session.uid, nick);
      } catch {
        // A nick the store refuses (control characters, too long) is left as it was; the rest still applies.
      }
    }
    x.reply({ uid: x.session.uid });
  },
};
