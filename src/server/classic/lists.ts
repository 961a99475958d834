import { LEVEL_2007, LEVEL_2007_EXTRA, ENTRY_TAIL_2007, FRIEND_LIST_END, GroupEntryType, ONLINE_END, ONLINE_MAX_ENTRIES, userInfoReply } from '../../protocol/bodies/classic/index.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import type { SessionHandlers } from '../dispatch.js';
import { usesLogin2007 } from '../../protocol/families.js';
import type { Session } from '../session.js';
import { levelOf } from '../level.js';
import { statusBlockOf } from '../status-block.js';

const FRIENDS_PER_PAGE = 50;

/**
 * A friend-list page ends after the first nickname that is not ASCII: pidgin's QQ plugin advances by the
 * nickname's UTF-8 length instead of its GB18030 length, so any entry after such a nickname would be misread.
 * As the last entry of a page it is read right, and pidgin asks for the next page from there.
 */
function friendPage<T extends { nick: string }>(page: T[]): T[] {
  const i = page.findIndex((f) => /[^\x00-\x7f]/.test(f.nick));
  return i < 0 ? page : page.slice(0, i + 1);
}

/** QQ2007/QQ2008 clients expect 4 more bytes in each friend-list and online-list entry. */
function tail2007(s: Session): { tail?: Buffer } {
  return usesLogin2007(s.version) ? { tail: Buffer.alloc(ENTRY_TAIL_2007) } : {};
}
const GROUP_ENTRIES_PER_PAGE = 100;

/** Classic friend lists, groups, online friends, user info and levels. */
export const listHandlers: SessionHandlers<typeof CLASSIC_TABLE> = {
  GET_USER_INFO: (x) => {
    const { uid } = x.body;
    const a = x.ctx.store.getUser(uid);
    x.reply(userInfoReply({
      uid, nick: a?.nick ?? '', country: '', province: '', zip: '', address: '', telephone: '', age: a?.age ?? 0,
      gender: a?.gender ?? 0xff, name: '', email: '', pagerSn: '', pagerNumber: '', pagerProvider: '', pagerBaseNumber: '',
      pagerType: '', occupation: '', homepage: '', authType: 0, face: a?.face ?? 0, mobile: '', mobileType: '', intro: '',
      city: '', publishMobile: '', publishContact: '', college: '', horoscope: '', zodiac: '', bloodType: '', show: '',
    }));
  },

  GET_FRIEND_LIST: (x) => {
    const { start } = x.body;
    const friends = x.ctx.store.friendsOf(x.session.uid).sort((a, b) => a.uid - b.uid);
    const page = friendPage(friends.slice(start, start + FRIENDS_PER_PAGE));
    const end = start + page.length;
    x.reply({
      next: end < friends.length ? end : FRIEND_LIST_END,
      entries: page.map((f) => ({ uid: f.uid, face: f.face, age: f.age, gender: f.gender, nick: f.nick, flagsUnknown: 0, ext: 0, comm: 0, ...tail2007(x.session) })),
    });
  },

  DOWNLOAD_GROUPS: (x) => {
    const req = x.body;
    const friends = x.ctx.store.friendsOf(x.session.uid).filter((f) => f.uid >= req.startUid).sort((a, b) => a.uid - b.uid);
    const page = friends.slice(0, GROUP_ENTRIES_PER_PAGE);
    const last = friends.length <= page.length;
    // The user's Qun ride on the last page (type 04), as pidgin learns its Qun from this list.
    const quns = last ? x.ctx.store.qunIdsOf(x.session.uid).map((id) => ({ uid: id, type: GroupEntryType.QUN, group: 0 })) : [];
    x.reply({
      op: req.op, result: 0, reserved: 0,
      nextUid: last ? 0 : friends[page.length]!.uid,
      entries: [...page.map((f) => ({ uid: f.uid, type: GroupEntryType.FRIEND, group: f.group })), ...quns],
    });
  },

  GET_LEVEL: (x) => {
    const now = Math.floor(x.ctx.clock.now() / 1000);
    const entries = x.body.uids.flatMap((uid) => {
      const a = x.ctx.store.getUser(uid);
      return a ? [{ uid, ...levelOf(a.createdAt, now) }] : [];
    });
    // The QQ2007 form asks for one friend and reads strings after the entry: an empty one ends them.
    x.reply(x.body.sub === LEVEL_2007 ? { sub: x.body.sub, entries, extra: LEVEL_2007_EXTRA } : { sub: x.body.sub, entries });
  },

  GET_ONLINE_FRIENDS: (x) => {
    const { position } = x.body;
    // The position is an index into the online list (a u8, as pidgin sends it); FF ends the paging. Friends on
    // other nodes of a cluster are in it too (the reply then waits for one Redis round trip).
    x.ctx.hub.onlineFriendsEverywhere(x.session.uid, (online) => {
      if (x.session.closed) return;
      const page = online.slice(position, position + ONLINE_MAX_ENTRIES);
      const end = position + page.length;
      x.reply({
        next: end < online.length && end < ONLINE_END ? end : ONLINE_END,
        entries: page.map((f) => ({ block: statusBlockOf(f), unknown1: 0, ext: 0, comm: 0, unknown2: 0, end: 0, ...tail2007(x.session) })),
      });
    });
  },
};
