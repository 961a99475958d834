// Accounts: list, show, add, passwd, ban/unban, and a user's undelivered messages.
import { passwordMd5 } from '../../protocol/keys.js';
import { StoreError } from '../../store/validate.js';
import type { Store, StoredMessage } from '../../store/store.js';
import { defineCommand, type AdminContext } from '../context.js';
import { AdminError } from '../params.js';
import { sessionRow } from './sessions.js';

const account = { type: 'uid', doc: 'the account' } as const;

/** First uid handed out by `user add` without a uid. */
export const FIRST_AUTO_UID = 10000;

/** The account or a not_found error. */
export function accountOf(store: Store, uid: number) {
  const a = store.getUser(uid);
  if (!a) throw new StoreError('unknown-user', `user ${uid} does not exist`, uid);
  return a;
}

/** An undelivered message as the console shows it. */
function pendingRow(m: StoredMessage) {
  // kind: a private message, a Qun message (qun = its number) or a system message (friend or Qun notice).
  const kind = m.kind ?? 'message';
  return { id: m.id, kind, ...(m.qun !== undefined ? { qun: m.qun } : {}), sender: m.sender, sentAt: m.sentAt, fragment: `${m.fragIndex + 1}/${m.fragCount}`, text: m.text };
}

export const userList = defineCommand({
  name: 'user.list',
  summary: 'list the accounts',
  method: 'GET',
  path: '/api/users',
  params: {},
  run: ({ store, live }) =>
    store.listUsers().map((u) => ({
      uid: u.uid,
      nick: u.nick,
      friends: store.friendsOf(u.uid).length,
      createdAt: u.createdAt,
      banned: store.banOf(u.uid)?.reason ?? null,
      online: live ? live.server.hub.get(u.uid) !== undefined : null,
    })),
});

export const userShow = defineCommand({
  name: 'user.show',
  summary: "one account: profile, friends, groups, pending messages, ban, and (live) session, login history and locks",
  method: 'GET',
  path: '/api/users/{uid}',
  params: { uid: account },
  run: (ctx: AdminContext, { uid }) => {
    const { store, live } = ctx;
    const a = accountOf(store, uid);
    const groups = new Map(store.groupsOf(uid).map((g) => [g.index, g.name]));
    const session = live?.server.hub.get(uid);
    return {
      uid, nick: a.nick, face: a.face, age: a.age, gender: a.gender, createdAt: a.createdAt, strangers: a.strangers,
      ban: store.banOf(uid) ?? null,
      friends: store.friendsOf(uid).map((f) => ({ uid: f.uid, nick: f.nick, group: f.group, groupName: groups.get(f.group) ?? '' })),
      groups: [...groups].map(([index, name]) => ({ index, name })),
      pending: { count: store.pendingCount(uid), messages: store.pendingFor(uid, 50).map(pendingRow) },
      session: live && session ? sessionRow(live, session) : null,
      logins: live ? live.logs.loginHistory(uid) : null,
      locks: live ? live.server.guard.locks().filter((l) => (l.kind === 'uid' || l.kind === 'pair') && l.uid === uid) : null,
    };
  },
});

export const userAdd = defineCommand({
  name: 'user.add',
  summary: `add an account (without a uid: the next free one from ${FIRST_AUTO_UID})`,
  method: 'POST',
  path: '/api/users',
  params: {
    uid: { type: 'uid', doc: 'the new QQ number', required: false },
    password: { type: 'string', doc: 'its password (only MD5(password) is stored)', secret: true },
    nick: { type: 'string', doc: 'nickname (default: the uid)', required: false },
  },
  run: ({ store }, { uid, password, nick }) => {
    // Without a uid the store picks and takes the next free one in one transaction (concurrent adds never collide).
    const a = uid === undefined
      ? store.addNextUser(FIRST_AUTO_UID, passwordMd5(password), nick)
      : store.addUser(uid, passwordMd5(password), nick ?? String(uid));
    return { uid: a.uid, nick: a.nick };
  },
});

export const userDelete = defineCommand({
  name: 'user.delete',
  summary: 'delete an account: its friendships (both sides), friend groups and every message it sent or received; an online session is ended',
  method: 'DELETE',
  path: '/api/users/{uid}',
  params: { uid: account },
  run: ({ store, live }, { uid }) => {
    const deleted = store.deleteUser(uid);
    // Its session would otherwise live on until logout or time-out, with a uid the store no longer knows.
    const kicked = live ? live.server.hub.kick(uid, 'this account was deleted') : false;
    // Its messages left other mailboxes too: the quota counts are read again from the store.
    live?.server.hub.mailbox.reset();
    return { ...deleted, kicked };
  },
});

export const userPasswd = defineCommand({
  name: 'user.passwd',
  summary: "change an account's password",
  method: 'POST',
  path: '/api/users/{uid}/password',
  params: { uid: account, password: { type: 'string', doc: 'the new password', secret: true } },
  run: ({ store }, { uid, password }) => {
    store.setPassword(uid, passwordMd5(password));
    return { uid };
  },
});

export const userStrangers = defineCommand({
  name: 'user.strangers',
  summary: 'who may leave the user messages when not a friend: accept (anyone, the default) or friends-only',
  method: 'POST',
  path: '/api/users/{uid}/strangers',
  params: { uid: account, strangers: { type: 'string', doc: 'accept | friends-only' } },
  run: ({ store }, { uid, strangers }) => {
    if (strangers !== 'accept' && strangers !== 'friends-only') {
      throw new AdminError('bad_param', `parameter 'strangers' must be accept or friends-only, got "${strangers}"`);
    }
    store.setStrangerPolicy(uid, strangers);
    return { uid, strangers };
  },
});

export const userBan = defineCommand({
  name: 'user.ban',
  summary: 'ban an account: its logins are refused with the reason; an online session is ended with it',
  method: 'POST',
  path: '/api/users/{uid}/ban',
  params: { uid: account, reason: { type: 'string', doc: 'shown to the user at login' } },
  run: ({ store, live }, { uid, reason }) => {
    store.ban(uid, reason);
    const kicked = live ? live.server.hub.kick(uid, `banned: ${reason}`) : false;
    return { uid, reason, kicked };
  },
});

export const userUnban = defineCommand({
  name: 'user.unban',
  summary: 'lift a ban',
  method: 'DELETE',
  path: '/api/users/{uid}/ban',
  params: { uid: account },
  run: ({ store }, { uid }) => ({ uid, wasBanned: store.unban(uid) }),
});

export const messagePending = defineCommand({
  name: 'message.pending',
  summary: "a user's undelivered messages, oldest first",
  method: 'GET',
  path: '/api/users/{uid}/pending',
  params: { uid: { type: 'uid', doc: 'the receiver' }, limit: { type: 'int', doc: 'most messages listed (default 100)', required: false, min: 1, max: 10_000 } },
  run: ({ store }, { uid, limit }) => {
    accountOf(store, uid);
    return { count: store.pendingCount(uid), messages: store.pendingFor(uid, limit ?? 100).map(pendingRow) };
  },
});
