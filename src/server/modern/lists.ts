import * as M from '../../protocol/bodies/modern/index.js';
import type { MODERN_TABLE } from '../../protocol/commands.js';
import type { SessionHandlers } from '../dispatch.js';
import { loginDialectOf } from '../../protocol/families.js';
import type { Store } from '../../store/store.js';
import { levelOf } from '../level.js';
import { statusBlockOf } from '../status-block.js';
import { signaturesOf } from '../signatures.js';
import { splitText } from '../../protocol/text.js';

const INDEX_PER_PAGE = 100;
const FRIENDS_PER_PAGE = 50;
/** ≈ 22 entries make the capture's ≈1000-byte online reply. */
const ONLINE_PER_PAGE = 22;
/** pidgin-libqq asks 100 friends' levels at a time (8 bytes each in the reply). */
const LEVELS_PER_PAGE = 101;
const ALIASES_PER_PAGE = 40;
/** The alias and signature fields are a u8 length and UTF-8 bytes. */
const TEXT8 = 255;

/** A text cut to what a u8-length UTF-8 field holds, never inside a character. */
const cut = (text: string): string => splitText(text, TEXT8)[0] ?? '';

const nowSec = (now: number): number => Math.floor(now / 1000);

/** A user's buddy/Qun index: friends, then the user's Qun (type 04: MyQQ asks each one's info with 0x0002 later). */
export function buddyIndex(store: Store, uid: number): M.BuddyIndexEntry[] {
  return [
    ...store.friendsOf(uid).sort((a, b) => a.uid - b.uid).map((f) => ({ uid: f.uid, type: M.IndexType.BUDDY, group: f.group })),
    ...store.qunIdsOf(uid).map((id) => ({ uid: id, type: M.IndexType.QUN, group: 0 })),
  ];
}

/** The modern post-login chain: buddy index, group labels, friend list, online list, details, levels … */
export const listHandlers: SessionHandlers<typeof MODERN_TABLE> = {
  BUDDY_INDEX: (x) => {
    const entries = buddyIndex(x.ctx.store, x.session.uid);
    const totalPages = Math.max(1, Math.ceil(entries.length / INDEX_PER_PAGE));
    const current = Math.min(Math.max(x.body.page, 1), totalPages);
    x.reply({
      result: 0, unknown1: 0, unknown2: 0, updateTime: nowSec(x.ctx.clock.now()), totalPages, currentPage: current,
      entries: entries.slice((current - 1) * INDEX_PER_PAGE, current * INDEX_PER_PAGE),
    });
  },

  // The other steps of MyQQ's post-login chain: acknowledged, nothing to tell.
  CHAIN_E9: (x) => x.reply(M.CHAIN_REPLY_OK),
  CHAIN_EA: (x) => x.reply(M.CHAIN_REPLY_OK),
  CHAIN_EC: (x) => x.reply(M.CHAIN_REPLY_OK),
  CHAIN_ED: (x) => x.reply(M.CHAIN_REPLY_OK),

  GROUP_LABELS: (x) => {
    const labels = x.ctx.store.groupsOf(x.session.uid).filter((g) => g.index !== 0).map((g, i) => ({ id: g.index, order: i + 1, name: g.name }));
    x.reply({ next: labels.length ? 0 : M.NO_GROUP_LABELS, unknown1: 0, unknown2: 0, labels });
  },

  GET_LEVEL: (x) => {
    const now = nowSec(x.ctx.clock.now());
    const levelFor = (uid: number) => levelOf(x.ctx.store.getUser(uid)?.createdAt ?? now, now);
    if ('uids' in x.body) {
      // pidgin-libqq's 0x89: every known uid of the list (it logs an unknown one and goes on).
      const known = x.body.uids.filter((uid) => x.ctx.store.getUser(uid)).slice(0, LEVELS_PER_PAGE);
      return x.reply({ levels: known.map((uid) => ({ uid, level: levelFor(uid).level, unknown: 0 })) });
    }
    const { uid } = x.body;
    const l = levelFor(uid);
    x.reply({ uid, unknown1: 3, level: l.level, activeDays: l.activeTime, unknown2: 0, daysToUpgrade: l.daysLeft });
  },

  FRIEND_LIST: (x) => {
    const all = x.ctx.store.friendsOf(x.session.uid).sort((a, b) => a.uid - b.uid)
      .map((f) => ({ uid: f.uid, face: f.face, age: f.age, sex: f.gender === 1 ? M.Sex.FEMALE : M.Sex.MALE, nick: f.nick }));
    x.reply(M.friendListPage(all, x.body.start, FRIENDS_PER_PAGE, loginDialectOf(x.session.version)));
  },

  // What users set from classic clients (MyQQ only reads them).
  SIGNATURES: (x) => {
    const signatures = signaturesOf(x.ctx.store, x.body.queries).map((s) => ({ ...s, text: cut(s.text) }));
    x.reply({ result: 0, next: 0, signatures });
  },

  ACCOUNTS: (x) => x.reply({ uid: x.session.uid, result: 1, next: 0, accounts: x.body.uids.map((uid) => ({ uid, flag: 0 })) }),

  // The aliases of the user's memos about current friends (written from pidgin); MQ asks again from the
  // number of entries it has until `last` is 1.
  ALIASES: (x) => {
    const me = x.session.uid;
    const all = x.ctx.store.memosOf(me).filter((m) => m.memo.alias !== '' && x.ctx.store.areFriends(me, m.friend));
    const page = all.slice(x.body.start, x.body.start + ALIASES_PER_PAGE);
    const end = x.body.start + page.length;
    x.reply({ last: end >= all.length || end > 0xff - ALIASES_PER_PAGE ? 1 : 0, aliases: page.map((m) => ({ uid: m.friend, alias: cut(m.memo.alias) })) });
  },

  GET_ONLINE_FRIENDS: (x) => {
    const { hub } = x.ctx;
    hub.deliverPending(x.session);
    // Friends on other nodes of a cluster too (the reply then waits for one Redis round trip).
    hub.onlineFriendsEverywhere(x.session.uid, (all) => {
      if (x.session.closed) return;
      const online = all.filter((f) => f.uid > x.body.start);
      const page = online.slice(0, ONLINE_PER_PAGE);
      x.reply({ next: online.length > page.length ? 0 : M.ONLINE_LIST_LAST, entries: page.map((f) => ({ block: statusBlockOf(f) })) });
    });
  },

  FRIEND_DETAILS: (x) => {
    const a = x.ctx.store.getUser(x.body.uid);
    const fields = a ? [{ tag: M.DetailTag.NICK, value: Buffer.from(a.nick, 'utf8') }] : [];
    x.reply({ result: a ? 0 : 1, uid: x.body.uid, unknown: 0, fields });
  },
};
