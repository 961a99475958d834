import { GroupNameOp, MemoOp, SignatureOp } from '../../protocol/bodies/classic/index.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import { MEMO_KEYS, type Memo } from '../../store/store.js';
import { StoreError } from '../../store/validate.js';
import type { SessionHandlers } from '../dispatch.js';
import { signaturesOf } from '../signatures.js';

/** Result byte of an upload the store refused (a bad group index, a name given twice …). */
const REFUSED = 1;

/** Runs a store write; false when the store refused it (bad input from the client, not a server fault). */
function stored(write: () => void): boolean {
  try {
    write();
    return true;
  } catch (e) {
    if (e instanceof StoreError) return false;
    throw e;
  }
}

/** A memo from the seven wire fields, in MEMO_KEYS order. */
function memoOfFields(f: readonly string[]): Memo {
  return { alias: f[0] ?? '', mobile: f[1] ?? '', telephone: f[2] ?? '', address: f[3] ?? '', email: f[4] ?? '', zipcode: f[5] ?? '', note: f[6] ?? '' };
}

/** What a user writes about themselves and their friends from a classic client: groups, memos, signature. */
export const profileHandlers: SessionHandlers<typeof CLASSIC_TABLE> = {
  // 01 downloads the names of groups 1 … n ("My Friends", 0, is the client's own); 02 replaces them.
  GROUP_NAME_OPERATION: (x) => {
    const me = x.session.uid;
    const b = x.body;
    if (b.sub === GroupNameOp.UPLOAD && 'groups' in b) {
      return x.reply({ sub: b.sub, result: stored(() => x.ctx.store.setGroups(me, b.groups)) ? 0 : REFUSED });
    }
    if (b.sub !== GroupNameOp.DOWNLOAD) return x.drop('unknown_command');
    const groups = x.ctx.store.groupsOf(me).filter((g) => g.index > 0).map((g) => ({ index: g.index, name: g.name }));
    x.reply({ sub: b.sub, result: 0, download: { reserved: 0, groups } });
  },

  // Every listed friend into its group, or nothing when a group does not exist.
  UPLOAD_GROUPS: (x) => {
    const moves = x.body.entries.map((e) => ({ friend: e.uid, group: e.group }));
    x.reply({ result: stored(() => x.ctx.store.moveFriends(x.session.uid, moves)) ? 0 : REFUSED });
  },

  // Get answers the stored memo (or the lone sub-command, "no memo"); modify writes one for a friend, and a
  // memo of seven empty fields removes it.
  BUDDY_MEMO: (x) => {
    const me = x.session.uid;
    const b = x.body;
    if (b.sub === MemoOp.GET) {
      const memo = x.ctx.store.memoOf(me, b.uid);
      return x.reply(memo ? { sub: b.sub, memo: { uid: b.uid, unknown: 0, fields: MEMO_KEYS.map((k) => memo[k]) } } : { sub: b.sub });
    }
    const memo = memoOfFields(b.fields);
    const ok = x.ctx.store.areFriends(me, b.uid)
      && stored(() => x.ctx.store.setMemo(me, b.uid, MEMO_KEYS.some((k) => memo[k] !== '') ? memo : undefined));
    x.reply({ sub: b.sub, result: ok ? 0 : REFUSED });
  },

  SIGNATURE_OPERATION: (x) => {
    const b = x.body;
    if (b.sub === SignatureOp.GET) return x.reply({ sub: b.sub, result: 0, get: { next: 0, signatures: signaturesOf(x.ctx.store, b.queries) } });
    const text = b.sub === SignatureOp.MODIFY ? b.text : '';
    x.reply({ sub: b.sub, result: stored(() => x.ctx.store.setSignature(x.session.uid, text)) ? 0 : REFUSED });
  },
};
