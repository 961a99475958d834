// Friendships (mutual) and each owner's friend groups (0 "My Friends" is built in).
import { NoticeCode, type Store } from '../../store/store.js';
import { MAX_GROUP_INDEX, StoreError } from '../../store/validate.js';
import { AdminError } from '../params.js';
import { defineCommand, type AdminContext } from '../context.js';
import { accountOf } from './users.js';

const uid = { type: 'uid', doc: 'the owner' } as const;
const index = { type: 'int', doc: 'group index (0 is "My Friends")', min: 0, max: MAX_GROUP_INDEX } as const;

/** The name of an existing group, or a not_found error. */
function groupName(store: Store, owner: number, i: number): string {
  const g = store.groupsOf(owner).find((x) => x.index === i);
  if (!g) throw new StoreError('unknown-group', `user ${owner} has no friend group ${i}`, owner);
  return g.name;
}

export const friendList = defineCommand({
  name: 'friend.list',
  summary: "a user's friends with their group",
  method: 'GET',
  path: '/api/users/{uid}/friends',
  params: { uid },
  run: ({ store }, a) => {
    accountOf(store, a.uid);
    const names = new Map(store.groupsOf(a.uid).map((g) => [g.index, g.name]));
    return store.friendsOf(a.uid).map((f) => ({ uid: f.uid, nick: f.nick, group: f.group, groupName: names.get(f.group) ?? '' }));
  },
});

/**
 * Tells both users they are friends now (a system message each, stored like messages): the running server
 * pushes them at once; without one they wait in the store for each user's next login.
 */
function notifyBefriended(ctx: AdminContext, a: number, b: number): void {
  const fresh = ctx.store.friendChange({
    notices: [{ sender: a, receiver: b, code: NoticeCode.ADDED_YOU, text: '' }, { sender: b, receiver: a, code: NoticeCode.ADDED_YOU, text: '' }],
  });
  ctx.live?.server.hub.deliverStored(fresh);
}

export const friendAdd = defineCommand({
  name: 'friend.add',
  summary: 'make two users friends of each other; the friend is filed in the named group (created if missing)',
  method: 'POST',
  path: '/api/users/{uid}/friends',
  params: { uid, friend: { type: 'uid', doc: 'the new friend' }, group: { type: 'string', doc: 'group name for the friend (default "My Friends")', required: false } },
  run: ({ store, live }, a) => {
    // Every check before the group is created, so a failed add leaves nothing behind.
    accountOf(store, a.uid);
    accountOf(store, a.friend);
    if (a.uid === a.friend) throw new StoreError('self-friend', `user ${a.uid} cannot be their own friend`, a.uid);
    const already = store.areFriends(a.uid, a.friend);
    const group = a.group === undefined ? undefined : store.addGroup(a.uid, a.group);
    store.addFriend(a.uid, a.friend, group);
    if (!already) notifyBefriended({ store, ...(live ? { live } : {}) }, a.uid, a.friend);
    const i = store.friendsOf(a.uid).find((f) => f.uid === a.friend)?.group ?? 0;
    return { uid: a.uid, friend: a.friend, already, group: { index: i, name: groupName(store, a.uid, i) } };
  },
});

export const friendRemove = defineCommand({
  name: 'friend.remove',
  summary: 'end a friendship, both ways',
  method: 'DELETE',
  path: '/api/users/{uid}/friends/{friend}',
  params: { uid, friend: { type: 'uid', doc: 'the friend' } },
  run: ({ store }, a) => ({ uid: a.uid, friend: a.friend, removed: store.removeFriend(a.uid, a.friend) }),
});

export const groupList = defineCommand({
  name: 'group.list',
  summary: "a user's friend groups with their friend counts",
  method: 'GET',
  path: '/api/users/{uid}/groups',
  params: { uid },
  run: ({ store }, a) => {
    accountOf(store, a.uid);
    const friends = store.friendsOf(a.uid);
    return store.groupsOf(a.uid).map((g) => ({ index: g.index, name: g.name, friends: friends.filter((f) => f.group === g.index).length }));
  },
});

export const groupAdd = defineCommand({
  name: 'group.add',
  summary: 'add a friend group (an existing group of that name is returned as is)',
  method: 'POST',
  path: '/api/users/{uid}/groups',
  params: { uid, name: { type: 'string', doc: 'the group name' } },
  run: ({ store }, a) => {
    accountOf(store, a.uid);
    const before = store.groupsOf(a.uid).length;
    const i = store.addGroup(a.uid, a.name);
    return { uid: a.uid, index: i, name: groupName(store, a.uid, i), added: store.groupsOf(a.uid).length > before };
  },
});

export const groupRename = defineCommand({
  name: 'group.rename',
  summary: 'rename a friend group',
  method: 'POST',
  path: '/api/users/{uid}/groups/{index}',
  params: { uid, index, name: { type: 'string', doc: 'the new name' } },
  run: ({ store }, a) => {
    accountOf(store, a.uid);
    const from = groupName(store, a.uid, a.index);
    store.renameGroup(a.uid, a.index, a.name);
    return { uid: a.uid, index: a.index, from, to: groupName(store, a.uid, a.index) };
  },
});

export const groupRemove = defineCommand({
  name: 'group.remove',
  summary: 'remove a friend group; its friends move to group 0 "My Friends"',
  method: 'DELETE',
  path: '/api/users/{uid}/groups/{index}',
  params: { uid, index },
  run: ({ store }, a) => {
    accountOf(store, a.uid);
    const name = groupName(store, a.uid, a.index);
    const moved = store.friendsOf(a.uid).filter((f) => f.group === a.index).length;
    store.removeGroup(a.uid, a.index);
    return { uid: a.uid, index: a.index, name, moved };
  },
});

export const groupMove = defineCommand({
  name: 'group.move',
  summary: 'file a friend in another group of the owner (by index or name)',
  method: 'POST',
  path: '/api/users/{uid}/friends/{friend}/group',
  params: { uid, friend: { type: 'uid', doc: 'the friend' }, group: { type: 'string', doc: 'group index or name' } },
  run: ({ store }, a) => {
    accountOf(store, a.uid);
    accountOf(store, a.friend);
    let i: number;
    if (/^\d+$/.test(a.group)) {
      i = Number(a.group);
      if (i > MAX_GROUP_INDEX) throw new AdminError('bad_param', `group index ${a.group} is not a whole number from 0 to ${MAX_GROUP_INDEX}`);
      groupName(store, a.uid, i);
    } else {
      const g = store.groupsOf(a.uid).find((x) => x.name === a.group.trim());
      if (!g) throw new StoreError('unknown-group', `user ${a.uid} has no friend group named "${a.group}"`, a.uid);
      i = g.index;
    }
    store.moveFriend(a.uid, a.friend, i);
    return { uid: a.uid, friend: a.friend, index: i, name: groupName(store, a.uid, i) };
  },
});
