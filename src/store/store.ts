// The store interface: what the server and the account CLI need, whatever the backend.
// The embedded default is SQLite (sqlite.ts). Everything here is synchronous: better-sqlite3 is,
// and a send is answered only after its message is committed.
import type { FontStyle, TextBytes } from '../protocol/text.js';

/** A user account. The store keeps MD5(password), never the password (PROTOCOL.md §3). */
export interface Account {
  uid: number;
  nick: string;
  /** MD5(password): password-equivalent for this protocol, so the database file is created 0600. */
  passwordMd5: Buffer;
  face: number;
  age: number;
  /** 0 male, 1 female, 0xFF unknown. */
  gender: number;
  createdAt: number;
  /** Who may add this user as a friend (AuthPolicy). */
  authType: number;
  signature: string;
  /** Unix seconds of the signature's last change (0: never set). */
  signatureAt: number;
  /** Who may leave this user messages when they are not friends. */
  strangers: StrangerPolicy;
}

/** A user's privacy setting for messages from non-friends: QQ's "accept" / "friends only". */
export type StrangerPolicy = 'accept' | 'friends-only';

/** Undelivered messages of one receiver, split by whether the sender was a friend when it was stored. */
export interface MailboxUsage {
  friends: { count: number; bytes: number };
  strangers: { count: number; bytes: number };
}

/** The server that holds a store (written when it starts, for the message a second one prints). */
export interface ServerInfo {
  pid: number;
  host: string;
  startedAt: number;
}

/** "Who may add me": anyone, only after my authorization, nobody. */
export const AuthPolicy = { ANYONE: 0, NEEDS_AUTH: 1, NOBODY: 2 } as const;

/** An operator's ban on an account. */
export interface Ban {
  reason: string;
  /** Unix seconds. */
  bannedAt: number;
}

/** A friend as seen by one owner: the friend's public profile and the owner's group for it. */
export interface Friend {
  uid: number;
  nick: string;
  face: number;
  age: number;
  /** 0 male, 1 female, 0xFF unknown. */
  gender: number;
  /** The owner's friend-group index (0 = "My Friends"; see FriendList.groups on the client). */
  group: number;
}

/** A user's memo about a friend: what pidgin's "buddy memo" dialog holds; clients show the alias as the name. */
export interface Memo {
  alias: string;
  mobile: string;
  telephone: string;
  address: string;
  email: string;
  zipcode: string;
  note: string;
}

/** The memo's fields in wire order (classic 0x003E). */
export const MEMO_KEYS = ['alias', 'mobile', 'telephone', 'address', 'email', 'zipcode', 'note'] as const satisfies readonly (keyof Memo)[];

/** One of an owner's friend groups. Index 0, "My Friends", always exists. */
export interface FriendGroup {
  index: number;
  name: string;
}

/** Font of a message, kept so the receiver sees what the sender chose (either framing): the trailer's fields without its charset. */
export type MessageFont = FontStyle;

/** A message to store: one fragment of what a sender sent. */
export interface NewMessage {
  sender: number;
  receiver: number;
  /** Unix seconds, from the sender's request. */
  sentAt: number;
  /** The sender's message id (the same for all fragments of one message). */
  msgId: number;
  fragCount: number;
  fragIndex: number;
  /** 1 normal, 2 auto-reply. */
  replyType: number;
  /** The text; for a fragment cut inside a character (`raw` set), the characters that end in it (see CutTexts). */
  text: string;
  /** The fragment's bytes as sent when they are not whole characters: relayed as they are, decoded with the whole message. */
  raw?: TextBytes;
  font?: MessageFont;
  /** The sender was not the receiver's friend when it was sent (counted against the strangers' quota). */
  stranger?: boolean;
}

/** A stored message, with its store id (increasing: the delivery order). */
export interface StoredMessage extends NewMessage {
  id: number;
  /** 'qun' (the Qun is `qun`) or 'system' (code `code`, the note is `text`); absent for a private message. */
  kind?: 'qun' | 'system';
  qun?: number;
  code?: number;
}

/** What a system message says (the receiver's client shows it by framing). */
export const NoticeCode = {
  /** `sender` added the receiver (no authorization needed). */
  ADDED_YOU: 1,
  /** `sender` asks to add the receiver; text = the note. */
  ADD_REQUEST: 2,
  /** `sender` approved the receiver's request: they are friends. */
  APPROVED: 3,
  /** `sender` refused the receiver's request; text = the reason. */
  REFUSED: 4,
  /** `sender` removed the receiver from their list. */
  REMOVED_YOU: 5,
  /** Qun `qun`: `sender` joined. */
  QUN_JOINED: 21,
  /** Qun `qun`: `sender` left (or was removed). */
  QUN_LEFT: 22,
  /** Qun `qun`: `sender` asks to join (to its creator); text = the note. */
  QUN_APPLY: 23,
  /** Qun `qun`: the creator `sender` approved the receiver. */
  QUN_APPROVED: 24,
  /** Qun `qun`: the creator `sender` refused the receiver; text = the reason. */
  QUN_REFUSED: 25,
  /** Qun `qun` was dismissed by its creator `sender`. */
  QUN_DISMISSED: 26,
} as const;

/** A system message to store for one receiver. */
export interface NewNotice {
  sender: number;
  receiver: number;
  code: number;
  text: string;
  qun?: number;
}

/** A Qun (group chat). Its number is both its internal id and the number users see. */
export interface Qun {
  id: number;
  name: string;
  notice: string;
  intro: string;
  creator: number;
  /** 1 open, 2 the creator approves, 3 nobody joins (QunPolicy). */
  authType: number;
  createdAt: number;
}

/** Join policies of a Qun. */
export const QunPolicy = { OPEN: 1, NEEDS_AUTH: 2, CLOSED: 3 } as const;

/** A member of a Qun with the public profile. */
export interface QunMember {
  uid: number;
  /** 1 admin (the creator), 0 member. */
  role: number;
  nick: string;
  face: number;
  age: number;
  gender: number;
}

/** A Qun message fragment to store once for all members. */
export interface NewQunMessage {
  qun: number;
  sender: number;
  sentAt: number;
  msgId: number;
  fragCount: number;
  fragIndex: number;
  /** The text; for a fragment cut inside a character (`raw` set), the characters that end in it (see CutTexts). */
  text: string;
  /** The bytes as sent, when the fragment was cut inside a character. */
  raw?: TextBytes;
  font?: MessageFont;
}

/** A change of friendships, stored in one transaction with the system messages it causes. */
export interface FriendChange {
  /** Make these two friends (both ways). */
  befriend?: [number, number];
  /** End this friendship (both ways). */
  unfriend?: [number, number];
  /** Record that `from` asks `to` (kept until answered). */
  request?: { from: number; to: number; note: string };
  /** Forget the request of `from` to `to`. */
  dropRequest?: { from: number; to: number };
  notices: NewNotice[];
}

/** A change of a Qun, stored in one transaction with the system messages it causes. */
export interface QunChange {
  qun: number;
  join?: { uid: number; role: number };
  leave?: number;
  dismiss?: boolean;
  info?: Partial<Pick<Qun, 'name' | 'notice' | 'intro' | 'authType'>>;
  request?: { uid: number; note: string };
  dropRequest?: number;
  notices: NewNotice[];
}

/** What deleteUser removed. */
export interface DeletedUser {
  uid: number;
  /** Friendships ended (each counted once, though stored as two rows). */
  friends: number;
  /** Messages deleted: sent or received by the user, delivered or not. */
  messages: number;
  /** Of those, messages that were still waiting for delivery. */
  undelivered: number;
}

/** The server's persistence. Implementations must be durable on return of every mutating call. */
/** A successful login's (uid, address), as the login guard remembers it. */
export interface KnownLogin {
  uid: number;
  address: string;
}

export interface Store {
  addUser(uid: number, passwordMd5: Buffer, nick: string): Account;
  getUser(uid: number): Account | undefined;
  listUsers(): Account[];
  countUsers(): number;
  setPassword(uid: number, passwordMd5: Buffer): void;
  setNick(uid: number, nick: string): void;
  /** Bans an account (its logins are refused with `reason`); banning again replaces the reason. */
  ban(uid: number, reason: string): void;
  /** Lifts a ban; returns whether there was one. */
  unban(uid: number): boolean;
  /** The ban on an account, if any. */
  banOf(uid: number): Ban | undefined;
  /** An account and its ban in one read, as a login checks them (undefined: no such account). */
  loginAccount(uid: number): { account: Account; ban?: Ban } | undefined;
  /** The next free uid at or above `from` (for demo accounts and `user add` without a number). */
  nextFreeUid(from: number): number;
  setStrangerPolicy(uid: number, policy: StrangerPolicy): void;

  /** Whether `uid` logged in successfully from `address` (one of its last few). */
  isKnownAddress(uid: number, address: string): boolean;
  /** Records a successful login from `address`; keeps the `keep` most recent addresses of the uid. */
  rememberAddress(uid: number, address: string, keep: number): void;
  /** rememberAddress for several logins, in one transaction (none when every address was refreshed within the hour). */
  rememberAddresses(logins: readonly KnownLogin[], keep: number): void;
  /**
   * Adds an account under the next free uid at or above `from`, picked and taken in one transaction (so
   * concurrent adds, even from other processes, get different uids). `nick` defaults to the uid.
   */
  addNextUser(from: number, passwordMd5: Buffer, nick?: string): Account;
  /**
   * Deletes an account and everything that belongs to it, in one transaction: its friendships (both sides; the
   * friends' lists no longer show it), its friend groups, and every message it sent or received, delivered or
   * not (so nothing of it is pushed later, and a uid reused by a new account inherits no mailbox).
   */
  deleteUser(uid: number): DeletedUser;

  /** Makes a and b friends of each other (idempotent); `groupOfBForA` puts b in one of a's groups. */
  addFriend(a: number, b: number, groupOfBForA?: number, groupOfAForB?: number): void;
  /** Ends the friendship both ways; returns whether it existed. */
  removeFriend(a: number, b: number): boolean;
  friendsOf(uid: number): Friend[];
  /** The uids in a user's friend list, ascending (none for an unknown uid): presence fan-out needs no profiles. */
  friendUids(uid: number): number[];
  areFriends(a: number, b: number): boolean;
  /** Groups of an owner, index 0 first. */
  groupsOf(uid: number): FriendGroup[];
  /** Adds a group (or returns the existing one with that name); returns its index. */
  addGroup(uid: number, name: string): number;
  renameGroup(uid: number, index: number, name: string): void;
  /** Removes a group; its friends move to group 0. */
  removeGroup(uid: number, index: number): void;
  moveFriend(owner: number, friend: number, index: number): void;
  /**
   * Replaces an owner's named groups with `groups` (index 1 … 63, distinct names), in one transaction: a group
   * not in the list is removed and its friends move to group 0 (what a client's "upload group names" means).
   */
  setGroups(owner: number, groups: readonly FriendGroup[]): void;
  /** Moves several friends at once (one transaction); each group must exist, non-friends are skipped. Returns how many moved. */
  moveFriends(owner: number, moves: readonly { friend: number; group: number }[]): number;
  /** The owner's memo about `friend`, if any. */
  memoOf(owner: number, friend: number): Memo | undefined;
  /** Every memo of an owner, by friend uid. */
  memosOf(owner: number): { friend: number; memo: Memo }[];
  /** Writes (or, with undefined, removes) the owner's memo about a user. */
  setMemo(owner: number, friend: number, memo: Memo | undefined): void;

  /**
   * Stores messages in one transaction (group commit). A message equal to one already stored
   * (same sender, receiver, sentAt, msgId, fragIndex) is not stored again: its existing id is returned
   * with duplicate = true. `delivered` ids are marked delivered in the same transaction (one commit for a
   * whole turn of sends and acks). Durable when this returns.
   */
  storeMessages(msgs: NewMessage[], delivered?: readonly number[]): { id: number; duplicate: boolean }[];
  /** Undelivered messages for a receiver, in store order. */
  pendingFor(receiver: number, limit?: number): StoredMessage[];
  /** Number of undelivered messages for a receiver. */
  pendingCount(receiver: number): number;
  /** Counts and text bytes of a receiver's undelivered messages, friends' and strangers' apart. */
  mailboxUsage(receiver: number): MailboxUsage;
  /** Marks a message delivered (acked by the receiver); idempotent. */
  markDelivered(id: number): void;
  getMessage(id: number): StoredMessage | undefined;
  /**
   * Deletes delivered messages older than the retention (and their tombstones, kept a while so a late
   * retransmitted send is still recognised as a duplicate); returns how many rows went.
   */
  purgeDelivered(): number;

  /** Records the running server (pid, host) in the store, or clears it with undefined. */
  setServerInfo(info: ServerInfo | undefined): void;
  serverInfo(): ServerInfo | undefined;
  /** SQLite's integrity check ('quick' at start, 'full' for `oicq db check`): the problems found, [] if none. */
  check(mode: 'quick' | 'full'): string[];
  /** Free bytes on the disk that holds the store (undefined when it has no file). */
  freeDiskBytes(): number | undefined;
  /** Online copy of the store into `file` (consistent even while the server writes). */
  backup(file: string): Promise<void>;

  /** Sets who may add a user as a friend (AuthPolicy). */
  setAuthType(uid: number, authType: number): void;
  /** Sets a user's signature ('' removes it) and records the time of the change. */
  setSignature(uid: number, text: string): void;
  /** Users whose uid is `uid` or whose nick contains `nick` (case-insensitive), by uid, a page at a time. */
  searchUsers(q: { uid?: number; nick?: string }, limit: number, offset?: number): Account[];
  /** Applies a friendship change and stores its system messages; returns them as inbox entries. Durable. */
  friendChange(ch: FriendChange): StoredMessage[];
  /** The pending request of `from` to `to`, if any. */
  friendRequest(from: number, to: number): { note: string; createdAt: number } | undefined;

  /** Creates a Qun with its creator as admin member; refuses past `maxQunsPerUser` created by that user. */
  createQun(creator: number, name: string, authType: number, maxQunsPerUser: number): Qun;
  getQun(id: number): Qun | undefined;
  listQuns(): Qun[];
  /** Quns a user is a member of, by id. */
  qunsOf(uid: number): Qun[];
  /** The ids of the Quns a user is a member of, ascending (a login needs no more). */
  qunIdsOf(uid: number): number[];
  /** Members by uid (the creator first). */
  qunMembers(id: number): QunMember[];
  isQunMember(id: number, uid: number): boolean;
  /** Applies a Qun change and stores its system messages; returns them as inbox entries. Durable. */
  qunChange(ch: QunChange): StoredMessage[];
  /** The pending request of `uid` to join `qun`, if any. */
  qunRequest(qun: number, uid: number): { note: string } | undefined;
  /**
   * Stores a Qun message fragment once and one inbox entry per member other than the sender (one
   * transaction). A fragment equal to a stored one (same Qun, sender, sentAt, msgId, fragIndex) is not stored
   * again: duplicate = true and no inbox entries.
   */
  storeQunMessage(m: NewQunMessage): { id: number; duplicate: boolean; inbox: StoredMessage[] };

  close(): void;
}
