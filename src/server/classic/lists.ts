import { FRIEND_LIST_END, GroupEntryType, ONLINE_END, ONLINE_MAX_ENTRIES, userInfoReply } from '../../protocol/bodies/classic/index.js';
import type { CLASSIC_TABLE } from '../../protocol/commands.js';
import type { SessionHandlers } from '../dispatch.js';
import { levelOf } from '../level.js';
import { statusBlockOf } from '../status-block.js';

const FRIENDS_PER_PAGE = 50;
const GROUP_ENTRIES_PER_PAGE = 100;

/** Classic friend lists, groups, online friends, user info, levels and memos. */
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
    const page = friends.slice(start, start + FRIENDS_PER_PAGE);
    const end = start + page.length;
    x.reply({
      next: end < friends.length ? end : FRIEND_LIST_END,
      entries: page.map((f) => ({ uid: f.uid, face: f.face, age: f.age, gender: f.gender, nick: f.nick, flagsUnknown: 0, ext: 0, comm: 0 })),
    });
  },

  DOWNLOAD_GROUPS: (x) => {
    const req = x.body;
    const friends = x.ctx.store.friendsOf(x.session.uid).filter((f) => f.uid >= req.startUid).sort((a, b) => a.uid - b.uid);
    const page = friends.slice(0, GROUP_ENTRIES_PER_PAGE);
    const last = friends.length <= page.length;
    // The user's Qun ride on the last page (type 04), as pidgin learns its Qun from this list.
    const quns = last ? x.ctx.store.qunsOf(x.session.uid).map((q) => ({ uid: q.id, type: GroupEntryType.QUN, group: 0 })) : [];
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
    x.reply({ sub: x.body.sub, entries });
  },

  GET_ONLINE_FRIENDS: (x) => {
    const { position } = x.body;
    // The position is an index into the online list (a u8, as pidgin sends it); FF ends the paging.
    const online = x.ctx.hub.onlineFriends(x.session.uid);
    const page = online.slice(position, position + ONLINE_MAX_ENTRIES);
    const end = position + page.length;
    x.reply({
      next: end < online.length && end < ONLINE_END ? end : ONLINE_END,
      entries: page.map((f) => ({ block: statusBlockOf(f), unknown1: 0, ext: 0, comm: 0, unknown2: 0, end: 0 })),
    });
  },

  // The server keeps no memos; the lone sub-command is the "no memo" answer pidgin accepts.
  BUDDY_MEMO: (x) => x.reply({ sub: x.body.sub }),
};
